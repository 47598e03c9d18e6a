"""Recompute every number and identity of lesson 07-00 (vanishing and exploding gradients, gradient
clipping) and of its questions in quizzes/ch07-vanishing-cures.yaml (ids q07-vanish-… and the
lesson's two why questions).

Each derivation line is looked up by its exact ``math`` text in a table of numerical checks, and
every line must have one (claims_kit.run_checks). The chain of scalar units is built and
differentiated numerically, not only by the formula the lesson derives. The run's figures are
pinned in the lesson's ``figures:`` (tests/content/test_pinned_figures.py).
"""

from __future__ import annotations

import math

import numpy as np

from claims_kit import (all_formulas, both, check_bank_shape, check_written_arithmetic, derivation,  # noqa: E402
                        load, run_checks, states, table_rows)
from tutor.experiments import check_run_step
from tutor.nn import clip_grad_norm

LESSON = load("lessons/07-deep-network-problems/00-vanishing-gradients.yaml")
BANK = {q["id"]: q for q in load("quizzes/ch07-vanishing-cures.yaml")["questions"]}
MINE = {k: q for k, q in BANK.items() if k.startswith("q07-vanish-") or k in ("q07-why-vanish-product", "q07-why-clip-norm")}
RNG = np.random.default_rng(0)


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def dsig(z):
    return sig(z) * (1.0 - sig(z))


def prose_with(word: str) -> list[str]:
    found = [s["prose"] for s in LESSON["steps"] if "prose" in s and word in s["prose"]["en"]]
    assert len(found) == 1, word
    return both(found[0])


def close(a, b, tol=1e-9):
    assert abs(a - b) <= tol, (a, b)


def chain(w, a0):
    """Forward through a chain of one-neuron sigmoid layers: the pre-activations and the output."""
    zs, a = [], a0
    for wl in w:
        z = wl * a
        zs.append(z)
        a = sig(z)
    return np.array(zs), a


def numeric_da(w, a0, h=1e-6):
    return (chain(w, a0 + h)[1] - chain(w, a0 - h)[1]) / (2 * h)


# -- the whisper table and the powers ---------------------------------------------------------------

def test_whisper_table():
    for text in prose_with("whispered"):
        rows = [r for r in table_rows(text, 3) if r[0].isdigit()]
        assert [int(r[0]) for r in rows] == [1, 2, 3, 5, 10]
        for r in rows:
            L = int(r[0])
            value = 0.25 ** L
            if "e" in r[1]:
                assert f"{value:.2e}".replace("e-0", "e-") == r[1]
            else:
                assert float(r[1]) == value
            assert int(r[2]) == 2 ** L
        states([text], "0.349", "2.594")
    assert f"{0.9 ** 10:.3f}" == "0.349" and f"{1.1 ** 10:.3f}" == "2.594"


def test_what_the_run_showed_bound_for_15_layers():
    states(prose_with("What the run showed"), "9.31 \\times 10^{-10}", "0.693")
    assert f"{0.25 ** 15:.2e}" == "9.31e-10"
    assert f"{math.log(2):.3f}" == "0.693"


def test_exploding_and_clipping_prose():
    texts = prose_with("The other side")
    states(texts, "2^{7.5} \\approx 181", "(0.6, 0.8)", "(1, 1)")
    close(math.sqrt(32 * (2 / math.sqrt(32)) ** 2 / 2), math.sqrt(2))     # std 2/√n → √2 per layer
    assert round(math.sqrt(2) ** 15) == 181 and round(2 ** 7.5) == 181
    g = np.array([3.0, 4.0])
    assert clip_grad_norm(g, 1.0) == 5.0 and np.allclose(g, [0.6, 0.8])
    assert np.array_equal(np.clip([3.0, 4.0], -1, 1), [1.0, 1.0])           # by value: a new direction


def test_written_arithmetic_holds():
    assert check_written_arithmetic(all_formulas(LESSON)) >= 3
    assert check_written_arithmetic(all_formulas(list(MINE.values()))) >= 3


# -- the derivations ---------------------------------------------------------------------------------

