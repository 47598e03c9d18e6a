"""Recompute every number and identity in lesson 06-02 (fully connected layers on images: parameter
counts; depth vs width on the tent-map sawtooth: 2^k pieces from k layers of 2 ReLUs, at most N + 1
from one layer of N) and in its bank questions (quizzes/ch06-universal-approximation.yaml, q06-fc-*,
q06-why-fc-images, q06-why-depth-pieces). The run's figures are pinned in the lesson's ``figures:``
(tests/content/test_pinned_figures.py)."""

from __future__ import annotations

import numpy as np

from claims_kit import (all_formulas, both, check_bank_shape, check_written_arithmetic, derivation, load,  # noqa: E402
                        run_checks, states, table_rows)
from tutor.experiments.depth_width import built_deep, params_deep, params_wide, sawtooth, tent
from tutor.experiments.nets import mlp

LESSON = load("lessons/06-universal-approximation/02-fc-inefficient.yaml")
BANK = {q["id"]: q for q in load("quizzes/ch06-universal-approximation.yaml")["questions"]}
OWN = {k: q for k, q in BANK.items()
       if k.startswith("q06-fc-") or k in ("q06-why-fc-images", "q06-why-depth-pieces")}


def relu(z):
    return np.maximum(0.0, z)


def T_relu(u):
    return 2 * relu(u) - 4 * relu(u - 0.5)


def pieces(f, lo=0.0, hi=1.0, n=2 ** 14 + 1) -> int:
    """Straight pieces of a piecewise-linear f on [lo, hi], on a grid that puts the kinks of the
    sawtooths on grid points (n − 1 a power of two): slope changes, counted once each."""
    x = np.linspace(lo, hi, n)
    slope = np.round(np.diff(f(x)) / np.diff(x), 6)
    return int(np.sum(slope[1:] != slope[:-1])) + 1


def kinks_pieces_shallow(W, b, v, lo=-1.0, hi=1.0) -> int:
    """Pieces of c + Σ v_i ReLU(w_i x + b_i) on [lo, hi], exactly: the distinct bends inside."""
    bends = sorted({round(float(-bi / wi), 12) for wi, bi, vi in zip(W, b, v)
                    if wi != 0 and vi != 0 and lo < -bi / wi < hi})
    return len(bends) + 1


def prose(marker_en: str) -> dict:
    found = [s["prose"] for s in LESSON["steps"] if "prose" in s and marker_en in s["prose"]["en"]]
    assert len(found) == 1, marker_en
    return found[0]


# --------------------------------------------------------------------------- parameter counts

def test_parameter_table():
    text = prose("## Intuition: counting a fully connected layer")
    for lang in ("ko", "en"):
        rows = [r for r in table_rows(text[lang], 4) if r[1].isdigit()]
        assert len(rows) == 2
        for (h, w), row in zip(((64, 64), (224, 224)), rows):
            n_in = h * w * 3
            count = (n_in + 1) * 1000
            assert row[1] == str(n_in) and row[2] == f"{count:,}"
            mb = round(count * 4 / 1e6)
            assert f"{mb} MB" in row[3]
    assert 64 * 64 * 3 == 12288 and 224 * 224 * 3 == 150528
    assert (12288 + 1) * 1000 == 12289000 and round(12289000 * 4 / 1e6) == 49
    assert (150528 + 1) * 1000 == 150529000 and round(150529000 * 4 / 1e6) == 602
    # (n_in + 1)·n_out is what a tutor.nn Linear layer holds
    assert mlp([12288, 1000], "relu").flat_params.size == 12289000


# --------------------------------------------------------------------------- the tent map

def test_tent_table_and_two_relus():
    text = prose("## Fold it, double it: the tent map")
    for lang in ("ko", "en"):
        rows = {r[0]: r[1:] for r in table_rows(text[lang], 6)}
        us = [float(v) for v in rows["u"]]
        assert us == [0, 0.25, 0.5, 0.75, 1]
        assert [float(v) for v in rows["T(u)"]] == [float(tent(u)) for u in us]
        assert [float(v) for v in rows["T(T(u))"]] == [float(tent(tent(u))) for u in us]
    assert float(T_relu(0.75)) == 2 * 0.75 - 4 * 0.25 == 0.5
    u = np.linspace(0, 1, 1001)
    assert np.allclose(T_relu(u), tent(u))
    assert [pieces(lambda x, k=k: sawtooth(x, k)) for k in (1, 2)] == [2, 4]
    states(both(text), "2^k")


