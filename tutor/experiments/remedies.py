"""Chapter 7: the cures for overfitting side by side — more data, augmentation, L2, dropout, early
stopping — against a baseline that overfits.

Data: y = sin(x) + N(0, noise²) on [−π, π]. Every variant is scored on the same ``n_val`` = 200
validation points, drawn once from ``seed``; they all fit the same net (``hidden``, tanh, PyTorch's
default initialisation, the same weights at the start: ``nn.manual_seed(seed)``) with full-batch
Adam for ``steps`` updates and MSE, and differ in one thing each:

- ``baseline``: the ``n`` training points, nothing else;
- ``more_data``: those n points and ``n_more`` − n fresh ones from the same distribution (``n_more``
  in all: a superset, so the comparison is fair);
- ``augment``: the n points and ``copies`` shifted copies of each: x + N(0, ``shift``²) with the
  target y kept (a small shift of the input does not change the answer much: the invariance the
  augmentation teaches; new information it does not bring);
- ``l2``: the penalty (λ/2)‖W‖² on the weights (not the biases), λ = ``l2``;
- ``dropout``: dropout with drop probability ``dropout`` after each hidden layer;
- ``early_stopping``: stop after ``patience`` evaluations without a better validation loss and
  keep the best weights (the engine's ``patience``/``restore_best``).

The validation set is evaluated every ``steps``/100 updates. A step event carries ``loss`` (the
training MSE of the batch: the data term, without a penalty) and ``val_loss``. The ``end`` event has
the engine's ``best_step``/``best_loss`` (the lowest validation loss and its step) and adds
``n_train`` (the training points the variant fits), ``end_val_loss`` (the validation loss of the
weights the variant ends with: for early stopping the restored best ones, so it equals
``best_loss``), ``gap`` (``end_val_loss`` − the training MSE of those weights on their own training
points, dropout off) and ``noise_floor`` (noise²: the expected loss of the true function itself,
which no model beats on average).
A ``fit`` event draws each variant's curve over sin(x) and its training points, ~20 times a run.
"""

from __future__ import annotations

import numpy as np

from tutor import nn
from tutor.nn import optim

from .base import P, Experiment, every, interleave, log_every_for, parse_int_list, register, train_variant
from .nets import hidden_param, lr_param, mlp, steps_param

VARIANTS = ["baseline", "more_data", "augment", "l2", "dropout", "early_stopping"]
N_VAL = 200


def _r(values) -> list:
    return [round(float(v), 4) for v in np.asarray(values).reshape(-1)]


def sample(n: int, noise: float, rng) -> tuple[np.ndarray, np.ndarray]:
    x = rng.uniform(-np.pi, np.pi, n).reshape(-1, 1)
    return x, np.sin(x) + noise * rng.standard_normal((n, 1))


def datasets(params: dict, seed: int) -> dict:
    """The training sets of the variants and the shared validation set, as float32 arrays."""
    n, noise = params["n"], params["noise"]
    rng = np.random.default_rng(seed)
    X, y = sample(n, noise, rng)
    Xv, yv = sample(N_VAL, noise, rng)
    Xm, ym = sample(max(params["n_more"] - n, 0), noise, rng)
    k = params["copies"]
    Xa = np.concatenate([X] + [X + params["shift"] * rng.standard_normal(X.shape) for _ in range(k)])
    ya = np.concatenate([y] * (k + 1))
    f = np.float32
    base = (X.astype(f), y.astype(f))
    return {"baseline": base, "more_data": (np.concatenate([X, Xm]).astype(f), np.concatenate([y, ym]).astype(f)),
            "augment": (Xa.astype(f), ya.astype(f)), "l2": base, "dropout": base, "early_stopping": base,
            "val": (Xv.astype(f), yv.astype(f))}


