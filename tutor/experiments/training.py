"""Chapter 3 (continued): optimizers and weight initialisation."""

from __future__ import annotations

import numpy as np

from tutor import nn
from tutor.nn import data

from .base import P, Experiment, interleave, log_every_for, parse_int_list, register, train_variant
from .nets import (OPTIMIZERS, activation_param, batch_param, hidden_param, lr_param, make_optimizer, mlp,
                   steps_param)

# -- optimizers ----------------------------------------------------------------------------------------

#: the 2-D loss surface: f(x, y) = x²/2 + y⁴/4 − y²/2 — a saddle at (0, 0), minima at (0, ±1)
SURFACE_START = (-2.0, 0.01)


def surface_f(x, y):
    return 0.5 * x * x + 0.25 * y**4 - 0.5 * y * y


def surface_grad(p):
    x, y = p
    return np.array([x, y**3 - y])


def surface_grid():
    xs = np.linspace(-2.5, 2.5, 41)
    ys = np.linspace(-1.6, 1.6, 33)
    z = surface_f(xs[None, :], ys[:, None])
    return {"x": [round(float(v), 4) for v in xs], "y": [round(float(v), 4) for v in ys],
            "z": [[round(float(v), 4) for v in row] for row in z]}


def trajectory(name: str, lr: float, steps: int) -> list:
    opt = make_optimizer(name, lr)
    p = np.array(SURFACE_START, dtype=np.float64)
    pts = [[float(p[0]), float(p[1])]]
    for _ in range(steps):
        opt.update(p, surface_grad(p))
        if not np.all(np.isfinite(p)) or np.abs(p).max() > 1e3:
            break
        pts.append([round(float(p[0]), 5), round(float(p[1]), 5)])
    return pts


#: "escaped the saddle": the surface loss below this (the minima are at −0.25, the saddle at 0)
ESCAPED = -0.2


def escape_step(points: list) -> int | None:
    """How many steps a path took to get its loss below ESCAPED (None: it never did)."""
    return next((i for i, (x, y) in enumerate(points) if surface_f(x, y) < ESCAPED), None)


