"""Recompute every number and identity in lesson 06-01 (the universal approximation theorem built by
hand: steep sigmoids are steps, two steps a bump, a staircase within ε by uniform continuity; ReLU
hinges, ramps and tents) and in its bank questions (quizzes/ch06-universal-approximation.yaml,
q06-uat-* and q06-why-uat-*). The run's figures are pinned in the lesson's ``figures:``
(tests/content/test_pinned_figures.py)."""

from __future__ import annotations

import math

import numpy as np

from claims_kit import (all_formulas, both, check_bank_shape, check_written_arithmetic, derivation, load,  # noqa: E402
                        rounds_to, run_checks, states, table_rows)

LESSON = load("lessons/06-universal-approximation/01-uat.yaml")
BANK = {q["id"]: q for q in load("quizzes/ch06-universal-approximation.yaml")["questions"]}
OWN = {k: q for k, q in BANK.items() if k.startswith(("q06-uat-", "q06-why-uat-"))}


def sigmoid(z):
    return 1 / (1 + np.exp(-np.clip(np.asarray(z, dtype=float), -700, 700)))


def relu(z):
    return np.maximum(0.0, z)


def bump(x, k=50.0, a=0.3, b=0.7, h=1.0):
    return h * (sigmoid(k * (x - a)) - sigmoid(k * (x - b)))


def prose(marker_en: str) -> dict:
    found = [s["prose"] for s in LESSON["steps"] if "prose" in s and marker_en in s["prose"]["en"]]
    assert len(found) == 1, marker_en
    return found[0]


# --------------------------------------------------------------------------- intuition

def test_steep_sigmoid_table():
    text = prose("## Intuition: a steep sigmoid is a step")
    for lang in ("ko", "en"):
        rows = [r for r in table_rows(text[lang], 3) if r[0].isdigit()]
        assert [int(r[0]) for r in rows] == [1, 10, 50, 100]
        for k, right, left in rows:
            assert rounds_to(float(sigmoid(int(k) * 0.1)), right), (k, right)
            assert rounds_to(float(sigmoid(-int(k) * 0.1)), left), (k, left)
            assert math.isclose(float(sigmoid(int(k) * 0.1) + sigmoid(-int(k) * 0.1)), 1.0)   # "1 minus it"


def test_the_bump_numbers_and_the_bump_check():
    text = prose("## Intuition: a steep sigmoid is a step")
    states(both(text), "0.99991", "0.9933", "0.0067", "[0.3, 0.7)")
    assert rounds_to(float(bump(0.5)), "0.99991")
    assert rounds_to(float(bump(0.4)), "0.9933")
    assert rounds_to(float(bump(0.2)), "0.0067")
    # k = 50: at least 0.99 in the middle of the bump, at most 0.01 outside a margin of 0.1
    x = np.linspace(0, 1, 10001)
    assert bump(x[(x >= 0.4) & (x <= 0.6)]).min() >= 0.99
    assert bump(x[(x <= 0.2) | (x >= 0.8)]).max() <= 0.01
    # and with a gentle k = 10 it is not a bump of height 1 at all
    assert bump(0.5, k=10) < 0.97


# --------------------------------------------------------------------------- the staircase derivation

def f_test(x):
    return np.sin(3 * x) + 0.5 * x ** 2      # a continuous function on [0, 1] to build


def staircase(x, N, f=f_test):
    i = np.minimum(np.floor(np.asarray(x) * N + 1e-9).astype(int), N - 1)   # 1e-9: x = i/N in cell i
    return f(i / N)


def network(x, N, k, f=f_test):
    xi = np.arange(N) / N
    v = f(xi[1:]) - f(xi[:-1])
    return f(xi[0]) + sigmoid(k * np.asarray(x)[:, None] - k * xi[None, 1:]) @ v


