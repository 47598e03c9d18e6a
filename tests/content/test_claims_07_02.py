"""Recompute every number and identity of lesson 07-02 (skip connections, the loss landscape) and
its questions in quizzes/ch07-batchnorm-skip.yaml.

Each derivation line is looked up by its exact ``math`` text in a table of numerical checks (the
Jacobians by finite differences through real tanh blocks of the engine), and every line must have
one. The landscape's measures (second differences, the filter normalisation of the directions)
are checked on the experiment's own functions. The runs' figures are pinned separately
(tests/content/test_pinned_figures.py).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from claims_kit import (all_formulas, both, check_bank_shape, check_written_arithmetic,  # noqa: E402
                        derivation, load, run_checks, states, table_rows)  # same folder
from tutor.experiments import REGISTRY
from tutor.experiments.landscape import directions, nonconvex_share, roughness

LESSON = "lessons/07-deep-network-problems/02-skip-connections.yaml"
BANK = "quizzes/ch07-batchnorm-skip.yaml"
LESSON_DATA = load(LESSON)
QUESTIONS = {q["id"]: q for q in load(BANK)["questions"]}
RNG = np.random.default_rng(11)
DIM, L = 4, 3
WS = [RNG.normal(scale=0.6, size=(DIM, DIM)) for _ in range(L)]
BS = [RNG.normal(scale=0.3, size=DIM) for _ in range(L)]


def steps_of(kind: str) -> list[dict]:
    return [s[kind] for s in LESSON_DATA["steps"] if kind in s]


def prose(heading: str) -> list[str]:
    found = [p for p in steps_of("prose") if p["en"].startswith(f"## {heading}")]
    assert len(found) == 1, heading
    return both(found[0])


def close_to(x: float, written: str) -> bool:
    digits = len(written.split(".")[1]) if "." in written else 0
    return abs(x - float(written)) <= 0.5 * 10 ** -digits + 1e-12


def f(l, x):
    return np.tanh(WS[l] @ x + BS[l])


def J(l, x):
    """The analytic Jacobian of block l's f at x: diag(1 − tanh²) W."""
    return np.diag(1 - f(l, x) ** 2) @ WS[l]


def numeric_jacobian(g, x, h=1e-6):
    cols = [(g(x + h * e) - g(x - h * e)) / (2 * h) for e in np.eye(len(x))]
    return np.stack(cols, axis=1)


def stack(x, skip=True, upto=L):
    for l in range(upto):
        x = x + f(l, x) if skip else f(l, x)
    return x


def points(x0):
    xs = [x0]
    for l in range(L):
        xs.append(xs[-1] + f(l, xs[-1]))
    return xs


X0 = RNG.normal(size=DIM)


# -- the scalar table ------------------------------------------------------------------------------

def test_scalar_table_and_expansions():
    for text in prose("Intuition: multiply by 0.1 ten times"):
        rows = table_rows(text, 3)[1:]
        for layers, plain, skip in rows:
            n = int(layers)
            assert float(plain) == pytest.approx(0.1 ** n)
            assert close_to(1.1 ** n, skip) or float(skip) == pytest.approx(1.1 ** n)
        states([text], "(1 + 0.1)(1 + 0.1) = 1 + 0.1 + 0.1 + 0.01 = 1.21", "0.9^{10} \\approx 0.349", "10^{-10}")
    assert close_to(0.9 ** 10, "0.349") and close_to(1.1 ** 10, "2.594")