def test_derivation_depth_multiplies():
    deriv = derivation(LESSON, "deriv-06-fc-sawtooth")
    u = np.linspace(0, 1, 2 ** 12 + 1)

    def tent_formula():
        left, right = u <= 0.5, u >= 0.5
        assert np.allclose(T_relu(u)[left], 2 * u[left])
        assert np.allclose(T_relu(u)[right], 2 * u[right] - 4 * (u[right] - 0.5))
        assert np.allclose(2 * u[right] - 4 * (u[right] - 0.5), 2 - 2 * u[right])
        assert 2 - 4 == -2

    def halves_onto():
        for half in (u[u <= 0.5], u[u >= 0.5]):
            img = T_relu(half)
            assert np.isclose(img.min(), 0) and np.isclose(img.max(), 1)
            assert np.all(np.diff(img) > 0) or np.all(np.diff(img) < 0)   # swept once, monotone

    def doubling():
        for k in range(1, 7):
            assert pieces(lambda x, k=k: sawtooth(x, k)) == 2 * pieces(lambda x, k=k: sawtooth(x, k - 1)) \
                if k > 1 else pieces(lambda x: sawtooth(x, 1)) == 2
            # T^k = T^(k−1) ∘ T
            assert np.allclose(sawtooth(u, k), sawtooth(tent(u), k - 1))

    def power():
        assert [pieces(lambda x, k=k: sawtooth(x, k)) for k in range(1, 8)] == [2 ** k for k in range(1, 8)]
        # the network of k layers of 2 ReLUs computes it (the experiment's built net, input x = 2u − 1)
        for k in (1, 3, 4):
            net = built_deep(k)
            X = (2 * u - 1).reshape(-1, 1).astype(np.float32)
            assert np.abs(net.forward(X, train=False)[:, 0] - sawtooth(u, k)).max() < 1e-5

    def deep_params():
        for k in range(1, 9):
            assert 4 + 6 * (k - 1) + 3 == 6 * k + 1 == params_deep(k)
            assert mlp([1] + [2] * k + [1], "relu").flat_params.size == 6 * k + 1
        assert params_deep(4) == 25

    def shallow_form():
        rng = np.random.default_rng(0)
        W, b, v, c = rng.standard_normal(5), rng.standard_normal(5), rng.standard_normal(5), 0.3
        x = np.linspace(-1, 1, 2001)
        g = c + relu(np.outer(x, W) + b) @ v
        # straight between the bends −b_i/w_i: second differences vanish away from them
        bends = -b / W
        far = np.min(np.abs(x[1:-1, None] - bends[None, :]), axis=1) > 2e-3
        assert np.allclose(np.diff(g, 2)[far], 0, atol=1e-12)

    def at_most_n_plus_1():
        rng = np.random.default_rng(1)
        for N in (1, 3, 8, 20):
            for _ in range(20):
                W, b, v = rng.standard_normal(N), rng.standard_normal(N), rng.standard_normal(N)
                assert kinks_pieces_shallow(W, b, v) <= N + 1
                x = np.linspace(-1, 1, 2 ** 13 + 1)
                assert pieces(lambda t: relu(np.outer(t, W) + b) @ v, -1, 1, x.size) <= 2 * N + 1   # grid: ≤ 2 per bend

    def needs_exponential():
        for k in range(1, 12):
            N = 2 ** k - 1
            assert N + 1 >= 2 ** k and (N - 1) + 1 < 2 ** k
        assert (2 * 10, 2 ** 10 - 1) == (20, 1023)
        # and 2^k − 1 units do suffice: interpolate the sawtooth's 2^k + 1 corners with one layer
        k = 4
        corners = np.linspace(0, 1, 2 ** k + 1)
        vals = sawtooth(corners, k)
        slopes = np.diff(vals) / np.diff(corners)
        inner = corners[1:-1]
        g = lambda x: vals[0] + slopes[0] * x + relu(x[:, None] - inner[None, :]) @ np.diff(slopes)
        assert inner.size == 2 ** k - 1 and np.allclose(g(u), sawtooth(u, k))   # the ramp slopes[0]·x is ReLU(x) on [0, 1]

    run_checks(deriv, {
        "T(u) = 2u \\; (u \\le 1/2), \\quad T(u) = 2u - 4(u - 1/2) = 2 - 2u \\; (u \\ge 1/2)": tent_formula,
        "T([0, 1/2]) = [0, 1], \\; T([1/2, 1]) = [0, 1]": halves_onto,
        "\\text{pieces}(T^{k}) = 2 \\cdot \\text{pieces}(T^{k-1})": doubling,
        "\\text{pieces}(T^k) = 2^k": power,
        "4 + 6(k - 1) + 3 = 6k + 1": deep_params,
        "g(x) = c + \\sum_{i=1}^{N} v_i \\, \\text{ReLU}(w_i x + b_i)": shallow_form,
        "\\text{pieces}(g) \\le N + 1": at_most_n_plus_1,
        "N + 1 \\ge 2^k \\Rightarrow N \\ge 2^k - 1": needs_exponential,
    })