def test_derivation_staircase():
    deriv = derivation(LESSON, "deriv-06-uat-staircase")
    x = np.linspace(0, 1, 20001)[:-1]
    H = lambda z: (np.asarray(z) >= 0).astype(float)

    def step_limit():
        for a in (0.25, 0.5):
            off = x[np.abs(x - a) > 0.01]
            assert np.abs(sigmoid(5000 * (off - a)) - H(off - a)).max() < 1e-9
            assert sigmoid(5000 * 0.0) == 0.5

    def bump_limit():
        a, b, h = 0.3, 0.7, 1.7
        off = x[(np.abs(x - a) > 0.01) & (np.abs(x - b) > 0.01)]
        inside = ((off >= a) & (off < b)).astype(float)
        assert np.abs(h * (sigmoid(5000 * (off - a)) - sigmoid(5000 * (off - b))) - h * inside).max() < 1e-9

    def uniform_continuity():
        # for f_test (slope at most 3 + 1 = 4 on [0, 1]) δ = ε/4 works everywhere
        eps = 0.01
        delta = eps / 4
        xs = np.random.default_rng(0).uniform(0, 1, 20000)
        ys = np.clip(xs + np.random.default_rng(1).uniform(-delta, delta, xs.size) * 0.999, 0, 1)
        assert np.abs(f_test(xs) - f_test(ys)).max() < eps

    def staircase_def():
        N = 20
        s = staircase(x, N)
        cells = np.floor(x * N) / N
        assert np.allclose(s, f_test(cells))
        # one bump per cell, exactly one on at each x
        on = sum(((x >= i / N) & (x < (i + 1) / N)).astype(int) for i in range(N))
        assert (on == 1).all()

    def staircase_error():
        eps = 0.01
        N = 401        # 1/N < δ = ε/4
        assert np.abs(f_test(x) - staircase(x, N)).max() < eps

    def telescoping():
        N = 20
        xi = np.arange(N) / N
        steps = f_test(xi[0]) + sum((f_test(xi[i]) - f_test(xi[i - 1])) * H(x - xi[i]) for i in range(1, N))
        assert np.allclose(steps, staircase(x, N))

    def the_network():
        N = 20
        far = x[np.min(np.abs(x[:, None] - (np.arange(1, N) / N)[None, :]), axis=1) > 0.005]
        assert np.abs(network(far, N, k=20000) - staircase(far, N)).max() < 1e-9
        # N − 1 hidden neurons (weights k, biases −k·x_i) and an output bias c = f(x_0)
        assert math.isclose(float(network(np.array([0.01]), N, k=20000)[0]), float(f_test(0.0)), abs_tol=1e-12)   # c = f(x_0)

    run_checks(deriv, {
        "\\sigma(k(x - a)) \\to H(x - a) \\; (k \\to \\infty, \\; x \\ne a)": step_limit,
        "h \\, (\\sigma(k(x - a)) - \\sigma(k(x - b))) \\to h \\, \\mathbb{1}[a \\le x < b]": bump_limit,
        "|x - y| < \\delta \\Rightarrow |f(x) - f(y)| < \\epsilon": uniform_continuity,
        "s_N(x) = \\sum_{i=0}^{N-1} f(x_i) \\, \\mathbb{1}[x_i \\le x < x_{i+1}], \\; x_i = i/N": staircase_def,
        "|f(x) - s_N(x)| = |f(x) - f(x_i)| < \\epsilon \\; (1/N < \\delta)": staircase_error,
        "s_N(x) = f(x_0) + \\sum_{i=1}^{N-1} (f(x_i) - f(x_{i-1})) \\, H(x - x_i)": telescoping,
        "\\hat{f}(x) = c + \\sum_{i=1}^{N-1} v_i \\, \\sigma(k x - k x_i), \\; v_i = f(x_i) - f(x_{i-1}), \\; c = f(x_0)": the_network,
    })


def test_how_many_steps_for_x_squared():
    text = prose("## How many steps does it take?")
    states(both(text), "0.19", "0.0199", "0.010025", "N = 200", "N = 199")
    sq = lambda t: t ** 2
    x = np.linspace(0, 1, 200001)[:-1]
    for N, written in ((10, "0.19"), (100, "0.0199"), (199, "0.010025")):
        worst = (2 * N - 1) / N ** 2
        assert math.isclose(worst, 1 - ((N - 1) / N) ** 2)
        assert rounds_to(worst, written)
        assert np.abs(sq(x) - staircase(x, N, sq)).max() <= worst + 1e-12   # the sup, approached at x → 1
    assert min(N for N in range(1, 1000) if (2 * N - 1) / N ** 2 <= 0.01) == 200
    # "roughly 2/N", 2 = f'(1); 200 cells take 199 neurons (one step per inner boundary)
    assert abs((2 * 200 - 1) / 200 ** 2 - 2 / 200) < 1e-4
    theorem = prose("## What the theorem says, and what it does not")
    states(both(theorem), "200", "199")


# --------------------------------------------------------------------------- ReLU

