"""Recompute every number and identity of lesson 01-05 (Taylor series) and its bank questions
(quizzes/ch01-limits-taylor.yaml, the 01-05 part).

The series table is recomputed from the coefficients and from NumPy's functions; the Taylor
coefficient derivation is checked on random polynomials and on eˣ by finite differences; the
first-order-vs-actual table on f = w² is recomputed; the second-order derivation is checked line by
line (exact on quadratics, to O(η³) on eˣ). The run's figures are pinned in the lesson (figures:);
here the laws behind them are checked on the real taylor runs.
"""

from __future__ import annotations

import math
import re

import numpy as np

from claims_kit import (all_formulas, both, check_written_arithmetic, derivation, load, rounds_to,  # noqa: E402
                        run_checks, states, table_rows)
from tutor.experiments import REGISTRY
from tutor.experiments.taylor import coefficient, taylor_value, true_value

LESSON_PATH = "lessons/01-math/05-taylor.yaml"
BANK_PATH = "quizzes/ch01-limits-taylor.yaml"
LESSON = load(LESSON_PATH)
BANK = load(BANK_PATH)
QUESTIONS = {q["id"]: q for q in BANK["questions"]}
OWN = ["q01-taylor-exp-value", "q01-taylor-ln-coefficient", "q01-first-order-actual-decrease",
       "q01-taylor-facts", "q01-why-gd-first-order", "q01-why-best-step-curvature", "q01-why-more-terms-worse"]
RNG = np.random.default_rng(0)
FUNCTIONS = {"eˣ": "exp", "sin x": "sin", "ln(1 + x)": "ln1p"}


def steps_of(kind: str) -> list[dict]:
    return [s[kind] for s in LESSON["steps"] if kind in s]


def prose_with(marker: str) -> list[str]:
    found = [t for p in steps_of("prose") for t in both(p) if marker in t]
    assert len(found) == 2, f"{marker!r} should be in one prose step, both languages"
    return found


def why_step(ident: str) -> dict:
    return next(w for w in steps_of("why") if w["id"] == ident)


def check_numeric(q: dict, exact: float) -> None:
    tol = q["tolerance"]
    assert abs(q["answer"] - exact) <= tol, (q["id"], q["answer"], exact)
    digits = round(-math.log10(tol))
    assert math.isclose(q["answer"], round(exact, digits), abs_tol=1e-12), (q["id"], exact)


def final(events, variant):
    return events[-1]["variants"][variant]


# --------------------------------------------------------------------------- the series

def test_coefficients_match_the_functions():
    # the experiment's coefficients are f⁽ᵏ⁾(0)/k!: high-order polynomials reproduce the functions
    x = np.linspace(-0.5, 0.5, 11)
    for fn in ("exp", "sin", "ln1p"):
        assert np.allclose(taylor_value(fn, 40, x), true_value(fn, x), atol=1e-12), fn
    assert [coefficient("sin", k) for k in range(6)] == [0, 1, 0, -1 / 6, 0, 1 / 120]
    assert [coefficient("ln1p", k) for k in range(4)] == [0, 1, -1 / 2, 1 / 3]
    assert coefficient("exp", 4) == 1 / 24


def test_series_table():
    texts = prose_with("| 1.105167 |")
    for t in texts:
        rows = table_rows(t, 5)[1:]   # the header row first
        assert len(rows) == 4
        for label, t1, t2, t3, true in rows:
            name, x = label.rsplit(", ", 1)
            fn, xv = FUNCTIONS[name], float(x)
            for n, written in ((1, t1), (2, t2), (3, t3)):
                assert rounds_to(float(taylor_value(fn, n, xv)), written), (label, n)
            assert rounds_to(float(true_value(fn, xv)), true), label
    # three terms near the centre: off by less than 0.0001; at x = 1 (eˣ) by more than 0.05
    for fn in ("exp", "ln1p"):
        assert abs(taylor_value(fn, 3, 0.1) - true_value(fn, 0.1)) < 1e-4
    assert abs(taylor_value("exp", 3, 1.0) - math.e) > 0.05
    assert taylor_value("sin", 1, 0.5) == taylor_value("sin", 2, 0.5)
    states(texts, "0.0001", "0.05")


