"""Chapter 9 (lesson 09-05): why attention divides its scores by √d_k — the softmax saturates without it.

For each key width d_k = 1, 2, 4, …, ``max_dim`` (powers of two), ``queries`` queries q and ``keys``
keys k are drawn with independent N(0, 1) entries (the same draws for both variants at a given d_k).
The scores of one query are e_j = q·k_j (variant ``unscaled``) or q·k_j / √d_k (variant ``scaled``),
and its attention weights are α = softmax(e).

Each step event (``step`` = d_k, so the x axis is the key width) reports, over the queries:

- ``max_weight``: the mean of max_j α_j — 1/``keys`` for a uniform softmax, 1 for a one-hot one
  (saturation); this is the plotted curve;
- ``score_std``: the standard deviation of the scores (√d_k unscaled, ≈ 1 scaled: Var(q·k) = d_k);
- ``grad_norm``: the mean size ‖∂L/∂e‖ of the gradient reaching the scores, for an upstream gradient
  g = ∂L/∂α with independent N(0, 1) entries: ∂L/∂e = (diag(α) − ααᵀ) g, the softmax's Jacobian
  (transposed; it is symmetric) times g. It goes to 0 as α becomes one-hot.

The ``end`` of each variant carries the lists ``dims``, ``max_weight``, ``score_std`` and
``grad_norm`` (one entry per d_k) and the values at the largest width, ``max_weight_last``,
``score_std_last``, ``grad_norm_last``; ``uniform_weight`` is 1/``keys``.
"""

from __future__ import annotations

import math

import numpy as np

from .base import P, Experiment, register
from .events import Bilingual as Text

VARIANTS = ["scaled", "unscaled"]


def dims_up_to(max_dim: int) -> list[int]:
    """1, 2, 4, … up to max_dim (max_dim itself last when it is not a power of two)."""
    out, d = [], 1
    while d < max_dim:
        out.append(d)
        d *= 2
    out.append(max_dim)
    return out


def softmax(e: np.ndarray) -> np.ndarray:
    e = e - e.max(axis=-1, keepdims=True)
    w = np.exp(e)
    return w / w.sum(axis=-1, keepdims=True)


def softmax_backward(alpha: np.ndarray, g: np.ndarray) -> np.ndarray:
    """∂L/∂e = (diag(α) − ααᵀ) g = α ⊙ (g − α·g), row by row."""
    return alpha * (g - (alpha * g).sum(axis=-1, keepdims=True))


def measure(d: int, queries: int, keys: int, rng: np.random.Generator, scaled: bool) -> dict:
    q = rng.standard_normal((queries, d))
    k = rng.standard_normal((keys, d))
    g = rng.standard_normal((queries, keys))
    e = q @ k.T
    if scaled:
        e = e / math.sqrt(d)
    alpha = softmax(e)
    de = softmax_backward(alpha, g)
    return {"max_weight": float(alpha.max(axis=1).mean()), "score_std": float(e.std()),
            "grad_norm": float(np.linalg.norm(de, axis=1).mean())}


def _body(params, seed, stop):
    dims = dims_up_to(params["max_dim"])
    Q, K = params["queries"], params["keys"]
    for v in VARIANTS:
        yield {"event": "start", "variant": v, "total_steps": dims[-1], "epochs": 1,
               "steps_per_epoch": len(dims), "seed": seed}
    rows = {v: [] for v in VARIANTS}
    for i, d in enumerate(dims):
        for v in VARIANTS:
            # the same q, k and g for both variants at this width: only the 1/√d_k differs
            rng = np.random.default_rng([seed, d])
            m = measure(d, Q, K, rng, scaled=(v == "scaled"))
            rows[v].append(m)
            yield {"event": "step", "variant": v, "step": d, "epoch": 1, "loss": None, **m}
        if stop is not None and stop():
            break
    for v in VARIANTS:
        r = rows[v]
        done = len(r)
        yield {"event": "end", "variant": v, "status": "done", "reason": f"{done} widths measured",
               "step": dims[done - 1], "epoch": 1, "loss": None, "val_loss": None, "val_accuracy": None,
               "best_step": None, "best_loss": None, "dims": dims[:done],
               "max_weight": [m["max_weight"] for m in r], "score_std": [m["score_std"] for m in r],
               "grad_norm": [m["grad_norm"] for m in r], "max_weight_last": r[-1]["max_weight"],
               "score_std_last": r[-1]["score_std"], "grad_norm_last": r[-1]["grad_norm"],
               "uniform_weight": 1.0 / K}


