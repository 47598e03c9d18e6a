"""Recompute every number and identity of lesson 01-04 (limits and the derivative) and its bank
questions (quizzes/ch01-limits-taylor.yaml, the 01-04 part).

The limit table, the derivative table and the forward/central table are recomputed cell by cell;
each derivation line has a numerical check, looked up by its exact ``math`` text (editing a line
fails here until its check is updated); the ε–δ answer is tested on many points. The run's two
figures are pinned in the lesson (figures:, tests/content/test_pinned_figures.py); here the law
behind them (central-difference error ∝ h²) is checked on the real run.
"""

from __future__ import annotations

import math
import re

import numpy as np

from claims_kit import (all_formulas, both, check_written_arithmetic, derivation, load, rounds_to,  # noqa: E402
                        run_checks, states, table_rows)
from tutor.experiments import REGISTRY

LESSON_PATH = "lessons/01-math/04-limits-derivatives.yaml"
BANK_PATH = "quizzes/ch01-limits-taylor.yaml"
LESSON = load(LESSON_PATH)
BANK = load(BANK_PATH)
QUESTIONS = {q["id"]: q for q in BANK["questions"]}
OWN = ["q01-limit-table", "q01-eps-delta-line", "q01-diff-quotient-value", "q01-central-cube",
       "q01-why-limit-excludes-point", "q01-why-eps-delta-order", "q01-why-forward-error-h"]
RNG = np.random.default_rng(0)


def steps_of(kind: str) -> list[dict]:
    return [s[kind] for s in LESSON["steps"] if kind in s]


def prose_with(marker: str) -> list[str]:
    found = [t for p in steps_of("prose") for t in both(p) if marker in t]
    assert len(found) == 2, f"{marker!r} should be in one prose step, both languages"
    return found


def check_numeric(q: dict, exact: float) -> None:
    tol = q["tolerance"]
    assert abs(q["answer"] - exact) <= tol, (q["id"], q["answer"], exact)
    digits = round(-math.log10(tol))
    assert math.isclose(q["answer"], round(exact, digits), abs_tol=1e-12), (q["id"], exact)


def near(a: float, n: int = 2000, width: float = 1.0) -> np.ndarray:
    xs = a + RNG.uniform(-width, width, n)
    return xs[xs != a]


# --------------------------------------------------------------------------- the limit table

def test_limit_table():
    text = prose_with("| 0.999 |")
    for t in text:
        rows = table_rows(t, 4)[1:]   # the header row first
        assert len(rows) == 6
        for x, num, den, g in rows:
            xv = float(x)
            assert rounds_to(xv ** 2 - 1, num) and rounds_to(xv - 1, den), (x, num, den)
            assert rounds_to((xv ** 2 - 1) / (xv - 1), g) and rounds_to(xv + 1, g), (x, g)
    # both sides close in on 2, and g(1.001) is 0.001 away from 2 (the ε = 0.01 answer δ = 0.01)
    xs = np.array([1 - 10.0 ** -k for k in range(1, 8)] + [1 + 10.0 ** -k for k in range(1, 8)])
    assert np.allclose(np.abs((xs ** 2 - 1) / (xs - 1) - 2), np.abs(xs - 1), rtol=1e-6, atol=1e-9)
    assert math.isclose(abs((1.001 ** 2 - 1) / 0.001 - 2), 0.001, rel_tol=1e-6)
    x = near(1.0, width=0.01)
    assert np.all(np.abs((x ** 2 - 1) / (x - 1) - 2) < 0.01 + 1e-12)   # δ = ε = 0.01 keeps the promise


# --------------------------------------------------------------------------- ε–δ for x² near 3

def test_eps_delta_derivation():
    deriv = derivation(LESSON, "deriv-01-eps-delta-square")
    x = near(3.0, width=0.999)

    def factor():
        assert np.allclose(np.abs(x ** 2 - 9), np.abs(x - 3) * np.abs(x + 3))

    def bound_seven():
        inside = x[np.abs(x - 3) < 1]
        assert np.all((inside > 2) & (inside < 4)) and np.all(np.abs(inside + 3) < 7)

    def error_bound():
        assert np.all(np.abs(x ** 2 - 9) < 7 * np.abs(x - 3))

    def delta_rule():
        for eps in (10.0, 7.0, 1.0, 0.07, 1e-3):
            delta = min(1, eps / 7)
            assert delta <= 1 and delta <= eps / 7
        assert min(1, 10 / 7) == 1   # a large ε: the δ ≤ 1 part decides

    def promise():
        for eps in (20.0, 7.0, 1.0, 0.07, 1e-3, 1e-6):
            delta = min(1, eps / 7)
            xs = 3 + RNG.uniform(-delta, delta, 5000) * (1 - 1e-12)
            xs = xs[xs != 3]
            assert np.all(np.abs(xs ** 2 - 9) < eps), eps
        # a δ twice as large breaks it for a small ε: the bound is close to tight
        eps = 0.07
        assert abs((3 + 2 * eps / 7 * 0.999) ** 2 - 9) > eps

    def worked():
        assert math.isclose(min(1, 0.07 / 7), 0.01)
        assert math.isclose(3.01 ** 2, 9.0601) and math.isclose(2.99 ** 2, 8.9401)
        assert math.isclose(abs(3.01 ** 2 - 9), 0.0601) and math.isclose(abs(2.99 ** 2 - 9), 0.0599)
        assert 0.0601 < 0.07 and 0.0599 < 0.07

    run_checks(deriv, {
        "|x^2 - 9| = |x - 3| \\cdot |x + 3|": factor,
        "|x - 3| < 1 \\Rightarrow 2 < x < 4 \\Rightarrow |x + 3| < 7": bound_seven,
        "|x^2 - 9| < 7 \\, |x - 3|": error_bound,
        "\\delta = \\min(1, \\varepsilon / 7)": delta_rule,
        "0 < |x - 3| < \\delta \\Rightarrow |x^2 - 9| < 7 \\cdot \\frac{\\varepsilon}{7} = \\varepsilon": promise,
        "\\varepsilon = 0.07 \\Rightarrow \\delta = 0.01: \\quad |3.01^2 - 9| = 0.0601 < 0.07": worked,
    })
    states(both(deriv["steps"][-1]["why"]), "9.0601", "8.9401", "0.0601", "0.0599")


