"""Lesson 01-02 (functions, multivariable functions and logs) and its bank
quizzes/ch01-functions-gradient.yaml: every number recomputed, every derivation line checked
numerically, the computable answer keys recomputed."""

from __future__ import annotations

import math
import re
import sys

import numpy as np
from claims_kit import both, derivation, load, run_checks, states, table_rows  # noqa: E402

LESSON = load("lessons/01-math/02-functions-and-logs.yaml")
BANK = {q["id"]: q for q in load("quizzes/ch01-functions-gradient.yaml")["questions"]}
PROSE = [s["prose"] for s in LESSON["steps"] if "prose" in s]
WHY = {s["why"]["id"]: s["why"] for s in LESSON["steps"] if "why" in s}
SMALLEST = 5e-324   # the smallest positive float64 (subnormal), printed by Python as 5e-324


def prose_with(word: str) -> dict:
    found = [p for p in PROSE if word in p["en"]]
    assert len(found) == 1, word
    return found[0]


def underflows(p: float, n: int) -> bool:
    prod = 1.0
    for _ in range(n):
        prod *= p
    return prod == 0.0


# --------------------------------------------------------------------------- the lesson's prose

def test_opening_numbers():
    opening = PROSE[0]
    assert underflows(0.1, 1000) and underflows(0.3, 1000)
    assert 0.1 ** 1000 == 0.0
    states(both(opening), "1000", "0.1", "0.3", "0.0", "`0.1 ** 1000`")


def test_functions_and_contours():
    text = prose_with("A function is a machine")
    assert 2 * 3 + 1 == 7
    f = lambda x, y: x * x + 3 * y * y  # noqa: E731
    assert f(1, 2) == 13 == 1 + 12
    assert f(0, 2) == f(3, 1) == f(-3, 1) == 12
    states(both(text), "f(3) = 7", "f(1, 2) = 1 + 12 = 13", "$(0, 2)$", "$(3, 1)$", "$(-3, 1)$", "f = 12")
    # flattened in y: the ellipse f = 12 reaches x = ±√12 ≈ 3.46 but only y = ±2
    assert math.sqrt(12) > 2


def test_partial_derivatives_by_finite_steps():
    text = prose_with("Partial derivatives")
    f = lambda x, y: x * x + 3 * y * y  # noqa: E731
    assert (2 * 1, 6 * 2) == (2, 12)
    dx, dy = f(1.01, 2) - f(1, 2), f(1, 2.01) - f(1, 2)
    assert round(dx, 6) == 0.0201 and round(dy, 6) == 0.1203
    assert round(dx / 0.01, 6) == 2.01 and round(dy / 0.01, 6) == 12.03
    for h in (1e-3, 1e-5):   # smaller steps come closer to 2 and 12
        assert abs((f(1 + h, 2) - f(1, 2)) / h - 2) < abs(dx / 0.01 - 2)
        assert abs((f(1, 2 + h) - f(1, 2)) / h - 12) < abs(dy / 0.01 - 12)
    states(both(text), "= 0.0201", "0.0201/0.01 = 2.01", "= 0.1203", "12.03", "\\nabla f = (2, 12)")


def test_logs_and_the_underflow_table():
    text = prose_with("turns products into sums")
    assert math.log10(1000) == 3 and math.log10(10) + math.log10(100) == 3
    assert f"{math.log(0.5):.3f}" == "-0.693" and f"{math.log(0.25):.3f}" == "-1.386"
    assert math.isclose(math.log(0.25), 2 * math.log(0.5))
    states(both(text), "-0.693", "-1.386", "1 + 2", "4.9 \\times 10^{-324}")
    # float64's limit: the smallest positive value is about 4.9e-324; half of it rounds to 0
    assert SMALLEST > 0 and f"{SMALLEST:.1e}" == "4.9e-324" and SMALLEST / 2 == 0.0
    assert sys.float_info.min > SMALLEST   # (the smallest *normal* number is 2.2e-308)
    for lang in both(text):
        rows = [r for r in table_rows(lang, 4) if r[0] in ("A", "B")]
        assert len(rows) == 2
        for _, p, prod, logsum in rows:
            p = float(p)
            prod_now = 1.0
            for _ in range(1000):
                prod_now *= p
            assert prod == "0.0" and prod_now == 0.0
            assert logsum == f"{1000 * math.log(p):.3f}"
            assert math.isclose(sum(math.log(p) for _ in range(1000)), 1000 * math.log(p), rel_tol=1e-12)


def test_the_run_prose():
    text = prose_with("Walking on the surface")
    run = next(s["run"] for s in LESSON["steps"] if "run" in s)
    assert run["experiment"] == "steepest" and run["set"] == {"steps": 40, "step_length": 0.05, "elongation": 4}
    from tutor.experiments.steepest import START, f, grad
    assert START == (2.0, 1.0) and f(START, 4) == 4.0 and list(grad(START, 4)) == [2.0, 4.0]
    states(both(text), "(x^2 + 4y^2)/2", "(2, 1)", "f = 4")
    # "the y direction is twice as steep": ∂f/∂y / ∂f/∂x = 4 / 2, and −∇f moves more in y
    g = grad(START, 4)
    assert g[1] / g[0] == 2 and abs(g[1]) > abs(g[0])