def test_skip_jacobian_derivation_line_by_line():
    d = derivation(LESSON_DATA, "deriv-07-skip-jacobian")
    xs = points(X0)
    Js = [J(l, xs[l]) for l in range(L)]
    I = np.eye(DIM)

    def block_output():
        y = stack(X0, upto=1)
        np.testing.assert_allclose(y, X0 + f(0, X0))

    def block_jacobian():
        np.testing.assert_allclose(numeric_jacobian(lambda x: x + f(0, x), X0), I + J(0, X0), atol=1e-7)

    def chain():
        prod = I
        for Jl in Js:
            prod = (I + Jl) @ prod            # the last block on the left
        np.testing.assert_allclose(numeric_jacobian(stack, X0), prod, atol=1e-7)

    def two_blocks():
        np.testing.assert_allclose((I + Js[1]) @ (I + Js[0]), I + Js[0] + Js[1] + Js[1] @ Js[0])

    def expansion():
        # the sum over every subset of blocks, each product in block order (later on the left)
        total = np.zeros((DIM, DIM))
        terms = 0
        for chosen in itertools.product((False, True), repeat=L):
            term = I
            for l in range(L):
                if chosen[l]:
                    term = Js[l] @ term
            total += term
            terms += 1
        prod = (I + Js[2]) @ (I + Js[1]) @ (I + Js[0])
        np.testing.assert_allclose(total, prod)
        assert terms == 2 ** L

    def gradient_highway():
        w = RNG.normal(size=DIM)                      # L = w · x_L: its gradient at the top is w
        grad = numeric_jacobian(lambda x: np.array([w @ stack(x)]), X0)[0]
        prod = (I + Js[2]) @ (I + Js[1]) @ (I + Js[0])
        np.testing.assert_allclose(grad, w + w @ (prod - I), atol=1e-7)

    def plain_product():
        ps = [X0]
        for l in range(L):
            ps.append(f(l, ps[-1]))
        prod = I
        for l in range(L):
            prod = J(l, ps[l]) @ prod
        np.testing.assert_allclose(numeric_jacobian(lambda x: stack(x, skip=False), X0), prod, atol=1e-7)

    checks = {
        "\\mathbf{y} = \\mathbf{x} + f(\\mathbf{x})": block_output,
        "\\frac{\\partial \\mathbf{y}}{\\partial \\mathbf{x}} = I + J_f": block_jacobian,
        "\\frac{\\partial \\mathbf{x}_L}{\\partial \\mathbf{x}_0} = (I + J_L)(I + J_{L-1}) \\cdots (I + J_1)": chain,
        "(I + J_2)(I + J_1) = I + J_1 + J_2 + J_2 J_1": two_blocks,
        "\\prod_{l} (I + J_l) = I + \\sum_l J_l + \\sum_{l > k} J_l J_k + \\dots + J_L \\cdots J_1": expansion,
        "\\frac{\\partial L}{\\partial \\mathbf{x}_0} = \\frac{\\partial L}{\\partial \\mathbf{x}_L} + \\frac{\\partial L}{\\partial \\mathbf{x}_L} \\left(\\sum_l J_l + \\dots + J_L \\cdots J_1\\right)": gradient_highway,
        "\\frac{\\partial \\mathbf{x}_L}{\\partial \\mathbf{x}_0} = J_L J_{L-1} \\cdots J_1": plain_product,
    }
    run_checks(d, checks)


# -- the loss landscape ------------------------------------------------------------------------------

def test_second_difference_examples_and_the_roughness_function():
    sd = lambda a, b, c: c - 2 * b + a                                    # noqa: E731
    assert (sd(0, 1, 2), sd(1, 0, 1), sd(0, 1, 0)) == (0, 2, -2)
    for text in prose("Drawing the loss landscape"):
        states([text], "2 - 2 + 0 = 0", "1 - 0 + 1 = 2", "0 - 2 + 0 = -2")
    # roughness is the mean |second difference| of ln(loss) over both axes
    a = np.linspace(-1, 1, 9)
    plane = np.exp(np.add.outer(a, 2 * a))                 # ln L is linear: a plane
    assert roughness(plane) == pytest.approx(0, abs=1e-12)
    bowl = np.exp(np.add.outer(a ** 2, a ** 2))            # ln L = α² + β²: second difference 2h²
    h = a[1] - a[0]
    assert roughness(bowl) == pytest.approx(2 * h * h)
    assert nonconvex_share(np.add.outer(a ** 2, a ** 2)) == 0
    assert nonconvex_share(-np.add.outer(a ** 2, a ** 2)) == 1


