"""Chapters 4 and 7: activations in a deep net (the vanishing gradient), batch normalisation and
skip connections."""

from __future__ import annotations

from tutor import nn
from tutor.nn import data

from .base import P, Experiment, interleave, log_every_for, register, train_variant
from .nets import OPTIMIZERS, batch_param, lr_param, make_optimizer, mlp, steps_param


def _circle(params, seed):
    split = data.playground("circle", n=params["n"], noise=params["noise"], test_ratio=0.3, seed=seed)
    return split.X_train / 6.0, split.y_train, split.X_test / 6.0, split.y_test


def _variants(params, seed, stop, specs):
    """specs: [(variant, mlp kwargs)] trained on the same data from the same seed, interleaved."""
    X, y, Xv, yv = _circle(params, seed)
    sizes = [2] + [params["width"]] * params["layers"] + [1]
    steps = params["steps"]
    gens = []
    for name, kwargs in specs:
        nn.manual_seed(seed)
        model = mlp(sizes, **kwargs)
        opt = make_optimizer(params["optimizer"], params["lr"])
        first: dict = {}

        def on_step(e, first=first):
            if e.get("grad_norms") is not None:
                first.setdefault("norms", e["grad_norms"])

        def on_end(e, first=first):
            # the norms before training moved far: what a lesson quotes as the vanishing gradient
            e["first_grad_norms"] = first.get("norms")

        gens.append(train_variant(name, model, nn.BCEWithLogitsLoss(), opt, X, y, X_val=Xv, y_val=yv,
                                  steps=steps, batch_size=params["batch_size"], seed=seed, stop=stop,
                                  log_every=log_every_for(steps), eval_every=max(1, steps // 50),
                                  grad_norms_every=max(1, steps // 20), on_step=on_step,
                                  on_end=on_end))
    yield from interleave(gens)


def _common(layers, width, lr, optimizer, steps):
    return {
        "layers": P("layers", "int", layers, "은닉층 수(depth)", "hidden layers (depth)", 1, 40),
        "width": P("width", "int", width, "층마다 뉴런 수", "neurons per hidden layer", 2, 256),
        "lr": lr_param(lr, high=2.0),
        "optimizer": P("optimizer", "choice", optimizer, "옵티마이저(optimizer)", "optimizer", choices=list(OPTIMIZERS)),
        "steps": steps_param(steps, high=5000),
        "batch_size": batch_param(32),
        "noise": P("noise", "float", 0.1, "데이터 잡음(noise)", "noise in the data", 0.0, 0.5),
        "n": P("n", "int", 400, "데이터 점 개수", "number of data points", 20, 5000),
    }


# -- activations -----------------------------------------------------------------------------------------

ACTS = ["sigmoid", "tanh", "relu"]


def _activations(params, seed, stop):
    yield from _variants(params, seed, stop, [(a, {"activation": a, "init": params["init"]}) for a in ACTS])


register(Experiment(
    name="activations",
    title={"ko": "활성화 함수(activation function): 10층 신경망의 시그모이드, tanh, ReLU",
           "en": "Activations in a 10-layer net: sigmoid vs tanh vs ReLU"},
    description={
        "ko": "같은 10층 신경망을 세 활성화 함수로 학습하고 층별 그라디언트 크기 ‖∂L/∂θ‖를 막대로 봅니다. 시그모이드의 미분은 "
              "최대 0.25라서 층을 거꾸로 지날 때마다 그라디언트가 줄어듭니다: 기울기 소실(vanishing gradient).",
        "en": "The same 10-layer net trained with three activations, with the per-layer gradient norms "
              "‖∂L/∂θ‖ as bars. The sigmoid's derivative is at most 0.25, so the gradient shrinks at every "
              "layer on its way back: the vanishing gradient."},
    params={
        **_common(10, 32, 0.05, "momentum", 600),
        "init": P("init", "choice", "auto", "초기화(initialization): auto = 시그모이드·tanh는 Xavier, ReLU는 He",
                  "initialisation: auto = Xavier for sigmoid/tanh, He for ReLU",
                  choices=["auto", "xavier", "he", "default"]),
    },
    variants=list(ACTS),
    body=_activations,
    diverge_cause={"ko": "학습률(learning rate)이 너무 크거나 그라디언트가 폭주(exploding gradient)했습니다",
                   "en": "the learning rate is too large, or the gradient exploded"},
))


# -- batchnorm ----------------------------------------------------------------------------------------------

def _batchnorm(params, seed, stop):
    kw = {"activation": params["activation"], "init": params["init"]}
    yield from _variants(params, seed, stop, [("plain", {**kw, "batchnorm": False}),
                                               ("batchnorm", {**kw, "batchnorm": True})])


register(Experiment(
    name="batchnorm",
    title={"ko": "배치 정규화(batch normalization): 쓸 때와 안 쓸 때", "en": "Batch normalisation: with and without"},
    description={
        "ko": "깊은 시그모이드 신경망을 배치 정규화 없이, 그리고 층마다 BatchNorm을 넣어 학습합니다. 정규화는 각 층의 입력을 "
              "평균 0, 분산 1 근처로 되돌려 시그모이드가 포화되지 않는 구간에 머물게 합니다.",
        "en": "A deep sigmoid net trained without and with BatchNorm after every linear layer. Normalising "
              "brings each layer's input back to mean 0 and variance 1, where the sigmoid is not saturated."},
    params={
        **_common(8, 32, 0.05, "momentum", 600),
        "activation": P("activation", "choice", "sigmoid", "활성화 함수(activation function)", "activation function",
                        choices=["sigmoid", "tanh", "relu"]),
        "init": P("init", "choice", "default", "초기화(initialization)", "initialisation",
                  choices=["default", "small", "xavier", "he", "auto"]),
    },
    variants=["plain", "batchnorm"],
    body=_batchnorm,
    diverge_cause={"ko": "학습률(learning rate)이 너무 큽니다", "en": "the learning rate is too large"},
))


# -- skip_connections ------------------------------------------------------------------------------------------

def _skip(params, seed, stop):
    kw = {"activation": params["activation"], "init": params["init"]}
    yield from _variants(params, seed, stop, [("plain", {**kw, "residual": False}),
                                               ("residual", {**kw, "residual": True})])


register(Experiment(
    name="skip_connections",
    title={"ko": "스킵 연결(skip connection): 깊은 신경망에 잔차 연결을 넣으면", "en": "Skip connections: a deep net with and without residuals"},
    description={
        "ko": "같은 깊은 신경망을 그대로, 그리고 각 층을 y = x + f(x) 잔차 블록(residual block)으로 감싸서 학습합니다. "
              "덧셈은 역전파에서 그라디언트를 그대로 통과시키는 고속도로가 됩니다.",
        "en": "The same deep net trained plain and with every layer wrapped as a residual block y = x + f(x). "
              "In backpropagation the addition is a highway that passes the gradient through unchanged."},
    params={
        **_common(20, 32, 0.02, "momentum", 600),
        "activation": P("activation", "choice", "tanh", "활성화 함수(activation function)", "activation function",
                        choices=["sigmoid", "tanh", "relu"]),
        "init": P("init", "choice", "default", "초기화(initialization)", "initialisation",
                  choices=["default", "small", "xavier", "he", "auto"]),
    },
    variants=["plain", "residual"],
    body=_skip,
    diverge_cause={"ko": "학습률(learning rate)이 너무 크거나 잔차가 층마다 쌓여 폭주했습니다",
                   "en": "the learning rate is too large, or the residuals piled up and exploded"},
))