def test_coefficient_derivation():
    deriv = derivation(LESSON, "deriv-01-taylor-coefficients")
    c = RNG.normal(size=6)                       # a random polynomial c₀ + c₁x + … + c₅x⁵
    p = np.polynomial.Polynomial(c)

    def assume():
        x = RNG.uniform(-1, 1, 20)
        assert np.allclose(p(x), sum(c[k] * x ** k for k in range(6)))

    def value():
        assert math.isclose(p(0), c[0])

    def first():
        assert np.allclose(p.deriv(1).coef[:3], [c[1], 2 * c[2], 3 * c[3]])
        assert math.isclose(p.deriv(1)(0), c[1])

    def second():
        assert np.allclose(p.deriv(2).coef[:2], [2 * c[2], 6 * c[3]])
        assert math.isclose(p.deriv(2)(0) / 2, c[2])

    def third():
        assert math.isclose(p.deriv(3)(0), 3 * 2 * c[3]) and math.isclose(p.deriv(3)(0) / math.factorial(3), c[3])

    def general():
        for k in range(6):
            assert math.isclose(p.deriv(k)(0) / math.factorial(k), c[k], rel_tol=1e-9, abs_tol=1e-12)

    def exp_case():
        h = 1e-2
        # finite differences of eˣ at 0: every derivative is e⁰ = 1 (to the difference's own error)
        d1 = (math.exp(h) - math.exp(-h)) / (2 * h)
        d2 = (math.exp(h) - 2 + math.exp(-h)) / h ** 2
        assert math.isclose(d1, 1, rel_tol=1e-4) and math.isclose(d2, 1, rel_tol=1e-4)
        assert [coefficient("exp", k) for k in range(5)] == [1, 1, 1 / 2, 1 / 6, 1 / 24]

    run_checks(deriv, {
        "f(x) = c_0 + c_1 x + c_2 x^2 + c_3 x^3 + \\dots": assume,
        "f(0) = c_0": value,
        "f'(x) = c_1 + 2 c_2 x + 3 c_3 x^2 + \\dots \\Rightarrow f'(0) = c_1": first,
        "f''(x) = 2 c_2 + 6 c_3 x + \\dots \\Rightarrow c_2 = \\frac{f''(0)}{2}": second,
        "f'''(0) = 3 \\cdot 2 \\cdot c_3 \\Rightarrow c_3 = \\frac{f'''(0)}{3!}": third,
        "c_k = \\frac{f^{(k)}(0)}{k!}": general,
        "f(x) = e^x: \\; f^{(k)}(0) = 1 \\Rightarrow c_k = \\frac{1}{k!}": exp_case,
    })


# --------------------------------------------------------------------------- the runs

def test_exp_run():
    run = steps_of("run")[0]
    assert run["experiment"] == "taylor" and run["set"] == {}
    events = list(REGISTRY["taylor"].run({}, seed=0))
    orders = [1, 2, 3, 5]
    assert events[0]["variants"] == [f"n{n}" for n in orders]
    errors = [final(events, f"n{n}")["error"] for n in orders]
    for n, err in zip(orders, errors):
        assert math.isclose(err, math.e - sum(1 / math.factorial(k) for k in range(n + 1)))
    # "every extra order divides the error by a few"
    ratios = [a / b for a, b in zip(errors, errors[1:])]
    assert all(ratio > 2 for ratio in ratios)
    # every error curve climbs with the distance; the 40 steps run from x = 0 to 2
    for n in orders:
        errs = [e["loss"] for e in events if e["event"] == "step" and e["variant"] == f"n{n}"]
        assert len(errs) == 40 and errs == sorted(errs)
        assert math.isclose(errs[19], final(events, f"n{n}")["error"])   # step 20 is x = 1
    assert events[0]["params"]["x_max"] == 2.0 and events[0]["params"]["x"] == 1.0
    assert all("40" in t and "20" in t for t in both(run["ask"]))
    states(prose_with("0.7183"), "0.0016")


