"""Recompute every number and identity in lesson 02-01 (AI vs ML vs DL, the circle and its
hand-made feature x1² + x2², feature scaling) and in its bank questions
(quizzes/ch02-ai-why-now.yaml, the 02-01 part). The run (features) quotes no figure: the lesson asks
the learner to read it; its outcome is tests/experiments/test_outcomes.py's."""

from __future__ import annotations

import math
import re

import numpy as np

from claims_kit import (all_formulas, both, check_written_arithmetic, derivation, load, run_checks,  # noqa: E402
                        states, table_rows)

LESSON = load("lessons/02-why-now/01-ai-ml-dl.yaml")
BANK = {q["id"]: q for q in load("quizzes/ch02-ai-why-now.yaml")["questions"]}
MINE = ["q02-why-ai-ml-dl", "q02-rule-or-learned", "q02-why-circle-feature", "q02-circle-feature-score",
        "q02-why-less-feature-engineering", "q02-structured-unstructured", "q02-scaling-distance"]
SCALE = 6.0
R_IN, R_OUT_LO, R_OUT_HI = 2.5 / SCALE, 3.5 / SCALE, 5.0 / SCALE   # tutor.nn.data._circle, scaled


def prose(marker_en: str) -> dict:
    found = [s["prose"] for s in LESSON["steps"] if "prose" in s and marker_en in s["prose"]["en"]]
    assert len(found) == 1, marker_en
    return found[0]


def inside(x1, x2) -> bool:
    return math.hypot(x1, x2) < R_IN


def in_ring(x1, x2) -> bool:
    return R_OUT_LO <= math.hypot(x1, x2) <= R_OUT_HI