def _remedies(params, seed, stop):
    sets = datasets(params, seed)
    Xv, yv = sets["val"]
    grid = np.linspace(-np.pi, np.pi, 120, dtype=np.float32).reshape(-1, 1)
    truth = _r(np.sin(grid))
    sizes = [1, *parse_int_list(params["hidden"]), 1]
    steps = params["steps"]
    eval_every = max(1, steps // 100)
    gens = []
    for name in VARIANTS:
        X, y = sets[name]
        loss_fn = nn.MSELoss()   # one per variant: a loss keeps its last inputs for backward
        pts = [[round(float(a), 4), round(float(b), 4)] for a, b in zip(X[:, 0], y[:, 0])]
        nn.manual_seed(seed)
        model = mlp(sizes, "tanh", init="default", dropout=params["dropout"] if name == "dropout" else 0.0)
        kwargs = {}
        if name == "l2":
            kwargs["penalty"] = optim.L2(params["l2"])
        if name == "early_stopping":
            kwargs["patience"] = params["patience"]

        def fit(step, model=model, pts=pts):
            return {"event": "fit", "step": step, "x": _r(grid), "y_pred": _r(model.forward(grid, train=False)),
                    "y_true": truth, "points": pts}

        def on_step(e, fit=fit, due=every(steps, 20)):
            return [fit(e["step"])] if due(e["step"]) else None

        def on_end(e, fit=fit, model=model, X=X, y=y, loss_fn=loss_fn):
            val = float(loss_fn.forward(model.forward(Xv, train=False), yv))
            train_mse = float(loss_fn.forward(model.forward(X, train=False), y))
            e.update(n_train=len(X), end_val_loss=val, end_train_loss=train_mse, gap=val - train_mse,
                     noise_floor=params["noise"] ** 2)
            return [fit(e["step"])]

        gens.append(train_variant(name, model, loss_fn, optim.Adam(params["lr"]), X, y, X_val=Xv, y_val=yv,
                                  steps=steps, seed=seed, stop=stop, log_every=log_every_for(steps),
                                  eval_every=eval_every, on_step=on_step, on_end=on_end, **kwargs))
    yield from interleave(gens)


def _report(variants: dict):
    """The finish message: each variant's validation loss at the end and its best (the panel's
    status lines show the last figures only)."""
    ko, en = [], []
    for name in VARIANTS:
        s = variants.get(name, {})
        if s.get("end_val_loss") is None or s.get("best_loss") is None:
            return None
        ko.append(f"{name} 끝 {s['end_val_loss']:.3f}(최저 {s['best_loss']:.3f}, {s['best_step']}걸음)")
        en.append(f"{name} end {s['end_val_loss']:.3f} (best {s['best_loss']:.3f} at step {s['best_step']})")
    return {"ko": "완료했습니다(done). 검증 손실: " + ", ".join(ko) + ".",
            "en": "done. Validation loss: " + ", ".join(en) + "."}


register(Experiment(
    name="remedies",
    variant_labels={"baseline": {"ko": "처방 없음(baseline)", "en": "baseline"},
                    "more_data": {"ko": "데이터 추가(more_data)", "en": "more_data"},
                    "augment": {"ko": "데이터 증강(augment)", "en": "augment"}},
    title={"ko": "과적합(overfitting)의 처방 비교: 데이터, 증강, L2, 드롭아웃, 조기 종료",
           "en": "Cures for overfitting compared: data, augmentation, L2, dropout, early stopping"},
    description={
        "ko": "잡음 섞인 sin(x) 점 20개에 큰 신경망을 맞춥니다. 처방 없음(baseline)은 과적합하고, 나머지 다섯 변형은 "
              "한 가지씩만 바꿉니다. 점을 더 모으기, 입력을 조금씩 민 복사본 추가(데이터 증강), L2 규제, 드롭아웃, "
              "조기 종료입니다. 모두 같은 검증 점 200개로 잽니다.",
        "en": "A big net fits 20 noisy points of sin(x). The baseline overfits; each of the other five changes "
              "one thing: more points, shifted copies of the inputs (augmentation), L2, dropout, early "
              "stopping. All are scored on the same 200 validation points."},
    params={
        "n": P("n", "int", 20, "훈련 데이터 점 개수", "training points", 4, 200),
        "noise": P("noise", "float", 0.3, "목표값에 더한 잡음의 표준편차", "standard deviation of the noise on the targets",
                   0.0, 2.0),
        "hidden": hidden_param("128,128", max_layers=4, max_width=512),
        "lr": lr_param(0.01, high=1.0),
        "steps": steps_param(2000, high=10000),
        "n_more": P("n_more", "int", 200, "more_data 변형의 훈련 점 개수(원래 점 포함)",
                    "training points of more_data (the original ones included)", 4, 2000,
                    label={"ko": "늘린 데이터 수(n_more)", "en": "more data"}),
        "copies": P("copies", "int", 10, "augment 변형에서 점마다 더하는 민 복사본 수", "shifted copies per point (augment)",
                    1, 50, label={"ko": "복사본 수(copies)", "en": "copies"}),
        "shift": P("shift", "float", 0.2, "augment 변형에서 입력 x를 미는 양의 표준편차 (목표값은 그대로)",
                   "standard deviation of the shift of x in augment (the target kept)", 0.0, 1.0,
                   label={"ko": "이동 폭(shift)", "en": "shift"}),
        "l2": P("l2", "float", 0.01, "L2 규제 세기 λ", "L2 strength λ", 0.0, 1.0),
        "dropout": P("dropout", "float", 0.5, "드롭아웃 확률 p (끄는 확률)", "dropout probability p (of dropping)", 0.0, 0.9),
        "patience": P("patience", "int", 10, "조기 종료의 인내 (평가 횟수)", "early-stopping patience (evaluations)", 1, 1000),
    },
    variants=list(VARIANTS),
    body=_remedies,
    report=_report,
))
