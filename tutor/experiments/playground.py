"""`playground`: the backend of the terminal TensorFlow Playground (`tutor playground` in the TUI).

Data sets, noise, train/test ratio, input features, hidden layers, activation, learning rate,
regularisation and batch size as on playground.tensorflow.org; emits the engine's step events (loss
and the test loss as val_loss) and `boundary` events with the predicted probability over the plane.
"""

from __future__ import annotations

import numpy as np

from tutor import nn
from tutor.nn import data, optim

from .base import (P, Clock, Experiment, boundary_event, int_list, log_every_for, parse_int_list,
                   points_of, register, sigmoid, train_variant)
from .nets import mlp

FEATURES = {
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1sq": lambda a, b: a * a,
    "x2sq": lambda a, b: b * b,
    "x1x2": lambda a, b: a * b,
    "sinx1": lambda a, b: np.sin(a),
    "sinx2": lambda a, b: np.sin(b),
}
RANGE = (-6.0, 6.0)


def check_features(text: str) -> dict | None:
    names = [f.strip() for f in text.split(",") if f.strip()]
    if not names:
        return {"en": "choose at least one feature", "ko": "입력 특성(feature)을 하나 이상 고르세요"}
    known = ", ".join(FEATURES)
    for f in names:
        if f not in FEATURES:
            return {"en": f"unknown feature {f!r} (known: {known})",
                    "ko": f"없는 입력 특성(feature) {f!r} (있는 것: {known})"}
    if len(set(names)) != len(names):
        return {"en": "a feature is listed twice", "ko": "같은 입력 특성이 두 번 있습니다"}
    return None


def feature_names(text: str) -> list[str]:
    return [f.strip() for f in text.split(",") if f.strip()]


def featurize(X: np.ndarray, names: list[str]) -> np.ndarray:
    a, b = X[:, 0], X[:, 1]
    return np.stack([FEATURES[n](a, b) for n in names], axis=1).astype(np.float32)


def _playground(params, seed, stop):
    nn.manual_seed(seed)
    split = data.playground(params["dataset"], n=params["n"], noise=params["noise"],
                            test_ratio=params["test_ratio"], seed=seed)
    names = feature_names(params["features"])
    X, Xt = featurize(split.X_train, names), featurize(split.X_test, names)
    sizes = [len(names), *parse_int_list(params["hidden"]), 1]
    model = mlp(sizes, params["activation"], init="xavier")
    penalty = None
    if params["regularization"] == "l1" and params["reg_rate"] > 0:
        penalty = optim.L1(params["reg_rate"])
    elif params["regularization"] == "l2" and params["reg_rate"] > 0:
        penalty = optim.L2(params["reg_rate"])
    steps = params["steps"]
    pts = points_of(split.X_train, split.y_train)
    test_pts = points_of(split.X_test, split.y_test)
    clock = Clock(0.2)

    def prob(grid):
        return sigmoid(model.forward(featurize(grid, names), train=False))

    def picture(step):
        return boundary_event(prob, step, RANGE, RANGE, pts, res=params["resolution"], test_points=test_pts)

    def on_step(e):
        return [picture(e["step"])] if e["step"] == 1 or clock.due() else None

    def on_end(e):
        _, train_acc = nn_eval(model, X, split.y_train)
        test_loss, test_acc = nn_eval(model, Xt, split.y_test)
        e.update({"train_accuracy": train_acc, "test_accuracy": test_acc, "test_loss": test_loss,
                  "features": names})
        return [picture(e["step"])]

    yield from train_variant("main", model, nn.BCEWithLogitsLoss(), optim.SGD(params["lr"]), X, split.y_train,
                             X_val=Xt if len(Xt) else None, y_val=split.y_test if len(Xt) else None,
                             steps=steps, batch_size=params["batch_size"], seed=seed, stop=stop,
                             penalty=penalty, log_every=log_every_for(steps, 500),
                             eval_every=max(1, steps // 200), on_step=on_step, on_end=on_end)


def nn_eval(model, X, y):
    if len(X) == 0:
        return None, None
    from tutor.nn.train import evaluate  # noqa: PLC0415

    return evaluate(model, nn.BCEWithLogitsLoss(), X, y)


register(Experiment(
    name="playground",
    title={"ko": "터미널 플레이그라운드(TensorFlow Playground)", "en": "Terminal playground (TensorFlow Playground)"},
    description={
        "ko": "2차원 데이터 (원, XOR, 가우시안, 나선)를 작은 신경망으로 분류하며 결정 경계(decision boundary)가 자라는 것을 봅니다. "
              "입력 특성(feature), 은닉층, 활성화 함수, 학습률, 규제(regularization)를 바꿔 보세요.",
        "en": "Classify 2-D data (circle, XOR, Gaussians, spiral) with a small net and watch the decision "
              "boundary grow; change the input features, hidden layers, activation, learning rate and "
              "regularisation."},
    params={
        "dataset": P("dataset", "choice", "circle", "데이터셋", "data set", choices=["circle", "xor", "gaussian", "spiral"]),
        "noise": P("noise", "float", 0.0, "잡음(noise), 0–0.5", "noise, 0–0.5", 0.0, 0.5),
        "test_ratio": P("test_ratio", "float", 0.5, "테스트 데이터 비율", "fraction of the data kept for testing", 0.1, 0.9),
        "features": P("features", "str", "x1,x2", "입력 특성, 쉼표로 구분: " + ",".join(FEATURES),
                      "input features, comma-separated: " + ",".join(FEATURES), check=check_features),
        "hidden": P("hidden", "str", "4,2", "은닉층별 뉴런 수, 쉼표로 구분 (비우면 은닉층 없음)",
                    "neurons per hidden layer, comma-separated (empty: no hidden layer)", check=int_list(1, 8, 6)),
        "activation": P("activation", "choice", "tanh", "활성화 함수(activation function)", "activation function",
                        choices=["tanh", "relu", "sigmoid", "linear"]),
        "lr": P("lr", "float", 0.03, "학습률(learning rate)", "learning rate", 1e-5, 10.0),
        "regularization": P("regularization", "choice", "none", "규제(regularization)", "regularisation",
                            choices=["none", "l1", "l2"]),
        "reg_rate": P("reg_rate", "float", 0.0, "규제 세기 λ", "regularisation rate λ", 0.0, 10.0),
        "batch_size": P("batch_size", "int", 10, "미니배치 크기(batch size)", "mini-batch size", 1, 500),
        "steps": P("steps", "int", 10000, "학습 걸음 수(steps)", "training steps", 1, 200000),
        "n": P("n", "int", 500, "데이터 점 개수", "number of points", 20, 2000),
        "resolution": P("resolution", "int", 32, "결정 경계 격자 해상도", "decision-boundary grid resolution", 8, 100),
    },
    body=_playground,
    diverge_cause={"ko": "학습률(learning rate)이 너무 큽니다. 낮춰 보세요", "en": "the learning rate is too large; lower it"},
))
