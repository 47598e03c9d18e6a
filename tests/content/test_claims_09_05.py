"""Recompute every number and identity of lesson 09-05 (self-attention and the transformer: the
worked attention example with and without 1/√d_k, Var(q·k) = d_k by a seeded simulation, the
softmax Jacobian by finite differences and its limit at one-hot, permutation equivariance of
``tutor.nn.MultiHeadAttention``, the sinusoidal table against ``tutor.nn``, the cost table, the
multi-head parameter count) and of its bank questions (quizzes/ch09-transformer-research.yaml,
q09-tf-*). The runs' figures are pinned in the lesson's ``figures:`` (tests/content/test_pinned_figures.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from claims_kit import (all_formulas, both, check_bank_shape, check_written_arithmetic, derivation,  # noqa: E402
                        load, run_checks, states, table_rows)
from tutor import nn

LESSON = load("lessons/09-transformers/05-transformer.yaml")
ALL = {q["id"]: q for q in load("quizzes/ch09-transformer-research.yaml")["questions"]}
BANK = {k: v for k, v in ALL.items() if k.startswith("q09-tf-")}
RNG_SEED = 0


def prose(marker_en: str) -> dict:
    found = [s["prose"] for s in LESSON["steps"] if "prose" in s and marker_en in s["prose"]["en"]]
    assert len(found) == 1, marker_en
    return found[0]


def softmax(e):
    e = np.asarray(e, dtype=float)
    w = np.exp(e - e.max(axis=-1, keepdims=True))
    return w / w.sum(axis=-1, keepdims=True)


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


# --------------------------------------------------------------------------- the worked example

def test_worked_attention_example():
    text = prose("## Self-attention: every position looks at every position")
    q = np.array([1.0, 1.0])
    K = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, -1.0]])
    v = np.array([1.0, 2.0, 3.0])
    scores = K @ q
    scaled = scores / math.sqrt(2)
    ex = np.exp(scaled)
    alpha = ex / ex.sum()
    for lang in ("ko", "en"):
        rows = [r for r in table_rows(text[lang], 5) if r[0].startswith("$j")]
        assert len(rows) == 3
        for r, s, sc, e, a in zip(rows, scores, scaled, ex, alpha):
            assert float(r[1]) == s
            assert float(r[2]) == pytest.approx(sc, abs=5e-4)
            assert float(r[3]) == pytest.approx(e, abs=5e-4)
            assert float(r[4]) == pytest.approx(a, abs=5e-4)
    states(both(text), f"{ex.sum():.3f}", f"{alpha @ v:.3f}")
    assert f"{ex.sum():.3f}" == "5.356" and f"{alpha @ v:.3f}" == "1.277"
    # unscaled: more lopsided
    unscaled = softmax(scores)
    states(both(text), "(" + ", ".join(f"{a:.3f}" for a in unscaled) + ")")
    assert unscaled.max() > alpha.max()
    # the same numbers from the engine's attention (one query, three keys; the values as a 1-D vector)
    att = nn.ScaledDotProductAttention()
    out = att.forward((q.reshape(1, 1, 2), K.reshape(1, 3, 2), v.reshape(1, 3, 1)))
    np.testing.assert_allclose(att.weights[0, 0], alpha, rtol=1e-12)
    assert out[0, 0, 0] == pytest.approx(alpha @ v)


# --------------------------------------------------------------------------- Var(q·k) = d_k

def test_dot_variance_derivation_by_simulation():
    rng = np.random.default_rng(RNG_SEED)
    d, n = 64, 200_000
    q = rng.standard_normal((n, d))
    k = rng.standard_normal((n, d))
    prods = q * k
    dots = prods.sum(axis=1)

    def definition():
        np.testing.assert_allclose(dots[:5], [q[i] @ k[i] for i in range(5)])

    def mean_zero():
        assert abs(prods.mean()) < 0.01
        assert abs(q[:, 0].mean() * k[:, 0].mean()) < 1e-4

    def product_variance():
        assert prods.var() == pytest.approx(1.0, rel=0.01)
        assert (q[:, 0] ** 2).mean() * (k[:, 0] ** 2).mean() == pytest.approx(1.0, rel=0.02)

    def sum_variance():
        assert dots.var() == pytest.approx(d, rel=0.02)
        # the products for different i are uncorrelated
        c = np.corrcoef(prods[:, :4].T)
        assert np.abs(c - np.eye(4)).max() < 0.01

    def standard_deviation():
        assert dots.std() == pytest.approx(math.sqrt(d), rel=0.01)
        assert f"{math.sqrt(512):.1f}" == "22.6"
        # and at d_k = 512 too
        q2, k2 = rng.standard_normal((20_000, 512)), rng.standard_normal((20_000, 512))
        assert (q2 * k2).sum(axis=1).std() == pytest.approx(math.sqrt(512), rel=0.02)

    def scaled_variance():
        assert (dots / math.sqrt(d)).var() == pytest.approx(1.0, rel=0.02)
        assert (dots / d).var() == pytest.approx(1 / d, rel=0.02)   # dividing by d_k would shrink it

    run_checks(derivation(LESSON, "deriv-09-dot-variance"), {
        '\\mathbf{q} \\cdot \\mathbf{k} = \\sum_{i=1}^{d_k} q_i k_i': definition,
        '\\mathbb{E}[q_i k_i] = \\mathbb{E}[q_i] \\, \\mathbb{E}[k_i] = 0': mean_zero,
        '\\operatorname{Var}(q_i k_i) = \\mathbb{E}[q_i^2] \\, \\mathbb{E}[k_i^2] = 1 \\cdot 1 = 1': product_variance,
        '\\operatorname{Var}(\\mathbf{q} \\cdot \\mathbf{k}) = \\sum_{i=1}^{d_k} \\operatorname{Var}(q_i k_i) = d_k': sum_variance,
        '\\operatorname{sd}(\\mathbf{q} \\cdot \\mathbf{k}) = \\sqrt{d_k}': standard_deviation,
        '\\operatorname{Var}\\left(\\frac{\\mathbf{q} \\cdot \\mathbf{k}}{\\sqrt{d_k}}\\right) = \\frac{d_k}{d_k} = 1': scaled_variance,
    })


# --------------------------------------------------------------------------- the softmax Jacobian

def numerical_jacobian(e, h=1e-6):
    J = np.zeros((len(e), len(e)))
    for j in range(len(e)):
        d = np.zeros(len(e))
        d[j] = h
        J[:, j] = (softmax(e + d) - softmax(e - d)) / (2 * h)
    return J


def test_softmax_jacobian_derivation_by_finite_differences():
    e = np.array([0.3, -1.2, 2.0, 0.5])
    a = softmax(e)
    J = numerical_jacobian(e)

    def diagonal():
        S = np.exp(e).sum()
        for i in range(4):
            assert (np.exp(e[i]) * S - np.exp(e[i]) ** 2) / S ** 2 == pytest.approx(a[i] * (1 - a[i]))
            assert J[i, i] == pytest.approx(a[i] * (1 - a[i]), abs=1e-8)

    def off_diagonal():
        for i in range(4):
            for j in range(4):
                if i != j:
                    assert J[i, j] == pytest.approx(-a[i] * a[j], abs=1e-8)

    def matrix():
        np.testing.assert_allclose(J, np.diag(a) - np.outer(a, a), atol=1e-8)

    def one_hot_limit():
        norms = []
        for scale in (1, 5, 20, 50):
            a2 = softmax(scale * e)
            norms.append(np.abs(np.diag(a2) - np.outer(a2, a2)).max())
        assert all(b < a_ for a_, b in zip(norms, norms[1:])) and norms[-1] < 1e-20
        onehot = np.array([1.0, 0, 0, 0])
        assert not np.any(np.diag(onehot) - np.outer(onehot, onehot))

    def two_key_numbers():
        # α₂ = σ(x) for scores (0, x)
        assert softmax([0.0, 1.0])[1] == pytest.approx(sigmoid(1.0))
        assert f"{sigmoid(1) * (1 - sigmoid(1)):.3f}" == "0.197"
        x = 22.6
        g = sigmoid(x) * (1 - sigmoid(x))
        assert f"{g:.1e}" == "1.5e-10" and g < 1e-9
        assert numerical_jacobian(np.array([0.0, 1.0]))[1, 1] == pytest.approx(0.19661193, abs=1e-7)

    run_checks(derivation(LESSON, "deriv-09-softmax-jacobian"), {
        '\\frac{\\partial \\alpha_i}{\\partial e_i} = \\frac{e^{e_i} S - e^{e_i} e^{e_i}}{S^2} = \\alpha_i (1 - \\alpha_i)': diagonal,
        '\\frac{\\partial \\alpha_i}{\\partial e_j} = \\frac{0 - e^{e_i} e^{e_j}}{S^2} = -\\alpha_i \\alpha_j \\quad (j \\ne i)': off_diagonal,
        '\\frac{\\partial \\boldsymbol{\\alpha}}{\\partial \\mathbf{e}} = \\operatorname{diag}(\\boldsymbol{\\alpha}) - \\boldsymbol{\\alpha} \\boldsymbol{\\alpha}^\\top': matrix,
        '\\boldsymbol{\\alpha} \\to (1, 0, \\dots, 0) \\Rightarrow \\operatorname{diag}(\\boldsymbol{\\alpha}) - \\boldsymbol{\\alpha} \\boldsymbol{\\alpha}^\\top \\to 0': one_hot_limit,
        '\\sigma(1)(1 - \\sigma(1)) \\approx 0.197, \\quad \\sigma(22.6)(1 - \\sigma(22.6)) \\approx 1.5 \\times 10^{-10}': two_key_numbers,
    })


def test_run_ask_uniform_weight():
    ask = next(s["run"]["ask"] for s in LESSON["steps"] if "run" in s and s["run"]["experiment"] == "attention_scaling")
    states(both(ask), "1/16 = 0.0625")
    assert 1 / 16 == 0.0625
    from tutor.experiments import REGISTRY
    assert REGISTRY["attention_scaling"].params["keys"].default == 16


# --------------------------------------------------------------------------- order blindness, positions

def test_attention_is_permutation_equivariant_and_positions_break_it():
    nn.manual_seed(0)
    mha = nn.MultiHeadAttention(8, 2).to(np.float64)
    x = np.random.default_rng(1).standard_normal((2, 5, 8))
    perm = [3, 0, 4, 1, 2]
    permuted = mha(x[:, perm]).copy()
    np.testing.assert_allclose(permuted, mha(x)[:, perm], rtol=1e-10, atol=1e-12)
    # a whole block too (the feed-forward part is position-wise)
    block = nn.TransformerBlock(8, 2, 16).to(np.float64)
    permuted = block(x[:, perm]).copy()   # a copy: the block reuses its output buffers
    np.testing.assert_allclose(permuted, block(x)[:, perm], rtol=1e-9, atol=1e-12)
    # with the positional encoding added first, no longer
    net = nn.Sequential(nn.PositionalEncoding(8), nn.MultiHeadAttention(8, 2)).to(np.float64)
    assert not np.allclose(net(x[:, perm]).copy(), net(x)[:, perm])


def test_positional_encoding_values():
    text = prose("## Attention does not know order: positional encodings")
    pe = nn.sinusoidal_positional_encoding(3, 4)
    assert 10000 ** (-2 / 4) == pytest.approx(1 / 100)
    for t in (1, 2):
        written = "(" + ", ".join(f"{v:.3f}" for v in pe[t]) + ")"
        states(both(text), written)
    assert f"{pe[1, 0]:.3f}" == "0.841" and f"{math.sin(1):.3f}" == "0.841"
    np.testing.assert_allclose(pe[1], [math.sin(1), math.cos(1), math.sin(0.01), math.cos(0.01)])


# --------------------------------------------------------------------------- parallelism and cost

def test_cost_table():
    text = prose("## Why it runs in parallel")
    for lang in ("ko", "en"):
        rows = [r for r in table_rows(text[lang], 5) if r[0].isdigit()]
        assert len(rows) == 3
        for T, d, att, rnn, steps in rows:
            T, d = int(T), int(d)
            assert int(att.replace(",", "")) == T * T * d
            assert int(rnn.replace(",", "")) == T * d * d
            assert steps == f"1 : {T}"
    assert 512 ** 3 == 134_217_728 == 512 * 512 ** 2
    states(both(text), "134{,}217{,}728")
    assert 4096 ** 2 * 512 / (4096 * 512 ** 2) == 8   # "8 times at T = 4096"
    states([text["ko"]], "8배")
    states([text["en"]], "8 times")


def test_multi_head_numbers():
    text = prose("## Why several heads")
    E, h = 512, 8
    assert E // h == 64 and math.sqrt(64) == 8
    mha = nn.MultiHeadAttention(E, h)
    one = nn.MultiHeadAttention(E, 1)
    assert mha.num_params() == one.num_params() == 4 * E * E + 4 * E == 1_050_624
    states(both(text), "1{,}050{,}624", "d_k = 64", "\\sqrt{64} = 8")


# --------------------------------------------------------------------------- the bank

def test_bank_answers():
    # q09-tf-var-dot: sd of a sum of 64 unit-variance products
    assert BANK["q09-tf-var-dot"]["answer"] == math.sqrt(64) == 8
    rng = np.random.default_rng(2)
    assert (rng.standard_normal((50_000, 64)) * rng.standard_normal((50_000, 64))).sum(1).std() == \
        pytest.approx(8, rel=0.02)
    # q09-tf-softmax-grad: α₁(1 − α₁) at α = (0.9, 0.1), by finite differences on scores giving it
    e = np.array([math.log(9), 0.0])
    assert softmax(e) == pytest.approx([0.9, 0.1])
    assert numerical_jacobian(e)[0, 0] == pytest.approx(BANK["q09-tf-softmax-grad"]["answer"], abs=1e-6)
    assert 0.999 * 0.001 == pytest.approx(0.001, abs=1e-5)
    # q09-tf-pe-value: PE[3, 0] = sin 3
    pe = nn.sinusoidal_positional_encoding(4, 8)
    assert round(float(pe[3, 0]), 3) == BANK["q09-tf-pe-value"]["answer"] == 0.141
    # q09-tf-cost: T²d / (T d²) = T/d
    T, d = 1024, 512
    assert T * T * d / (T * d * d) == BANK["q09-tf-cost"]["answer"] == 2
    # q09-tf-why-heads: d_k, the parameter count, the same for 1 and 8 heads
    q = BANK["q09-tf-why-heads"]
    assert q["answers"] == [0, 1, 2]
    assert nn.MultiHeadAttention(512, 8).num_params() == nn.MultiHeadAttention(512, 1).num_params() == 1_050_624
    states(both(q["explanation"]), "1{,}050{,}624")


def test_written_arithmetic_and_bank_shape():
    assert check_written_arithmetic(all_formulas(LESSON)) >= 5
    assert check_written_arithmetic(all_formulas(list(BANK.values()))) >= 3
    check_bank_shape(BANK, "q09-tf-", 9, total=5, why=2)
    refs = [s["quiz"]["ref"] for s in LESSON["steps"] if "quiz" in s]
    assert sum(r.startswith("q09-tf-") for r in refs) >= 3