def test_the_radii_are_the_data_sets():
    # the experiment's data: inner disc and outer ring, as the opening describes them
    from tutor.experiments.features import circle
    X, y, Xt, yt = circle({"n": 400, "noise": 0.0}, 0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r[y[:, 0] == 1].max() < R_IN + 1e-6 and r[y[:, 0] == 0].min() > R_OUT_LO - 1e-6
    assert r.max() <= R_OUT_HI + 1e-6
    assert R_IN < 0.42 and round(R_IN, 2) == 0.42
    assert R_OUT_LO > 0.58 and round(R_OUT_LO, 2) == 0.58 and round(R_OUT_HI, 2) == 0.83
    states(both(LESSON["steps"][0]["prose"]), "0.42", "0.58", "0.83")


def test_the_image_size():
    assert 28 * 28 == 784
    states(both(prose("Rules written by people")), "28 \\times 28 = 784")


def test_the_hand_table():
    step = prose("Check it by hand")
    for text in both(step):
        rows = table_rows(text, 3)[1:]
        assert len(rows) == 4
        for point, r2, cls in rows:
            x1, x2 = map(float, point.strip("()").split(","))
            parts = re.findall(r"[\d.]+", r2)
            a, b, total = map(float, parts)
            assert math.isclose(a, x1 ** 2) and math.isclose(b, x2 ** 2) and math.isclose(total, a + b)
            want = 1 if inside(x1, x2) else 0
            assert want == 0 or inside(x1, x2)
            if want == 0:
                assert in_ring(x1, x2), point
            assert cls.startswith(str(want)), point
            # the score g = -r² + 0.25 classifies every row right
            assert (-total + 0.25 > 0) == (want == 1)
    # the bounds the text states: inside r² < 0.42² < 0.18, outside r² > 0.58² > 0.33
    assert R_IN ** 2 < 0.42 ** 2 < 0.18 and R_OUT_LO ** 2 > 0.58 ** 2 > 0.33
    assert R_IN ** 2 < 0.25 < R_OUT_LO ** 2 and math.isclose(math.sqrt(0.25), 0.5)
    states(both(step), "0.18", "0.33", "0.25", "0.5")


def test_the_derivation():
    d = derivation(LESSON, "deriv-02-circle-separable")
    a = 0.7
    assert in_ring(a, 0) and inside(0, 0)
    rng = np.random.default_rng(0)
    W = rng.normal(size=(200, 3))

    def f(w, x1, x2):
        return w[0] * x1 + w[1] * x2 + w[2]

    def cancel_1():
        for w in W:
            assert math.isclose(f(w, a, 0) + f(w, -a, 0), 2 * w[2], abs_tol=1e-12)

    def cancel_2():
        for w in W:
            assert math.isclose(f(w, 0, a) + f(w, 0, -a), 2 * w[2], abs_tol=1e-12)

    def average():
        for w in W:
            m = (f(w, a, 0) + f(w, -a, 0) + f(w, 0, a) + f(w, 0, -a)) / 4
            assert math.isclose(m, f(w, 0, 0), abs_tol=1e-12)

    def some_outside_wrong():
        for w in W:
            if f(w, 0, 0) > 0:
                assert max(f(w, a, 0), f(w, -a, 0), f(w, 0, a), f(w, 0, -a)) > 0

    def g_linear():
        # g is linear in (x1, x2, r²): g(u + v) = g(u) + g(v) − b
        w = np.array([0.3, -0.2, -1.0]); b = 0.25
        u, v = rng.normal(size=3), rng.normal(size=3)
        assert math.isclose(w @ (u + v) + b, (w @ u + b) + (w @ v + b) - b)

    def g_circle():
        for x1, x2 in rng.uniform(-1, 1, size=(2000, 2)):
            g = 0 * x1 + 0 * x2 - (x1 * x1 + x2 * x2) + 0.25
            assert (g > 0) == (math.hypot(x1, x2) < 0.5)

    def threshold_between():
        assert math.isclose(0.42 ** 2, 0.1764) and math.isclose(0.58 ** 2, 0.3364)
        assert R_IN ** 2 < 0.42 ** 2 < 0.25 < 0.58 ** 2 < R_OUT_LO ** 2

    run_checks(d, {
        "f(a, 0) + f(-a, 0) = 2b": cancel_1,
        "f(0, a) + f(0, -a) = 2b": cancel_2,
        "\\frac{1}{4} \\cdot [f(a, 0) + f(-a, 0) + f(0, a) + f(0, -a)] = b = f(0, 0)": average,
        "f(0, 0) > 0 \\Rightarrow \\max f(\\text{outside}) > 0": some_outside_wrong,
        "g(x_1, x_2, r^2) = w_1 x_1 + w_2 x_2 + w_3 r^2 + b": g_linear,
        "w_1 = w_2 = 0, \\; w_3 = -1, \\; b = 0.25: \\; g > 0 \\Leftrightarrow x_1^2 + x_2^2 < 0.25": g_circle,
        "r^2_{\\text{inside}} < 0.42^2 < 0.25 < 0.58^2 < r^2_{\\text{outside}}": threshold_between,
    })
    for s in d["steps"]:
        if "0.1764" in s["why"]["en"]:
            states(both(s["why"]), "0.1764", "0.3364")
    states(both(d["given"]), "a = 0.7")


def test_feature_scaling_numbers():
    step = prose("And feature scaling?")
    d = math.dist((30, 500), (60, 510))
    assert math.isclose(d, math.sqrt(1000)) and round(d, 1) == 31.6
    assert 30 ** 2 + 10 ** 2 == 1000
    states(both(step), "\\sqrt{30^2 + 10^2} = \\sqrt{1000} \\approx 31.6", "100,000")
    # in won: 10,000 won units → a difference of 10 × 10,000 = 100,000, distance about 100,000
    won = math.dist((30, 500 * 10_000), (60, 510 * 10_000))
    assert (510 - 500) * 10_000 == 100_000 and abs(won - 100_000) < 0.01
    q = BANK["q02-scaling-distance"]
    assert abs(q["answer"] - d) <= q["tolerance"] / 2 + 1e-9
    states(both(q["explanation"]), "\\sqrt{1000} \\approx 31.6", "100,000")


def test_bank_answers():
    q = BANK["q02-circle-feature-score"]
    r2 = 0.6 ** 2 + 0.2 ** 2
    assert math.isclose(r2, 0.40) and math.isclose(q["answer"], -r2 + 0.25)
    assert in_ring(0.6, 0.2)
    q = BANK["q02-structured-unstructured"]
    assert q["answers"] == [0, 1, 3]
    assert BANK["q02-rule-or-learned"]["answer"] == 0
    # the why explanation: (0.3, 0.2) → 0.13, (0.6, 0.2) → 0.40
    states(both(BANK["q02-why-circle-feature"]["explanation"]), "0.13", "0.40", "0.25")
    assert math.isclose(0.3 ** 2 + 0.2 ** 2, 0.13)


def test_written_arithmetic():
    formulas = all_formulas(LESSON) + all_formulas([BANK[i] for i in MINE])
    assert check_written_arithmetic(formulas) >= 3


def test_model_answers_have_two_to_five_sentences():
    whys = [s["why"] for s in LESSON["steps"] if "why" in s] + [BANK[i] for i in MINE if BANK[i]["type"] == "why"]
    assert len(whys) == 5
    for w in whys:
        assert 2 <= len(w["points"]) <= 4, w.get("id")
        for text in both(w["a"]):
            plain = re.sub(r"\$[^$]*\$", "x", text)
            n = len(re.findall(r"[.!?](?:\s|$)", plain))
            assert 2 <= n <= 5, (w.get("id"), n)