def test_derivation_relu():
    deriv = derivation(LESSON, "deriv-06-uat-relu")
    x = np.linspace(-1, 3, 4001)
    a, b = 0.5, 2.0
    m = (a + b) / 2

    def hinge():
        hx = relu(x - a)
        assert (hx[x <= a] == 0).all() and np.allclose(np.diff(hx[x > a]) / np.diff(x[x > a]), 1)

    def ramp():
        r = (relu(x - a) - relu(x - b)) / (b - a)
        assert np.allclose(r[x <= a], 0) and np.allclose(r[x >= b], 1)
        mid = (x > a) & (x < b)
        assert np.allclose(r[mid], (x[mid] - a) / (b - a))

    def tent():
        t = (relu(x - a) - 2 * relu(x - m) + relu(x - b)) / (m - a)
        assert np.allclose(t[(x <= a) | (x >= b)], 0)
        assert math.isclose(float((relu(m - a) - 2 * relu(0) + relu(m - b)) / (m - a)), 1.0)
        assert t.max() <= 1 + 1e-12

    def interpolation():
        f = lambda u: np.cos(2 * u) + u
        grid = np.linspace(0, 1, 11)
        h = grid[1] - grid[0]
        u = np.linspace(0, 1, 1001)
        tents = [(relu(u - (g - h)) - 2 * relu(u - g) + relu(u - (g + h))) / h for g in grid]
        fhat = sum(f(g) * t for g, t in zip(grid, tents))
        assert np.allclose(fhat, np.interp(u, grid, f(grid)))   # the broken line through the grid values
        # a broken line follows better than the staircase on the same grid
        assert np.abs(fhat - f(u)).max() < np.abs(staircase(u, 10, f) - f(u)).max()

    run_checks(deriv, {
        "\\text{ReLU}(x - a) = \\max(0, x - a)": hinge,
        "r(x) = \\frac{\\text{ReLU}(x - a) - \\text{ReLU}(x - b)}{b - a}": ramp,
        "t(x) = \\frac{\\text{ReLU}(x - a) - 2 \\, \\text{ReLU}(x - m) + \\text{ReLU}(x - b)}{m - a}": tent,
        "\\hat{f}(x) = \\sum_{i} f(x_i) \\, t_i(x)": interpolation,
    })


# --------------------------------------------------------------------------- the run and the bank

def test_run_and_theorem_text():
    text = prose("## What the run showed")
    states(both(text), "0.0525", "0.0297", "7.6e-05")     # pinned in figures: (test_pinned_figures)
    run = next(s["run"] for s in LESSON["steps"] if "run" in s)
    assert run["experiment"] == "uat" and run["set"] == {}
    from tutor.experiments import REGISTRY
    p = REGISTRY["uat"].params
    assert p["widths"].default == "2,4,8,16,32,64" and p["steps"].default == 3000
    assert p["activation"].default == "tanh" and p["lr"].default == 0.005 and p["function"].default == "bumpy"


def test_bank_answers():
    q = BANK["q06-uat-bump-value"]
    assert round(float(bump(0.35)), 3) == q["answer"] == 0.924
    assert rounds_to(float(sigmoid(2.5)), "0.9241") and float(sigmoid(-17.5)) < 3e-8
    assert rounds_to(float(sigmoid(-17.5)) / 1e-8, "2.5")
    states(both(q["explanation"]), "0.9241", "0.9933")

    q = BANK["q06-uat-steps-needed"]
    x = np.linspace(0, 1, 300001)[:-1]
    f = lambda t: 3 * t
    assert np.abs(f(x) - staircase(x, 300, f)).max() <= 0.01 + 1e-12
    assert min(N for N in range(1, 1000) if 3 / N <= 0.01) == q["answer"] == 300
    assert rounds_to(3 / 299, "0.01003")

    q = BANK["q06-uat-relu-tent"]
    assert float(relu(1.5) - 2 * relu(0.5) + relu(-0.5)) == q["answer"] == 0.5

    q = BANK["q06-uat-what-it-says"]
    assert q["answers"] == [0, 4]
    # a linear activation: any width is an affine function of x, so it cannot bend
    rng = np.random.default_rng(0)
    W, b, v = rng.standard_normal(100), rng.standard_normal(100), rng.standard_normal(100)
    xs = np.linspace(0, 1, 9)
    out = (xs[:, None] * W + b) @ v
    assert np.allclose(np.diff(out, 2), 0)


def test_bank_shape_and_arithmetic():
    check_bank_shape(OWN, "q06-", 6, 5, 2)
    refs = [s["quiz"]["ref"] for s in LESSON["steps"] if "quiz" in s]
    assert len(refs) >= 3 and all(r in OWN for r in refs)
    check_written_arithmetic(all_formulas(list(OWN.values())))
    check_written_arithmetic(all_formulas(LESSON))