def test_ln1p_run():
    run = steps_of("run")[1]
    assert run["set"] == {"function": "ln1p", "x": 1.5, "orders": "1,2,5,10"}
    events = list(REGISTRY["taylor"].run(run["set"], seed=0))
    assert final(events, "n10")["error"] > final(events, "n1")["error"]
    assert math.isclose(final(events, "n10")["true"], math.log(2.5))
    # the order-10 error passes order 1's near x = 1.2 (beyond 1, inside [1.2, 1.3))
    xs = np.linspace(0.5, 1.5, 1001)
    worse = np.abs(np.log1p(xs) - taylor_value("ln1p", 10, xs)) > np.abs(np.log1p(xs) - taylor_value("ln1p", 1, xs))
    cross = xs[np.argmax(worse)]
    assert worse[-1] and not worse[xs <= 1.0].any() and 1.2 <= cross < 1.3, cross
    # terms xᵏ/k grow with k at x = 1.5 (from k = 3 on); the series converges inside the radius
    terms = [1.5 ** k / k for k in range(3, 30)]
    assert terms == sorted(terms)
    assert abs(taylor_value("ln1p", 200, 0.9) - math.log(1.9)) < 1e-9
    states(prose_with("3.32"), "1.2")


# --------------------------------------------------------------------------- first order vs actual

def test_first_order_table():
    texts = prose_with("| 1.5 | -5 | 4 |")
    for t in texts:
        rows = table_rows(t, 3)[1:]
        assert len(rows) == 5
        for eta, predicted, actual in rows:
            e = float(eta)
            w = 1 - e * 2                      # one step on f = w² from w = 1, f'(1) = 2
            assert rounds_to(1 - e * 2 ** 2, predicted), eta    # f − η f'²
            assert rounds_to(w ** 2, actual), eta
    # the prose's readings: close at 0.1, negative (impossible) at 0.5, no drop at 1, a rise at 1.5
    assert abs((1 - 4 * 0.1) - 0.64) < 0.05
    assert 1 - 4 * 0.5 < 0 and (1 - 2 * 1) ** 2 == 1 and (1 - 2 * 1.5) ** 2 == 4
    why = why_step("why-01-first-order-misleads")
    assert 1.5 * 2 ** 2 == 6
    states(both(why["a"]), "1.5", "6", "4")


