"""Chapter 7: what L1, L2 and dropout do to the weights — L1 makes them exactly sparse, L2 only
shrinks them, dropout does neither.

Data: ``inputs`` features x ~ N(0, 1), of which only the first three matter:
y = sin(2x₁) + x₂ − x₃ + N(0, noise²); the other ``inputs`` − 3 are useless. ``n`` training points
and 500 validation points, drawn from ``seed``. The net is over-parameterised for that: ``inputs`` →
``width`` tanh units → 1 (PyTorch's default initialisation, the same start for every variant:
``nn.manual_seed(seed)``), trained with **plain full-batch SGD** (learning rate η = ``lr``) for
``steps`` updates on MSE, so the penalties' pushes are exactly what the lesson derives:

- ``none``: nothing;
- ``l2``: (λ/2)‖W‖² on the weights (not the biases), λ = ``l2``: each step multiplies a weight by
  (1 − ηλ) before the data gradient acts;
- ``l1``: λ‖W‖₁, λ = ``l1``: each step moves a weight by ηλ towards 0 (the subgradient λ·sign(w)),
  so a weight whose data gradient is smaller than λ ends up jittering within ±ηλ of 0;
- ``dropout``: dropout (drop probability ``dropout``) on the hidden units.

A ``histogram`` event per variant, ~20 times a run and at the end, counts the first layer's weights
(``inputs`` × ``width`` of them) in 25 equal bins on [−``span``, ``span``] (a weight outside is counted
in the end bin on its side; the ``end`` event says how many were: ``outside``). The ``end`` event adds
``sparse_fraction`` (the fraction of the first layer's weights with |w| < ``threshold`` = 1e-3),
``useless_mean_abs`` and ``useful_mean_abs`` (the mean |w| of the weights leaving the useless and
the three useful inputs), ``weights`` (how many there are) and ``threshold``.
"""

from __future__ import annotations

import numpy as np

from tutor import nn
from tutor.nn import optim

from .base import P, Experiment, every, interleave, log_every_for, register, train_variant
from .nets import lr_param, mlp, steps_param

VARIANTS = ["none", "l2", "l1", "dropout"]
USEFUL = 3
N_VAL = 500
BINS = 25
THRESHOLD = 1e-3
TITLES = {
    "none": {"ko": "규제 없음: 첫 층 가중치의 분포", "en": "No penalty: first-layer weights"},
    "l2": {"ko": "L2: 첫 층 가중치의 분포", "en": "L2: first-layer weights"},
    "l1": {"ko": "L1: 첫 층 가중치의 분포", "en": "L1: first-layer weights"},
    "dropout": {"ko": "드롭아웃: 첫 층 가중치의 분포", "en": "Dropout: first-layer weights"},
}


def target(X: np.ndarray) -> np.ndarray:
    return (np.sin(2 * X[:, 0]) + X[:, 1] - X[:, 2]).reshape(-1, 1)


def datasets(params: dict, seed: int):
    rng = np.random.default_rng(seed)
    d, noise = params["inputs"], params["noise"]
    X = rng.standard_normal((params["n"], d))
    Xv = rng.standard_normal((N_VAL, d))
    y = target(X) + noise * rng.standard_normal((len(X), 1))
    yv = target(Xv) + noise * rng.standard_normal((len(Xv), 1))
    f = np.float32
    return X.astype(f), y.astype(f), Xv.astype(f), yv.astype(f)


def first_weights(model) -> np.ndarray:
    """The first Linear layer's W, (inputs, width): row i holds the weights leaving input i."""
    key = next(k for k in model.params if k.split(".")[-1] == "W")
    return model.params[key]


def histogram(W: np.ndarray, span: float) -> tuple[list[float], list[int]]:
    edges = np.linspace(-span, span, BINS + 1)
    counts, _ = np.histogram(np.clip(W.ravel().astype(np.float64), -span, span), bins=edges)
    return [round(float(e), 4) for e in edges], [int(c) for c in counts]