def test_vanishing_product_derivation():
    d = derivation(LESSON, "deriv-07-vanishing-product")
    w = RNG.uniform(-1, 1, size=6)
    a0 = 0.3

    def link():
        for _ in range(20):
            wl, a, h = RNG.normal(), RNG.uniform(-2, 2), 1e-6
            close((sig(wl * (a + h)) - sig(wl * (a - h))) / (2 * h), dsig(wl * a) * wl, 1e-8)

    def product():
        zs, _ = chain(w, a0)
        close(numeric_da(w, a0), float(np.prod(w * dsig(zs))), 1e-8)

    def sigma_prime():
        z, h = np.linspace(-8, 8, 101), 1e-6
        assert np.allclose((sig(z + h) - sig(z - h)) / (2 * h), dsig(z), atol=1e-8)

    def square():
        s = np.linspace(0, 1, 101)
        assert np.allclose(s * (1 - s), 0.25 - (s - 0.5) ** 2)

    def bound():
        z = np.linspace(-20, 20, 400001)
        assert dsig(z).max() <= 0.25 and abs(z[np.argmax(dsig(z))]) < 1e-9

    def general_bound():
        for _ in range(50):
            ww = RNG.normal(0, 3, size=8)
            assert abs(numeric_da(ww, 0.1)) <= np.prod(np.abs(ww) * 0.25) + 1e-12

    def assumed_bound():
        for _ in range(50):
            ww = RNG.uniform(-1, 1, size=10)
            assert abs(numeric_da(ww, RNG.uniform(-3, 3))) <= 0.25 ** 10

    def ten():
        assert 4 ** 10 == 2 ** 20 == 1048576
        assert f"{0.25 ** 10:.2e}" == "9.54e-07"

    def explode():
        assert 8 * dsig(0.0) == 2 and 2 ** 10 == 1024

    def tanh():
        z, h = np.linspace(-6, 6, 1201), 1e-6
        d = (np.tanh(z + h) - np.tanh(z - h)) / (2 * h)
        assert np.allclose(d, 1 - np.tanh(z) ** 2, atol=1e-8) and d.max() <= 1 + 1e-9
        close(float(d[600]), 1.0, 1e-8)                                     # z = 0
        assert np.allclose(1 - np.tanh(z) ** 2, 4 * dsig(2 * z))            # tanh = 2σ(2z) − 1

    def relu():
        z, h = np.array([-2.0, -0.5, 0.5, 3.0]), 1e-6
        r = lambda x: np.maximum(x, 0)                                      # noqa: E731
        assert np.allclose((r(z + h) - r(z - h)) / (2 * h), [0, 0, 1, 1])

    def matrix():
        for _ in range(20):
            Ws = [RNG.normal(0, 0.5, size=(5, 5)) for _ in range(4)]
            a = RNG.normal(size=5)
            J = np.eye(5)
            for W in Ws:
                z = W @ a
                J = np.diag(dsig(z)) @ W @ J
                a = sig(z)
            bound = np.prod([0.25 * np.linalg.norm(W, 2) for W in Ws])
            assert np.linalg.norm(J, 2) <= bound + 1e-12

    run_checks(d, {
        "\\frac{\\partial a_l}{\\partial a_{l-1}} = \\sigma'(z_l) \\, w_l": link,
        "\\frac{\\partial a_L}{\\partial a_0} = \\prod_{l=1}^{L} w_l \\sigma'(z_l)": product,
        "\\sigma'(z) = \\sigma(z)(1 - \\sigma(z))": sigma_prime,
        "s(1 - s) = \\frac{1}{4} - (s - \\frac{1}{2})^2": square,
        "\\sigma'(z) \\le \\frac{1}{4}": bound,
        "|\\frac{\\partial a_L}{\\partial a_0}| \\le \\prod_{l=1}^{L} \\frac{|w_l|}{4}": general_bound,
        "|\\frac{\\partial a_L}{\\partial a_0}| \\le (\\frac{1}{4})^L": assumed_bound,
        "(\\frac{1}{4})^{10} = \\frac{1}{1048576} \\approx 9.54 \\times 10^{-7}": ten,
        "|w_l \\sigma'(z_l)| = 8 \\cdot \\frac{1}{4} = 2": explode,
        "\\frac{d}{dz} \\tanh z = 1 - \\tanh^2 z \\le 1": tanh,
        "\\mathrm{ReLU}'(z) \\in \\{0, 1\\}": relu,
        "\\|\\prod_l \\operatorname{diag}(\\sigma'(\\mathbf{z}_l)) W_l\\|_2 \\le \\prod_l \\frac{1}{4} \\|W_l\\|_2": matrix,
    })


