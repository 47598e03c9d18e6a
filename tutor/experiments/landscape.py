"""Chapter 7: a 2-D slice of the loss surface around the trained weights, with and without skips.

The same deep ReLU network (He initialisation) is trained twice from the same start, ``plain``
and ``residual`` (each hidden layer after the first wrapped as x + f(x)). Then, for each trained
θ*, the training loss is evaluated on a grid θ* + α d₁ + β d₂, α, β ∈ [−span, span], on the first
``grid_n`` training examples, in evaluation mode. d₁ and d₂ are random Gaussian directions,
normalised filter by filter as in Li et al. (2018), "Visualizing the Loss Landscape of Neural
Nets": for a fully connected layer a filter is the column of weights that produces one neuron, and
each column of d is scaled to the norm of the same column of θ*, so a step of α = 1 changes every
neuron's weights by as much as they are long. Biases are not moved (their direction is 0).

Each variant ends with one ``heatmap`` event (the loss on the grid, ``log: true``, the trained
point marked at (0, 0)) and, in its ``end`` summary, two measures of how rough the slice is:

- ``roughness``: the mean absolute second difference of ln(loss) along α and along β (a plane
  has 0; a smooth bowl has a small, even value; a jagged surface a large one);
- ``nonconvex_share``: the share of interior grid points where the discrete Hessian (second
  differences along α and β, and the mixed one) is not positive semi-definite: where the surface
  curves down in some direction. A convex bowl has 0.

and ``grid_min_loss`` and ``center_loss`` (the loss at θ* on the grid's batch).
"""

from __future__ import annotations

import numpy as np

from tutor import nn
from tutor.nn import data

from .base import P, Experiment, interleave, log_every_for, register, train_variant
from .nets import OPTIMIZERS, batch_param, lr_param, make_optimizer, mlp, steps_param

VARIANTS = ["plain", "residual"]


def directions(model, rng) -> dict[str, np.ndarray]:
    """A random direction in parameter space, filter-normalised: each column of a weight matrix
    (one neuron's incoming weights) scaled to that column's norm in the model; biases 0."""
    d = {}
    for key, p in model.params.items():
        if p.ndim == 2:
            r = rng.standard_normal(p.shape)
            r *= np.linalg.norm(p, axis=0, keepdims=True) / np.maximum(np.linalg.norm(r, axis=0, keepdims=True), 1e-12)
            d[key] = r.astype(p.dtype)
        else:
            d[key] = np.zeros_like(p)
    return d


def loss_grid(model, loss_fn, X, y, d1, d2, coords) -> np.ndarray:
    """The loss at θ* + α d₁ + β d₂ for α (columns) and β (rows) in ``coords``; θ* restored."""
    base = {k: p.copy() for k, p in model.params.items()}
    grid = np.empty((len(coords), len(coords)))
    try:
        with np.errstate(all="ignore"):
            for i, b in enumerate(coords):
                for j, a in enumerate(coords):
                    for k, p in model.params.items():
                        p[...] = base[k] + a * d1[k] + b * d2[k]
                    grid[i, j] = float(loss_fn.forward(model.forward(X, train=False), y))
    finally:
        for k, p in model.params.items():
            p[...] = base[k]
    return grid


def roughness(grid: np.ndarray) -> float:
    """Mean |second difference| of ln(loss), along rows and along columns, averaged."""
    g = np.log(np.maximum(np.nan_to_num(grid, nan=1e30, posinf=1e30), 1e-30))
    return float((np.abs(np.diff(g, 2, axis=0)).mean() + np.abs(np.diff(g, 2, axis=1)).mean()) / 2)


def nonconvex_share(grid: np.ndarray) -> float:
    """Share of interior points whose discrete Hessian [[f_αα, f_αβ], [f_αβ, f_ββ]] is not
    positive semi-definite (a negative diagonal entry or a negative determinant)."""
    g = np.nan_to_num(grid, nan=1e30, posinf=1e30)
    c = g[1:-1, 1:-1]
    f_bb = g[2:, 1:-1] - 2 * c + g[:-2, 1:-1]
    f_aa = g[1:-1, 2:] - 2 * c + g[1:-1, :-2]
    f_ab = (g[2:, 2:] - g[2:, :-2] - g[:-2, 2:] + g[:-2, :-2]) / 4
    bad = (f_aa < 0) | (f_bb < 0) | (f_aa * f_bb - f_ab ** 2 < 0)
    return float(np.mean(bad))


