"""Chapter 5: why accuracy is not the loss — one logistic regression, two curves.

One run of full-batch gradient descent on the binary cross-entropy of a logistic regression
(two overlapping 2-D blobs, a start whose boundary cuts both blobs in half). Every step is
reported twice, as two curves of the **same** run drawn on one chart:

- variant ``cross_entropy``: ``loss`` is the cross-entropy being minimised (smooth, falling);
- variant ``zero_one``: ``loss`` is the 0-1 loss, the error rate 1 − accuracy, of the same
  weights at the same step (a staircase: it moves only when a point crosses the boundary).

Both carry ``accuracy`` (training accuracy) in each step event. The ``end`` events add what the
lesson quotes: how many steps changed the accuracy at all (``accuracy_changes``), the longest run
of steps with the accuracy frozen (``longest_plateau``) and how much the cross-entropy fell during
it (``plateau_loss_drop``), how many steps lowered the accuracy (``accuracy_drops``) while the loss
never rose (``loss_rises``), the best accuracy on the way, and the start and final figures. No step is optimised on the 0-1 loss:
its gradient is zero wherever it is defined, so gradient descent on it would never move.
"""

from __future__ import annotations

import numpy as np

from .base import P, Experiment, boundary_event, every, points_of, register, sigmoid

VARIANTS = ["cross_entropy", "zero_one"]
START_W = (1.5, -1.5)   # the boundary x₁ = x₂ runs through both blobs' centres: about half wrong


def blobs(n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n points, half of class 1 around (1, 1) and half of class 0 around (−1, −1), std ``noise``."""
    rng = np.random.default_rng(seed)
    half = n // 2
    pos = rng.normal(1.0, noise, (half, 2))
    neg = rng.normal(-1.0, noise, (n - half, 2))
    X = np.concatenate([pos, neg])
    y = np.concatenate([np.ones(half), np.zeros(n - half)])
    return X, y


def bce(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _run(params, seed, stop):
    X, y = blobs(params["n"], params["noise"], seed)
    w, b = np.array(START_W, dtype=float), 0.0
    lr, steps = params["lr"], params["steps"]
    for name in VARIANTS:
        yield {"event": "start", "variant": name, "total_steps": steps, "epochs": steps,
               "steps_per_epoch": 1, "batch_size": len(X), "n_train": len(X), "n_val": 0,
               "num_params": 3, "layers": ["linear"], "seed": seed}
    pts = points_of(X, y)
    due = every(steps, 25)

    def prob(Z):
        return sigmoid(np.asarray(Z, dtype=float) @ w + b)

    def measure():
        p = prob(X)
        return p, bce(p, y), float(np.mean((p > 0.5) == (y > 0.5)))

    p, loss, acc = measure()
    start_loss, start_acc = loss, acc
    losses, accs = [loss], [acc]
    yield {**boundary_event(prob, 0, (-4, 4), (-4, 4), pts), "variant": "cross_entropy"}
    for step in range(1, steps + 1):
        # the gradient of the mean cross-entropy: (p − y) x per point, averaged
        w = w - lr * ((p - y) @ X) / len(X)
        b = b - lr * float(np.mean(p - y))
        p, loss, acc = measure()
        losses.append(loss)
        accs.append(acc)
        yield {"event": "step", "variant": "cross_entropy", "step": step, "epoch": step,
               "loss": loss, "accuracy": acc}
        yield {"event": "step", "variant": "zero_one", "step": step, "epoch": step,
               "loss": 1.0 - acc, "accuracy": acc}
        if due(step):
            yield {**boundary_event(prob, step, (-4, 4), (-4, 4), pts), "variant": "cross_entropy"}
        if stop is not None and stop():
            break
    done = len(losses) - 1
    changes = [i for i in range(1, len(accs)) if accs[i] != accs[i - 1]]
    # the longest run of steps whose accuracy equals the previous step's, and the loss fall in it
    best, best_drop, run_start = 0, 0.0, 0
    for i in range(1, len(accs) + 1):
        if i == len(accs) or accs[i] != accs[i - 1]:
            length = i - 1 - run_start
            if length > best:
                best, best_drop = length, losses[run_start] - losses[i - 1]
            run_start = i
    figures = {"n_points": len(X), "start_loss": start_loss, "start_accuracy": start_acc, "accuracy": accs[-1],
               "accuracy_changes": len(changes), "longest_plateau": best,
               "plateau_loss_drop": best_drop,
               "loss_rises": int(sum(losses[i] > losses[i - 1] for i in range(1, len(losses)))),
               # steps where the accuracy went down although the loss (see loss_rises) went on falling
               "accuracy_drops": int(sum(accs[i] < accs[i - 1] for i in range(1, len(accs)))),
               "best_accuracy": max(accs),
               "w": [float(w[0]), float(w[1])], "b": float(b)}
    status = "done" if done == steps else "stopped"
    reason = f"{done} steps" if status == "done" else "stopped by request"
    yield {"event": "end", "variant": "cross_entropy", "status": status, "reason": reason,
           "step": done, "epoch": done, "loss": losses[-1], "val_loss": None, "val_accuracy": None,
           "best_step": None, "best_loss": None, **figures}
    yield {"event": "end", "variant": "zero_one", "status": status, "reason": reason,
           "step": done, "epoch": done, "loss": 1.0 - accs[-1], "val_loss": None,
           "val_accuracy": None, "best_step": None, "best_loss": None,
           **{**figures, "start_loss": 1.0 - start_acc}}


register(Experiment(
    name="accuracy_vs_loss",
    variant_labels={"zero_one": {"ko": "0-1 손실 = 1 − 정확도(zero_one)", "en": "zero_one"}},
    title={"ko": "정확도는 왜 손실이 아닐까: 교차 엔트로피 vs 0-1 손실",
           "en": "Why accuracy is not the loss: cross-entropy vs the 0-1 loss"},
    description={
        "ko": "로지스틱 회귀 하나를 교차 엔트로피(cross-entropy)로 경사 하강법(전체 배치) 학습합니다. 같은 걸음의 같은 가중치로 "
              "잰 두 곡선을 한 그림에 그립니다: 최소화하는 교차 엔트로피와, 오분류율 1 − 정확도(0-1 손실)입니다. "
              "정확도는 점이 결정 경계를 넘을 때만 계단처럼 움직입니다.",
        "en": "One logistic regression trained by full-batch gradient descent on the cross-entropy. Two curves "
              "of the same weights at the same step share one chart: the cross-entropy being minimised and the "
              "error rate 1 − accuracy (the 0-1 loss). Accuracy moves only when a point crosses the decision "
              "boundary, in steps."},
    params={
        "lr": P("lr", "float", 0.1, "학습률(learning rate)", "learning rate", 1e-4, 10.0),
        "steps": P("steps", "int", 150, "학습 걸음 수(steps)", "training steps", 1, 2000),
        "n": P("n", "int", 40, "데이터 점 개수(정확도의 눈금은 1/n)", "number of points (accuracy moves in units of 1/n)",
               4, 400),
        "noise": P("noise", "float", 1.2, "두 덩어리의 표준편차(클수록 많이 겹침)", "standard deviation of the blobs (larger overlaps more)",
                   0.1, 3.0),
    },
    variants=VARIANTS,
    plot={"y": "loss", "log_y": False, "x": "step"},
    body=_run,
))