def test_clip_direction_derivation():
    d = derivation(LESSON, "deriv-07-clip-direction")
    g = RNG.normal(0, 10, size=40)
    c, eta = 1.5, 0.1
    norm = float(np.sqrt(np.sum(g ** 2)))
    lam = c / norm
    clipped = g.copy()
    assert clip_grad_norm(clipped, c) == norm
    run_checks(d, {
        "\\|\\mathbf{g}\\| = \\sqrt{\\sum_i g_i^2}": lambda: close(norm, float(np.linalg.norm(g))),
        "0 < \\lambda < 1": lambda: None if 0 < lam < 1 else (_ for _ in ()).throw(AssertionError(lam)),
        "\\|\\lambda \\mathbf{g}\\| = \\lambda \\|\\mathbf{g}\\| = c": lambda: (
            close(float(np.linalg.norm(lam * g)), lam * norm), close(float(np.linalg.norm(clipped)), c, 1e-12)),
        "\\frac{\\mathbf{g}'}{\\|\\mathbf{g}'\\|} = \\frac{\\lambda \\mathbf{g}}{\\lambda \\|\\mathbf{g}\\|} = \\frac{\\mathbf{g}}{\\|\\mathbf{g}\\|}":
            lambda: np.testing.assert_allclose(clipped / np.linalg.norm(clipped), g / norm, rtol=1e-12),
        "\\|\\eta \\, \\mathbf{g}'\\| = \\eta c": lambda: close(float(np.linalg.norm(eta * clipped)), eta * c, 1e-12),
    })


def test_the_runs_are_valid_run_steps():
    runs = [s["run"] for s in LESSON["steps"] if "run" in s]
    assert [r["experiment"] for r in runs] == ["vanishing", "vanishing"]
    assert all(check_run_step(r["experiment"], r.get("set", {})) is None for r in runs)
    assert runs[1]["set"] == {"case": "exploding", "clip": 1}
    # the figures quote those two runs with the lesson's seed
    sets = {tuple(sorted(f["set"].items())) for f in LESSON["figures"]}
    assert sets == {(("seed", 0),), (("case", "exploding"), ("clip", 1), ("seed", 0))}


# -- the bank ----------------------------------------------------------------------------------------

def test_bank_shape():
    check_bank_shape(MINE, "q07-", 7, total=7, why=2)
    assert all(BANK[q]["follow_up"] for q in ("q07-why-vanish-product", "q07-why-clip-norm"))
    refs = [s["quiz"]["ref"] for s in LESSON["steps"] if "quiz" in s]
    assert len(refs) >= 3 and all(r in MINE for r in refs)


def test_bank_answers():
    q = BANK["q07-vanish-quarter-power"]
    assert q["answer"] == min(L for L in range(1, 30) if 0.25 ** L < 1e-6) == 10
    states(both(q["explanation"]), "262144", "3.81 \\times 10^{-6}", "1048576")
    assert 4 ** 9 == 262144 and f"{0.25 ** 9:.2e}" == "3.81e-06"

    q = BANK["q07-vanish-sigma-max"]
    assert q["answer"] == 0 and "0.731" in q["explanation"]["en"] and f"{sig(1.0):.3f}" == "0.731"

    q = BANK["q07-vanish-clip-arith"]
    g = np.array([6.0, 8.0])
    assert clip_grad_norm(g, 5.0) == 10.0 and np.allclose(g, [3.0, 4.0]) and q["answer"] == g[0]

    q = BANK["q07-vanish-clip-facts"]
    assert q["answers"] == [0, 1, 2]
    small = np.array([0.3, 0.4])
    clip_grad_norm(small, 1.0)
    assert np.array_equal(small, [0.3, 0.4])                           # short: untouched, not enlarged

    q = BANK["q07-vanish-explode-factor"]
    n = 64
    factor = math.sqrt(n * (2 / math.sqrt(n)) ** 2 / 2)
    close(factor ** 10, q["answer"], 1e-9)
    close(math.sqrt(n * (2 / n) / 2), 1.0)                             # He: exactly 1

    q = BANK["q07-why-vanish-product"]
    states(both(q["a"]), "9.54 \\times 10^{-7}")
