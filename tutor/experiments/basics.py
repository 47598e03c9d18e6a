"""Chapter 3: perceptron gates, linear regression by gradient descent, the learning rate, and
gradient checking."""

from __future__ import annotations

import numpy as np

from tutor import nn
from tutor.nn import data, optim
from tutor.nn.gradcheck import numerical_gradient, relative_error

from .base import (P, Experiment, boundary_event, every, interleave, log_every_for, points_of,
                   register, sigmoid, train_variant)

# -- perceptron_gates -------------------------------------------------------------------------------


def _gates(params, seed, stop):
    nn.manual_seed(seed)
    X, y = data.logic_gate(params["gate"])
    if params["layers"] == 1:
        model = nn.Sequential(nn.Linear(2, 1))
    else:
        h = params["hidden"]
        model = nn.Sequential(nn.Linear(2, h), nn.Tanh(), nn.Linear(h, 1))
    steps = params["steps"]
    # ~25 boundaries a run, by step: the panel draws a run over ~5 s, so the learner sees the
    # line move (a wall clock would give one or two: 500 steps train in a fraction of a second)
    due = every(steps, 25)
    pts = points_of(X, y)

    def prob(grid):
        return sigmoid(model.forward(grid, train=False))

    def on_step(e):
        if due(e["step"]):
            return [boundary_event(prob, e["step"], (-0.5, 1.5), (-0.5, 1.5), pts)]
        return None

    def on_end(e):
        pred = model.forward(X, train=False).reshape(-1)
        correct = int(np.sum((pred > 0) == (y.reshape(-1) > 0.5)))
        e["accuracy"] = correct / 4
        e["correct"] = correct
        e["outputs"] = [round(float(p), 4) for p in sigmoid(pred)]
        return [boundary_event(prob, e["step"], (-0.5, 1.5), (-0.5, 1.5), pts)]

    yield from train_variant("main", model, nn.BCEWithLogitsLoss(), optim.Adam(params["lr"]), X, y,
                             steps=steps, seed=seed, stop=stop, log_every=log_every_for(steps),
                             on_step=on_step, on_end=on_end)


register(Experiment(
    name="perceptron_gates",
    title={"ko": "퍼셉트론과 논리 게이트: 한 층 vs 두 층", "en": "Perceptron gates: one layer vs two"},
    description={
        "ko": "AND, NAND, OR, XOR 진리표를 한 층 퍼셉트론(perceptron) 또는 은닉층(hidden layer)이 있는 두 층 신경망으로 학습합니다. "
              "결정 경계(decision boundary)가 어떻게 그어지는지 봅니다.",
        "en": "Learn the AND, NAND, OR or XOR truth table with one perceptron or with a two-layer net "
              "(one hidden layer), and watch the decision boundary."},
    params={
        "gate": P("gate", "choice", "xor", "게이트", "the gate", choices=["and", "nand", "or", "xor"]),
        "layers": P("layers", "int", 2, "층 수: 1 = 퍼셉트론 하나, 2 = 은닉층 하나", "1 = one perceptron, 2 = one hidden layer", 1, 2),
        "hidden": P("hidden", "int", 4, "은닉 뉴런 수(layers=2일 때)", "hidden neurons (with layers=2)", 2, 16),
        "lr": P("lr", "float", 0.1, "학습률(learning rate), Adam", "learning rate (Adam)", 1e-4, 10.0),
        "steps": P("steps", "int", 500, "학습 걸음 수(steps)", "training steps", 1, 5000),
    },
    body=_gates,
))


# -- linreg_gd ---------------------------------------------------------------------------------------

def _line_data(params, seed):
    return data.noisy_line(n=params["n"], noise=params["noise"], seed=seed)


