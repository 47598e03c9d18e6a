"""Lesson 01-01's run and the prose around it (experiment ``steepest``): every hand-checkable number
recomputed. The figures quoted from the run (0.219, -0.002) are pinned in the lesson's
``figures:`` and rerun by test_pinned_figures.py."""

from __future__ import annotations

import math

import numpy as np
from claims_kit import both, load, states, table_rows  # noqa: E402 (same folder)

from tutor.experiments import REGISTRY
from tutor.experiments.steepest import START, direction, f, grad

LESSON = load("lessons/01-math/01-gradient-steepest.yaml")
STEPS = LESSON["steps"]
RUN_AT = next(i for i, s in enumerate(STEPS) if "run" in s)
INTRO, RUN, AFTER = STEPS[RUN_AT - 1]["prose"], STEPS[RUN_AT]["run"], STEPS[RUN_AT + 1]["prose"]
K, ETA, N = 4.0, 0.05, 40


def test_the_run_is_the_one_the_prose_describes():
    assert RUN["experiment"] == "steepest"
    assert RUN["set"] == {"steps": N, "step_length": ETA, "elongation": K}
    states(both(INTRO), "(x^2 + 4y^2)/2", "(2, 1)", "0.05", "40")
    for fig in LESSON["figures"]:
        assert fig["experiment"] == "steepest" and fig["step"] == RUN_AT + 1
        assert {k: v for k, v in fig["set"].items() if k != "seed"} == RUN["set"]


def test_the_start_its_gradient_and_its_length():
    assert START == (2.0, 1.0)
    assert f(START, K) == 4.0 == (4 + 4) / 2
    assert list(grad(START, K)) == [2.0, 4.0]
    g = math.hypot(2, 4)
    assert math.isclose(g, math.sqrt(20)) and f"{g:.3f}" == "4.472"
    states(both(INTRO), "f(2, 1) = (4 + 4)/2 = 4", "(x, 4y) = (2, 4)", "\\sqrt{20} \\approx 4.472")


def test_the_table_of_predicted_first_drops():
    for text in both(INTRO):
        rows = [r for r in table_rows(text, 3) if r[0].endswith("°")]
        assert [r[0] for r in rows] == ["0°", "30°", "60°", "90°"]
        for angle, cos_text, drop_text in rows:
            c = math.cos(math.radians(float(angle[:-1])))
            assert abs(c - float(cos_text)) < 5e-4, (angle, cos_text)
            drop = ETA * math.sqrt(20) * c
            assert abs(drop - float(drop_text)) < 5e-4 + 1e-12, (angle, drop_text)
            # the table's own product, 0.05 × 4.472 × cos θ, rounds to the same value
            assert abs(0.05 * 4.472 * float(cos_text) - float(drop_text)) < 5e-4 + 1e-12


def test_the_first_order_prediction_is_what_the_run_predicts_and_nearly_what_it_does():
    events = list(REGISTRY["steepest"].run(dict(RUN["set"]), seed=0))
    fin = events[-1]["variants"]
    for name, v in fin.items():
        c = math.cos(math.radians(v["angle"]))
        assert math.isclose(v["predicted_first_drop"], ETA * math.sqrt(20) * c, abs_tol=1e-12)
        # the gap is the ε² curvature term: |drop − predicted| ≤ ε²/2 · max curvature (K)
        assert abs(v["first_drop"] - v["predicted_first_drop"]) <= ETA**2 / 2 * K + 1e-12, name
    # 60° drops about half of 0° (cos 60° = 0.5), as the prose says
    ratio = fin["angle_60"]["first_drop"] / fin["angle_0"]["first_drop"]
    assert 0.45 < ratio < 0.55
    states([AFTER["ko"]], "절반")
    states([AFTER["en"]], "half")
    # 90°: a rise (negative drop), of size ε²/2 · dᵀHd with d along the contour
    d = direction(grad(START, K), 90)
    rise = ETA**2 / 2 * (d[0] ** 2 + K * d[1] ** 2)
    assert math.isclose(-fin["angle_90"]["first_drop"], rise, rel_tol=1e-9)
    assert abs(np.dot(d, grad(START, K))) < 1e-12


def test_the_curvature_gap_the_prose_points_back_to():
    # "0.219 … close to the predicted 0.224; the rest is the ε²-sized curvature term"
    states(both(AFTER), "0.219", "0.224", "-0.002")