# --------------------------------------------------------------------------- the run

def test_run_text():
    from tutor.experiments import REGISTRY
    p = REGISTRY["depth_width"].params
    assert p["compositions"].default == 4 and p["lr"].default == 0.01 and p["steps"].default == 3000
    run = next(s["run"] for s in LESSON["steps"] if "run" in s)
    assert run["experiment"] == "depth_width" and run["set"] == {}
    states(both(run["ask"]), "25")
    text = prose("## What the run showed, and what it does not show")
    states(both(text), "k = 4", "8", "25", "9", "16", "0.082", "0.084", "1/12 \\approx 0.083")
    k = 4
    assert params_deep(k) == params_wide(2 * k) == 25 and 2 * k == 8 and 2 * k + 1 == 9 and 2 ** k == 16
    # the flat line at 1/2: the sawtooth is uniform on [0, 1] when u is, so its error is 1/12
    u = np.linspace(0, 1, 2 ** 16 + 1)
    assert abs(np.mean((sawtooth(u, k) - 0.5) ** 2) - 1 / 12) < 1e-4 and round(1 / 12, 3) == 0.083


# --------------------------------------------------------------------------- the bank

def test_bank_answers():
    assert BANK["q06-fc-params-image"]["answer"] == (64 * 64 * 3 + 1) * 1000 == 12289000
    states(both(BANK["q06-fc-params-image"]["explanation"]), "12288", "12288000", "12289000", "49 MB")
    q = BANK["q06-fc-params-mlp"]
    assert q["answer"] == 785 * 256 + 257 * 10 == 203530 == mlp([784, 256, 10], "relu").flat_params.size
    assert 785 * 256 == 200960 and 257 * 10 == 2570 and 0.985 < 200960 / 203530 < 0.99
    assert BANK["q06-fc-tent-pieces"]["answer"] == pieces(lambda x: sawtooth(x, 5)) == 32
    assert BANK["q06-fc-shallow-units"]["answer"] == 2 ** 6 - 1 == 63 and pieces(lambda x: sawtooth(x, 6)) == 64
    q = BANK["q06-fc-deep-params"]
    assert q["answer"] == params_deep(5) == 4 + 4 * 6 + 3 == 31
    assert (31 - 1) // 3 == 10 and params_wide(10) == 31
    states(both(BANK["q06-why-fc-images"]["a"]), "64×64×3", "1000")
    assert round((64 * 64 * 3 + 1) * 1000 / 1e6) == 12          # "about 12 million"


def test_bank_shape_and_arithmetic():
    check_bank_shape(OWN, "q06-", 6, 5, 2)
    refs = [s["quiz"]["ref"] for s in LESSON["steps"] if "quiz" in s]
    assert len(refs) >= 3 and all(r in OWN for r in refs)
    check_written_arithmetic(all_formulas(list(OWN.values())))
    check_written_arithmetic(all_formulas(LESSON))