def test_the_underflow_why_numbers():
    a = WHY["why-02-underflow"]["a"]
    assert f"{math.log(0.1):.3f}" == "-2.303" and f"{1000 * math.log(0.1):.3f}" == "-2302.585"
    states(both(a), "-2.303", "-2302.585", "4.9 \\times 10^{-324}", "10^{-1000}")


# --------------------------------------------------------------------------- derivations

def test_log_product_derivation():
    rng = np.random.default_rng(0)
    a, b = 0.37, 5.2
    u, v = math.log(a), math.log(b)
    p = rng.uniform(0.01, 1, 50)
    checks = {
        "a = e^{u}, \\; b = e^{v}": lambda: (math.isclose(math.exp(u), a) and math.isclose(math.exp(v), b)) or _fail(),
        "ab = e^{u} e^{v} = e^{u+v}": lambda: (math.isclose(a * b, math.exp(u) * math.exp(v))
                                               and math.isclose(a * b, math.exp(u + v))) or _fail(),
        "\\ln(ab) = u + v = \\ln a + \\ln b": lambda: math.isclose(math.log(a * b), u + v) or _fail(),
        "\\ln \\prod_{i=1}^{n} p_i = \\sum_{i=1}^{n} \\ln p_i":
            lambda: math.isclose(math.log(np.prod(p)), np.sum(np.log(p))) or _fail(),
        "\\frac{d}{dx} \\ln x = \\frac{1}{x} > 0": lambda: all(
            math.isclose((math.log(x + 1e-6) - math.log(x - 1e-6)) / 2e-6, 1 / x, rel_tol=1e-6) and 1 / x > 0
            for x in (0.01, 0.5, 3.0, 100.0)) or _fail(),
        "p < q \\iff \\ln p < \\ln q": lambda: all(
            (x < y) == (math.log(x) < math.log(y)) for x in p for y in p[:10]) or _fail(),
        "\\argmax_{\\theta} \\prod_{i} p_i(\\theta) = \\argmax_{\\theta} \\sum_{i} \\ln p_i(\\theta)": _argmax_kept,
    }
    run_checks(derivation(LESSON, "deriv-02-log-product"), checks)


def _fail():
    raise AssertionError


def _argmax_kept():
    # p_i(θ) for a coin: heads θ, tails 1 − θ; 7 heads and 3 tails, on a grid of θ
    theta = np.linspace(0.01, 0.99, 99)
    like = theta ** 7 * (1 - theta) ** 3
    loglike = 7 * np.log(theta) + 3 * np.log(1 - theta)
    assert np.argmax(like) == np.argmax(loglike)
    assert not np.isclose(like.max(), loglike.max())   # the values differ, the location does not


def test_coin_derivation():
    L = lambda p: p ** 7 * (1 - p) ** 3  # noqa: E731
    lnL = lambda p: 7 * math.log(p) + 3 * math.log(1 - p)  # noqa: E731
    d = lambda p: 7 / p - 3 / (1 - p)  # noqa: E731
    ps = (0.2, 0.5, 0.7, 0.9)
    checks = {
        "L(p) = p^{7} (1-p)^{3}": lambda: math.isclose(
            L(0.4), math.prod([0.4] * 7 + [0.6] * 3)) or _fail(),
        "\\ln L(p) = 7 \\ln p + 3 \\ln(1-p)": lambda: all(math.isclose(math.log(L(p)), lnL(p)) for p in ps) or _fail(),
        "\\frac{d}{dp} \\ln L(p) = \\frac{7}{p} - \\frac{3}{1-p}": lambda: all(
            math.isclose((lnL(p + 1e-6) - lnL(p - 1e-6)) / 2e-6, d(p), rel_tol=1e-5, abs_tol=1e-5) for p in ps) or _fail(),
        "\\frac{7}{p} = \\frac{3}{1-p} \\Rightarrow p = 0.7": lambda: (
            abs(d(0.7)) < 1e-12 and L(0.7) > max(L(0.69), L(0.71)) and lnL(0.7) > max(lnL(0.69), lnL(0.71))) or _fail(),
    }
    run_checks(derivation(LESSON, "deriv-02-coin-mle"), checks)


# --------------------------------------------------------------------------- the bank

def numeric(qid: str, exact: float) -> None:
    q = BANK[qid]
    assert q["type"] == "numeric"
    tol = q["tolerance"]
    digits = round(-math.log10(tol))
    assert abs(q["answer"] - exact) <= tol and q["answer"] == round(exact, digits), (qid, q["answer"], exact)


