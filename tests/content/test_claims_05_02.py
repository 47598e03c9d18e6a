"""Recompute every hand-checkable number and identity in lesson 05-02 (softmax on the digits) and in
its questions of quizzes/ch05-losses-softmax.yaml.

The softmax table, the one-hot numbers, the overflow demonstration (float64 really does overflow)
and the split sizes are read from the YAML and recomputed here; each line of the two derivations
(∂CE/∂z = p − y through the softmax Jacobian, and softmax(z − c) = softmax(z)) is looked up by its
exact ``math`` text and checked numerically, by finite differences where it states a derivative.
The run's figures are pinned in the lesson's ``figures:`` (tests/content/test_pinned_figures.py).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from claims_kit import ROOT, both, derivation, fmt, load, run_checks, states, table_rows  # noqa: E402
from tutor.experiments import REGISTRY
from tutor.experiments import fitting

LESSON_PATH = "lessons/05-classification/02-softmax-digits.yaml"
LESSON = load(LESSON_PATH)
QUESTIONS = {q["id"]: q for q in load("quizzes/ch05-losses-softmax.yaml")["questions"]}
MINE = ["q05-ce-onehot-value", "q05-ce-grad-wrong-class", "q05-exp-overflow-float64",
        "q05-why-one-hot-not-index", "q05-why-ce-pushes-wrong-classes", "q05-why-log-softmax-fused"]
RNG = np.random.default_rng(502)


def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum()


def naive_softmax(z):
    with np.errstate(all="ignore"):
        e = np.exp(np.asarray(z, dtype=np.float64))
        return e / e.sum()


def grad(f, x, h=1e-6):
    g = np.zeros_like(x, dtype=float)
    for i in range(x.size):
        e = np.zeros_like(x, dtype=float)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def prose_with(marker_en: str) -> dict:
    found = [s["prose"] for s in LESSON["steps"] if "prose" in s and marker_en in s["prose"]["en"]]
    assert len(found) == 1, marker_en
    return found[0]


def sentences(text: str) -> int:
    return len([s for s in re.split(r"(?<=[.?!])\s+", text.strip()) if s])


def cases():
    """Random logits and a true class, for 2 to 7 classes."""
    out = []
    for k in (2, 3, 5, 7):
        for _ in range(5):
            out.append((RNG.normal(0, 2, k), int(RNG.integers(k))))
    return out


CASES = cases()


# --------------------------------------------------------------------------- shape of a full lesson

def test_full_lesson_shape():
    raw = (ROOT / LESSON_PATH).read_text(encoding="utf-8")
    assert "stub" not in raw.lower()
    assert LESSON["id"] == "05-02-softmax-digits" and 5 <= LESSON["minutes"] <= 15
    kinds = [next(iter(s)) for s in LESSON["steps"]]
    assert kinds[0] == "prose" and "?" in LESSON["steps"][0]["prose"]["en"]
    assert kinds.count("run") >= 1 and kinds.count("why") >= 2
    jac = derivation(LESSON, "deriv-05-softmax-jacobian")
    assert jac["level"] == 3 and all(line["why"]["ko"] and line["why"]["en"] for line in jac["steps"])
    for s in LESSON["steps"]:
        if "why" in s:
            assert 2 <= len(s["why"]["points"]) <= 4
            for text in both(s["why"]["a"]):
                assert 2 <= sentences(text) <= 5, text
    refs = [s["quiz"]["ref"] for s in LESSON["steps"] if "quiz" in s]
    assert len(refs) >= 3 and len(set(refs)) == len(refs)
    assert set(MINE) <= set(refs)
    assert sum(QUESTIONS[r]["type"] == "why" for r in MINE) >= 3


# --------------------------------------------------------------------------- softmax and one-hot by hand

def test_softmax_table():
    text = prose_with("Softmax by hand")
    tables = [table_rows(t, 4)[1:] for t in both(text)]
    assert tables[0] == tables[1] and len(tables[0]) == 3
    z = np.array([float(r[1]) for r in tables[0]])
    assert list(z) == [2, 1, 0]
    p = softmax(z)
    for (cls, z_w, e_w, p_w), e, pk in zip(tables[0], np.exp(z), p):
        assert fmt(e, 3) == e_w or (e == 1 and e_w == "1")
        assert fmt(pk, 3) == p_w
    assert fmt(np.exp(z).sum(), 3) == "11.107"
    states(both(text), "7.389 + 2.718 + 1 = 11.107", "0.665 + 0.245 + 0.090 = 1", "e^1 \\approx 2.718")
    assert 0.665 + 0.245 + 0.090 == pytest.approx(1) and fmt(math.e, 3) == "2.718"
    assert math.isclose(p[0] / p[1], math.e) and math.isclose(p[1] / p[2], math.e)


def test_one_hot_prose_numbers():
    text = prose_with("The target is one-hot")
    states(both(text), "(9 - 1)^2 = 64", "(2 - 1)^2 = 1", "\\mathbf{y} = (1, 0, 0)",
           "-\\ln 0.665 = 0.408", "-\\ln 0.090 = 2.408")
    assert (9 - 1) ** 2 == 64 and (2 - 1) ** 2 == 1 and (1 + 7) / 2 == 4
    states(both(text), "4")
    p = softmax([2, 1, 0])
    y = np.array([1.0, 0, 0])
    assert math.isclose(-(y * np.log(p)).sum(), -math.log(p[0]))
    assert fmt(-math.log(p[0]), 3) == "0.408" and fmt(-math.log(p[2]), 3) == "2.408"


# --------------------------------------------------------------------------- ∂CE/∂z through the Jacobian

def test_jacobian_derivation():
    def L(z, c):
        return -np.log(softmax(z)[c])

    def pc(z, c):
        return softmax(z)[c]

    def line1():
        for z, c in CASES:
            y = np.eye(z.size)[c]
            assert math.isclose(-(y * np.log(softmax(z))).sum(), L(z, c), rel_tol=1e-12)

    def line2():
        for z, c in CASES:
            np.testing.assert_allclose(grad(lambda x: L(x, c), z), -grad(lambda x: pc(x, c), z) / pc(z, c),
                                       atol=1e-7)

    def line3():
        for z, c in CASES:
            S, p = np.exp(z).sum(), softmax(z)
            numeric = grad(lambda x: pc(x, c), z)[c]
            quotient = (np.exp(z[c]) * S - np.exp(z[c]) * np.exp(z[c])) / S ** 2
            assert math.isclose(numeric, quotient, abs_tol=1e-8) and math.isclose(quotient, p[c] * (1 - p[c]))

    def line4():
        for z, c in CASES:
            S, p = np.exp(z).sum(), softmax(z)
            g = grad(lambda x: pc(x, c), z)
            for i in range(z.size):
                if i != c:
                    quotient = (0 * S - np.exp(z[c]) * np.exp(z[i])) / S ** 2
                    assert math.isclose(g[i], quotient, abs_tol=1e-8)
                    assert math.isclose(quotient, -p[c] * p[i], rel_tol=1e-9) and g[i] < 0

    def line5():
        for z, c in CASES:
            p = softmax(z)
            np.testing.assert_allclose(grad(lambda x: pc(x, c), z), p[c] * (np.eye(z.size)[c] - p), atol=1e-8)

    def line6():
        for z, c in CASES:
            p, delta = softmax(z), np.eye(z.size)[c]
            np.testing.assert_allclose(-(1 / p[c]) * p[c] * (delta - p), p - delta, atol=1e-12)
            np.testing.assert_allclose(grad(lambda x: L(x, c), z), p - delta, atol=1e-7)

    def line7():
        for z, c in CASES:
            y = np.eye(z.size)[c]
            np.testing.assert_allclose(grad(lambda x: -(y * np.log(softmax(x))).sum(), z), softmax(z) - y, atol=1e-7)

    checks = {
        "L = -\\sum_k y_k \\ln p_k = -\\ln p_c": line1,
        "\\frac{\\partial L}{\\partial z_i} = -\\frac{1}{p_c} \\frac{\\partial p_c}{\\partial z_i}": line2,
        "\\frac{\\partial p_c}{\\partial z_c} = \\frac{e^{z_c} S - e^{z_c} e^{z_c}}{S^2} = p_c(1 - p_c)": line3,
        "\\frac{\\partial p_c}{\\partial z_i} = \\frac{0 \\cdot S - e^{z_c} e^{z_i}}{S^2} = -p_c p_i "
        "\\quad (i \\neq c)": line4,
        "\\frac{\\partial p_c}{\\partial z_i} = p_c(\\delta_{ci} - p_i)": line5,
        "\\frac{\\partial L}{\\partial z_i} = -\\frac{1}{p_c} p_c(\\delta_{ci} - p_i) = p_i - \\delta_{ci}": line6,
        "\\frac{\\partial L}{\\partial \\mathbf{z}} = \\mathbf{p} - \\mathbf{y}": line7,
    }
    run_checks(derivation(LESSON, "deriv-05-softmax-jacobian"), checks)


def test_jacobian_conclusion_numbers():
    conclusion = derivation(LESSON, "deriv-05-softmax-jacobian")["conclusion"]
    states(both(conclusion), "(0.665 - 1, 0.245, 0.090) = (-0.335, 0.245, 0.090)")
    g = softmax([2, 1, 0]) - np.array([1.0, 0, 0])
    assert [fmt(v, 3) for v in g] == ["-0.335", "0.245", "0.090"]
    assert abs(g.sum()) < 1e-15 and g[0] < 0 < g[1] and g[2] > 0


# --------------------------------------------------------------------------- the overflow trick

def test_overflow_demonstration():
    text = prose_with("Can we compute")
    states(both(text), "1.8 \\times 10^{308}", "709.78", "`np.exp(1000)`", "`inf`", "`nan`",
           "(1000, 999, 998) - 1000 = (0, -1, -2)", "(0.665, 0.245, 0.090)", "(-1000, -1001, -1002)")
    big = np.finfo(np.float64).max
    assert fmt(big / 1e308, 1) == "1.8" and fmt(math.log(big), 2) == "709.78"
    with np.errstate(all="ignore"):
        assert np.isinf(np.exp(np.float64(1000))) and np.isfinite(np.exp(np.float64(709.78)))
        assert np.isinf(np.exp(np.float64(709.79)))
        assert np.exp(np.float64(-1000)) == 0.0
    assert np.all(np.isnan(naive_softmax([1000, 999, 998])))
    assert np.all(np.isnan(naive_softmax([-1000, -1001, -1002])))
    shifted = softmax(np.array([1000.0, 999, 998]) - 1000)
    assert [fmt(v, 3) for v in shifted] == ["0.665", "0.245", "0.090"]
    np.testing.assert_allclose(shifted, softmax([2, 1, 0]), rtol=1e-15)
    np.testing.assert_allclose(softmax([-1000, -1001, -1002]), shifted, rtol=1e-12)


def test_shift_derivation():
    shifts = [0.0, 3.7, -12.5, 100.0]

    def each(f):
        for z, _ in CASES:
            for c in shifts:
                f(z, c)

    def line1():
        each(lambda z, c: np.testing.assert_allclose(softmax(z - c), np.exp(z - c) / np.exp(z - c).sum(),
                                                     rtol=1e-12))

    def line2():
        each(lambda z, c: np.testing.assert_allclose(np.exp(z - c) / np.exp(z - c).sum(),
                                                     np.exp(-c) * np.exp(z) / (np.exp(-c) * np.exp(z).sum()),
                                                     rtol=1e-12))

    def line3():
        each(lambda z, c: np.testing.assert_allclose(np.exp(-c) * np.exp(z) / (np.exp(-c) * np.exp(z).sum()),
                                                     naive_softmax(z), rtol=1e-12))

    def line4():
        for z, _ in CASES:
            for c in shifts:
                x = z + c
                m = x.max()
                assert math.isclose(math.log(np.exp(x).sum()), m + math.log(np.exp(x - m).sum()), rel_tol=1e-12)
                assert np.exp(x - m).sum() >= 1

    checks = {
        "\\mathrm{softmax}(\\mathbf{z} - c)_k = \\frac{e^{z_k - c}}{\\sum_j e^{z_j - c}}": line1,
        "\\frac{e^{z_k - c}}{\\sum_j e^{z_j - c}} = \\frac{e^{-c} e^{z_k}}{e^{-c} \\sum_j e^{z_j}}": line2,
        "\\frac{e^{-c} e^{z_k}}{e^{-c} \\sum_j e^{z_j}} = \\mathrm{softmax}(\\mathbf{z})_k": line3,
        "\\ln \\sum_j e^{z_j} = m + \\ln \\sum_j e^{z_j - m}, \\quad m = \\max_j z_j": line4,
    }
    run_checks(derivation(LESSON, "deriv-05-softmax-shift"), checks)


def test_shift_conclusion_numbers():
    conclusion = derivation(LESSON, "deriv-05-softmax-shift")["conclusion"]
    states(both(conclusion), "1000 + \\ln(1 + e^{-1} + e^{-2}) = 1000.408", "1000.408 - 1000 = 0.408")
    lse = 1000 + math.log(1 + math.exp(-1) + math.exp(-2))
    assert fmt(lse, 3) == "1000.408" and fmt(lse - 1000, 3) == "0.408"
    assert fmt(-math.log(softmax([2, 1, 0])[0]), 3) == "0.408"


# --------------------------------------------------------------------------- the run and its split

def test_split_sizes_in_prose_are_the_experiment_s():
    text = prose_with("training, validation, test")
    states(both(text), "1,797", "359", "1,438", "288", "1,150", "20%")
    fit, (X_test, y_test) = fitting.digits_splits(0)
    n_train, n_val, n_test = len(fit.X_train), len(fit.X_test), len(X_test)
    assert (n_train + n_val + n_test, n_test, n_train + n_val, n_val, n_train) == (1797, 359, 1438, 288, 1150)
    assert n_val == round(0.2 * 1438)
    # every class divided 80/20 first (stratified): 20% of each class, rounded, sums to 359
    counts = np.bincount(np.concatenate([fit.y_train, fit.y_test, y_test]), minlength=10)
    assert sum(int(round(0.2 * c)) for c in counts) == 359
    assert np.array_equal(np.bincount(y_test, minlength=10), [round(0.2 * c) for c in counts])
    run = next(s["run"] for s in LESSON["steps"] if "run" in s)
    assert run["experiment"] == "softmax_digits" and "softmax_digits" in REGISTRY


# --------------------------------------------------------------------------- the bank questions

def check_numeric(question: dict, exact: float) -> None:
    assert question["type"] == "numeric"
    digits = round(-math.log10(question["tolerance"]))
    assert question["answer"] == pytest.approx(round(exact, digits), abs=1e-12), (question["id"], exact)


def test_q_ce_onehot_value():
    q = QUESTIONS["q05-ce-onehot-value"]
    states(both(q["q"]), "z = (3, 1, 0)", "y = (0, 0, 1)")
    p = softmax([3, 1, 0])
    check_numeric(q, -math.log(p[2]))
    S = math.exp(3) + math.exp(1) + 1
    states(both(q["explanation"]), "\\frac{1}{23.8038} = 0.0420", "\\ln 23.8038 = 3.170", "-\\ln 0.8438 = 0.170")
    assert fmt(S, 4) == "23.8038" and fmt(p[2], 4) == "0.0420" and fmt(p[0], 4) == "0.8438"
    assert fmt(math.log(S), 3) == "3.170" and fmt(-math.log(p[0]), 3) == "0.170"


def test_q_ce_grad_wrong_class():
    q = QUESTIONS["q05-ce-grad-wrong-class"]
    z, y = np.array([3.0, 1, 0]), np.array([0.0, 0, 1])
    g = grad(lambda x: -(y * np.log(softmax(x))).sum(), z)
    check_numeric(q, g[0])
    assert g[0] > 0
    states(both(q["explanation"]), "\\frac{e^3}{23.8038} = 0.844")
    assert fmt(math.exp(3) / 23.8038, 3) == "0.844"


def test_q_exp_overflow():
    q = QUESTIONS["q05-exp-overflow-float64"]
    assert q["answer"] == 0
    assert np.all(np.isnan(naive_softmax([1000, 999, 998])))
    shifted = [fmt(v, 3) for v in softmax([0, -1, -2])]
    assert "(" + ", ".join(shifted) + ")" == "(0.665, 0.245, 0.090)"
    states(both(q["choices"][1]), "(0.665, 0.245, 0.090)")        # the shifted result is the trap
    states(both(q["explanation"]), "1.8 \\times 10^{308}", "709.78", "(0.665, 0.245, 0.090)")


def test_q_why_one_hot_not_index():
    q = QUESTIONS["q05-why-one-hot-not-index"]
    states(both(q["a"]), "64", "4")
    states(both(q["explanation"]), "(9 - 1)^2 = 64", "(2 - 1)^2 = 1")
    assert (9 - 1) ** 2 / (2 - 1) ** 2 == 64 and (1 + 7) / 2 == 4


def test_q_why_ce_pushes_wrong_classes():
    q = QUESTIONS["q05-why-ce-pushes-wrong-classes"]
    states(both(q["explanation"]), "-\\ln p_c = -z_c + \\ln \\sum_j e^{z_j}")
    for z, c in CASES:
        assert math.isclose(-math.log(softmax(z)[c]), -z[c] + math.log(np.exp(z).sum()), rel_tol=1e-9)
        g = grad(lambda x: -np.log(softmax(x)[c]), z)
        for i in range(z.size):
            if i != c:
                assert g[i] > 0 and math.isclose(g[i], softmax(z)[i], abs_tol=1e-7)


def test_q_why_log_softmax_fused():
    q = QUESTIONS["q05-why-log-softmax-fused"]
    states(both(q["a"]), "(0, 800)", "e^{-800} \\approx 3.7 \\times 10^{-348}", "$-800$")
    exponent = -800 / math.log(10)                                 # e^(−800) = 10^exponent
    assert math.floor(exponent) == -348 and fmt(10 ** (exponent + 348), 1) == "3.7"
    assert np.exp(np.float64(-800)) == 0.0 and np.finfo(np.float64).smallest_subnormal > 3.7e-348
    with np.errstate(all="ignore"):
        p = naive_softmax([0.0, 800.0])
        assert np.log(softmax([0.0, 800.0]))[0] == -np.inf        # softmax first, then log: −∞
    z = np.array([0.0, 800.0])
    log_p = z - z.max() - np.log(np.exp(z - z.max()).sum())       # log-sum-exp: finite
    assert np.isfinite(log_p[0]) and math.isclose(log_p[0], -800, rel_tol=1e-12)
    assert np.isnan(p).any() or p[0] == 0.0


def test_bank_questions_of_this_lesson_are_fresh_and_well_formed():
    assert sum(QUESTIONS[i]["type"] == "why" for i in MINE) >= 3
    for i in MINE:
        q = QUESTIONS[i]
        assert q["chapter"] == 5
        if q["type"] == "why":
            assert 2 <= len(q["points"]) <= 4
            for text in both(q["a"]):
                assert 2 <= sentences(text) <= 5, (i, text)
