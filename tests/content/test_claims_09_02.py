"""Recompute every number and identity of lesson 09-02 (the LSTM: gates, the cell's additive path,
the parameter count, the forget-gate bias) and of its questions in quizzes/ch09-rnn-lstm.yaml (ids
q09-lstm-… and q09-why-lstm-…).

The cell's Jacobians are checked by finite differences on a NumPy LSTM step that is itself checked
against ``tutor.nn.LSTM``; the parameter counts against the engine. The runs' figures are pinned
in the lesson's ``figures:`` (tests/content/test_pinned_figures.py).
"""

from __future__ import annotations

import math

import numpy as np

from claims_kit import (all_formulas, both, check_bank_shape, check_written_arithmetic, derivation,  # noqa: E402
                        load, run_checks, states)
from tutor import nn
from tutor.experiments import REGISTRY, check_run_step

LESSON = load("lessons/09-transformers/02-lstm.yaml")
BANK = {q["id"]: q for q in load("quizzes/ch09-rnn-lstm.yaml")["questions"]}
MINE = {k: q for k, q in BANK.items() if k.startswith(("q09-lstm-", "q09-why-lstm-"))}
RNG = np.random.default_rng(0)


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def prose_with(word: str) -> list[str]:
    found = [s["prose"] for s in LESSON["steps"] if "prose" in s and word in s["prose"]["en"]]
    assert len(found) == 1, word
    return both(found[0])


def close(a, b, tol=1e-9):
    assert abs(a - b) <= tol, (a, b)


def jac(f, x, h=1e-6):
    cols = []
    for j in range(len(x)):
        e = np.zeros_like(x)
        e[j] = h
        cols.append((f(x + e) - f(x - e)) / (2 * h))
    return np.stack(cols, axis=1)


# -- one LSTM step in NumPy (the engine's weights, gates i, f, g, o), checked against tutor.nn --------

def step(Wx, Wh, b, x, h, c):
    H = Wh.shape[0]
    a = x @ Wx + h @ Wh + b
    i, f, g, o = sig(a[:H]), sig(a[H:2 * H]), np.tanh(a[2 * H:3 * H]), sig(a[3 * H:])
    c_new = f * c + i * g
    return o * np.tanh(c_new), c_new, (i, f, g, o)


def engine(D=2, H=3, seed=0):
    nn.manual_seed(seed)
    layer = nn.LSTM(D, H).to(np.float64)
    layer.params["b"][...] = RNG.normal(0, 1, 4 * H)
    return layer, layer.params["W_x"], layer.params["W_h"], layer.params["b"]