def _regularization(params, seed, stop):
    X, y, Xv, yv = datasets(params, seed)
    steps, span = params["steps"], params["span"]
    gens = []
    for name in VARIANTS:
        nn.manual_seed(seed)
        model = mlp([params["inputs"], params["width"], 1], "tanh", init="default",
                    dropout=params["dropout"] if name == "dropout" else 0.0)
        kwargs = {}
        if name == "l2":
            kwargs["penalty"] = optim.L2(params["l2"])
        if name == "l1":
            kwargs["penalty"] = optim.L1(params["l1"])

        def hist(step, model=model, name=name):
            edges, counts = histogram(first_weights(model), span)
            return {"event": "histogram", "step": step, "title": TITLES[name], "edges": edges, "counts": counts}

        def on_step(e, hist=hist, due=every(steps, 20)):
            return [hist(e["step"])] if due(e["step"]) else None

        def on_end(e, hist=hist, model=model):
            W = np.abs(first_weights(model))
            e.update(sparse_fraction=float(np.mean(W < THRESHOLD)), threshold=THRESHOLD,
                     useless_mean_abs=float(W[USEFUL:].mean()) if len(W) > USEFUL else None,
                     useful_mean_abs=float(W[:USEFUL].mean()), weights=int(W.size),
                     outside=int(np.sum(W > span)))
            return [hist(e["step"])]

        gens.append(train_variant(name, model, nn.MSELoss(), optim.SGD(params["lr"]), X, y, X_val=Xv, y_val=yv,
                                  steps=steps, seed=seed, stop=stop, log_every=log_every_for(steps),
                                  eval_every=max(1, steps // 100), on_step=on_step, on_end=on_end, **kwargs))
    yield from interleave(gens)


def _report(variants: dict):
    """The finish message: the measured sparsity, which the panel's status lines do not show."""
    parts = []
    for name in VARIANTS:
        s = variants.get(name, {})
        if s.get("sparse_fraction") is None:
            return None
        parts.append((name, s["sparse_fraction"], s.get("val_loss")))
    ko = ", ".join(f"{n} {f:.1%}(검증 {v:.3f})" for n, f, v in parts)
    en = ", ".join(f"{n} {f:.1%} (val {v:.3f})" for n, f, v in parts)
    return {"ko": f"완료했습니다(done). 첫 층 가중치 중 |w| < 0.001인 비율: {ko}.",
            "en": f"done. Share of first-layer weights with |w| < 0.001: {en}."}


register(Experiment(
    name="regularization",
    variant_labels={"l1": {"ko": "L1 규제(l1)", "en": "l1"}},
    title={"ko": "L1 vs L2 vs 드롭아웃: 가중치 히스토그램(histogram)으로 보는 희소성",
           "en": "L1 vs L2 vs dropout: sparsity in the weight histogram"},
    description={
        "ko": "입력 20개 중 3개만 쓸모 있는 데이터에 큰 신경망을 평범한 SGD로 맞춥니다. 규제 없음, L2, L1, 드롭아웃의 "
              "첫 층 가중치 분포를 히스토그램으로 그립니다. L1은 쓸모없는 입력의 가중치를 정확히 0 근처로 보냅니다.",
        "en": "A big net fits data where only 3 of 20 inputs matter, with plain SGD. The first layer's weights "
              "are drawn as a histogram for no penalty, L2, L1 and dropout; L1 sends the weights of the useless "
              "inputs to (within a hair of) exactly 0."},
    params={
        "n": P("n", "int", 100, "훈련 데이터 점 개수", "training points", 10, 2000),
        "inputs": P("inputs", "int", 20, "입력 개수 (앞의 3개만 쓸모 있음)", "inputs (only the first 3 matter)", 3, 100,
                    label={"ko": "입력 수(inputs)", "en": "inputs"}),
        "width": P("width", "int", 32, "은닉층 뉴런 수", "hidden units", 1, 256,
                   label={"ko": "은닉 폭(width)", "en": "width"}),
        "noise": P("noise", "float", 0.1, "목표값에 더한 잡음의 표준편차", "standard deviation of the noise on the targets",
                   0.0, 2.0),
        "lr": lr_param(0.05, high=1.0),
        "steps": steps_param(3000, high=20000),
        "l2": P("l2", "float", 0.01, "L2 규제 세기 λ", "L2 strength λ", 0.0, 1.0),
        "l1": P("l1", "float", 0.01, "L1 규제 세기 λ", "L1 strength λ", 0.0, 1.0,
                label={"ko": "L1 강도(l1)", "en": "L1 strength"}),
        "dropout": P("dropout", "float", 0.2, "드롭아웃 확률 p (끄는 확률)", "dropout probability p (of dropping)", 0.0, 0.9),
        "span": P("span", "float", 0.6, "히스토그램의 가로 범위 ±span", "the histogram's range ±span", 0.01, 10.0,
                  label={"ko": "히스토그램 범위(span)", "en": "histogram range"}),
    },
    variants=list(VARIANTS),
    body=_regularization,
    report=_report,
))