def test_directions_are_filter_normalised():
    from tutor import nn
    from tutor.experiments.nets import mlp
    nn.manual_seed(0)
    model = mlp([2, 8, 8, 1], activation="relu", init="he", residual=True)
    d = directions(model, np.random.default_rng(1))
    for key, p in model.params.items():
        if p.ndim == 2:   # each column: the weights into one neuron
            np.testing.assert_allclose(np.linalg.norm(d[key], axis=0), np.linalg.norm(p, axis=0), rtol=1e-5)
        else:
            assert not d[key].any()
    # ReLU's scale invariance, the reason for it: c·layer and layer/c give the same function
    x = np.random.default_rng(2).normal(size=(5, 2)).astype(np.float32)
    before = model.forward(x, train=False)
    lin = [m for _, m in model.leaves() if "W" in m.params]
    plain = mlp([2, 8, 1], activation="relu", init="he")
    out = plain.forward(x, train=False)
    first, last = [m for _, m in plain.leaves() if "W" in m.params]
    first.params["W"][...] *= 3
    first.params["b"][...] *= 3
    last.params["W"][...] /= 3
    np.testing.assert_allclose(plain.forward(x, train=False), out, rtol=1e-5, atol=1e-6)
    assert len(lin) == 3 and before.shape == (5, 1)


def test_the_runs_are_described_with_their_defaults():
    sk = {k: p.default for k, p in REGISTRY["skip_connections"].params.items()}
    assert (sk["layers"], sk["activation"], sk["init"], sk["steps"]) == (20, "tanh", "default", 600)
    states(prose("Checking it on a 20-layer tanh net"), "20", "600", "\\ln 2 \\approx 0.693")
    ls = {k: p.default for k, p in REGISTRY["landscape"].params.items()}
    assert ls["layers"] == 10
    states(prose("What the run showed"), "10")
    assert close_to(math.log(2), "0.693")


def test_written_arithmetic_holds():
    assert check_written_arithmetic(all_formulas(LESSON_DATA)) >= 3
    skip_qs = [QUESTIONS[q] for q in QUESTIONS if "skip" in q or "landscape" in q]
    assert check_written_arithmetic(all_formulas(skip_qs)) >= 2


# -- the bank's skip and landscape questions ------------------------------------------------------------

def test_bank_two_blocks():
    q = QUESTIONS["q07-skip-two-blocks"]
    states(both(q["q"]), "0.2", "-0.5")
    # two scalar blocks with exactly those derivatives: f1(x) = 0.2x, f2(x) = -0.5x
    g = lambda x: (lambda x1: x1 - 0.5 * x1)(x + 0.2 * x)       # noqa: E731
    assert (g(1.0 + 1e-6) - g(1.0 - 1e-6)) / 2e-6 == pytest.approx(0.6) and q["answer"] == 0.6
    assert 0.2 * -0.5 == pytest.approx(-0.1)
    states(both(q["explanation"]), "-0.1", "1.2 \\times 0.5 = 0.6")


def test_bank_terms_and_jacobian_and_second_difference():
    assert QUESTIONS["q07-skip-terms"]["answer"] == 2 ** 5 == 32
    qj = QUESTIONS["q07-skip-jacobian"]
    assert qj["choices"][qj["answer"]]["en"] == "$I + J_f$"
    qs = QUESTIONS["q07-landscape-second-diff"]
    states(both(qs["q"]), "-2.0", "-3.0", "-1.5")
    assert abs(-1.5 - 2 * -3.0 + -2.0) == pytest.approx(2.5) == qs["answer"]
    assert QUESTIONS["q07-landscape-filter-norm"]["answer"] == 0


def test_bank_shape():
    qs = {k: v for k, v in QUESTIONS.items() if "skip" in k or "landscape" in k}
    check_bank_shape(qs, "q07-", 7, total=5, why=2)
    assert sum(bool(q["type"] == "why" and q.get("follow_up")) for q in qs.values()) >= 2


def test_lesson_refs_into_the_bank():
    refs = [s["quiz"]["ref"] for s in LESSON_DATA["steps"] if "quiz" in s]
    assert len(refs) >= 3 and all(r in QUESTIONS for r in refs)