def _linreg_variant(variant, lr, params, seed, stop, fit_count=30):
    nn.manual_seed(seed)
    X, y = _line_data(params, seed)
    model = nn.Sequential(nn.Linear(1, 1, init="zeros"))
    steps = params["steps"]
    due = every(steps, fit_count)
    order = np.argsort(X[:, 0])
    xs = [round(float(v), 4) for v in X[order, 0]]
    ys = [round(float(v), 4) for v in y[order, 0]]

    def fit(step):
        pred = model.forward(X[order], train=False)[:, 0]
        if not np.all(np.isfinite(pred)):
            return []
        return [{"event": "fit", "step": step, "x": xs, "y_pred": [round(float(v), 4) for v in pred],
                 "y_true": ys}]

    def on_step(e):
        return fit(e["step"]) if fit_count and due(e["step"]) else None

    def on_end(e):
        w, b = float(model.params["0.W"][0, 0]), float(model.params["0.b"][0])
        e["w"], e["b"] = (w, b) if np.isfinite(w) and np.isfinite(b) else (None, None)
        e["lr"] = lr
        return fit(e["step"]) if fit_count else None

    return train_variant(variant, model, nn.MSELoss(), optim.SGD(lr), X, y, steps=steps, seed=seed,
                         stop=stop, log_every=log_every_for(steps), on_step=on_step, on_end=on_end)


def _linreg(params, seed, stop):
    yield from _linreg_variant("main", params["lr"], params, seed, stop)


_LINE_PARAMS = {
    "steps": P("steps", "int", 100, "경사 하강 걸음 수(steps)", "gradient-descent steps", 1, 2000),
    "noise": P("noise", "float", 0.5, "점에 더한 잡음(noise)의 표준편차", "standard deviation of the noise on the points", 0.0, 2.0),
    "n": P("n", "int", 50, "데이터 점 개수", "number of data points", 5, 1000),
}

register(Experiment(
    name="linreg_gd",
    title={"ko": "경사 하강법(gradient descent)으로 푸는 선형 회귀", "en": "Linear regression by gradient descent"},
    description={
        "ko": "y = 2x + 1에 잡음을 더한 점들에 직선 y = wx + b를 맞춥니다. w = b = 0에서 출발해 평균 제곱 오차(MSE)를 경사 하강법으로 줄입니다.",
        "en": "Fit a line y = wx + b to noisy points around y = 2x + 1, starting from w = b = 0 and "
              "descending the mean squared error."},
    params={"lr": P("lr", "float", 0.1, "학습률(learning rate)", "learning rate", 1e-5, 1000.0), **_LINE_PARAMS},
    body=_linreg,
))


# -- learning_rate -------------------------------------------------------------------------------------

def _lr(params, seed, stop):
    yield from interleave([
        _linreg_variant("too_small", params["lr_small"], params, seed, stop, fit_count=0),
        _linreg_variant("right", params["lr"], params, seed, stop, fit_count=0),
        _linreg_variant("too_large", params["lr_large"], params, seed, stop, fit_count=0),
    ])


register(Experiment(
    name="learning_rate",
    title={"ko": "학습률(learning rate): 너무 작게, 적당히, 너무 크게", "en": "Learning rate: too small, right, too large"},
    description={
        "ko": "같은 선형 회귀를 세 학습률로 나란히 학습합니다. 너무 작으면 기어가고, 너무 크면 발산(diverge)합니다.",
        "en": "The same linear regression trained side by side with three learning rates: too small "
              "crawls, too large diverges."},
    params={
        "lr_small": P("lr_small", "float", 0.01, "너무 작은 학습률", "the too-small learning rate", 1e-5, 1000.0),
        "lr": P("lr", "float", 0.1, "적당한 학습률", "the right learning rate", 1e-5, 1000.0),
        "lr_large": P("lr_large", "float", 1.1, "너무 큰 학습률", "the too-large learning rate", 1e-5, 1000.0),
        **_LINE_PARAMS,
    },
    variants=["too_small", "right", "too_large"],
    body=_lr,
))


# -- gradcheck -----------------------------------------------------------------------------------------