def _report(variants: dict) -> Text | None:
    s, u = variants.get("scaled") or {}, variants.get("unscaled") or {}
    if "max_weight_last" not in s or "max_weight_last" not in u:
        return None
    d = s["dims"][-1]
    return {"ko": f"완료했습니다(done). d_k = {d}에서 가장 큰 어텐션 가중치의 평균: 나눈 쪽 {s['max_weight_last']:.3f}, "
                  f"나누지 않은 쪽 {u['max_weight_last']:.3f}. 점수에 닿는 그라디언트 크기: "
                  f"{s['grad_norm_last']:.3f} 대 {u['grad_norm_last']:.3f}.",
            "en": f"done. At d_k = {d}, the mean largest attention weight: {s['max_weight_last']:.3f} scaled, "
                  f"{u['max_weight_last']:.3f} unscaled. The gradient reaching the scores: "
                  f"{s['grad_norm_last']:.3f} vs {u['grad_norm_last']:.3f}."}


register(Experiment(
    name="attention_scaling",
    report=_report,
    variant_labels={"scaled": {"ko": "√d_k로 나눔(scaled)", "en": "scaled"},
                    "unscaled": {"ko": "나누지 않음(unscaled)", "en": "unscaled"}},
    title={"ko": "왜 √d_k로 나눌까: d_k가 커지면 소프트맥스가 포화된다",
           "en": "Why divide by √d_k? The softmax saturates as d_k grows"},
    description={
        "ko": "평균 0, 분산 1인 성분을 가진 쿼리와 키를 뽑아, 키 차원 d_k를 1, 2, 4, …로 늘리며 어텐션 점수 q·k를 "
              "√d_k로 나눈 경우와 나누지 않은 경우를 비교합니다. 가로축은 d_k, 곡선은 쿼리마다 가장 큰 어텐션 가중치의 "
              "평균입니다(1이면 소프트맥스가 한 키만 보는 포화 상태). 점수의 표준편차와 점수에 닿는 그라디언트 크기는 "
              "끝 요약(score_std, grad_norm)에 있습니다.",
        "en": "Queries and keys with mean-0, variance-1 entries; the key width d_k grows 1, 2, 4, …, and the "
              "scores q·k are divided by √d_k or not. The x axis is d_k; the curve is the mean largest "
              "attention weight per query (1 means the softmax looks at a single key: saturation). The "
              "scores' standard deviation and the gradient reaching them are in the end summary "
              "(score_std, grad_norm)."},
    params={
        "max_dim": P("max_dim", "int", 512, "가장 큰 키 차원 d_k(1, 2, 4, …로 늘려 여기까지)",
                     "the largest key width d_k (1, 2, 4, … up to this)", 1, 4096,
                     label={"ko": "최대 d_k", "en": "max d_k"}),
        "keys": P("keys", "int", 16, "쿼리 하나가 보는 키의 수 T", "keys each query attends over, T", 2, 256,
                  label={"ko": "키 수", "en": "keys"}),
        "queries": P("queries", "int", 500, "평균을 낼 쿼리의 수", "queries averaged over", 10, 5000,
                     label={"ko": "쿼리 수", "en": "queries"}),
    },
    variants=VARIANTS,
    plot={"y": "max_weight", "log_y": False, "x": "step",
          "label": {"ko": "가장 큰 어텐션 가중치", "en": "largest attention weight"}},
    body=_body,
))
