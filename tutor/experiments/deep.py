"""Chapters 4 and 7: activations in a deep net (the vanishing gradient, dead ReLU units), batch
normalisation and skip connections."""

from __future__ import annotations

import numpy as np

from tutor import nn
from tutor.nn import data

from .base import P, Experiment, interleave, log_every_for, register, train_variant
from .nets import OPTIMIZERS, batch_param, lr_param, make_optimizer, mlp, steps_param


def _circle(params, seed):
    split = data.playground("circle", n=params["n"], noise=params["noise"], test_ratio=0.3, seed=seed)
    return split.X_train / 6.0, split.y_train, split.X_test / 6.0, split.y_test


#: the activation layers whose outputs ``dead_fraction`` inspects
_ACTIVATION_LAYERS = (nn.Sigmoid, nn.Tanh, nn.ReLU, nn.LeakyReLU, nn.GELU)


def dead_fraction(model, X) -> float | None:
    """The fraction of hidden units whose activation is exactly 0 for every input of ``X``.

    Such a unit is dead: for ReLU, an output of 0 means a pre-activation ≤ 0, where ReLU's
    derivative is 0, so no gradient reaches the unit's weights or anything below it through it, on
    any input of the batch; nothing moves it back. Sigmoid, tanh and Leaky ReLU are (almost) never
    exactly 0 on every input, so they report 0. GELU can be: far on its negative side the float32
    output rounds to exactly 0, where its derivative is about 0 too, so such a unit counts as dead.
    Evaluation mode: no layer's training state changes. None for a network without activation
    layers.
    """
    dead = total = 0
    x = X
    with np.errstate(all="ignore"):
        for layer in model.layers:
            x = layer.forward(x, train=False)
            if isinstance(layer, _ACTIVATION_LAYERS):
                dead += int(np.all(x == 0, axis=0).sum())
                total += x.shape[1]
    return dead / total if total else None


def _variants(params, seed, stop, specs, dead: bool = False):
    """specs: [(variant, mlp kwargs)] trained on the same data from the same seed, interleaved.

    A kwargs' ``swap`` (an activation class) replaces the ReLU layers of the net mlp built, so the
    variant starts from exactly the ReLU variant's weights. ``dead``: measure the fraction of dead
    units on the training set before the first step, at every gradient-norm step and after the last;
    the variant's ``end`` reports them as ``start_dead_fraction``, ``dead_fractions`` (the series, one
    per gradient-norm step) and ``dead_fraction`` (after the last step). They go in the ``end``
    event, which is open to an experiment's own figures (the ``step`` event's keys are a closed
    contract, tutor/experiments/events.py), and so land in the finish summary.
    """
    X, y, Xv, yv = _circle(params, seed)
    sizes = [2] + [params["width"]] * params["layers"] + [1]
    steps = params["steps"]
    gens = []
    for name, kwargs in specs:
        nn.manual_seed(seed)
        kwargs = dict(kwargs)
        swap = kwargs.pop("swap", None)
        model = mlp(sizes, **kwargs)
        if swap is not None:
            model = nn.Sequential(*[swap() if isinstance(layer, nn.ReLU) else layer for layer in model.layers])
        opt = make_optimizer(params["optimizer"], params["lr"])
        first: dict = {"deads": []}
        if dead:
            first["dead"] = dead_fraction(model, X)

        def on_step(e, first=first, model=model):
            if e.get("grad_norms") is not None:
                first.setdefault("norms", e["grad_norms"])
                if dead:
                    first["deads"].append(dead_fraction(model, X))

        def on_end(e, first=first, model=model):
            # the norms before training moved far: what a lesson quotes as the vanishing gradient
            e["first_grad_norms"] = first.get("norms")
            if dead:
                # dead units before the first step and after the last, on the whole training set
                e["start_dead_fraction"] = first["dead"]
                e["dead_fractions"] = first["deads"]
                e["dead_fraction"] = dead_fraction(model, X)

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
#: ReLU's smooth or leaky relatives: built on the ReLU net (so He-initialised with init=auto)
RELATIVES = {"leaky_relu": nn.LeakyReLU, "gelu": nn.GELU}
#: the variants each choice of ``acts`` trains
ACT_SETS = {"classic": ACTS, "relu_family": ["relu", "leaky_relu", "gelu"],
            "all": ACTS + list(RELATIVES)}


def _act_spec(name, init):
    if name in RELATIVES:
        return name, {"activation": "relu", "init": init, "swap": RELATIVES[name]}
    return name, {"activation": name, "init": init}


def _activations(params, seed, stop):
    specs = [_act_spec(a, params["init"]) for a in ACT_SETS[params["acts"]]]
    yield from _variants(params, seed, stop, specs, dead=True)


register(Experiment(
    name="activations",
    title={"ko": "활성화 함수(activation function): 10층 신경망의 시그모이드, tanh, ReLU",
           "en": "Activations in a 10-layer net: sigmoid vs tanh vs ReLU"},
    description={
        "ko": "같은 10층 신경망을 세 활성화 함수로 학습하고 층별 그라디언트 크기 ‖∂L/∂θ‖를 막대로 봅니다. 시그모이드의 미분은 "
              "최대 0.25라서 층을 거꾸로 지날 때마다 그라디언트가 줄어듭니다: 기울기 소실(vanishing gradient). "
              "죽은 뉴런(dead unit), 곧 모든 학습 입력에서 출력이 0인 은닉 뉴런의 비율도 재서 끝에 dead_fraction으로 알려 줍니다. "
              "acts=relu_family는 ReLU, Leaky ReLU, GELU를 같은 초기 가중치에서 비교합니다.",
        "en": "The same 10-layer net trained with three activations, with the per-layer gradient norms "
              "‖∂L/∂θ‖ as bars. The sigmoid's derivative is at most 0.25, so the gradient shrinks at every "
              "layer on its way back: the vanishing gradient. It also measures dead units: the fraction of "
              "hidden units that output 0 on every training input, reported at the end as dead_fraction. acts=relu_family "
              "compares ReLU, Leaky ReLU and GELU from the same initial weights."},
    params={
        **_common(10, 32, 0.05, "momentum", 600),
        "init": P("init", "choice", "auto", "초기화(initialization): auto = 시그모이드·tanh는 Xavier, ReLU는 He",
                  "initialisation: auto = Xavier for sigmoid/tanh, He for ReLU",
                  choices=["auto", "xavier", "he", "default"]),
        "acts": P("acts", "choice", "classic",
                  "비교할 활성화 함수: classic = 시그모이드·tanh·ReLU, relu_family = ReLU·Leaky ReLU·GELU, all = 다섯 개 모두",
                  "activations compared: classic = sigmoid, tanh, ReLU; relu_family = ReLU, Leaky ReLU, GELU; all = all five",
                  choices=list(ACT_SETS), label={"ko": "활성화 함수들(acts)", "en": "activations"}),
    },
    variants_for=lambda params: list(ACT_SETS[params["acts"]]),
    variant_labels={"leaky_relu": {"ko": "리키 렐루(leaky_relu)", "en": "leaky_relu"},
                    "gelu": {"ko": "겔루(gelu)", "en": "gelu"}},
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
