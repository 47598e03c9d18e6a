"""Recompute every hand-checkable number and identity in lesson 05-01 (MSE vs cross-entropy) and in
its questions of quizzes/ch05-losses-softmax.yaml.

The gradient table and the loss-surface table are read from the YAML and recomputed here, by finite
differences rather than by the formulas the text states; each line of the convexity derivation is
looked up by its exact ``math`` text and checked numerically (a new or edited line fails until its
check is updated). The two older derivations of the lesson (∂BCE/∂z and softmax + CE) are checked
line by line in tests/content/test_stub_lesson_claims.py; the run's figures are pinned in the
lesson's ``figures:`` and rerun by tests/content/test_pinned_figures.py.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from claims_kit import (ROOT, both, derivation, fmt, load, rounds_to, run_checks, states,  # noqa: E402
                        table_rows)

LESSON_PATH = "lessons/05-classification/01-mse-vs-ce.yaml"
BANK_PATH = "quizzes/ch05-losses-softmax.yaml"
LESSON = load(LESSON_PATH)
BANK = load(BANK_PATH)["questions"]
QUESTIONS = {q["id"]: q for q in BANK}
MINE = ["q05-mse-grad-p002", "q05-mse-ce-ratio", "q05-mse-concave-region", "q05-why-mse-same-push",
        "q05-why-bce-convex", "q05-why-lr-not-cure"]
RNG = np.random.default_rng(501)


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def bce(z, y):
    """Binary cross-entropy of a logit, written stably: −[y ln σ(z) + (1 − y) ln(1 − σ(z))]."""
    return y * np.logaddexp(0.0, -z) + (1 - y) * np.logaddexp(0.0, z)


def mse(z, y):
    return (sig(z) - y) ** 2


def d1(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / (2 * h)


def d2(f, x, h=1e-4):
    return (f(x + h) - 2 * f(x) + f(x - h)) / h ** 2


def hessian(f, w, h=1e-4):
    n = w.size
    H = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            ei, ej = np.eye(n)[i] * h, np.eye(n)[j] * h
            H[i, j] = (f(w + ei + ej) - f(w + ei - ej) - f(w - ei + ej) + f(w - ei - ej)) / (4 * h * h)
    return H


def prose_with(marker_en: str) -> dict:
    found = [s["prose"] for s in LESSON["steps"] if "prose" in s and marker_en in s["prose"]["en"]]
    assert len(found) == 1, marker_en
    return found[0]


def sentences(text: str) -> int:
    return len([s for s in re.split(r"(?<=[.?!])\s+", text.strip()) if s])


Z = np.concatenate([np.linspace(-8, 8, 81), RNG.normal(0, 3, 30)])


# --------------------------------------------------------------------------- shape of a full lesson

def test_full_lesson_shape():
    raw = (ROOT / LESSON_PATH).read_text(encoding="utf-8")
    assert "stub" not in raw.lower()
    assert LESSON["id"] == "05-01-mse-vs-ce" and 5 <= LESSON["minutes"] <= 15
    kinds = [next(iter(s)) for s in LESSON["steps"]]
    assert kinds[0] == "prose" and "?" in LESSON["steps"][0]["prose"]["en"]
    assert kinds.count("run") >= 1 and kinds.count("why") >= 2
    assert any(s["derivation"].get("level") == 3 for s in LESSON["steps"] if "derivation" in s)
    for s in LESSON["steps"]:
        if "why" in s:
            assert 2 <= len(s["why"]["points"]) <= 4
            for text in both(s["why"]["a"]):
                assert 2 <= sentences(text) <= 5, text
        if "derivation" in s:
            assert all(line["why"]["ko"] and line["why"]["en"] for line in s["derivation"]["steps"])
    refs = [s["quiz"]["ref"] for s in LESSON["steps"] if "quiz" in s]
    mine = [r for r in refs if r in QUESTIONS]
    assert len(refs) >= 3 and len(set(refs)) == len(refs) and len(mine) >= 3
    assert sum(QUESTIONS[r]["type"] == "why" for r in mine) >= 2


def test_links_to_the_mle_lesson_in_words_without_repeating_it():
    raw = (ROOT / LESSON_PATH).read_text(encoding="utf-8")
    text = prose_with("Not only a matter of speed")
    states(both(text), "05-03")
    assert "\\sqrt{2 \\pi}" not in raw and "Gaussian" in text["en"] and "가우시안" in text["ko"]


def test_opening_formulas():
    """MSE's gradient at z carries σ′(z) = p(1 − p); BCE's is p − y (by finite differences)."""
    for z in Z:
        for y in (0.0, 1.0):
            p = sig(z)
            assert math.isclose(d1(lambda x: mse(x, y), z), 2 * (p - y) * p * (1 - p), abs_tol=1e-8)
            assert math.isclose(d1(lambda x: bce(x, y), z), p - y, abs_tol=1e-8)


# --------------------------------------------------------------------------- the y = 1 gradient table

def test_gradient_table():
    text = prose_with("Work it out")
    tables = [table_rows(t, 6)[1:] for t in both(text)]
    assert tables[0] == tables[1] and len(tables[0]) == 5
    for p_w, z_w, mse_w, dmse_w, bce_w, dbce_w in tables[0]:
        p = float(p_w)
        z = math.log(p / (1 - p))
        assert rounds_to(z, z_w), (p, z)
        assert rounds_to(mse(z, 1.0), mse_w)
        assert rounds_to(d1(lambda x: mse(x, 1.0), z), dmse_w), (p, dmse_w)
        assert rounds_to(bce(z, 1.0), bce_w)
        assert rounds_to(d1(lambda x: bce(x, 1.0), z), dbce_w)


def test_gradient_table_prose_numbers():
    text = prose_with("Work it out")
    states(both(text), "2 \\times (-0.99) \\times 0.01 \\times 0.99 = -0.0196", "($-0.018$)",
           "\\frac{0.99}{0.0196} \\approx 50.5")
    assert fmt(2 * (0.01 - 1) * 0.01 * 0.99, 4) == "-0.0196"
    assert fmt(2 * (0.9 - 1) * 0.9 * 0.1, 3) == "-0.018"
    assert fmt(0.99 / 0.0196, 1) == "50.5" and fmt(0.99 / (2 * 0.99 * 0.01 * 0.99), 1) == "50.5"
    # "about as hard": the badly wrong example is pushed within 10% of the nearly right one
    assert abs(0.0196 - 0.018) / 0.018 < 0.1


# --------------------------------------------------------------------------- the loss surfaces

def test_surface_table_and_plateau():
    text = prose_with("Loss surfaces")
    tables = [table_rows(t, 3)[1:] for t in both(text)]
    assert tables[0] == tables[1] and len(tables[0]) == 5
    for z_w, bce_w, mse_w in tables[0]:
        z = float(z_w)
        assert rounds_to(bce(z, 1.0), bce_w) and rounds_to(math.log1p(math.exp(-z)), bce_w)
        assert rounds_to(mse(z, 1.0), mse_w)
    # BCE falls by almost 2 per 2 of z on the left; MSE by only 0.03 from z = −6 to −4
    for a, b in ((-6, -4), (-4, -2)):
        assert 1.8 < bce(a, 1.0) - bce(b, 1.0) < 2.0
    assert fmt(mse(-6, 1.0) - mse(-4, 1.0), 2) == "0.03"
    states(both(text), "0.03", "p < \\frac{1}{3}")
    # convex everywhere vs concave for p < 1/3
    for z in Z:
        assert d2(lambda x: bce(x, 1.0), z) > 0
        assert (d2(lambda x: mse(x, 1.0), z) < 0) == (sig(z) < 1 / 3) or abs(sig(z) - 1 / 3) < 1e-3


def test_convexity_derivation():
    ys = (0.0, 1.0)

    def line1():
        for z in Z:
            for y in ys:
                p = sig(z)
                assert math.isclose(d2(lambda x: bce(x, y), z), p * (1 - p), abs_tol=1e-5)
                assert math.isclose(d1(lambda x: sig(x) - y, z), p * (1 - p), abs_tol=1e-8)

    def line2():
        vals = sig(Z) * (1 - sig(Z))
        assert np.all(vals > 0) and np.all(vals <= 0.25 + 1e-15)
        assert sig(0.0) * (1 - sig(0.0)) == 0.25

    def example(n=3):
        x, w, b, y = RNG.normal(size=n), RNG.normal(size=n), RNG.normal(), float(RNG.integers(2))
        return x, w, b, y

    def line3():
        for _ in range(5):
            x, w, b, y = example()
            p = sig(w @ x + b)
            H = hessian(lambda v: bce(v @ x + b, y), w)
            np.testing.assert_allclose(H, p * (1 - p) * np.outer(x, x), atol=1e-5)

    def line4():
        for _ in range(5):
            x, w, b, y = example()
            p = sig(w @ x + b)
            H = p * (1 - p) * np.outer(x, x)
            for _ in range(10):
                v = RNG.normal(size=3)
                assert math.isclose(v @ H @ v, p * (1 - p) * (x @ v) ** 2, rel_tol=1e-9, abs_tol=1e-12)
                assert v @ H @ v >= 0

    def line5():
        N = 6
        X, w, b = RNG.normal(size=(N, 3)), RNG.normal(size=3), RNG.normal()
        Y = RNG.integers(2, size=N).astype(float)
        H = hessian(lambda v: np.mean(bce(X @ v + b, Y)), w)
        P = sig(X @ w + b)
        formula = sum(P[n] * (1 - P[n]) * np.outer(X[n], X[n]) for n in range(N)) / N
        np.testing.assert_allclose(H, formula, atol=1e-5)
        assert np.linalg.eigvalsh(formula).min() >= -1e-12

    def line6():
        for z in Z:
            s = sig(z)
            assert math.isclose(d2(lambda x: mse(x, 1.0), z), -2 * s * (1 - s) ** 2 * (1 - 3 * s), abs_tol=1e-5)
            assert math.isclose(d1(lambda x: mse(x, 1.0), z), -2 * s * (1 - s) ** 2, abs_tol=1e-8)

    checks = {
        "\\frac{\\partial^2 L}{\\partial z^2} = \\frac{\\partial}{\\partial z}(\\sigma(z) - y) = "
        "\\sigma(z)(1 - \\sigma(z))": line1,
        "0 < \\sigma(z)(1 - \\sigma(z)) \\leq \\frac{1}{4}": line2,
        "\\nabla_{\\mathbf{w}}^2 L = \\sigma(z)(1 - \\sigma(z)) \\, \\mathbf{x} \\mathbf{x}^\\top": line3,
        "\\mathbf{v}^\\top (\\sigma(z)(1 - \\sigma(z)) \\, \\mathbf{x} \\mathbf{x}^\\top) \\mathbf{v} = "
        "\\sigma(z)(1 - \\sigma(z)) (\\mathbf{x}^\\top \\mathbf{v})^2 \\geq 0": line4,
        "\\nabla_{\\mathbf{w}}^2 \\frac{1}{N} \\sum_{n=1}^{N} L_n = \\frac{1}{N} \\sum_{n=1}^{N} p_n(1 - p_n) "
        "\\, \\mathbf{x}_n \\mathbf{x}_n^\\top": line5,
        "\\frac{\\partial^2}{\\partial z^2} (1 - \\sigma(z))^2 = -2 \\sigma(z)(1 - \\sigma(z))^2 (1 - 3\\sigma(z))":
            line6,
    }
    run_checks(derivation(LESSON, "deriv-05-bce-convex"), checks)


def test_convexity_conclusion_numbers():
    conclusion = derivation(LESSON, "deriv-05-bce-convex")["conclusion"]
    states(both(conclusion), "\\frac{8}{27} \\approx 0.296", "p = \\frac{1}{3}", "z = -\\ln 2 \\approx -0.693")
    grid = np.linspace(-6, 6, 120001)
    slope = np.abs(-2 * sig(grid) * (1 - sig(grid)) ** 2)
    k = int(np.argmax(slope))
    assert math.isclose(slope[k], 8 / 27, rel_tol=1e-8) and fmt(8 / 27, 3) == "0.296"
    assert abs(grid[k] - (-math.log(2))) < 1e-3 and fmt(-math.log(2), 3) == "-0.693"
    assert math.isclose(sig(-math.log(2)), 1 / 3)


def test_why_mse_both_ends():
    why = next(s["why"] for s in LESSON["steps"] if "why" in s and s["why"].get("id") == "why-05-mse-both-ends")
    for p in (1e-6, 1 - 1e-6):
        z = math.log(p / (1 - p))
        assert abs(d1(lambda x: mse(x, 1.0), z, 1e-7)) < 1e-5        # vanishes at both ends
    assert math.isclose(d1(lambda x: bce(x, 1.0), math.log(1e-6 / (1 - 1e-6))), -1, abs_tol=1e-5)
    assert math.isclose(mse(math.log(1e-6), 1.0), 1, abs_tol=1e-5)   # the loss is largest where it vanishes
    states(both(why["a"]), "p(1 − p)")


# --------------------------------------------------------------------------- the bank questions

def check_numeric(question: dict, exact: float) -> None:
    assert question["type"] == "numeric"
    tol = question["tolerance"]
    digits = round(-math.log10(tol))
    assert question["answer"] == pytest.approx(round(exact, digits), abs=1e-12), (question["id"], exact)


def test_q_mse_grad_p002():
    q = QUESTIONS["q05-mse-grad-p002"]
    states(both(q["q"]), "p = 0.02", "y = 1", "L = (p - y)^2")
    z = math.log(0.02 / 0.98)
    g = d1(lambda x: mse(x, 1.0), z)
    check_numeric(q, g)
    states(both(q["explanation"]), "2 \\times (-0.98) \\times 0.02 \\times 0.98 = -0.0384", "p - y = -0.98",
           "p(1 - p) = 0.0196")
    assert fmt(0.02 * 0.98, 4) == "0.0196"
    assert 25 <= 0.98 / abs(g) < 26                                    # "about 25 times larger"


def test_q_mse_ce_ratio():
    q = QUESTIONS["q05-mse-ce-ratio"]
    states(both(q["q"]), "y = 0", "p = 0.95", "(p - y)^2")
    z = math.log(0.95 / 0.05)
    ratio = abs(d1(lambda x: bce(x, 0.0), z)) / abs(d1(lambda x: mse(x, 0.0), z))
    check_numeric(q, ratio)
    assert math.isclose(ratio, 1 / (2 * 0.95 * 0.05), rel_tol=1e-6)
    states(both(q["explanation"]), "2 \\times 0.95 \\times 0.95 \\times 0.05 = 0.09025",
           "\\frac{0.95}{0.09025} \\approx 10.5", "\\frac{1}{2p(1 - p)}")
    assert math.isclose(2 * 0.95 * 0.95 * 0.05, 0.09025)


def test_q_mse_concave_region():
    q = QUESTIONS["q05-mse-concave-region"]
    assert q["answer"] == 0
    states(both(q["choices"][0]), "\\sigma(z) < \\frac{1}{3}", "z < -\\ln 2")
    for z in Z:
        if abs(z + math.log(2)) > 1e-2:
            assert (d2(lambda x: mse(x, 1.0), z) < 0) == (z < -math.log(2))
    assert math.isclose(math.log((1 / 3) / (2 / 3)), -math.log(2)) and fmt(-math.log(2), 3) == "-0.693"
    states(both(q["explanation"]), "L''(z) = -2\\sigma(1 - \\sigma)^2(1 - 3\\sigma)", "\\approx -0.693")


def test_q_why_mse_same_push():
    q = QUESTIONS["q05-why-mse-same-push"]
    states(both(q["a"]), "$-0.99$", "p(1 - p) = 0.0099", "$-0.0196$", "$-0.1$", "$0.09$", "$-0.018$")
    assert fmt(0.01 * 0.99, 4) == "0.0099" and fmt(0.9 * 0.1, 2) == "0.09"
    assert fmt(2 * -0.99 * 0.0099, 4) == "-0.0196" and fmt(2 * -0.1 * 0.09, 3) == "-0.018"
    states(both(q["explanation"]), "p = \\frac{1}{3}", "\\frac{8}{27} \\approx 0.296")


def test_q_why_lr_not_cure():
    q = QUESTIONS["q05-why-lr-not-cure"]
    states(both(q["explanation"]), "\\frac{1}{2 \\times 0.01 \\times 0.99} \\approx 50.5",
           "\\frac{1}{2 \\times 0.5 \\times 0.5} = 2")
    assert fmt(1 / (2 * 0.01 * 0.99), 1) == "50.5" and 1 / (2 * 0.5 * 0.5) == 2
    states(both(q["a"]), "25", "\\frac{1}{2p(1 - p)}")
    assert 25 <= 50.5 / 2 < 26                                         # "25 times too large"


def test_bank_shape_and_fresh_ids():
    assert len(BANK) >= 10 and sum(q["type"] == "why" for q in BANK) >= 6
    mine = [QUESTIONS[i] for i in MINE]
    assert len(mine) >= 5 and sum(q["type"] == "why" for q in mine) >= 3
    others = {}
    for path in (ROOT / "quizzes").glob("*.yaml"):
        if path.name != "ch05-losses-softmax.yaml":
            for q in load(f"quizzes/{path.name}")["questions"]:
                others[q["id"]] = path.name
    assert not set(QUESTIONS) & set(others)
    for q in BANK:
        assert q["chapter"] == 5
        for ref in q.get("follow_up", []):
            assert ref in QUESTIONS or ref in others, ref
        if q["type"] == "why":
            assert 2 <= len(q["points"]) <= 4
            for text in both(q["a"]):
                assert 2 <= sentences(text) <= 5, (q["id"], text)
