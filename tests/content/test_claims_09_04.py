"""Recompute every number of lesson 09-04 (attention as a soft lookup, the hand example with three
keys, the weights' derivation, the cost) and of its bank questions (q09-att-*, q09-why-att-*),
checking the engine's ScaledDotProductAttention and the ``seq2seq`` experiment against the text.
The run's figures are pinned in the lesson's ``figures:``."""

from __future__ import annotations

import math

import numpy as np

from claims_kit import both, derivation, load, run_checks, states, table_rows  # noqa: E402
from tutor import nn
from tutor.experiments.seq2seq import Seq2Seq, anti_diagonal

LESSON = load("lessons/09-transformers/04-attention.yaml")
BANK = {q["id"]: q for q in load("quizzes/ch09-seq2seq-attention.yaml")["questions"]
        if q["id"].startswith(("q09-att-", "q09-why-att-"))}
K = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
V = np.array([10.0, 20.0, 30.0])


def prose(marker_en: str) -> dict:
    found = [s["prose"] for s in LESSON["steps"] if "prose" in s and marker_en in s["prose"]["en"]]
    assert len(found) == 1, marker_en
    return found[0]


def softmax(e):
    e = np.asarray(e, float)
    x = np.exp(e - e.max())
    return x / x.sum()


def test_hand_table():
    text = prose("## Attention by hand: three keys")
    for lang in ("ko", "en"):
        rows = table_rows(text[lang], 5)[1:]
        assert len(rows) == 2
        for row, q in zip(rows, ([1.0, 0.0], [3.0, 0.0])):
            e = K @ np.array(q)
            a = softmax(e)
            assert row[0] == f"({q[0]:.0f}, {q[1]:.0f})"
            assert row[1] == ", ".join(f"{v:.0f}" for v in e)
            assert row[2] == f"{np.exp(e).sum():.3f}"
            assert row[3] == ", ".join(f"{v:.3f}" for v in a)
            assert row[4] == f"{a @ V:.2f}"
    states(both(text), "2.718 / 4.718 = 0.576", "0.576 \\cdot 10 + 0.212 \\cdot 20 + 0.212 \\cdot 30 = 16.36")
    assert f"{math.e:.3f}" == "2.718" and f"{math.e + 2:.3f}" == "4.718"


def test_the_engine_computes_the_same_weights():
    # the run divides by √d: feeding √d·q undoes it, and the weights are the table's
    att = nn.ScaledDotProductAttention()
    for q in ([1.0, 0.0], [3.0, 0.0]):
        qq = np.array(q)[None, None, :] * math.sqrt(2)
        out = att.forward((qq, K[None], V[None, :, None]))
        assert np.allclose(att.weights[0, 0], softmax(K @ np.array(q)))
        assert np.isclose(out[0, 0, 0], softmax(K @ np.array(q)) @ V)


