"""Chapter 7: what goes wrong when a network with batch normalisation is evaluated in training mode.

One network with BatchNorm after every hidden linear layer is trained once (the engine's loop,
mini-batches of ``batch_size``). Every ``steps // 50`` steps the validation set is classified four
ways, one variant each; the variants share the same weights, only the evaluation differs:

- ``eval_mode``: evaluation mode, the running averages (what the engine's own validation does);
- ``train_full``: training mode, the whole validation set as one batch, normalised by its own
  mean and variance (a large batch from the same distribution: close to the running averages);
- ``train_sorted``: training mode, the validation set sorted by class and cut into batches of
  ``eval_batch`` (each batch holds one class only: its own statistics are not the data's);
- ``train_single``: training mode, one example at a time. A batch of one has variance 0, so
  x̂ = (x − x)/√(0 + ε) = 0 at the first BatchNorm: every example gets the same output (PyTorch
  refuses a batch of one in training mode; this engine computes it).

Evaluating in training mode would also move the running averages; the run saves and restores
them around each such evaluation, so the ``eval_mode`` variant sees only what training wrote.

Each variant's step events carry ``val_loss`` and ``val_accuracy`` measured its way (``loss`` is
the training loss of the one network, the same in all four); the curves are ``val_accuracy``. Each
``end`` adds ``class1_share``: the fraction of validation examples the variant classifies as class 1
(0 or 1 for ``train_single``: one answer for everyone).
"""

from __future__ import annotations

import numpy as np

from tutor import nn
from tutor.nn import data
from tutor.nn.train import accuracy, train

from .base import P, Experiment, register
from .nets import OPTIMIZERS, batch_param, lr_param, make_optimizer, mlp, steps_param

VARIANTS = ["eval_mode", "train_full", "train_sorted", "train_single"]


def _batchnorms(model) -> list:
    return [m for _, m in model.leaves() if isinstance(m, nn.BatchNorm1d)]


def _predict_train_mode(model, X, batches) -> np.ndarray:
    """The outputs of ``model`` in training mode, batch by batch (index arrays ``batches``), with
    the BatchNorm running averages restored afterwards."""
    norms = _batchnorms(model)
    saved = [(b.running_mean.copy(), b.running_var.copy()) for b in norms]
    out = np.empty((len(X), 1), dtype=np.float32)
    try:
        for idx in batches:
            out[idx] = model.forward(X[idx], train=True)
    finally:
        for b, (mean, var) in zip(norms, saved):
            b.running_mean[...] = mean
            b.running_var[...] = var
    return out


