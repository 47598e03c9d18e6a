"""Chapter 1: MLE and MAP for a coin, as the flips arrive one by one.

A coin with heads probability ``p`` is flipped ``flips`` times (seeded). After each flip n, with k
heads so far, three curves are reported (their ``loss`` is the value drawn, an estimate of p, not a
loss):

- variant ``mle``: the maximum likelihood estimate k/n — the running sample mean of the flips;
- variant ``map``: the MAP estimate under a Beta(a, b) prior, (k + a − 1)/(n + a + b − 2): the mode
  of the posterior Beta(k + a, n − k + b), as if a − 1 heads and b − 1 tails had been seen before
  the first flip (at n = 0 it is the prior's mode, reported as step 0);
- variant ``true_p``: the true p, a flat line both estimates should approach.

The ``end`` events carry what lessons 01-07 and 01-08 quote: the number of heads after the first
flip, after 10 flips and at the end (``heads_1``, ``heads_10``, ``heads``), each estimate at those
points (``estimate_1``, ``estimate_10``, ``estimate``) and its distance from p at the end
(``error``), plus the prior's mode (``prior_mode``, the map variant).
"""

from __future__ import annotations

import numpy as np

from .base import P, Experiment, register

VARIANTS = ["mle", "map", "true_p"]


def flips_of(p: float, n: int, seed: int) -> np.ndarray:
    """n coin flips, 1 = heads with probability p (seeded)."""
    return (np.random.default_rng(seed).random(n) < p).astype(int)


def mle(k: int, n: int) -> float:
    return k / n


def map_estimate(k: int, n: int, a: float, b: float) -> float:
    """The mode of Beta(k + a, n − k + b); needs n + a + b > 2."""
    return (k + a - 1) / (n + a + b - 2)


def _run(params, seed, stop):
    p, n_flips, a, b = params["p"], params["flips"], params["prior_a"], params["prior_b"]
    flips = flips_of(p, n_flips, seed)
    for name in VARIANTS:
        yield {"event": "start", "variant": name, "total_steps": n_flips, "epochs": n_flips,
               "steps_per_epoch": 1, "batch_size": 1, "n_train": n_flips, "n_val": 0,
               "num_params": 1, "layers": [], "seed": seed}
    prior_mode = map_estimate(0, 0, a, b) if a + b > 2 else None
    if prior_mode is not None:
        yield {"event": "step", "variant": "map", "step": 0, "epoch": 0, "loss": prior_mode}
    yield {"event": "step", "variant": "true_p", "step": 0, "epoch": 0, "loss": p}
    k, done = 0, 0
    at = {}
    for n in range(1, n_flips + 1):
        k += int(flips[n - 1])
        done = n
        est = {"mle": mle(k, n), "map": map_estimate(k, n, a, b), "true_p": p}
        for name in VARIANTS:
            yield {"event": "step", "variant": name, "step": n, "epoch": n, "loss": est[name]}
        if n in (1, 10):
            at[n] = (k, est)
        if stop is not None and stop():
            break
    status = "done" if done == n_flips else "stopped"
    reason = f"{done} flips" if status == "done" else "stopped by request"
    final = {"mle": mle(k, done), "map": map_estimate(k, done, a, b), "true_p": p}
    for name in VARIANTS:
        figures = {"flips": done, "heads": k, "estimate": final[name], "error": abs(final[name] - p)}
        for n, (kn, est) in at.items():
            figures[f"heads_{n}"] = kn
            figures[f"estimate_{n}"] = est[name]
        if name == "map":
            figures["prior_mode"] = prior_mode
        yield {"event": "end", "variant": name, "status": status, "reason": reason, "step": done,
               "epoch": done, "loss": final[name], "val_loss": None, "val_accuracy": None,
               "best_step": None, "best_loss": None, **figures}


register(Experiment(
    name="mle_map",
    variant_labels={"mle": {"ko": "MLE k/n(mle)", "en": "mle"},
                    "map": {"ko": "MAP(map)", "en": "map"},
                    "true_p": {"ko": "참값 p(true_p)", "en": "true_p"}},
    title={"ko": "동전 던지기: MLE와 MAP 추정값이 데이터와 함께 움직이는 모습",
           "en": "Coin flips: the MLE and MAP estimates as the data grows"},
    description={
        "ko": "앞면 확률이 p인 동전을 한 번씩 던집니다. 던질 때마다 MLE k/n과 베타 사전 분포(Beta prior)를 쓴 MAP "
              "(k + a − 1)/(n + a + b − 2)를 다시 계산해 곡선으로 그립니다. 곡선의 값은 손실이 아니라 p의 추정값입니다. "
              "평평한 선은 참값 p입니다.",
        "en": "A coin with heads probability p is flipped once at a time. After every flip the MLE k/n and the "
              "MAP under a Beta prior, (k + a − 1)/(n + a + b − 2), are recomputed and drawn as curves. A curve's "
              "value is an estimate of p, not a loss; the flat line is the true p."},
    params={
        "p": P("p", "float", 0.7, "동전의 실제 앞면 확률", "the coin's true heads probability", 0.01, 0.99,
               label={"ko": "참값 p", "en": "true p"}),
        "flips": P("flips", "int", 1000, "던지는 횟수", "number of flips", 1, 5000,
                   label={"ko": "던지기 횟수", "en": "flips"}),
        "prior_a": P("prior_a", "float", 11.0, "베타 사전 분포의 a(앞면 가상 횟수 + 1)",
                     "the Beta prior's a (pseudo-heads + 1)", 1.0, 1000.0,
                     label={"ko": "사전 분포 a", "en": "prior a"}),
        "prior_b": P("prior_b", "float", 11.0, "베타 사전 분포의 b(뒷면 가상 횟수 + 1)",
                     "the Beta prior's b (pseudo-tails + 1)", 1.0, 1000.0,
                     label={"ko": "사전 분포 b", "en": "prior b"}),
    },
    variants=VARIANTS,
    plot={"y": "loss", "log_y": False, "x": "step",
          "label": {"ko": "추정값(estimate) p̂", "en": "estimate p̂"}},
    body=_run,
))
