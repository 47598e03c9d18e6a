"""Chapters 5–7: MSE vs cross-entropy, softmax on the digits, universal approximation, overfitting."""

from __future__ import annotations

import numpy as np

from tutor import nn
from tutor.nn import data, optim

from .base import (P, Experiment, every, int_list, interleave, log_every_for, parse_int_list, register,
                   sigmoid, train_variant)
from .nets import OPTIMIZERS, activation_param, batch_param, hidden_param, lr_param, make_optimizer, mlp, steps_param


def _r(values) -> list:
    return [round(float(v), 4) for v in np.asarray(values).reshape(-1)]


# -- uat -------------------------------------------------------------------------------------------------

def _uat_variants(params):
    return [f"w{w}" for w in parse_int_list(params["widths"])]


def _uat(params, seed, stop):
    X, y = data.function_1d(params["function"], n=200)
    steps = params["steps"]
    xs, ys = _r(X), _r(y)
    gens = []
    for w in parse_int_list(params["widths"]):
        nn.manual_seed(seed)
        model = mlp([1, w, 1], params["activation"], init="default")

        def fit(step, model=model):
            return {"event": "fit", "step": step, "x": xs, "y_pred": _r(model.forward(X, train=False)), "y_true": ys}

        def on_step(e, fit=fit, due=every(steps, 20)):
            return [fit(e["step"])] if due(e["step"]) else None

        def on_end(e, fit=fit, model=model, w=w):
            pred = model.forward(X, train=False)
            e["error"] = float(np.mean((pred - y) ** 2))
            e["width"] = w
            return [fit(e["step"])]

        gens.append(train_variant(f"w{w}", model, nn.MSELoss(), optim.Adam(params["lr"]), X, y, steps=steps,
                                  seed=seed, stop=stop, log_every=log_every_for(steps), on_step=on_step,
                                  on_end=on_end))
    yield from interleave(gens)


register(Experiment(
    name="uat",
    title={"ko": "보편 근사 정리(universal approximation theorem): 은닉층 하나의 폭을 늘리면",
           "en": "Universal approximation: one hidden layer, wider and wider"},
    description={
        "ko": "은닉층(hidden layer) 하나짜리 신경망으로 울퉁불퉁한 함수를 맞춥니다. 뉴런이 2개일 때부터 64개일 때까지 "
              "맞춘 곡선을 목표 함수 위에 겹쳐 그립니다.",
        "en": "A net with one hidden layer fits a bumpy function; the fitted curves for 2 up to 64 "
              "neurons are drawn over the target."},
    params={
        "widths": P("widths", "str", "2,4,8,16,32,64", "비교할 은닉층 폭, 쉼표로 구분", "hidden widths to compare, comma-separated",
                    check=int_list(1, 256, 8)),
        "function": P("function", "choice", "bumpy", "목표 함수", "the target function", choices=["sin", "bumpy"]),
        "activation": activation_param("tanh", choices=("tanh", "relu", "sigmoid")),
        "lr": lr_param(0.005, high=1.0),
        "steps": steps_param(3000, high=10000),
    },
    variants_for=_uat_variants,
    body=_uat,
))


# -- overfitting -------------------------------------------------------------------------------------------

REGS = ["none", "dropout", "l2", "early_stopping"]


def _sample(n, noise, rng):
    x = np.sort(rng.uniform(-np.pi, np.pi, n)).reshape(-1, 1)
    return x.astype(np.float32), (np.sin(x) + noise * rng.standard_normal((n, 1))).astype(np.float32)


