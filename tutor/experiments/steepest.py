"""Chapter 1: the gradient is the steepest direction — equal-length steps in four directions.

Four walkers start at the same point of the elongated bowl f(x, y) = (x² + κ·y²)/2 (κ is
``elongation``) and take the same number of steps of the same length ``step_length``. Before every
step each one recomputes the gradient where it stands and steps along the direction −∇f/‖∇f‖
rotated by its own angle (counter-clockwise): 0° (steepest descent), 30°, 60° or 90° (along the
contour line). A first-order Taylor expansion says one step lowers f by about
step_length · ‖∇f‖ · cos(angle): the most at 0°, half of that at 60°, nothing at 90°.

Each step event's ``loss`` is f where the walker now stands (step 0: the start), and each walker's
path is drawn on the contour map of f (``trajectory`` events, the path growing with ``append``).
The ``end`` events add the figures a lesson may quote: the ``angle``, its ``cos_angle``, the
``start_loss``, the first step's real drop ``first_drop`` and its first-order prediction
``predicted_first_drop``, the total ``drop`` (start_loss − loss) and the ``grad_norm`` at the start.
"""

from __future__ import annotations

import math

import numpy as np

from .base import P, Experiment, register

ANGLES = {"angle_0": 0, "angle_30": 30, "angle_60": 60, "angle_90": 90}
VARIANTS = list(ANGLES)
START = (2.0, 1.0)


def f(p, k: float) -> float:
    return 0.5 * (float(p[0]) ** 2 + k * float(p[1]) ** 2)


def grad(p, k: float) -> np.ndarray:
    return np.array([float(p[0]), k * float(p[1])])


def direction(g: np.ndarray, degrees: float) -> np.ndarray:
    """The unit vector −g/‖g‖ rotated counter-clockwise by ``degrees``."""
    d = -g / np.linalg.norm(g)
    t = math.radians(degrees)
    c, s = math.cos(t), math.sin(t)
    return np.array([c * d[0] - s * d[1], s * d[0] + c * d[1]])


def walk(degrees: float, k: float, length: float, steps: int) -> list[list[float]]:
    """The points a walker visits, the start first (it stops early where ∇f vanishes)."""
    p = np.array(START, dtype=np.float64)
    pts = [[float(p[0]), float(p[1])]]
    for _ in range(steps):
        g = grad(p, k)
        if np.linalg.norm(g) < 1e-12:
            break
        p = p + length * direction(g, degrees)
        pts.append([float(p[0]), float(p[1])])
    return pts


def surface(k: float) -> dict:
    xs = np.linspace(-2.5, 2.5, 41)
    ys = np.linspace(-1.5, 1.5, 31)
    z = 0.5 * (xs[None, :] ** 2 + k * ys[:, None] ** 2)
    return {"x": [round(float(v), 4) for v in xs], "y": [round(float(v), 4) for v in ys],
            "z": [[round(float(v), 4) for v in row] for row in z]}


def _steepest(params, seed, stop):
    k, length, steps = params["elongation"], params["step_length"], params["steps"]
    paths = {name: walk(deg, k, length, steps) for name, deg in ANGLES.items()}
    grid = surface(k)
    formula = f"f(x, y) = (x² + {k:g}·y²)/2"
    for name in VARIANTS:
        yield {"event": "start", "variant": name, "total_steps": steps, "epochs": steps,
               "steps_per_epoch": 1, "batch_size": 1, "n_train": 0, "n_val": 0, "num_params": 2,
               "layers": [], "seed": seed}
        yield {"event": "trajectory", "variant": name, "points": paths[name][:1], "surface": grid,
               "start": list(START), "minima": [[0.0, 0.0]], "formula": formula}
        yield {"event": "step", "variant": name, "step": 0, "epoch": 0, "loss": f(START, k)}
    done = {name: 0 for name in VARIANTS}
    for i in range(1, steps + 1):
        for name in VARIANTS:
            pts = paths[name]
            if i >= len(pts):
                continue
            done[name] = i
            yield {"event": "step", "variant": name, "step": i, "epoch": i, "loss": f(pts[i], k)}
            yield {"event": "trajectory", "variant": name, "append": True,
                   "points": [[round(pts[i][0], 5), round(pts[i][1], 5)]]}
        if stop is not None and stop():
            break
    g0 = float(np.linalg.norm(grad(START, k)))
    start_loss = f(START, k)
    for name, deg in ANGLES.items():
        pts, n = paths[name], done[name]
        loss = f(pts[n], k)
        status = "done" if n == len(pts) - 1 else "stopped"
        yield {"event": "end", "variant": name, "status": status,
               "reason": f"{n} steps" if status == "done" else "stopped by request",
               "step": n, "epoch": n, "loss": loss, "val_loss": None, "val_accuracy": None,
               "best_step": None, "best_loss": None, "angle": deg,
               "cos_angle": math.cos(math.radians(deg)), "start_loss": start_loss,
               "grad_norm": g0,
               "first_drop": start_loss - f(pts[1], k) if len(pts) > 1 else 0.0,
               "predicted_first_drop": length * g0 * math.cos(math.radians(deg)),
               "drop": start_loss - loss}


register(Experiment(
    name="steepest",
    variant_labels={
        "angle_0": {"ko": "−∇f 방향 0°(angle_0)", "en": "angle_0"},
        "angle_30": {"ko": "30° 돌림(angle_30)", "en": "angle_30"},
        "angle_60": {"ko": "60° 돌림(angle_60)", "en": "angle_60"},
        "angle_90": {"ko": "90° 돌림, 등고선(angle_90)", "en": "angle_90"},
    },
    title={"ko": "가장 가파른 방향: 같은 보폭, 네 방향",
           "en": "The steepest direction: equal steps, four directions"},
    description={
        "ko": "길쭉한 그릇 f(x, y) = (x² + κy²)/2 위의 같은 점 (2, 1)에서 네 사람이 같은 보폭으로 같은 걸음 수만큼 걷습니다. "
              "매 걸음 그 자리의 그라디언트를 다시 계산하고, −∇f 방향을 각자의 각도(0°, 30°, 60°, 90°)만큼 돌린 쪽으로 "
              "한 걸음 갑니다. 곡선은 걸음마다의 f 값이고, 등고선 지도에 각자의 길을 그립니다.",
        "en": "Four walkers start at the same point (2, 1) of the elongated bowl f(x, y) = (x² + κy²)/2 and take "
              "the same number of equal-length steps. Before each step they recompute the gradient where they "
              "stand and step along −∇f rotated by their own angle (0°, 30°, 60°, 90°). The curves are f after "
              "each step; the paths are drawn on the contour map."},
    params={
        "steps": P("steps", "int", 40, "걸음 수(steps)", "number of steps", 1, 500),
        "step_length": P("step_length", "float", 0.05, "한 걸음의 길이(모두 같음)", "length of one step (the same for all)",
                         0.001, 0.5, label={"ko": "보폭(step_length)", "en": "step length"}),
        "elongation": P("elongation", "float", 4.0, "κ: y 방향이 x 방향보다 몇 배 가파른지",
                        "κ: how many times steeper the bowl is along y than along x", 1.0, 20.0,
                        label={"ko": "길쭉함 κ(elongation)", "en": "elongation κ"}),
    },
    variants=VARIANTS,
    plot={"y": "loss", "log_y": False, "x": "step",
          "label": {"ko": "함수 값 f", "en": "f"}},
    body=_steepest,
))