def test_second_order_derivation():
    deriv = derivation(LESSON, "deriv-01-second-order-step")
    w = 0.3
    f, f1, f2 = math.exp, math.exp(w), math.exp(w)      # eˣ: f' = f'' = eʷ
    etas = [0.1, 0.05, 0.025]

    def expansion():
        for d in (0.1, 0.05, 0.025):
            rest = f(w + d) - (f(w) + f1 * d + 0.5 * f2 * d ** 2)
            assert abs(rest) < d ** 3          # O(d³): e^(w+d)/6 d³ with w + d < 1
        # exact for a quadratic
        a, b, cc = 2.0, -1.0, 0.5
        q = lambda x: a * x ** 2 + b * x + cc  # noqa: E731
        assert math.isclose(q(w + 0.7), q(w) + (2 * a * w + b) * 0.7 + 0.5 * 2 * a * 0.7 ** 2)

    def step():
        assert math.isclose(w - 0.1 * f1, w + (-0.1 * f1))

    def substitute():
        for eta in etas:
            d = -eta * f1
            assert math.isclose(f1 * d, -eta * f1 ** 2) and math.isclose(d ** 2, eta ** 2 * f1 ** 2)
            approx = f(w) - eta * f1 ** 2 + 0.5 * eta ** 2 * f2 * f1 ** 2
            assert abs(f(w - eta * f1) - approx) < 2 * (eta * f1) ** 3

    def decrease():
        for eta in etas:
            delta = f1 ** 2 * (eta - 0.5 * f2 * eta ** 2)
            assert math.isclose(delta, f1 ** 2 * eta - 0.5 * eta ** 2 * f2 * f1 ** 2)

    def sign():
        for curv in (0.5, 2.0, 10.0):
            for eta in np.linspace(0.01, 4 / curv, 57):
                delta = eta - 0.5 * curv * eta ** 2
                if not math.isclose(eta, 2 / curv):
                    assert (delta > 0) == (eta < 2 / curv), (curv, eta)

    def best():
        for curv in (0.5, 2.0, 10.0):
            grid = np.linspace(0, 2 / curv, 20001)
            delta = grid - 0.5 * curv * grid ** 2
            assert math.isclose(grid[np.argmax(delta)], 1 / curv, rel_tol=1e-3)
            h = 1e-6
            slope = ((1 / curv + h) - 0.5 * curv * (1 / curv + h) ** 2
                     - ((1 / curv - h) - 0.5 * curv * (1 / curv - h) ** 2)) / (2 * h)
            assert abs(slope) < 1e-6

    def square_case():
        for eta in (0.1, 0.25, 0.5, 1.0, 1.5):
            delta = 4 * eta - 4 * eta ** 2
            assert math.isclose(2 ** 2 * (eta - 0.5 * 2 * eta ** 2), delta)
            assert math.isclose(1 - delta, (1 - 2 * eta) ** 2)
        assert 1 / 2 == 0.5 and 2 / 2 == 1    # best step 1/f'' = 1/(2a), bound 2/f'' = 1/a for a = 1

    def many_variables():
        A = np.array([[3.0, 1.0], [1.0, 2.0]])          # f(w) = ½ wᵀAw: H = A, exact to second order
        fq = lambda v: 0.5 * v @ A @ v  # noqa: E731
        v = np.array([1.0, -2.0])
        g = A @ v
        for eta in (0.1, 0.3, 0.6):
            assert math.isclose(fq(v - eta * g), fq(v) - eta * g @ g + 0.5 * eta ** 2 * g @ A @ g)
        # the largest eigenvalue caps the rate: beyond 2/λ_max descent blows up
        lam = np.linalg.eigvalsh(A).max()
        for eta, grows in ((1.9 / lam, False), (2.1 / lam, True)):
            u = v.copy()
            for _ in range(300):
                u = u - eta * A @ u
            assert (np.abs(u).max() > 1) == grows

    run_checks(deriv, {
        "f(w + d) = f(w) + f'(w) \\, d + \\frac{1}{2} f''(w) \\, d^2 + O(d^3)": expansion,
        "d = -\\eta f'(w)": step,
        "f(w - \\eta f') = f(w) - \\eta f'^2 + \\frac{1}{2} \\eta^2 f'' f'^2 + O(\\eta^3)": substitute,
        "\\Delta = f'^2 \\left(\\eta - \\frac{1}{2} f'' \\eta^2\\right)": decrease,
        "\\Delta > 0 \\iff \\eta < \\frac{2}{f''}": sign,
        "\\frac{d\\Delta}{d\\eta} = f'^2 (1 - f'' \\eta) = 0 \\Rightarrow \\eta = \\frac{1}{f''}": best,
        "f = w^2, \\; w = 1: \\; f' = 2, \\; f'' = 2 \\Rightarrow \\Delta = 4\\eta - 4\\eta^2": square_case,
        "f(\\mathbf{w} - \\eta \\nabla f) \\approx f(\\mathbf{w}) - \\eta \\|\\nabla f\\|^2 + \\frac{1}{2} \\eta^2 \\nabla f^\\top H \\nabla f":
            many_variables,
    })


# --------------------------------------------------------------------------- the bank

def test_q_taylor_exp_value():
    q = QUESTIONS["q01-taylor-exp-value"]
    t3 = float(taylor_value("exp", 3, 0.5))
    check_numeric(q, t3)
    assert rounds_to(t3, "1.645833") and rounds_to(1 / 48, "0.020833") and rounds_to(math.exp(0.5), "1.648721")
    assert rounds_to(math.exp(0.5) - t3, "0.0029") and rounds_to(0.5 ** 4 / 24, "0.0026")
    states(both(q["explanation"]), "1.645833", "0.020833", "1.648721", "0.0029", "0.0026")


def test_q_ln_coefficient():
    q = QUESTIONS["q01-taylor-ln-coefficient"]
    h = 1e-3   # f''' of ln(1 + x) at 0 by a third difference: 2
    third = (math.log1p(2 * h) - 2 * math.log1p(h) + 2 * math.log1p(-h) - math.log1p(-2 * h)) / (2 * h ** 3)
    assert math.isclose(third, 2, rel_tol=1e-4)
    check_numeric(q, third / math.factorial(3))
    assert coefficient("ln1p", 3) == 1 / 3


