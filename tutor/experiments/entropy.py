"""Chapter 1: entropy, cross-entropy and KL divergence while a softmax learns a target.

Three logits z start at ``start`` (``uniform``: z = 0, so q = softmax(z) is uniform over the three
outcomes; ``wrong``: z = (0, 0, 4), confidently on the last outcome) and follow plain gradient
descent on the cross-entropy H(p, q) = −∑ p_i ln q_i to the target ``target`` (``soft``:
p = (0.7, 0.2, 0.1); ``onehot``: p = (1, 0, 0)). The gradient with respect to the logits is q − p
(lesson 05-02 derives it), so one step is z ← z − lr (q − p). Natural log throughout (nats).

Every step is reported as four curves of the same run on one chart (each curve's ``loss`` is its
quantity):

- ``cross_entropy``: H(p, q), the loss being minimised;
- ``kl``: KL(p ‖ q) = H(p, q) − H(p), computed as ∑ p_i ln(p_i / q_i) (not as the difference);
- ``entropy_q``: H(q), the entropy of the model's distribution (how spread out it is);
- ``entropy_p``: H(p), the entropy of the target: a flat line, the floor of the cross-entropy.

The ``end`` events carry the figures a lesson quotes: the target's entropy, the start and final
values of the three moving curves, the largest |H(p, q) − KL − H(p)| over the run (rounding only),
the highest entropy of q on the way and its step, the first step with KL below 0.01 (None if
never), the final q and the final spread of the logits (max − min, which grows without bound
toward a one-hot target).
"""

from __future__ import annotations

import math

import numpy as np

from .base import P, Experiment, register

VARIANTS = ["cross_entropy", "kl", "entropy_q", "entropy_p"]
TARGETS = {"soft": (0.7, 0.2, 0.1), "onehot": (1.0, 0.0, 0.0)}
STARTS = {"uniform": (0.0, 0.0, 0.0), "wrong": (0.0, 0.0, 4.0)}


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - np.max(z))
    return e / e.sum()


def entropy(p: np.ndarray) -> float:
    """H(p) = −∑ p_i ln p_i, with 0 ln 0 = 0."""
    nz = p > 0
    return float(-np.sum(p[nz] * np.log(p[nz]))) + 0.0


def cross_entropy(p: np.ndarray, q: np.ndarray) -> float:
    """H(p, q) = −∑ p_i ln q_i (terms with p_i = 0 contribute nothing)."""
    nz = p > 0
    return float(-np.sum(p[nz] * np.log(q[nz])))


def kl(p: np.ndarray, q: np.ndarray) -> float:
    """KL(p ‖ q) = ∑ p_i ln(p_i / q_i)."""
    nz = p > 0
    return float(np.sum(p[nz] * np.log(p[nz] / q[nz])))


def _run(params, seed, stop):
    p = np.array(TARGETS[params["target"]], dtype=float)
    z = np.array(STARTS[params["start"]], dtype=float)
    lr, steps = params["lr"], params["steps"]
    for name in VARIANTS:
        yield {"event": "start", "variant": name, "total_steps": steps, "epochs": steps,
               "steps_per_epoch": 1, "batch_size": 1, "n_train": 1, "n_val": 0,
               "num_params": 3, "layers": ["logits"], "seed": seed}
    h_p = entropy(p)

    def measure():
        q = softmax(z)
        return q, {"cross_entropy": cross_entropy(p, q), "kl": kl(p, q), "entropy_q": entropy(q),
                   "entropy_p": h_p}

    q, now = measure()
    first = dict(now)
    history = [now]
    for step in range(1, steps + 1):
        z = z - lr * (q - p)          # ∂H(p, q)/∂z = q − p
        q, now = measure()
        history.append(now)
        for name in VARIANTS:
            yield {"event": "step", "variant": name, "step": step, "epoch": step, "loss": now[name]}
        if stop is not None and stop():
            break
    done = len(history) - 1
    ent = [h["entropy_q"] for h in history]
    peak = int(np.argmax(ent))
    below = next((i for i, h in enumerate(history) if h["kl"] < 0.01), None)
    figures = {
        "target_entropy": h_p,
        "start_cross_entropy": first["cross_entropy"], "start_kl": first["kl"],
        "start_entropy_q": first["entropy_q"],
        "final_cross_entropy": now["cross_entropy"], "final_kl": now["kl"],
        "final_entropy_q": now["entropy_q"],
        "max_gap_error": max(abs(h["cross_entropy"] - h["kl"] - h_p) for h in history),
        "entropy_peak": ent[peak], "entropy_peak_step": peak,
        "kl_below_001_step": below,
        "q": [float(x) for x in q], "logit_spread": float(np.max(z) - np.min(z)),
        "max_entropy": math.log(len(p)),
    }
    status = "done" if done == steps else "stopped"
    reason = f"{done} steps" if status == "done" else "stopped by request"
    for name in VARIANTS:
        yield {"event": "end", "variant": name, "status": status, "reason": reason,
               "step": done, "epoch": done, "loss": now[name], "val_loss": None, "val_accuracy": None,
               "best_step": None, "best_loss": None, **figures}


register(Experiment(
    name="entropy",
    variant_labels={
        "kl": {"ko": "KL 발산(kl)", "en": "kl"},
        "entropy_q": {"ko": "모델 엔트로피 H(q)(entropy_q)", "en": "entropy_q"},
        "entropy_p": {"ko": "목표 엔트로피 H(p)(entropy_p)", "en": "entropy_p"},
    },
    title={"ko": "엔트로피, 교차 엔트로피, KL 발산: 소프트맥스가 목표를 배울 때",
           "en": "Entropy, cross-entropy and KL divergence while a softmax learns a target"},
    description={
        "ko": "로짓 세 개의 소프트맥스 q를 경사 하강법으로 목표 분포 p에 맞춥니다(교차 엔트로피 최소화, 자연로그). "
              "한 그림에 네 곡선을 그립니다: 교차 엔트로피 H(p, q), KL 발산 KL(p‖q), 모델 분포의 엔트로피 H(q), "
              "목표의 엔트로피 H(p)(평평한 선).",
        "en": "The softmax q of three logits is fitted to a target p by gradient descent on the cross-entropy "
              "(natural log). Four curves share one chart: the cross-entropy H(p, q), the KL divergence KL(p‖q), "
              "the entropy H(q) of the model's distribution and the target's entropy H(p) (a flat line)."},
    params={
        "target": P("target", "choice", "soft", "목표 분포 p: soft = (0.7, 0.2, 0.1), onehot = (1, 0, 0)",
                    "target p: soft = (0.7, 0.2, 0.1), onehot = (1, 0, 0)", choices=["soft", "onehot"],
                    label={"ko": "목표 분포(target)", "en": "target"}),
        "start": P("start", "choice", "uniform", "시작 로짓: uniform = (0, 0, 0)(균등 분포), wrong = (0, 0, 4)(틀린 쪽에 확신)",
                   "start logits: uniform = (0, 0, 0) (a uniform q), wrong = (0, 0, 4) (confidently wrong)",
                   choices=["uniform", "wrong"], label={"ko": "시작 로짓(start)", "en": "start logits"}),
        "lr": P("lr", "float", 0.2, "학습률(learning rate)", "learning rate", 1e-3, 5.0),
        "steps": P("steps", "int", 100, "학습 걸음 수(steps)", "training steps", 1, 2000),
    },
    variants=VARIANTS,
    plot={"y": "loss", "log_y": False, "x": "step",
          "label": {"ko": "값(nats)", "en": "value (nats)"}},
    body=_run,
))