def _variant(name, params, seed, stop):
    split = data.playground("circle", n=params["n"], noise=params["noise"], test_ratio=0.3, seed=seed)
    X, y, Xv, yv = split.X_train / 6.0, split.y_train, split.X_test / 6.0, split.y_test
    nn.manual_seed(seed)
    sizes = [2] + [params["width"]] * params["layers"] + [1]
    model = mlp(sizes, activation="relu", init="he", residual=name == "residual")
    loss_fn = nn.BCEWithLogitsLoss()
    steps = params["steps"]
    res, span = params["res"], params["span"]
    coords = np.linspace(-span, span, res)
    Xg = X[:params["grid_n"]].astype(np.float32)
    yg = y[:params["grid_n"]].reshape(-1, 1).astype(np.float32)

    def on_end(e):
        if e["status"] == "diverged":
            return None
        rng = np.random.default_rng(seed + 1)      # the same two directions' seed for both variants
        d1, d2 = directions(model, rng), directions(model, rng)
        grid = loss_grid(model, loss_fn, Xg, yg, d1, d2, coords)
        e["roughness"] = roughness(grid)
        e["nonconvex_share"] = nonconvex_share(grid)
        e["center_loss"] = float(grid[res // 2, res // 2]) if res % 2 else None
        e["grid_min_loss"] = float(np.nanmin(grid))
        return [{"event": "heatmap", "name": "loss",
                 # one title for both variants: the panel puts it over the pictures, each named by its variant
                 "title": {"ko": "θ* 주변 손실(loss)의 2차원 단면", "en": "a 2-D slice of the loss around θ*"},
                 "grid": [[float(v) for v in row] for row in grid],
                 "x_range": [-span, span], "y_range": [-span, span], "mark": [0.0, 0.0], "log": True}]

    return train_variant(name, model, loss_fn, make_optimizer(params["optimizer"], params["lr"]), X, y,
                         X_val=Xv, y_val=yv, steps=steps, batch_size=params["batch_size"], seed=seed,
                         stop=stop, log_every=log_every_for(steps), eval_every=max(1, steps // 50),
                         on_end=on_end)


def _landscape(params, seed, stop):
    yield from interleave([_variant(name, params, seed, stop) for name in VARIANTS])


def _report(variants: dict):
    try:
        r = {v: variants[v]["roughness"] for v in VARIANTS}
        c = {v: variants[v]["nonconvex_share"] for v in VARIANTS}
    except KeyError:
        return None
    if any(x is None for x in (*r.values(), *c.values())):
        return None
    ko = ", ".join(f"{v} {r[v]:.3f}" for v in VARIANTS)
    share = ", ".join(f"{v} {c[v]:.0%}" for v in VARIANTS)
    return {"ko": f"완료했습니다(done). 거칠기(roughness): {ko}. 볼록하지 않은 격자점의 비율: {share}.",
            "en": f"done. Roughness: {ko}. Share of grid points that are not convex: {share}."}


register(Experiment(
    name="landscape",
    title={"ko": "손실 지형(loss landscape): 스킵 연결이 있을 때와 없을 때",
           "en": "The loss landscape with and without skip connections"},
    description={
        "ko": "같은 깊은 ReLU 신경망을 스킵 연결(skip connection) 없이(plain), 그리고 있게(residual) 학습한 뒤, 학습된 가중치 θ* "
              "주변에서 무작위 두 방향 d₁, d₂로 자른 손실의 2차원 단면 θ* + αd₁ + βd₂를 색 지도로 그립니다(Li et al. 2018의 "
              "필터 정규화 방향). 가운데 표시가 θ*이고, 끝에 단면의 거칠기(roughness)와 볼록하지 않은 격자점의 비율을 알려 줍니다.",
        "en": "The same deep ReLU net is trained without (plain) and with (residual) skip connections; "
              "then the loss on a 2-D slice θ* + αd₁ + βd₂ around the trained weights θ*, along two random "
              "filter-normalised directions (as in Li et al. 2018), is drawn as a heatmap with θ* marked "
              "in the middle. At the end it reports each slice's roughness and the share of grid points "
              "where it is not convex."},
    params={
        "layers": P("layers", "int", 10, "은닉층 수(depth)", "hidden layers (depth)", 2, 16),
        "width": P("width", "int", 32, "층마다 뉴런 수", "neurons per hidden layer", 4, 128),
        "lr": lr_param(0.01, high=0.5),
        "optimizer": P("optimizer", "choice", "momentum", "옵티마이저(optimizer)", "optimizer",
                       choices=list(OPTIMIZERS)),
        "steps": steps_param(600, high=5000),
        "batch_size": batch_param(32, high=256),
        "res": P("res", "int", 21, "격자 한 변의 점 수(res × res번 손실을 잽니다)",
                 "grid points per side (the loss is measured res × res times)", 5, 41,
                 label={"ko": "격자(res)", "en": "grid points"}),
        "span": P("span", "float", 1.0, "α, β의 범위: −span…span", "range of α and β: −span…span", 0.05, 2.0,
                  label={"ko": "범위(span)", "en": "span"}),
        "grid_n": P("grid_n", "int", 256, "격자에서 손실을 재는 학습 예제 수", "training examples the grid's loss is measured on",
                   16, 1024, label={"ko": "격자 데이터(grid_n)", "en": "grid data"}),
        "noise": P("noise", "float", 0.1, "데이터 잡음(noise)", "noise in the data", 0.0, 0.5),
        "n": P("n", "int", 400, "데이터 점 개수", "number of data points", 40, 2000),
    },
    variants=VARIANTS,
    body=_landscape,
    report=_report,
    diverge_cause={"ko": "학습률(learning rate)이 너무 크거나 잔차가 층마다 쌓여 폭주했습니다",
                   "en": "the learning rate is too large, or the residuals piled up and exploded"},
))