_ACTS = {"tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "relu": nn.ReLU}


def _gradcheck(params, seed, stop):
    nn.manual_seed(seed)
    rng = np.random.default_rng(seed)
    h = params["hidden"]
    act = _ACTS[params["activation"]]
    # float64 by default; float32 shows why a check must not run in it (rounding swamps the 2ε)
    dtype = np.float64 if params["dtype"] == "float64" else np.float32
    model = nn.Sequential(nn.Linear(4, h), act(), nn.Linear(h, h), act(), nn.Linear(h, 3)).to(dtype)
    X = rng.standard_normal((8, 4)).astype(dtype)
    y = rng.integers(0, 3, 8)
    loss_fn = nn.SoftmaxCrossEntropyLoss()
    layers = [(name, m) for name, m in model.leaves() if m.params]
    yield {"event": "start", "variant": "main", "total_steps": 0, "epochs": 0, "steps_per_epoch": 0,
           "batch_size": 8, "n_train": 8, "n_val": 0, "num_params": int(model.flat_params.size),
           "layers": [f"{n}:{type(m).__name__}" for n, m in layers], "seed": seed}

    def loss():
        return loss_fn.forward(model.forward(X), y)

    loss()
    model.backward(loss_fn.backward())
    analytic = model.flat_grads.copy()
    bug = params["bug"]
    if bug == "missing_mean":  # forgot that the loss is a mean: gradients N times too big
        analytic *= len(X)
    theta = model.flat_params
    eps = params["eps"]
    # The same central differences the engine's gradcheck uses, over the flat parameter vector.
    numeric = numerical_gradient(loss, theta, eps, stop=stop)
    if bug == "wrong_sign_bias":  # a backward pass that gets the bias gradient's sign wrong
        start = 0
        for _, m in layers:
            for k, p in m.params.items():
                if k == "b":
                    analytic[start:start + p.size] *= -1
                start += p.size
    rows, start = [], 0
    for name, m in layers:
        size = m.num_params()
        a, n_ = analytic[start:start + size], numeric[start:start + size]
        rows.append([f"{name}:{type(m).__name__}", float(np.linalg.norm(a)), float(np.linalg.norm(n_)),
                     relative_error(a, n_)])
        start += size
    yield {"event": "gradcheck", "variant": "main", "rows": rows, "eps": eps}
    error = relative_error(analytic, numeric)
    yield {"event": "end", "variant": "main", "status": "done", "reason": f"checked {theta.size} parameters",
           "step": 0, "epoch": 0, "loss": float(loss()), "val_loss": None, "val_accuracy": None,
           "best_step": None, "best_loss": None, "error": error, "max_layer_error": max(r[3] for r in rows)}


register(Experiment(
    name="gradcheck",
    title={"ko": "그라디언트 검사(gradient check): 해석적 vs 수치적", "en": "Gradient check: analytic vs numerical"},
    description={
        "ko": "역전파(backpropagation)로 구한 그라디언트와 중앙 차분(L(θ+ε) − L(θ−ε)) / 2ε으로 구한 그라디언트를 층마다 비교합니다. "
              "상대 오차(relative error)가 1e-6보다 작으면 역전파가 맞습니다.",
        "en": "Compare, layer by layer, the gradients from backpropagation with central differences "
              "(L(θ+ε) − L(θ−ε)) / 2ε. A relative error below 1e-6 means the backward pass is right."},
    params={
        "eps": P("eps", "float", 1e-6, "중앙 차분의 ε", "the ε of the central difference", 1e-10, 0.1),
        "activation": P("activation", "choice", "tanh", "활성화 함수(activation function)", "activation function",
                        choices=["tanh", "sigmoid", "relu"]),
        "hidden": P("hidden", "int", 6, "은닉 뉴런 수", "hidden neurons per layer", 1, 32),
        "bug": P("bug", "choice", "none", "일부러 넣는 역전파 버그", "a deliberate backward-pass bug",
                 choices=["none", "missing_mean", "wrong_sign_bias"]),
        "dtype": P("dtype", "choice", "float64", "부동소수점 정밀도(float64 또는 float32)",
                   "floating-point precision (float64 or float32)", choices=["float64", "float32"],
                   label={"ko": "정밀도(dtype)", "en": "precision (dtype)"}),
    },
    body=_gradcheck,
    plot={"y": "error", "log_y": True, "x": "layer"},
))
