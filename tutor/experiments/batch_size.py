"""Chapter 3: full-batch gradient descent vs SGD (batch 1) vs mini-batch, at equal compute.

The three variants fit the same line (``data.noisy_line``, MSE, plain SGD, the same learning rate
and start w = b = 0) and each sees the same number of examples: ``epochs`` passes over the data.
Full batch makes one update per pass, batch 1 makes n, a mini-batch of B makes ⌈n/B⌉.

So that the race is fair to the eye, two things differ from the other experiments:
- a step event's ``step`` is the number of **examples processed** so far (the compute spent), not
  the number of updates, and the ``start`` event's ``total_steps`` is epochs × n, in the same unit;
  the ``end`` event carries the update count as ``updates``;
- its ``loss`` is the loss on the **whole training set** after the update (the objective the
  noisy per-batch gradients estimate), not the mean loss of the batches since the last event.
The variants are merged in order of examples processed, so they race at equal compute.
"""

from __future__ import annotations

import heapq
import math

from tutor import nn
from tutor.nn import data, optim

from .base import P, Experiment, register, train_variant

VARIANTS = ["full_batch", "sgd", "minibatch"]
#: reports per pass over the data (full batch can only report once per pass: once per update)
REPORTS_PER_EPOCH = 8


def examples_after(updates: int, n: int, batch: int) -> int:
    """Examples processed after ``updates`` updates of ``batch`` (the last batch of a pass may be
    smaller: (spe − 1)·batch < n, so a partial pass never reaches n)."""
    per_epoch = math.ceil(n / batch)
    return (updates // per_epoch) * n + min((updates % per_epoch) * batch, n)


def _variant(name: str, batch: int, params: dict, seed: int, stop):
    X, y = data.noisy_line(n=params["n"], noise=params["noise"], seed=seed)
    n = len(X)
    batch = min(batch, n)
    model = nn.Sequential(nn.Linear(1, 1, init="zeros"))
    loss_fn = nn.MSELoss()
    updates = params["epochs"] * math.ceil(n / batch)
    log_every = max(1, math.ceil(n / batch) // REPORTS_PER_EPOCH)
    events = train_variant(name, model, loss_fn, optim.SGD(params["lr"]), X, y, steps=updates,
                           batch_size=batch, seed=seed, stop=stop, log_every=log_every)

    def full_loss() -> float:
        return float(loss_fn.forward(model.forward(X, train=False), y))

    for e in events:
        kind = e["event"]
        if kind == "start":
            e["total_steps"] = params["epochs"] * n   # in examples too, so "step/total" reads right
        elif kind == "step":
            # the model has just been updated: the loss it now has on all the data
            e["loss"] = full_loss()
            e["step"] = examples_after(e["step"], n, batch)
        elif kind == "end":
            if e["status"] != "diverged":
                e["loss"] = full_loss()   # the engine's is the last batches' loss, before the update
            e["updates"] = e["step"]
            e["step"] = examples_after(e["step"], n, batch)
            e["batch_size"] = batch
            if e["status"] == "diverged":
                e["message"] = {
                    "ko": f"{e['updates']}번째 갱신(update)에서 발산(diverged)했습니다. 학습률 {params['lr']:g}이(가) "
                          f"배치 크기 {batch}에는 너무 큽니다.",
                    "en": f"diverged at update {e['updates']}: the learning rate {params['lr']:g} is too "
                          f"large for batch size {batch}."}
        yield e


def _compute(event: dict) -> int:
    """Where an event sits on the compute axis (start first)."""
    return 0 if event["event"] == "start" else event.get("step") or 0


def _batch_size(params, seed, stop):
    batches = {"full_batch": params["n"], "sgd": 1, "minibatch": params["batch_size"]}
    gens = [_variant(name, batches[name], params, seed, stop) for name in VARIANTS]
    # in order of examples processed: at any moment every variant has spent the same compute
    yield from heapq.merge(*gens, key=_compute)


register(Experiment(
    name="batch_size",
    variant_labels={"full_batch": {"ko": "전체 배치(full_batch)", "en": "full_batch"},
                    "minibatch": {"ko": "미니배치(minibatch)", "en": "minibatch"}},
    title={"ko": "같은 계산량의 배치 크기(batch size): 전체 배치, SGD, 미니배치",
           "en": "Batch size at equal compute: full batch, SGD, mini-batch"},
    description={
        "ko": "y = 2x + 1에 잡음을 더한 점들에 직선을 맞춥니다. 세 방법 모두 같은 학습률로, 같은 수의 예제(에포크 수 × n)를 "
              "봅니다. 가로축은 처리한 예제 수이고, 손실은 매번 전체 데이터에서 잰 값입니다.",
        "en": "Fit a line to noisy points around y = 2x + 1. All three use the same learning rate and see "
              "the same number of examples (epochs × n). The x axis is examples processed; the loss is "
              "measured on all the data every time."},
    params={
        "lr": P("lr", "float", 0.05, "학습률(learning rate): 세 방법이 같은 값", "learning rate, the same for all three",
                1e-4, 0.5),
        "epochs": P("epochs", "int", 8, "에포크 수: 각자 데이터를 몇 번 훑는지(계산 예산)",
                    "epochs: passes over the data each one makes (the compute budget)", 1, 50),
        "batch_size": P("batch_size", "int", 32, "미니배치 크기(minibatch만)", "mini-batch size (minibatch only)", 2, 256),
        "n": P("n", "int", 256, "데이터 점 개수", "number of data points", 16, 1024),
        "noise": P("noise", "float", 0.5, "점에 더한 잡음의 표준편차", "standard deviation of the noise on the points",
                   0.0, 2.0),
    },
    variants=VARIANTS,
    body=_batch_size,
    diverge_cause={"ko": "학습률이 이 배치 크기에 너무 큽니다", "en": "the learning rate is too large for this batch size"},
))