# --------------------------------------------------------------------------- the derivative of x²

def test_derivative_table():
    for t in prose_with("| 9.0601 |"):
        rows = table_rows(t, 3)[1:]
        assert len(rows) == 5
        for h, square, quotient in rows:
            hv = float(h)
            assert rounds_to((3 + hv) ** 2, square), (h, square)
            assert rounds_to(((3 + hv) ** 2 - 9) / hv, quotient) and rounds_to(6 + hv, quotient), (h, quotient)


def test_derivative_derivation():
    deriv = derivation(LESSON, "deriv-01-derivative-square")
    xs = RNG.uniform(-5, 5, 50)
    hs = np.array([0.5, 0.1, 1e-2, 1e-3, -1e-3, -0.1])

    def definition():
        for x in xs:
            q = ((x + 1e-6) ** 2 - x ** 2) / 1e-6
            assert math.isclose(q, 2 * x, abs_tol=1e-4)

    def expand():
        for h in hs:
            assert np.allclose((xs + h) ** 2, xs ** 2 + 2 * xs * h + h ** 2)

    def cancel():
        for h in hs:
            assert np.allclose(((xs + h) ** 2 - xs ** 2) / h, (2 * xs * h + h ** 2) / h)

    def divide():
        for h in hs:
            assert np.allclose((2 * xs * h + h ** 2) / h, 2 * xs + h)

    def limit():
        for x in xs:
            for eps in (0.1, 1e-3):
                h = RNG.uniform(-eps, eps, 100)   # δ = ε
                h = h[h != 0]
                assert np.all(np.abs(2 * x + h - 2 * x) < eps + 1e-12)

    def at_three():
        assert 2 * 3 == 6
        for h in hs:
            assert math.isclose(((3 + h) ** 2 - 9) / h - 6, h, abs_tol=1e-9)
        assert math.isclose(((3 + 0.1) ** 2 - 9) / 0.1, 6.1)

    run_checks(deriv, {
        "f'(x) = \\lim_{h \\to 0} \\frac{(x + h)^2 - x^2}{h}": definition,
        "(x + h)^2 = x^2 + 2xh + h^2": expand,
        "\\frac{(x + h)^2 - x^2}{h} = \\frac{2xh + h^2}{h}": cancel,
        "\\frac{2xh + h^2}{h} = 2x + h": divide,
        "\\lim_{h \\to 0} (2x + h) = 2x": limit,
        "f'(3) = 6, \\quad \\frac{(3 + h)^2 - 9}{h} - 6 = h": at_three,
    })


# --------------------------------------------------------------------------- numerical differentiation

def f_inv(x):
    return 1 / x


def test_forward_central_table():
    texts = prose_with("| -0.909091 |")
    for t in texts:
        rows = table_rows(t, 5)[1:]
        assert len(rows) == 3
        for h, fwd, fwd_err, cen, cen_err in rows:
            hv = float(h)
            forward = (f_inv(1 + hv) - f_inv(1)) / hv
            central = (f_inv(1 + hv) - f_inv(1 - hv)) / (2 * hv)
            assert rounds_to(forward, fwd) and rounds_to(abs(forward + 1), fwd_err), h
            assert rounds_to(central, cen) and rounds_to(abs(central + 1), cen_err), h
            # the exact forms the prose gives
            assert math.isclose(forward, -1 / (1 + hv)) and math.isclose(central, -1 / (1 - hv ** 2))
    states(texts, "0.909091", "1.111111")
    assert rounds_to(1 / 1.1, "0.909091") and rounds_to(1 / 0.9, "1.111111")
    # tenfold smaller h: the forward error about tenfold, the central about a hundredfold
    err_f = [abs((f_inv(1 + h) - 1) / h + 1) for h in (0.1, 0.01, 0.001)]
    err_c = [abs((f_inv(1 + h) - f_inv(1 - h)) / (2 * h) + 1) for h in (0.1, 0.01, 0.001)]
    for a, b in zip(err_f, err_f[1:]):
        assert 9 < a / b < 11
    for a, b in zip(err_c, err_c[1:]):
        assert 95 < a / b < 105