def _bn_eval(params, seed, stop):
    split = data.playground("circle", n=params["n"], noise=params["noise"], test_ratio=0.3, seed=seed)
    X, y = split.X_train / 6.0, split.y_train
    Xv = (split.X_test / 6.0).astype(np.float32)
    yv = split.y_test.reshape(-1, 1).astype(np.float32)
    nn.manual_seed(seed)
    sizes = [2] + [params["width"]] * params["layers"] + [1]
    model = mlp(sizes, activation=params["activation"], init="auto", batchnorm=True)
    loss_fn = nn.BCEWithLogitsLoss()
    steps = params["steps"]
    every = max(1, steps // 50)

    n_val = len(Xv)
    order = np.argsort(yv.ravel(), kind="stable")        # class 0 first, then class 1
    k = params["eval_batch"]
    ways = {
        "train_full": [np.arange(n_val)],
        "train_sorted": [order[i:i + k] for i in range(0, n_val, k)],
        "train_single": [np.array([i]) for i in range(n_val)],
    }

    def measure(name):
        if name == "eval_mode":
            pred = model.forward(Xv, train=False)
        else:
            pred = _predict_train_mode(model, Xv, ways[name])
        with np.errstate(all="ignore"):
            return (float(loss_fn.forward(pred, yv)), accuracy(loss_fn, pred, yv),
                    float(np.mean(pred > 0)))

    last: dict[str, tuple] = {}
    for e in train(model, loss_fn, make_optimizer(params["optimizer"], params["lr"]), X, y,
                   X_val=Xv, y_val=yv, steps=steps, batch_size=params["batch_size"], seed=seed,
                   stop=stop, log_every=every, eval_every=every):
        kind = e["event"]
        if kind == "start":
            for name in VARIANTS:
                yield {**e, "variant": name}
        elif kind == "step":
            if e.get("val_accuracy") is None:
                continue
            for name in VARIANTS:
                last[name] = measure(name)
                val_loss, val_acc, _ = last[name]
                yield {**e, "variant": name, "val_loss": val_loss, "val_accuracy": val_acc}
        elif kind == "end":
            for name in VARIANTS:
                if e["status"] == "diverged" or name not in last:
                    yield {**e, "variant": name}
                    continue
                val_loss, val_acc, share = last[name]
                yield {**e, "variant": name, "val_loss": val_loss, "val_accuracy": val_acc,
                       "class1_share": share}


def _report(variants: dict):
    try:
        acc = {v: variants[v]["val_accuracy"] for v in VARIANTS}
    except KeyError:
        return None
    if any(a is None for a in acc.values()):
        return None
    ko = ", ".join(f"{v} {acc[v]:.1%}" for v in VARIANTS)
    return {"ko": f"완료했습니다(done). 같은 가중치, 검증 정확도(validation accuracy): {ko}.",
            "en": f"done. The same weights, validation accuracy: {ko}."}


register(Experiment(
    name="bn_eval",
    title={"ko": "배치 정규화의 평가 모드(evaluation mode)를 잊으면",
           "en": "Batch norm: forgetting evaluation mode"},
    description={
        "ko": "배치 정규화(batch normalization)를 넣은 신경망 하나를 학습하면서, 같은 가중치로 검증 세트를 네 가지로 분류합니다. "
              "eval_mode는 학습 중 모은 이동 평균(running average)을 쓰는 평가 모드이고, 나머지 셋은 평가 모드를 잊고 "
              "학습 모드로 분류합니다: 검증 세트 전체를 한 배치로(train_full), 클래스별로 정렬해 잘라서(train_sorted), "
              "한 개씩(train_single).",
        "en": "One network with batch normalisation is trained while the same weights classify the "
              "validation set four ways. eval_mode uses the running averages collected in training; the "
              "other three forget evaluation mode and classify in training mode: the whole validation set "
              "as one batch (train_full), sorted by class and cut into batches (train_sorted), and one "
              "example at a time (train_single)."},
    params={
        "layers": P("layers", "int", 4, "은닉층 수(depth)", "hidden layers (depth)", 1, 12),
        "width": P("width", "int", 32, "층마다 뉴런 수", "neurons per hidden layer", 2, 128),
        "activation": P("activation", "choice", "relu", "활성화 함수(activation function)", "activation function",
                        choices=["relu", "tanh", "sigmoid"]),
        "lr": lr_param(0.05, high=1.0),
        "optimizer": P("optimizer", "choice", "momentum", "옵티마이저(optimizer)", "optimizer",
                       choices=list(OPTIMIZERS)),
        "steps": steps_param(400, high=5000),
        "batch_size": batch_param(32, high=256),
        "eval_batch": P("eval_batch", "int", 20, "train_sorted가 한 번에 정규화하는 검증 예제 수",
                        "validation examples train_sorted normalises together", 2, 120,
                        label={"ko": "평가 배치(eval_batch)", "en": "eval batch"}),
        "noise": P("noise", "float", 0.1, "데이터 잡음(noise)", "noise in the data", 0.0, 0.5),
        "n": P("n", "int", 400, "데이터 점 개수", "number of data points", 40, 2000),
    },
    variants=VARIANTS,
    variant_labels={"eval_mode": {"ko": "평가 모드(eval_mode)", "en": "eval_mode"},
                    "train_full": {"ko": "학습 모드·전체 배치(train_full)", "en": "train_full"},
                    "train_sorted": {"ko": "학습 모드·정렬된 배치(train_sorted)", "en": "train_sorted"},
                    "train_single": {"ko": "학습 모드·한 개씩(train_single)", "en": "train_single"}},
    plot={"y": "val_accuracy", "log_y": False, "x": "step",
          "label": {"ko": "검증 정확도(validation accuracy)", "en": "validation accuracy"}},
    body=_bn_eval,
    report=_report,
    diverge_cause={"ko": "학습률(learning rate)이 너무 큽니다", "en": "the learning rate is too large"},
))
