"""Chapter 2: hand-made features vs learned ones, on the circle data set.

Three variants classify the same points (``data.playground("circle")``, coordinates scaled by 1/6 as
in ``deep.py``), from the same seed, with the same optimizer and steps, interleaved so they race:

- ``linear``: logistic regression on (x₁, x₂). Its decision boundary w₁x₁ + w₂x₂ + b = 0 is a
  straight line, and no line separates a disc from the ring around it.
- ``linear_r2``: the same logistic regression with one hand-made feature added, r² = x₁² + x₂².
  The boundary w₃r² + b = 0 (with w₁ = w₂ = 0) is the circle r² = −b/w₃: the data became linearly
  separable in (x₁, x₂, r²).
- ``mlp``: a small network on (x₁, x₂) alone, which has to find a curved boundary by itself.

The ``end`` of each variant carries ``train_accuracy`` and ``test_accuracy`` (on the whole training
and held-out sets, after the last step), ``features`` (the inputs it was given) and ``num_params``;
the finish message says the three test accuracies and parameter counts.
"""

from __future__ import annotations


import numpy as np

from tutor import nn
from tutor.nn import data
from tutor.nn.train import evaluate

from .base import P, Experiment, interleave, log_every_for, register, train_variant
from .events import Bilingual as Text
from .nets import OPTIMIZERS, batch_param, lr_param, make_optimizer, mlp, steps_param

VARIANTS = ["linear", "linear_r2", "mlp"]
SCALE = 6.0   # the playground's coordinates lie in about [-6, 6]: scaled to about [-1, 1]


def circle(params: dict, seed: int):
    """(X_train, y_train, X_test, y_test) of the circle set, coordinates scaled by 1/6."""
    split = data.playground("circle", n=params["n"], noise=params["noise"], test_ratio=0.3, seed=seed)
    return split.X_train / SCALE, split.y_train, split.X_test / SCALE, split.y_test


def with_r2(X: np.ndarray) -> np.ndarray:
    """(x₁, x₂) → (x₁, x₂, x₁² + x₂²): the one hand-made feature."""
    r2 = (X[:, 0] ** 2 + X[:, 1] ** 2).reshape(-1, 1)
    return np.concatenate([X, r2], axis=1).astype(np.float32)


FEATURE_NAMES = {"linear": ["x1", "x2"], "linear_r2": ["x1", "x2", "x1^2+x2^2"], "mlp": ["x1", "x2"]}


def _features(params, seed, stop):
    X, y, Xt, yt = circle(params, seed)
    steps = params["steps"]
    hidden = params["hidden"]
    gens = []
    for name in VARIANTS:
        nn.manual_seed(seed)
        if name == "linear":
            model, A, At = nn.Sequential(nn.Linear(2, 1, init="xavier_normal")), X, Xt
        elif name == "linear_r2":
            model, A, At = nn.Sequential(nn.Linear(3, 1, init="xavier_normal")), with_r2(X), with_r2(Xt)
        else:
            model, A, At = mlp([2, hidden, hidden, 1], params["activation"], init="auto"), X, Xt
        loss_fn = nn.BCEWithLogitsLoss()

        def on_end(e, model=model, A=A, At=At, name=name, loss_fn=loss_fn):
            _, e["train_accuracy"] = evaluate(model, loss_fn, A, y)
            _, e["test_accuracy"] = evaluate(model, loss_fn, At, yt)
            e["features"] = FEATURE_NAMES[name]
            e["num_params"] = int(model.flat_params.size)

        gens.append(train_variant(name, model, loss_fn, make_optimizer(params["optimizer"], params["lr"]),
                                  A, y, X_val=At, y_val=yt, steps=steps, batch_size=params["batch_size"],
                                  seed=seed, stop=stop, log_every=log_every_for(steps),
                                  eval_every=max(1, steps // 50), on_end=on_end))
    yield from interleave(gens)


def _report(variants: dict) -> Text | None:
    """The finish message says each model's test accuracy and its number of parameters, which
    the run panel's status lines do not show."""
    if not all(isinstance(variants.get(n, {}).get("test_accuracy"), (int, float)) for n in VARIANTS):
        return None
    acc = [f"{100 * variants[n]['test_accuracy']:.0f}%" for n in VARIANTS]
    size = [str(variants[n].get("num_params")) for n in VARIANTS]
    return {"ko": f"완료했습니다(done). 테스트 정확도(test accuracy): 선형 {acc[0]}, 선형 + x₁²+x₂² {acc[1]}, "
                  f"작은 신경망 {acc[2]} (파라미터 {', '.join(size)}개).",
            "en": f"done. Test accuracy: linear {acc[0]}, linear + x₁²+x₂² {acc[1]}, small MLP {acc[2]} "
                  f"({', '.join(size)} parameters)."}


register(Experiment(
    name="features",
    report=_report,
    title={"ko": "손으로 만든 특성(feature) vs 스스로 배운 특성: 원 데이터",
           "en": "Hand-made features vs learned ones: the circle data set"},
    description={
        "ko": "원 안의 점(클래스 1)과 바깥 고리의 점(클래스 0)을 세 모델로 분류합니다. 선형 모델(linear)은 직선 하나로 "
              "나누려 하고, linear_r2는 사람이 만든 특성 x₁² + x₂²를 하나 더 받으며, 작은 신경망(mlp)은 x₁, x₂만 받고 "
              "곡선 경계를 스스로 찾아야 합니다. 끝에 각자의 train_accuracy와 test_accuracy를 알려 줍니다.",
        "en": "Points inside a circle (class 1) and in the ring around it (class 0), classified by three "
              "models: a linear model that can only draw a straight line, linear_r2 that is also given the "
              "hand-made feature x₁² + x₂², and a small net (mlp) given x₁, x₂ alone, which has to find the "
              "curved boundary itself. Each reports train_accuracy and test_accuracy at the end."},
    params={
        "lr": lr_param(0.05, high=2.0),
        "optimizer": P("optimizer", "choice", "adam", "옵티마이저(optimizer)", "optimizer", choices=list(OPTIMIZERS)),
        "steps": steps_param(600, high=5000),
        "batch_size": batch_param(32),
        "hidden": P("hidden", "int", 8, "mlp의 은닉층마다 뉴런 수 (은닉층 2개)", "neurons per hidden layer of mlp (two layers)",
                    2, 64, label={"ko": "mlp 은닉 뉴런 수", "en": "mlp hidden width"}),
        "activation": P("activation", "choice", "relu", "mlp의 활성화 함수(activation function)",
                        "activation function of mlp", choices=["relu", "tanh", "sigmoid"]),
        "noise": P("noise", "float", 0.0, "데이터 잡음(noise)", "noise in the data", 0.0, 0.5),
        "n": P("n", "int", 400, "데이터 점 개수", "number of data points", 20, 5000),
    },
    variants=VARIANTS,
    variant_labels={"linear": {"ko": "선형(linear)", "en": "linear"},
                    "linear_r2": {"ko": "선형 + x₁²+x₂²(linear_r2)", "en": "linear_r2"},
                    "mlp": {"ko": "작은 신경망(mlp)", "en": "mlp"}},
    plot={"y": "accuracy", "log_y": False, "x": "step"},
    body=_features,
    diverge_cause={"ko": "학습률(learning rate)이 너무 큽니다", "en": "the learning rate is too large"},
))