def test_bank_size_and_why_questions():
    assert len(BANK) >= 10
    why = [q for q in BANK.values() if q["type"] == "why"]
    assert len(why) >= 4
    for q in why:
        assert 2 <= len(q["points"]) <= 4, q["id"]
        en = re.sub(r"\$[^$]*\$", "x", q["a"]["en"])
        assert 2 <= len(re.findall(r"[.?!](?=\s|$)", en.strip())) <= 5, q["id"]
    for q in BANK.values():
        for ref in q.get("follow_up", []):
            assert ref in BANK, (q["id"], ref)
    refs = [s["quiz"]["ref"] for s in LESSON["steps"] if "quiz" in s]
    assert len(refs) >= 3 and all(r in BANK for r in refs)


def test_partial_y():
    q = BANK["q01-fg-partial-y"]
    f = lambda x, y: x * x * y + 3 * y  # noqa: E731
    h = 1e-6
    numeric("q01-fg-partial-y", (f(2, 1 + h) - f(2, 1 - h)) / (2 * h))
    states(both(q["explanation"]), "x^2 + 3", "4 + 3 = 7")


def test_function_machine_and_contour():
    q = BANK["q01-fg-function-machine"]
    assert q["answer"] == 1 and sorted({2.0, -2.0}) == [-2.0, 2.0] and 2.0 ** 2 == (-2.0) ** 2 == 4
    q = BANK["q01-fg-contour"]
    assert q["answer"] == 0
    for t in np.linspace(0, 2 * math.pi, 13):
        assert math.isclose((3 * math.cos(t)) ** 2 + (3 * math.sin(t)) ** 2, 9)
    assert 3 ** 2 + 3 ** 2 == 18
    states(both(q["explanation"]), "\\sqrt{9} = 3", "f = 18")


def test_log_sum_and_its_terms():
    numeric("q01-fg-log-sum", math.log10(20) + math.log10(50))
    states(both(BANK["q01-fg-log-sum"]["explanation"]), f"{math.log10(20):.3f}", f"{math.log10(50):.3f}")


def test_underflow_product_and_the_log_sums():
    q = BANK["q01-fg-underflow-product"]
    assert q["answer"] == 1 and underflows(0.1, 1000)
    assert q["choices"][3]["en"] == f"{1000 * math.log(0.1):.3f}"
    states(both(q["explanation"]), "4.9 \\times 10^{-324}", "-2302.585")
    numeric("q01-fg-log-likelihood-value", sum(math.log(0.1) for _ in range(1000)))
    states(both(BANK["q01-fg-log-likelihood-value"]["explanation"]), f"{math.log(0.1):.6f}", "-2302.585")


def test_compare_models():
    assert underflows(0.2, 1000) and underflows(0.1, 1000)
    diff = 1000 * math.log(0.2) - 1000 * math.log(0.1)
    numeric("q01-fg-compare-models", diff)
    assert math.isclose(diff, 1000 * math.log(2))
    states(both(BANK["q01-fg-compare-models"]["explanation"]), "693.147", "2^{1000}")


def test_argmax_kept_choices():
    q = BANK["q01-fg-argmax-kept"]
    assert q["answers"] == [0, 2, 4]
    theta = np.linspace(0.01, 0.99, 99)
    like = theta ** 7 * (1 - theta) ** 3
    assert np.argmax(like) == np.argmax(np.log(like))          # 0 true
    assert not math.isclose(like.max(), np.log(like).max())     # 1 false
    assert np.argmax(-like) != np.argmax(like)                  # 3 false: −L flips it
    p = np.full(1000, 0.1)
    assert np.prod(p) == 0.0 and np.isfinite(np.sum(np.log(p)))  # 4 true


def test_steepest_first_drop():
    from tutor.experiments.steepest import START, grad
    g = grad(START, 4)
    exact = 0.05 * np.linalg.norm(g) * math.cos(math.radians(60))
    numeric("q01-fg-steepest-first-drop", exact)
    # the same number from the unit vector itself: −∇f turned by 60°, dotted with −∇f
    d = -g / np.linalg.norm(g)
    t = math.radians(60)
    turned = np.array([math.cos(t) * d[0] - math.sin(t) * d[1], math.sin(t) * d[0] + math.cos(t) * d[1]])
    assert math.isclose(-0.05 * float(g @ turned), exact)
    states(both(BANK["q01-fg-steepest-first-drop"]["explanation"]), "(2, 4)", "\\sqrt{20} \\approx 4.472",
           "0.224", "0.112")
    assert f"{0.05 * np.linalg.norm(g):.3f}" == "0.224"


def test_log_base_why():
    for b in (2, 10):
        x = np.linspace(0.1, 5, 50)
        assert np.allclose(np.log(x) / math.log(b), np.log(x) / np.log(b))
        assert math.isclose(math.log(7, b), math.log(7) / math.log(b))
        assert 1 / math.log(b) > 0