def test_weights_derivation():
    d = derivation(LESSON, "deriv-09-attention-weights")
    rng = np.random.default_rng(0)
    scores = [rng.normal(0, 3, 5) for _ in range(20)] + [np.array([-5.0, -7.0, -1.0])]

    def positive():
        for e in scores:
            assert np.all(np.exp(e) > 0) and np.all(softmax(e) > 0)

    def sums_to_one():
        for e in scores:
            assert np.isclose(np.exp(e).sum() / np.exp(e).sum(), 1) and np.isclose(softmax(e).sum(), 1)

    def shift():
        for e in scores:
            direct = np.exp(e) / np.exp(e).sum()
            for m in (e.max(), 3.0, -10.0):
                assert np.allclose(np.exp(e - m) / np.exp(e - m).sum(), direct)

    def convex():
        for e in scores:
            v = rng.normal(size=e.shape)
            c = softmax(e) @ v
            assert v.min() <= c <= v.max()
        for q in ([1.0, 0.0], [3.0, 0.0]):
            c = softmax(K @ np.array(q)) @ V
            assert 10 <= c <= 30

    def limit():
        e0 = np.array([0.0, 0.5, -1.0])
        gaps = []
        for big in (5.0, 10.0, 20.0, 40.0):
            e = e0.copy()
            e[2] = big
            gaps.append(abs(softmax(e) @ V - V[2]))
        assert all(b < a for a, b in zip(gaps, gaps[1:])) and gaps[-1] < 1e-12

    def jacobian():
        # c = Σ α_s v_s with vector values: ∂c/∂v_s = α_s I, by central differences
        e = np.array([0.3, -1.0, 2.0])
        a = softmax(e)
        vals = rng.normal(size=(3, 4))
        for s in range(3):
            J = np.zeros((4, 4))
            for j in range(4):
                plus, minus = vals.copy(), vals.copy()
                plus[s, j] += 1e-6
                minus[s, j] -= 1e-6
                J[:, j] = (a @ plus - a @ minus) / 2e-6
            assert np.allclose(J, a[s] * np.eye(4), atol=1e-8)

    run_checks(d, {
        "\\exp(e_{t,s}) > 0": positive,
        "\\sum_s \\alpha_{t,s} = \\frac{\\sum_s \\exp(e_{t,s})}{\\sum_{s'} \\exp(e_{t,s'})} = 1": sums_to_one,
        "\\alpha_{t,s} = \\frac{\\exp(e_{t,s} - m)}{\\sum_{s'} \\exp(e_{t,s'} - m)}": shift,
        "\\min_s v_s \\le c_t \\le \\max_s v_s": convex,
        "e_{t,r} - e_{t,s} \\to \\infty \\ (s \\ne r) \\Rightarrow \\mathbf{c}_t \\to \\mathbf{v}_{r}": limit,
        "\\frac{\\partial \\mathbf{c}_t}{\\partial \\mathbf{v}_s} = \\alpha_{t,s} I": jacobian,
    })


def test_the_run_reads_every_encoder_state_and_the_mirror_is_9_minus_t():
    # with attention the output at t depends on every encoder state: the gradient reaches them all
    nn.manual_seed(0)
    m = Seq2Seq(10, 8, 4, 5, attention=True).to(np.float64)
    x = np.random.default_rng(0).integers(0, 10, size=(2, 8))
    out = m.forward(x)
    m.zero_grad()
    m.backward(np.ones_like(out))
    assert np.all(np.abs(m.attend.weights) > 0)
    # "output t looks at input 9 − t" for length 8, 1-based: the anti_diagonal measure's cells
    w = np.zeros((1, 8, 8))
    for t in range(1, 9):
        w[0, t - 1, (9 - t) - 1] = 1
    assert anti_diagonal(w) == 1.0
    run = next(s["run"] for s in LESSON["steps"] if "run" in s)
    states(both(run["ask"]), "9 - t")


def test_results_and_cost_prose():
    text = prose("## What the run showed")
    states(both(text), "0.52", "1/8 = 0.125", "H = 16")
    assert 0.52 / 0.125 > 4 and 1 / 8 == 0.125
    cost = prose("## The price, and what is left")
    states(both(cost), "10000")
    assert 100 * 100 == 10000


def test_bank():
    assert len(BANK) >= 5 and sum(q["type"] == "why" for q in BANK.values()) >= 2
    assert all(q.get("follow_up") for q in BANK.values() if q["type"] == "why")
    w = BANK["q09-att-weight"]
    assert abs(w["answer"] - softmax([2, 1, 0])[0]) <= w["tolerance"]
    assert (f"{math.e ** 2:.3f}", f"{math.e:.3f}", f"{math.e ** 2 + math.e + 1:.3f}") == ("7.389", "2.718", "11.107")
    states(both(w["explanation"]), "7.389", "2.718", "11.107", "0.665")
    c = BANK["q09-att-context"]
    a = softmax([2, 0, -1])
    assert abs(c["answer"] - a @ np.array([4, -2, 6])) <= c["tolerance"]
    assert f"{np.exp([2, 0, -1]).sum():.3f}" == "8.757" and f"{math.exp(-1):.3f}" == "0.368"
    states(both(c["explanation"]), "8.757", "0.368", ", ".join(f"{v:.3f}" for v in a))
    assert BANK["q09-att-cost"]["answer"] == 30 * 40 == 1200
    assert BANK["q09-att-facts"]["answers"] == [1, 3]
    refs = [s["quiz"]["ref"] for s in LESSON["steps"] if "quiz" in s]
    assert len(refs) >= 3 and all(r in BANK for r in refs)