def _overfitting(params, seed, stop):
    rng = np.random.default_rng(seed)
    X, y = _sample(params["n"], params["noise"], rng)
    Xv, yv = _sample(200, params["noise"], rng)
    grid = np.linspace(-np.pi, np.pi, 120, dtype=np.float32).reshape(-1, 1)
    truth = _r(np.sin(grid))
    pts = [[round(float(a), 4), round(float(b), 4)] for a, b in zip(X[:, 0], y[:, 0])]
    sizes = [1, *parse_int_list(params["hidden"]), 1]
    steps = params["steps"]
    eval_every = max(1, steps // 100)
    gens = []
    for reg in REGS:
        nn.manual_seed(seed)
        model = mlp(sizes, params["activation"], init="default",
                    dropout=params["dropout"] if reg == "dropout" else 0.0)
        kwargs = {}
        if reg == "l2":
            kwargs["penalty"] = optim.L2(params["l2"])
        if reg == "early_stopping":
            kwargs["patience"] = params["patience"]

        def fit(step, model=model):
            return {"event": "fit", "step": step, "x": _r(grid), "y_pred": _r(model.forward(grid, train=False)),
                    "y_true": truth, "points": pts}

        def on_step(e, fit=fit, due=every(steps, 20)):
            return [fit(e["step"])] if due(e["step"]) else None

        def on_end(e, fit=fit):
            return [fit(e["step"])]

        gens.append(train_variant(reg, model, nn.MSELoss(), optim.Adam(params["lr"]), X, y, X_val=Xv, y_val=yv,
                                  steps=steps, seed=seed, stop=stop, log_every=log_every_for(steps),
                                  eval_every=eval_every, on_step=on_step, on_end=on_end, **kwargs))
    yield from interleave(gens)


register(Experiment(
    name="overfitting",
    title={"ko": "과적합(overfitting)과 그 처방: 드롭아웃, L2, 조기 종료", "en": "Overfitting and its cures: dropout, L2, early stopping"},
    description={
        "ko": "잡음 섞인 점 몇 개에 큰 신경망을 맞춥니다. 규제(regularization)가 없으면 훈련 손실은 계속 줄지만 검증 손실은 "
              "어느 순간부터 다시 오릅니다. 드롭아웃(dropout), L2 규제 (가중치 감쇠), 조기 종료(early stopping)와 비교합니다.",
        "en": "A big net fits a few noisy points. Without regularisation the training loss keeps falling "
              "while the validation loss turns back up; compare dropout, L2 (weight decay) and early stopping."},
    params={
        "n": P("n", "int", 20, "훈련 데이터 점 개수", "training points", 4, 500),
        "noise": P("noise", "float", 0.3, "데이터 잡음(noise)", "noise on the targets", 0.0, 2.0),
        "hidden": hidden_param("128,128", max_layers=4, max_width=512),
        "activation": activation_param("tanh"),
        "lr": lr_param(0.01, high=1.0),
        "steps": steps_param(2000, high=10000),
        "dropout": P("dropout", "float", 0.3, "드롭아웃 확률 p", "dropout probability p", 0.0, 0.9),
        "l2": P("l2", "float", 0.003, "L2 규제 세기 λ", "L2 strength λ", 0.0, 1.0),
        "patience": P("patience", "int", 10, "조기 종료의 인내 (평가 횟수)", "early-stopping patience (evaluations)", 1, 1000),
    },
    variants=list(REGS),
    body=_overfitting,
))


# -- mse_vs_ce -----------------------------------------------------------------------------------------------

def _mse_vs_ce(params, seed, stop):
    split = data.playground("gaussian", n=params["n"], noise=params["noise"], test_ratio=0.3, seed=seed)
    X, y, Xv, yv = split.X_train / 2.0, split.y_train, split.X_test / 2.0, split.y_test
    start = params["start"]
    rng = np.random.default_rng(seed)
    W0 = {"wrong": np.array([[-3.0], [-3.0]]), "zero": np.zeros((2, 1)),
          "random": rng.standard_normal((2, 1))}[start].astype(np.float32)
    steps = params["steps"]
    gens = []
    for loss_name in ("mse", "cross_entropy"):
        lin = nn.Linear(2, 1, init="zeros")
        lin.params["W"][...] = W0
        if loss_name == "mse":
            model, loss_fn = nn.Sequential(lin, nn.Sigmoid()), nn.MSELoss()
        else:
            model, loss_fn = nn.Sequential(lin), nn.BCEWithLogitsLoss()

        def prob(Z, model=model, loss_name=loss_name):
            out = model.forward(Z, train=False)
            return out if loss_name == "mse" else sigmoid(out)

        seen: dict = {}

        def on_step(e, prob=prob, lin=lin, seen=seen):
            e["accuracy"] = float(np.mean((prob(X) > 0.5) == (y > 0.5)))
            e["val_accuracy"] = float(np.mean((prob(Xv) > 0.5) == (yv > 0.5)))
            # the size of this step's gradient: tiny for MSE when confidently wrong
            e["grad_w"] = float(np.linalg.norm(lin.grads["W"]))
            seen.setdefault("first_grad_w", e["grad_w"])
            if e["val_accuracy"] >= 0.95:
                seen.setdefault("val_accuracy_95_step", e["step"])
            return None

        def on_end(e, seen=seen):
            # how fast each loss corrects a confident mistake: what the lesson quotes
            e["first_grad_w"] = seen.get("first_grad_w")
            e["val_accuracy_95_step"] = seen.get("val_accuracy_95_step")

        gens.append(train_variant(loss_name, model, loss_fn, optim.SGD(params["lr"]), X, y, steps=steps,
                                  seed=seed, stop=stop, log_every=log_every_for(steps), on_step=on_step,
                                  on_end=on_end))
    yield from interleave(gens)


register(Experiment(
    name="mse_vs_ce",
    title={"ko": "분류에 MSE vs 교차 엔트로피(cross-entropy)", "en": "Classification with MSE vs cross-entropy"},
    description={
        "ko": "같은 로지스틱 회귀를 평균 제곱 오차(MSE)와 교차 엔트로피로 학습합니다. 확신에 차서 틀린 가중치에서 출발하면 "
              "MSE의 그라디언트는 σ'(z) ≈ 0 때문에 거의 0이고, 교차 엔트로피의 그라디언트는 p − y로 큽니다.",
        "en": "The same logistic regression trained with mean squared error and with cross-entropy, "
              "starting from confidently wrong weights: MSE's gradient carries σ'(z) ≈ 0 and barely moves; "
              "cross-entropy's is p − y, large when wrong."},
    params={
        "start": P("start", "choice", "wrong", "시작 가중치: wrong = 확신에 찬 오답", "starting weights: wrong = confidently wrong",
                   choices=["wrong", "zero", "random"]),
        "lr": lr_param(0.5, high=10.0),
        "steps": steps_param(300, high=5000),
        "noise": P("noise", "float", 0.0, "데이터 잡음(noise)", "noise (variance of the blobs)", 0.0, 0.5),
        "n": P("n", "int", 200, "데이터 점 개수", "number of data points", 10, 5000),
    },
    variants=["mse", "cross_entropy"],
    plot={"y": "accuracy", "log_y": False, "x": "step"},
    body=_mse_vs_ce,
))


# -- softmax_digits -------------------------------------------------------------------------------------------

VAL_RATIO = 0.2   # of the examples left after the test set is put aside


def digits_splits(seed: int):
    """Three disjoint parts of the 1,797 digits: 359 for the test (stratified, put aside first),
    and the remaining 1,438 cut into training and validation. Training decisions (watching the
    curves, choosing settings) look at validation only; the test set is scored once, at the end."""
    rest = data.digits(test_ratio=0.2, seed=seed)
    fit = data.train_test_split(rest.X_train, rest.y_train, test_ratio=VAL_RATIO, seed=seed)
    return fit, (rest.X_test, rest.y_test)


def _digits(params, seed, stop):
    nn.manual_seed(seed)
    fit, (X_test, y_test) = digits_splits(seed)
    X_train, y_train, X_val, y_val = fit
    sizes = [64, *parse_int_list(params["hidden"]), 10]
    model = mlp(sizes, params["activation"], init="auto")
    opt = make_optimizer(params["optimizer"], params["lr"])
    epochs = params["epochs"]
    steps_per_epoch = -(-len(X_train) // params["batch_size"])

    def on_end(e):
        # the one and only look at the test set, after training has finished
        pred = model.forward(X_test, train=False).argmax(axis=1)
        m = np.zeros((10, 10), dtype=int)
        np.add.at(m, (y_test, pred), 1)
        e["test_accuracy"] = float(np.trace(m) / m.sum())
        e["n_test"] = int(m.sum())
        e["n_train"], e["n_val"] = len(X_train), len(X_val)
        return [{"event": "confusion", "matrix": m.tolist(), "labels": list(range(10)), "rows": "actual"}]

    yield from train_variant("main", model, nn.SoftmaxCrossEntropyLoss(), opt, X_train, y_train,
                             X_val=X_val, y_val=y_val, epochs=epochs,
                             batch_size=params["batch_size"], seed=seed, stop=stop,
                             log_every=log_every_for(epochs * steps_per_epoch),
                             eval_every=max(1, steps_per_epoch // 2), on_end=on_end)


register(Experiment(
    name="softmax_digits",
    title={"ko": "소프트맥스(softmax)로 손글씨 숫자 분류하기", "en": "Softmax on the handwritten digits"},
    description={
        "ko": "8×8 손글씨 숫자 1,797장을 소프트맥스와 교차 엔트로피(cross-entropy)로 10개 클래스로 분류합니다. 학습 중에는 "
              "검증 세트(validation set)의 정확도를 보고, 따로 떼어 둔 테스트 세트는 끝에 한 번만 채점해 혼동 행렬"
              "(confusion matrix, 행 = 실제, 열 = 예측)로 봅니다.",
        "en": "Classify the 1,797 8×8 handwritten digits into ten classes with softmax and cross-entropy. "
              "During training the curves show the validation set; the test set, kept aside, is scored once "
              "at the end, as a confusion matrix (rows = actual, columns = predicted)."},
    params={
        "hidden": hidden_param("32", max_layers=4, max_width=512),
        "activation": activation_param("relu"),
        "optimizer": P("optimizer", "choice", "adam", "옵티마이저(optimizer)", "optimizer", choices=list(OPTIMIZERS)),
        "lr": lr_param(0.005, high=1.0),
        "epochs": P("epochs", "int", 15, "에포크(epoch) 수", "epochs", 1, 200),
        "batch_size": batch_param(64),
    },
    body=_digits,
))
