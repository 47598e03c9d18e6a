"""Recompute every number and identity in lesson 05-06 (why accuracy is not the loss: the
four-point table, accuracy's zero derivative and its jumps, the cross-entropy as an upper bound on
the 0-1 loss, loss and accuracy moving apart) and in its bank questions
(quizzes/ch05-binary-accuracy.yaml, q05-acc-*). The run's figures are pinned in the lesson's
``figures:`` (tests/content/test_pinned_figures.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from claims_kit import both, derivation, fmt, load, run_checks, states, table_rows  # noqa: E402

LESSON = load("lessons/05-classification/06-accuracy-not-loss.yaml")
BANK = {q["id"]: q for q in load("quizzes/ch05-binary-accuracy.yaml")["questions"]}
XS, YS = np.array([-2.0, -0.5, 1.0, 3.0]), np.array([0.0, 1.0, 1.0, 1.0])


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def ce_of(p, y):
    p, y = np.asarray(p, float), np.asarray(y, float)
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))


def acc_of(p, y):
    return float(np.mean((np.asarray(p) > 0.5) == (np.asarray(y) > 0.5)))


def acc(b, xs=XS, ys=YS):
    return acc_of(sigmoid(xs + b), ys)


def ce(b, xs=XS, ys=YS):
    return ce_of(sigmoid(xs + b), ys)


def prose(marker_en: str) -> dict:
    found = [s["prose"] for s in LESSON["steps"] if "prose" in s and marker_en in s["prose"]["en"]]
    assert len(found) == 1, marker_en
    return found[0]


def pct(x: float) -> str:
    return f"{100 * x:.0f}%"


# --------------------------------------------------------------------------- four points

def test_four_point_table():
    text = prose("## Check it on four points")
    for lang in ("ko", "en"):
        rows = [r for r in table_rows(text[lang], 3) if r[0][0] in "-0123456789"]
        assert [float(r[0]) for r in rows] == [-0.2, -0.1, 0, 0.1, 0.2, 0.6]
        for b, a, c in rows:
            assert a == pct(acc(float(b))), b
            assert c == fmt(ce(float(b)), 4), b


def test_four_point_claims():
    # at b = 0 only x = −0.5 is wrong
    wrong = [x for x, y in zip(XS, YS) if (sigmoid(x) > 0.5) != (y > 0.5)]
    assert wrong == [-0.5] and acc(0) == 0.75
    # 75% on the whole open interval (−1, 0.5), 100% just above 0.5, 50% just below −1
    assert all(acc(b) == 0.75 for b in np.linspace(-0.999, 0.5, 500))
    assert acc(0.5 + 1e-9) == 1.0 and acc(-1 - 1e-9) == 0.5
    h = 1e-6
    d = (ce(h) - ce(-h)) / (2 * h)
    assert fmt(d, 4) == "-0.2049"
    states(both(prose("## Check it on four points")), "-0.2049", "0.5", "75%", "100%")


# --------------------------------------------------------------------------- the derivation

def test_accuracy_derivation():
    dv = derivation(LESSON, "deriv-05-accuracy-zero-gradient")
    rng = np.random.default_rng(56)
    X = rng.normal(size=(30, 2))
    Y = (rng.random(30) > 0.5).astype(float)

    def acc2(w, b):
        return acc_of(sigmoid(X @ w + b), Y)

    def line1():
        w, b = rng.normal(size=2), float(rng.normal())
        z = X @ w + b
        assert acc2(w, b) == np.sum((z > 0) == (Y > 0.5)) / len(X)
        assert {round(acc(b) * 4) for b in np.linspace(-4, 4, 801)} <= {0, 1, 2, 3, 4}

    def line2_3():
        for _ in range(50):
            w, b = rng.normal(size=2), float(rng.normal())
            margin = np.min(np.abs(X @ w + b)) / np.linalg.norm(np.append(X, np.ones((30, 1)), 1), axis=1).max()
            eps = 0.5 * margin / math.sqrt(3)
            for d in rng.normal(size=(10, 3)):
                d = eps * d / np.linalg.norm(d)
                assert acc2(w + d[:2], b + d[2]) == acc2(w, b)    # constant near θ: slope 0
            assert (acc2(w, b + 1e-9) - acc2(w, b - 1e-9)) / 2e-9 == 0

    def line4():
        # random θ never lands on a hyperplane z_i(θ) = 0
        thetas = rng.normal(size=(2000, 3))
        z = X @ thetas[:, :2].T + thetas[:, 2]
        assert np.all(z != 0)

    def line5():
        for h in (1e-2, 1e-4, 1e-6):
            q = (acc(0.5 + h) - acc(0.5 - h)) / (2 * h)
            assert q == pytest.approx(0.25 / (2 * h))
        assert acc(0.5 + 1e-6) - acc(0.5 - 1e-6) == 0.25

    def line6():
        h = 1e-6
        num = (ce(h) - ce(-h)) / (2 * h)
        assert num == pytest.approx(float(np.mean(sigmoid(XS) - YS)), rel=1e-6)
        assert fmt(num, 4) == "-0.2049"

    run_checks(dv, {
        "\\mathrm{acc}(\\theta) = \\frac{1}{N} \\sum_i \\mathbb{1}[\\hat{y}_i(\\theta) = y_i]": line1,
        "z_i(\\theta) \\ne 0 \\; (\\forall i) \\Rightarrow \\mathrm{acc}(\\theta+\\boldsymbol{\\delta}) = \\mathrm{acc}(\\theta)": line2_3,
        "\\frac{\\partial \\, \\mathrm{acc}}{\\partial \\theta} = 0": line2_3,
        "\\mathrm{vol} \\{\\theta : z_i(\\theta) = 0\\} = 0": line4,
        "\\lim_{h \\to 0^+} \\frac{\\mathrm{acc}(b_0 + h) - \\mathrm{acc}(b_0 - h)}{2h} = \\infty": line5,
        "\\frac{\\partial L_{\\mathrm{CE}}}{\\partial b} = \\frac{1}{N} \\sum_i (p_i - y_i)": line6,
    })


# --------------------------------------------------------------------------- the surrogate

def test_cross_entropy_in_bits_bounds_the_zero_one_loss():
    p = np.linspace(1e-6, 1 - 1e-6, 100001)
    zero_one = (p <= 0.5).astype(float)      # the right-class probability at most 0.5: wrong
    assert np.all(-np.log2(p) >= zero_one)
    assert -math.log2(0.5) == 1
    assert fmt(-math.log2(0.9), 3) == "0.152"
    states(both(prose("## The surrogate loss")), "0.152")


def test_models_table():
    text = prose("## The surrogate loss")
    want = {"A": (0.6, 0.6), "B": (0.9, 0.9), "C": (0.49, 0.99), "D": (0.51, 0.51)}
    for lang in ("ko", "en"):
        rows = [r for r in table_rows(text[lang], 4) if r[0] in want]
        assert [r[0] for r in rows] == list(want)
        for name, p, a, c in rows:
            probs = want[name]
            assert p == f"({probs[0]}, {probs[1]})"
            assert a == pct(acc_of(probs, [1, 1]))
            assert c == fmt(ce_of(probs, [1, 1]), 3)
    # A → B: same accuracy, lower loss; C → D: higher accuracy, higher loss
    assert acc_of(want["A"], [1, 1]) == acc_of(want["B"], [1, 1])
    assert ce_of(want["B"], [1, 1]) < ce_of(want["A"], [1, 1])
    assert acc_of(want["D"], [1, 1]) > acc_of(want["C"], [1, 1])
    assert ce_of(want["D"], [1, 1]) > ce_of(want["C"], [1, 1])


# --------------------------------------------------------------------------- bank

def test_bank_frozen_b():
    xs, ys = np.array([-1.0, 0.5, 2.0]), np.array([0.0, 0.0, 1.0])
    assert acc(0, xs, ys) == pytest.approx(2 / 3)
    bs = np.linspace(0, 3, 30001)
    first = next(b for b in bs if acc(b, xs, ys) != acc(0, xs, ys))
    assert acc(first, xs, ys) == pytest.approx(1 / 3)
    q = BANK["q05-acc-frozen-b"]
    assert abs(first - q["answer"]) <= 2 * (bs[1] - bs[0]) and acc(1.0, xs, ys) == pytest.approx(2 / 3)


def test_bank_which_model():
    y = [1, 0]
    P, Q = (0.45, 0.05), (0.55, 0.45)
    assert (acc_of(P, y), acc_of(Q, y)) == (0.5, 1.0)
    cp, cq = ce_of(P, y), ce_of(Q, y)
    assert (fmt(cp, 3), fmt(cq, 3)) == ("0.425", "0.598")
    q = BANK["q05-acc-which-model"]
    assert q["answer"] == 1
    states(both(q["explanation"]), "0.425", "0.598", "50%", "100%")


def test_bank_surrogate_facts():
    q = BANK["q05-acc-surrogate-facts"]
    assert sorted(q["answers"]) == [0, 1, 3]
    # the third is false: one step can lower the loss and the accuracy together
    before, after, y = (0.51, 0.6), (0.49, 0.99), [1, 1]
    assert ce_of(after, y) < ce_of(before, y) and acc_of(after, y) < acc_of(before, y)
    # the fourth is true: 0.6 → 0.9 on a right example
    assert ce_of([0.9], [1]) < ce_of([0.6], [1]) and acc_of([0.9], [1]) == acc_of([0.6], [1])


def test_bank_accuracy_up_loss_up():
    y = [1, 1]
    a, b = (0.49, 0.99), (0.51, 0.51)
    assert (acc_of(a, y), acc_of(b, y)) == (0.5, 1.0)
    q = BANK["q05-acc-why-accuracy-up-loss-up"]
    states(both(q["a"]), fmt(ce_of(a, y), 3), fmt(ce_of(b, y), 3), "50%", "100%")


def test_finite_difference_of_accuracy_is_zero_or_a_jump():
    """q05-acc-why-no-gradient: a large-h difference is 0 or a multiple of 1/(N h)."""
    for h in (0.3, 1.0):
        for b in np.linspace(-3, 3, 61):
            q = (acc(b + h) - acc(b)) / h
            k = q * len(XS) * h
            assert abs(k - round(k)) < 1e-9
