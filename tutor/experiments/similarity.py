"""Chapter 1: the dot product as similarity. A neuron (a template w) sees one input x, rotated
through every angle θ from 0° to 360°.

No training: the run computes, angle by angle, what a neuron computes, Σᵢ wᵢxᵢ, and draws it as a
``fit`` (x axis: the angle θ between x and w, in degrees) over the dots of the formula
‖w‖‖x‖cos θ. Two variants:

- ``dot``: the raw dot product w·x, what a neuron's weighted sum is (the bias left out);
- ``cosine``: the cosine similarity w·x / (‖w‖‖x‖), the same curve with the lengths divided out
  (defined as 0 when w is the zero vector: no direction, nothing to resemble).

The input x(θ) has length ``length`` and makes the angle θ with w (counter-clockwise). Each
variant's ``end`` carries the figures a lesson may quote: ``peak`` and ``peak_angle`` (the largest
output and where), ``trough`` and ``trough_angle``, ``zero_angles`` (where the output is 0 to
1e-9), and ``norm_w``. The curves appear as the input turns (one ``fit`` per angle).
"""

from __future__ import annotations

import math

import numpy as np

from .base import P, Experiment, register

VARIANTS = ["dot", "cosine"]


def sweep(w1: float, w2: float, length: float, angle_step: int):
    """The angles (degrees, 0…360), the inputs x(θ) (rows), w·x as a neuron sums it, and
    ‖w‖‖x‖cos θ as the formula gives it."""
    w = np.array([w1, w2], dtype=np.float64)
    norm_w = float(np.hypot(w1, w2))
    base = w / norm_w if norm_w > 0 else np.array([1.0, 0.0])
    angles = np.arange(0, 360 + angle_step, angle_step, dtype=np.float64)
    angles = angles[angles <= 360]
    t = np.radians(angles)
    c, s = np.cos(t), np.sin(t)
    # x(θ) = length · R(θ) ŵ: the direction of w turned counter-clockwise by θ
    X = length * np.stack([c * base[0] - s * base[1], s * base[0] + c * base[1]], axis=1)
    dots = np.array([w[0] * x[0] + w[1] * x[1] for x in X])   # Σ wᵢ xᵢ, term by term
    formula = norm_w * length * c
    return angles, X, dots, formula, norm_w


def _r(values) -> list:
    return [round(float(v), 6) for v in values]


def _variant(name: str, params: dict, seed: int, stop):
    angles, X, dots, formula, norm_w = sweep(params["w1"], params["w2"], params["length"],
                                             params["angle_step"])
    scale = norm_w * params["length"]
    if name == "dot":
        out, target = dots, formula
    else:
        out = dots / scale if scale > 0 else np.zeros_like(dots)
        target = formula / scale if scale > 0 else np.zeros_like(formula)
    out = np.where(np.abs(out) < 1e-12, 0.0, out)
    target = np.where(np.abs(target) < 1e-12, 0.0, target)
    n = len(angles)
    yield {"event": "start", "variant": name, "total_steps": n, "epochs": 0, "steps_per_epoch": 0,
           "batch_size": 1, "n_train": n, "n_val": 0, "num_params": 2, "layers": ["template"],
           "seed": seed}
    xs, ys, ts = _r(angles), _r(out), _r(target)
    for k in range(n):
        if stop is not None and stop():
            return
        yield {"event": "fit", "variant": name, "step": k + 1, "x": xs[:k + 1], "y_pred": ys[:k + 1],
               "y_true": ts[:k + 1]}
    peak, trough = int(np.argmax(out)), int(np.argmin(out))
    yield {"event": "end", "variant": name, "status": "done", "reason": f"swept {n} angles",
           "step": n, "epoch": 0, "loss": None, "val_loss": None, "val_accuracy": None,
           "best_step": None, "best_loss": None,
           "peak": float(out[peak]), "peak_angle": float(angles[peak]),
           "trough": float(out[trough]), "trough_angle": float(angles[trough]),
           "zero_angles": [float(a) for a, v in zip(angles, out) if abs(v) < 1e-9],
           "max_formula_gap": float(np.max(np.abs(out - target))), "norm_w": norm_w}


def _similarity(params, seed, stop):
    # one variant after the other: each curve draws itself as the input turns
    for name in VARIANTS:
        yield from _variant(name, params, seed, stop)


register(Experiment(
    name="similarity",
    title={"ko": "내적(dot product)은 닮은 정도: 템플릿 w와 회전하는 입력 x",
           "en": "The dot product as similarity: a template w and a turning input x"},
    description={
        "ko": "가중치 벡터 w를 템플릿으로 가진 뉴런에 길이가 일정한 입력 x를 0°부터 360°까지 돌려 가며 넣습니다. "
              "선은 뉴런이 곱해서 더한 값 w₁x₁ + w₂x₂(내적)와 길이로 나눈 코사인 유사도(cosine similarity)이고, "
              "점은 공식 ‖w‖‖x‖cos θ입니다. 가로축은 x와 w 사이의 각도 θ(도)입니다.",
        "en": "A neuron whose weight vector w is its template sees an input x of fixed length, turned from 0° "
              "to 360°. The lines are what the neuron sums, w₁x₁ + w₂x₂ (the dot product), and the cosine "
              "similarity (the same divided by the lengths); the dots are the formula ‖w‖‖x‖cos θ. The x axis "
              "is the angle θ between x and w, in degrees."},
    params={
        "w1": P("w1", "float", 3.0, "템플릿(가중치 벡터) w의 첫 성분", "the template's (weight vector's) first component",
                -10.0, 10.0, label={"ko": "템플릿 w₁(w1)", "en": "template w₁"}),
        "w2": P("w2", "float", 4.0, "템플릿(가중치 벡터) w의 둘째 성분", "the template's (weight vector's) second component",
                -10.0, 10.0, label={"ko": "템플릿 w₂(w2)", "en": "template w₂"}),
        "length": P("length", "float", 2.0, "입력 x의 길이 ‖x‖", "the length ‖x‖ of the input x", 0.1, 10.0,
                    label={"ko": "입력 길이(length)", "en": "input length"}),
        "angle_step": P("angle_step", "int", 15, "각도 간격(도): 몇 도씩 돌릴지", "angle step in degrees", 1, 90,
                        label={"ko": "각도 간격(angle_step)", "en": "angle step (°)"}),
    },
    variants=VARIANTS,
    variant_labels={"dot": {"ko": "내적(dot)", "en": "dot"},
                    "cosine": {"ko": "코사인 유사도(cosine)", "en": "cosine"}},
    body=_similarity,
    plot={"y": "output", "log_y": False, "x": "angle"},
))