def _optimizers(params, seed, stop):
    split = data.two_moons(n=params["n"], noise=params["noise"], seed=seed)
    sizes = [2, *parse_int_list(params["hidden"]), 1]
    steps = params["steps"]
    surface = surface_grid()
    paths = {name: trajectory(name, params["surface_lr"], params["surface_steps"]) for name in OPTIMIZERS}
    gens = []
    for name in OPTIMIZERS:
        nn.manual_seed(seed)  # the same initial weights for every optimizer
        model = mlp(sizes, params["activation"])
        opt = make_optimizer(name, params["lr"], params["momentum"])

        def on_end(e, points=paths[name]):
            e["surface_escape_step"] = escape_step(points)

        gens.append(train_variant(name, model, nn.BCEWithLogitsLoss(), opt, split.X_train, split.y_train,
                                  X_val=split.X_test, y_val=split.y_test, steps=steps,
                                  batch_size=params["batch_size"], seed=seed, stop=stop,
                                  log_every=log_every_for(steps), eval_every=max(1, steps // 50),
                                  on_end=on_end))
    # the same optimizers on a 2-D surface with a saddle point, drawn as a contour map
    for name in OPTIMIZERS:
        yield {"event": "trajectory", "variant": name, "points": paths[name],
               "surface": surface, "start": list(SURFACE_START), "saddle": [0.0, 0.0],
               "minima": [[0.0, -1.0], [0.0, 1.0]], "formula": "f(x, y) = x²/2 + y⁴/4 − y²/2"}
    yield from interleave(gens)


register(Experiment(
    name="optimizers",
    title={"ko": "옵티마이저(optimizer) 경주: SGD, 모멘텀, RMSprop, Adam", "en": "Optimizers race: SGD, Momentum, RMSprop, Adam"},
    description={
        "ko": "같은 초기 가중치의 같은 신경망을 네 옵티마이저로 학습합니다(두 개의 반달 데이터). 안장점(saddle point)이 있는 "
              "2차원 손실 곡면 f(x, y) = x²/2 + y⁴/4 − y²/2 위에서 각자 걷는 길도 그립니다.",
        "en": "The same net from the same initial weights trained with four optimizers (two moons), and "
              "each one's path on a 2-D loss surface with a saddle point, f(x, y) = x²/2 + y⁴/4 − y²/2."},
    params={
        "lr": lr_param(0.01, high=1.0),
        "steps": steps_param(600, high=5000),
        "batch_size": batch_param(32),
        "hidden": hidden_param("16,16"),
        "activation": activation_param("tanh"),
        "momentum": P("momentum", "float", 0.9, "모멘텀 계수 β (momentum)", "momentum coefficient β", 0.0, 0.999),
        "noise": P("noise", "float", 0.15, "데이터 잡음(noise)", "noise in the data", 0.0, 1.0),
        "n": P("n", "int", 400, "데이터 점 개수", "number of data points", 20, 5000),
        "surface_lr": P("surface_lr", "float", 0.05, "2차원 곡면에서의 학습률", "learning rate on the 2-D surface", 1e-4, 1.0),
        "surface_steps": P("surface_steps", "int", 150, "2차원 곡면에서의 걸음 수", "steps on the 2-D surface", 1, 2000),
    },
    variants=list(OPTIMIZERS),
    body=_optimizers,
))


# -- init -------------------------------------------------------------------------------------------------

INITS = ["zeros", "small", "xavier", "he"]


def _init(params, seed, stop):
    split = data.playground("circle", n=params["n"], noise=params["noise"], test_ratio=0.3, seed=seed)
    # coordinates in about [-6, 6]: scale to about [-1, 1]
    X, Xv = split.X_train / 6.0, split.X_test / 6.0
    sizes = [2] + [params["width"]] * params["layers"] + [1]
    steps = params["steps"]
    every = max(1, steps // 20)
    gens = []
    for name in INITS:
        nn.manual_seed(seed)
        model = mlp(sizes, params["activation"], init=name)
        opt = make_optimizer(params["optimizer"], params["lr"])
        gens.append(train_variant(name, model, nn.BCEWithLogitsLoss(), opt, X, split.y_train,
                                  X_val=Xv, y_val=split.y_test, steps=steps, batch_size=params["batch_size"],
                                  seed=seed, stop=stop, log_every=log_every_for(steps),
                                  eval_every=max(1, steps // 50), grad_norms_every=every,
                                  weight_norms_every=every))
    yield from interleave(gens)


register(Experiment(
    name="init",
    title={"ko": "가중치 초기화(initialization): 0, 작은 난수, Xavier, He", "en": "Weight initialisation: zeros, small random, Xavier, He"},
    description={
        "ko": "깊은 신경망을 네 가지 초기화로 학습합니다. 0으로 시작하면 대칭이 깨지지 않고, 너무 작은 난수는 층을 지날수록 "
              "신호와 그라디언트가 사라집니다. 층별 그라디언트 크기(grad norm)도 봅니다.",
        "en": "A deep net trained from four initialisations. Zeros never break the symmetry; tiny random "
              "weights make the signal and the gradient fade layer after layer. Per-layer gradient norms shown."},
    params={
        "activation": activation_param("relu"),
        "layers": P("layers", "int", 6, "은닉층 수(depth)", "hidden layers (depth)", 1, 20),
        "width": P("width", "int", 32, "층마다 뉴런 수", "neurons per hidden layer", 2, 256),
        "lr": lr_param(0.05, high=1.0),
        "optimizer": P("optimizer", "choice", "momentum", "옵티마이저(optimizer)", "optimizer", choices=list(OPTIMIZERS)),
        "steps": steps_param(600, high=5000),
        "batch_size": batch_param(32),
        "noise": P("noise", "float", 0.1, "데이터 잡음(noise)", "noise in the data", 0.0, 0.5),
        "n": P("n", "int", 400, "데이터 점 개수", "number of data points", 20, 5000),
    },
    variants=list(INITS),
    body=_init,
))