def test_run_figures_follow_h_squared():
    """The run's relative error at eps 0.1 and 0.01: about 100 times apart; the net has 93 parameters."""
    errors = {}
    for eps in (0.1, 0.01):
        events = list(REGISTRY["gradcheck"].run({"eps": eps}, seed=0))
        start = next(e for e in events if e["event"] == "start")
        assert start["num_params"] == 93
        errors[eps] = events[-1]["variants"]["main"]["error"]
    assert 90 < errors[0.1] / errors[0.01] < 110
    texts = prose_with("6.9e-04")
    states(texts, "6.9e-06", "93")
    run = steps_of("run")[0]
    assert run["experiment"] == "gradcheck" and run["set"] == {"eps": 0.1}
    assert all("0.01" in t for t in both(run["ask"]))


# --------------------------------------------------------------------------- the bank

def test_q_limit_table():
    q = QUESTIONS["q01-limit-table"]
    x = near(2.0, width=1e-4)
    assert np.allclose((x ** 2 - 4) / (x - 2), x + 2)
    check_numeric(q, 4.0)
    assert math.isclose((2.01 ** 2 - 4) / 0.01, 4.01) and math.isclose((1.99 ** 2 - 4) / -0.01, 3.99)
    assert math.isclose(2.01 ** 2 - 4, 0.0401) and math.isclose(1.99 ** 2 - 4, -0.0399)
    states(both(q["explanation"]), "0.0401", "-0.0399", "4.01", "3.99")


def test_q_eps_delta_line():
    q = QUESTIONS["q01-eps-delta-line"]
    eps = 0.09
    assert all("0.09" in t for t in both(q["q"]))
    check_numeric(q, eps / 3)
    x = 2 + RNG.uniform(-0.03, 0.03, 5000) * (1 - 1e-12)
    assert np.all(np.abs(3 * x + 1 - 7) < eps)
    assert abs(3 * (2 + 0.0301) + 1 - 7) >= eps   # any larger δ lets in an error ≥ ε


def test_q_diff_quotient_value():
    q = QUESTIONS["q01-diff-quotient-value"]
    check_numeric(q, (2.5 ** 2 - 4) / 0.5)
    assert math.isclose(2.5 ** 2, 6.25) and math.isclose(2.25 / 0.5, 4.5) and math.isclose(2 * 2 + 0.5, 4.5)


def test_q_central_cube():
    q = QUESTIONS["q01-central-cube"]
    central = (2.1 ** 3 - 1.9 ** 3) / 0.2
    check_numeric(q, central)
    assert math.isclose(2.1 ** 3, 9.261) and math.isclose(1.9 ** 3, 6.859)
    assert math.isclose(central, 3 * 4 + 0.1 ** 2)           # 3x² + h², exactly
    forward = (2.1 ** 3 - 8) / 0.1
    assert math.isclose(forward, 12.61) and math.isclose(forward - 12, 0.61)
    states(both(q["explanation"]), "9.261", "6.859", "12.61", "0.61")


def test_q_why_forward_error():
    q = QUESTIONS["q01-why-forward-error-h"]
    # forward error ≈ (h/2) f'', central ≈ (h²/6) f''' (f = eˣ at 0: f'' = f''' = 1)
    for h in (1e-2, 1e-3):
        fwd = (math.exp(h) - 1) / h - 1
        cen = (math.exp(h) - math.exp(-h)) / (2 * h) - 1
        assert math.isclose(fwd, h / 2, rel_tol=0.01) and math.isclose(cen, h ** 2 / 6, rel_tol=0.01)
    f_err = abs((1 / 1.01 - 1) / 0.01 + 1)
    c_err = abs((1 / 1.01 - 1 / 0.99) / 0.02 + 1)
    assert rounds_to(f_err, "0.009901") and rounds_to(c_err, "0.000100")
    states(both(q["explanation"]), "0.009901", "0.000100")


def test_model_answers_and_shape():
    whys = [QUESTIONS[i] for i in OWN if QUESTIONS[i]["type"] == "why"] + steps_of("why")
    assert len([i for i in OWN if QUESTIONS[i]["type"] == "why"]) >= 3
    for w in whys:
        assert 2 <= len(w["points"]) <= 4, w["id"]
        for text in both(w["a"]):
            plain = re.sub(r"\$[^$]*\$", "x", text)
            assert 2 <= len(re.findall(r"[.!?](?:\s|$)", plain)) <= 5, w["id"]
    refs = [s["quiz"]["ref"] for s in LESSON["steps"] if "quiz" in s]
    assert len(refs) >= 3 and all(r in QUESTIONS for r in refs)


def test_written_arithmetic():
    own = [QUESTIONS[i] for i in OWN]
    assert check_written_arithmetic(all_formulas(LESSON) + all_formulas(own)) >= 5