def test_the_numpy_step_is_the_engines():
    layer, Wx, Wh, b = engine()
    xs = RNG.normal(size=(5, 2))
    hs = layer(xs[None])[0]
    h, c = np.zeros(3), np.zeros(3)
    for t in range(5):
        h, c, _ = step(Wx, Wh, b, xs[t], h, c)
        np.testing.assert_allclose(hs[t], h, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(layer.c[0, t + 1], c, rtol=1e-12, atol=1e-14)


# -- the prose -------------------------------------------------------------------------------------

def test_cell_by_hand():
    texts = prose_with("Four gates and a cell")
    states(texts, "0.9 \\cdot 1 + 0.2 \\cdot 0.5 = 1", "0.8 \\tanh 1 \\approx 0.609", "0.9^3 = 0.729")
    c = 0.9 * 1 + 0.2 * 0.5
    close(c, 1.0, 1e-12)
    assert f"{0.8 * math.tanh(c):.3f}" == "0.609"
    # the same cell through the engine: gate pre-activations chosen to give f, i, g, o
    layer = nn.LSTM(1, 1).to(np.float64)
    logit = lambda p: math.log(p / (1 - p))
    layer.params["W_h"][...] = 0.0
    layer.params["W_x"][...] = 0.0
    # constant gates f = 0.9, i = 0.2, g = 0.5, o = 0.8 (W = 0, biases their logits), from c_0 = 0:
    layer.params["b"][...] = [logit(0.2), logit(0.9), math.atanh(0.5), logit(0.8)]
    hs = layer(np.zeros((1, 2, 1)))
    close(float(layer.c[0, 1, 0]), 0.2 * 0.5, 1e-12)                           # c_1 = f·0 + i·g
    close(float(layer.c[0, 2, 0]), 0.9 * 0.1 + 0.1, 1e-12)                     # c_2 = f·c_1 + i·g
    close(float(hs[0, 1, 0]), 0.8 * math.tanh(0.19), 1e-12)
    close(0.9 ** 3, 0.729, 1e-12)


def test_parameters_and_forget_bias_prose():
    texts = prose_with("The parameter count and the forget-gate bias")
    states(texts, "4 \\cdot (16 \\cdot 21 + 16) = 1408", "16 \\cdot 4 + 4 = 68", "1476",
           "34 \\cdot 39 + 34 + 34 \\cdot 4 + 4 = 1500", "4 \\cdot (16 \\cdot 21 + 32) = 1472",
           "0.5^{30} \\approx 9.31 \\times 10^{-10}", "\\sigma(1) \\approx 0.731",
           "\\sigma(1)^{30} \\approx 8.29 \\times 10^{-5}", "\\sigma(3) \\approx 0.953", "\\sigma(3)^{30} \\approx 0.233")
    nn.manual_seed(0)
    assert nn.LSTM(5, 16).num_params() == 4 * (16 * (5 + 16) + 16) == 1408
    assert nn.LSTM(5, 16).num_params() + nn.Linear(16, 4).num_params() == 1476
    from tutor.experiments.lstm_vs_rnn import count, rnn_hidden_matching
    assert rnn_hidden_matching(5, 16, 4) == 34
    assert nn.RNN(5, 34).num_params() + nn.Linear(34, 4).num_params() == count("rnn", 5, 34, 4) == 1500
    assert 4 * (16 * (5 + 16) + 2 * 16) == 1472                                  # PyTorch: bias_ih and bias_hh
    assert f"{0.5 ** 30:.2e}" == "9.31e-10" and f"{sig(1.0):.3f}" == "0.731" and f"{sig(1.0) ** 30:.2e}" == "8.29e-05"
    assert f"{sig(3.0):.3f}" == "0.953" and f"{sig(3.0) ** 30:.3f}" == "0.233"
    # the engine's init: every bias U(±1/√H), the forget gate's included (no +1)
    nn.manual_seed(0)
    b = nn.LSTM(5, 16).params["b"]
    assert np.abs(b).max() <= 1 / math.sqrt(16) and abs(float(b[16:32].mean())) < 0.15
    # and the experiment adds forget_bias (default 3) to exactly the forget gate's columns
    assert REGISTRY["lstm_vs_rnn"].params["forget_bias"].default == 3.0
    assert REGISTRY["lstm_vs_rnn"].params["length"].default == 30
    assert REGISTRY["lstm_vs_rnn"].params["steps"].default == 600


def test_written_arithmetic_holds():
    assert check_written_arithmetic(all_formulas(LESSON)) >= 6
    assert check_written_arithmetic(all_formulas(list(MINE.values()))) >= 3


# -- the derivation ----------------------------------------------------------------------------------

def test_cell_path_derivation():
    d = derivation(LESSON, "deriv-09-cell-path")
    layer, Wx, Wh, b = engine(2, 3)
    x, h_prev2, c_prev2 = RNG.normal(size=2), RNG.normal(size=3) * 0.5, RNG.normal(size=3)
    h_prev, c_prev, (_, _, _, o_prev) = step(Wx, Wh, b, RNG.normal(size=2), h_prev2, c_prev2)
    _, c_t, (i, f, g, o) = step(Wx, Wh, b, x, h_prev, c_prev)

    def direct():
        # gates held fixed: c ↦ f ⊙ c + i ⊙ g
        np.testing.assert_allclose(jac(lambda c: f * c + i * g, c_prev), np.diag(f), atol=1e-9)

    def product_of_diagonals():
        fs = [sig(RNG.normal(size=3)) for _ in range(6)]
        P = np.eye(3)
        for ft in fs:
            P = np.diag(ft) @ P
        np.testing.assert_allclose(P, np.diag(np.prod(fs, axis=0)), rtol=1e-12)
        # along a fixed-gate cell chain, the finite-difference Jacobian is that product
        gs, is_ = [RNG.normal(size=3) for _ in fs], [sig(RNG.normal(size=3)) for _ in fs]

        def chain(c):
            for ft, it, gt in zip(fs, is_, gs):
                c = ft * c + it * gt
            return c
        np.testing.assert_allclose(jac(chain, c_prev), P, atol=1e-9)

    def ninety_five():
        assert f"{0.95 ** 30:.3f}" == "0.215"

    def half():
        assert f"{0.5 ** 30:.2e}" == "9.31e-10" and sig(0.0) == 0.5

    def full():
        H = 3
        # c_t as a function of c_{t-1}, with h_{t-1} = o_{t-1} ⊙ tanh(c_{t-1}) (o_{t-1} held)
        def c_of(c):
            return step(Wx, Wh, b, x, o_prev * np.tanh(c), c)[1]
        J = jac(c_of, c_prev)
        dh_dc = np.diag(o_prev * (1 - np.tanh(c_prev) ** 2))
        Wi, Wf, Wg = Wh[:, :H].T, Wh[:, H:2 * H].T, Wh[:, 2 * H:3 * H].T       # column convention
        df = np.diag(f * (1 - f)) @ Wf @ dh_dc
        di = np.diag(i * (1 - i)) @ Wi @ dh_dc
        dg = np.diag(1 - g ** 2) @ Wg @ dh_dc
        formula = np.diag(f) + np.diag(c_prev) @ df + np.diag(g) @ di + np.diag(i) @ dg
        np.testing.assert_allclose(J, formula, atol=1e-8)
        assert not np.allclose(J, np.diag(f), atol=1e-3)                     # the other terms are real
        # with W_h = 0 only diag(f) is left
        Wh0 = np.zeros_like(Wh)
        J0 = jac(lambda c: step(Wx, Wh0, b, x, o_prev * np.tanh(c), c)[1], c_prev)
        f0 = step(Wx, Wh0, b, x, o_prev * np.tanh(c_prev), c_prev)[2][1]
        np.testing.assert_allclose(J0, np.diag(f0), atol=1e-9)

    run_checks(d, {
        "J^{c}_t = \\operatorname{diag}(\\mathbf{f}_t)": direct,
        "J^{c}_{T} \\cdots J^{c}_{k+1} = \\operatorname{diag}(\\mathbf{f}_T \\odot \\cdots \\odot \\mathbf{f}_{k+1})":
            product_of_diagonals,
        "0.95^{30} \\approx 0.215": ninety_five,
        "0.5^{30} \\approx 9.31 \\times 10^{-10}": half,
        "\\frac{\\partial \\mathbf{c}_t}{\\partial \\mathbf{c}_{t-1}} = \\operatorname{diag}(\\mathbf{f}_t) + "
        "\\operatorname{diag}(\\mathbf{c}_{t-1}) \\frac{\\partial \\mathbf{f}_t}{\\partial \\mathbf{c}_{t-1}} + "
        "\\operatorname{diag}(\\mathbf{g}_t) \\frac{\\partial \\mathbf{i}_t}{\\partial \\mathbf{c}_{t-1}} + "
        "\\operatorname{diag}(\\mathbf{i}_t) \\frac{\\partial \\mathbf{g}_t}{\\partial \\mathbf{c}_{t-1}}": full,
    })


def test_the_runs_are_valid_run_steps():
    runs = [s["run"] for s in LESSON["steps"] if "run" in s]
    assert [r["experiment"] for r in runs] == ["lstm_vs_rnn", "lstm_vs_rnn"]
    assert all(check_run_step(r["experiment"], r.get("set", {})) is None for r in runs)
    assert runs[1]["set"] == {"forget_bias": 0}
    sets = {tuple(sorted(f["set"].items())) for f in LESSON["figures"]}
    assert sets == {(("seed", 0),), (("forget_bias", 0), ("seed", 0))}
    # the ask's task: one of 4 symbols (chance 0.25), 30 noise steps
    from tutor.experiments.lstm_vs_rnn import make_task
    x, y = make_task(4, 30, 4, np.random.default_rng(0))
    assert x.shape == (4, 31, 5) and REGISTRY["lstm_vs_rnn"].params["symbols"].default == 4


# -- the bank ----------------------------------------------------------------------------------------

def test_bank_shape():
    check_bank_shape(MINE, "q09-", 9, total=5, why=2)
    assert all(BANK[q]["follow_up"] for q in ("q09-why-lstm-cell-path", "q09-why-lstm-forget-bias"))
    refs = [s["quiz"]["ref"] for s in LESSON["steps"] if "quiz" in s]
    assert len(refs) >= 3 and all(r in MINE for r in refs)


def test_bank_answers():
    q = BANK["q09-lstm-param-count"]
    nn.manual_seed(0)
    assert q["answer"] == nn.LSTM(10, 20).num_params() == 4 * (20 * 30 + 20) == 2480
    assert 4 * (600 + 40) == 2560

    q = BANK["q09-lstm-cell-step"]
    c = 0.9 * 2 + 0.5 * (-0.4)
    close(c, 1.6, 1e-12)
    assert round(0.5 * math.tanh(c), 3) == q["answer"]

    q = BANK["q09-lstm-gates"]
    assert q["answer"] == 0
    # only f multiplies c_{t-1}: with f = 0 the old cell is gone whatever i, g, o are
    layer, Wx, Wh, b = engine(2, 3)
    _, c1, _ = step(Wx, Wh, b, RNG.normal(size=2), np.zeros(3), np.ones(3))
    bf = b.copy()
    bf[3:6] = -60.0
    _, c_a, _ = step(Wx, Wh, bf, np.zeros(2), np.zeros(3), np.ones(3))
    _, c_b, _ = step(Wx, Wh, bf, np.zeros(2), np.zeros(3), 5 * np.ones(3))
    np.testing.assert_allclose(c_a, c_b, atol=1e-12)

    q = BANK["q09-lstm-forget-power"]
    assert round(0.95 ** 30, 3) == q["answer"]
    states(both(q["explanation"]), "9.31 \\times 10^{-10}")

    q = BANK["q09-lstm-facts"]
    assert q["answers"] == [0, 1, 3]
    nn.manual_seed(0)
    assert nn.LSTM(7, 9).num_params() == 4 * nn.RNN(7, 9).num_params()
    gates = step(Wx, Wh, 5 * b, RNG.normal(size=2) * 5, RNG.normal(size=3), RNG.normal(size=3))[2]
    assert all(((gt > 0) & (gt < 1)).all() for gt in (gates[0], gates[1], gates[3]))

    q = BANK["q09-why-lstm-cell-path"]
    states(both(q["a"]), "\\operatorname{diag}(\\mathbf{f}_t)", "\\operatorname{diag}(1 - \\mathbf{h}_t^2) W_h")

    q = BANK["q09-why-lstm-forget-bias"]
    states(both(q["a"]), "0.5^{30} \\approx 9.31 \\times 10^{-10}", "\\sigma(1) \\approx 0.731", "\\sigma(3) \\approx 0.953")
    assert f"{sig(3.0):.3f}" == "0.953"