def test_q_first_order_actual_decrease():
    q = QUESTIONS["q01-first-order-actual-decrease"]
    f = lambda w: 2 * w ** 2  # noqa: E731
    g, eta = 4 * 1.0, 0.1
    assert math.isclose(eta * g ** 2, 1.6)
    w_new = 1 - eta * g
    actual = f(1) - f(w_new)
    check_numeric(q, actual)
    assert math.isclose(w_new, 0.6) and math.isclose(f(w_new), 0.72)
    assert math.isclose(eta * g ** 2 - actual, 0.5 * 4 * (eta * g) ** 2) and math.isclose((eta * g) ** 2, 0.16)
    states(both(q["explanation"]), "0.6", "0.72", "1.28", "0.32", "0.16")


def test_q_taylor_facts():
    q = QUESTIONS["q01-taylor-facts"]
    truth = []
    # 0: the first-order approximation is the tangent line (value and slope match at a)
    a = 0.7
    line = lambda x: math.exp(a) + math.exp(a) * (x - a)  # noqa: E731
    truth.append(math.isclose(line(a), math.exp(a)) and math.isclose((line(a + 1) - line(a)), math.exp(a)))
    # 1: the predicted decrease η‖∇f‖² is positive for any η > 0 (a nonzero gradient)
    truth.append(all(eta * 4 > 0 for eta in (1e-3, 0.5, 10.0)))
    # 2: the actual decrease is not: f = w², w = 1, η = 1.5 goes from 1 to 4
    truth.append(all(1 - (1 - 2 * eta) ** 2 > 0 for eta in (1e-3, 0.5, 1.5)))
    # 3: ln(1 + x) at 1.5: more terms, farther away
    errs = [abs(taylor_value("ln1p", n, 1.5) - math.log(2.5)) for n in (5, 10, 20)]
    truth.append(errs == sorted(errs, reverse=True))
    # 4: sin's order-2 polynomial is x
    truth.append(coefficient("sin", 2) == 0)
    assert sorted(q["answers"]) == [i for i, t in enumerate(truth) if t]
    assert (1 - 2 * 1.5) ** 2 == 4


def test_q_why_numbers():
    best = QUESTIONS["q01-why-best-step-curvature"]
    a = 3.0
    assert math.isclose(1 / (2 * a), 1 / (2 * a)) and math.isclose(2 / (2 * a), 1 / a)   # 1/f'', 2/f'' for f'' = 2a
    states(both(best["explanation"]), "1/(2a)", "1/a")
    worse = QUESTIONS["q01-why-more-terms-worse"]
    assert rounds_to(float(taylor_value("ln1p", 2, 1.5)), "0.375")
    assert rounds_to(float(taylor_value("ln1p", 5, 1.5)), "1.753125")
    assert rounds_to(float(taylor_value("ln1p", 10, 1.5)), "-2.403")
    assert rounds_to(math.log(2.5), "0.916")
    states(both(worse["explanation"]), "0.375", "1.753125", "-2.403", "0.916")


def test_model_answers_and_shape():
    own_why = [QUESTIONS[i] for i in OWN if QUESTIONS[i]["type"] == "why"]
    assert len(own_why) >= 3 and len(OWN) >= 5
    for w in own_why + steps_of("why"):
        assert 2 <= len(w["points"]) <= 4, w["id"]
        for text in both(w["a"]):
            plain = re.sub(r"\$[^$]*\$", "x", text)
            assert 2 <= len(re.findall(r"[.!?](?:\s|$)", plain)) <= 5, w["id"]
    refs = [s["quiz"]["ref"] for s in LESSON["steps"] if "quiz" in s]
    assert len(refs) >= 3 and all(r in QUESTIONS for r in refs)
    assert any(d.get("level") == 3 for d in steps_of("derivation"))


def test_written_arithmetic():
    own = [QUESTIONS[i] for i in OWN]
    assert check_written_arithmetic(all_formulas(LESSON) + all_formulas(own)) >= 3
