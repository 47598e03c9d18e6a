"""Recompute every number and identity of lesson 09-01 (the RNN and backpropagation through time)
and of its questions in quizzes/ch09-rnn-lstm.yaml (ids q09-rnn-… and q09-why-rnn-…).

The worked example is run by hand and through ``tutor.nn.RNN`` with the same weights; each
derivation line is looked up by its exact ``math`` text and checked numerically (finite
differences on a column-convention RNN that is itself checked against the engine). The run's
figures are pinned in the lesson's ``figures:`` (tests/content/test_pinned_figures.py).
"""

from __future__ import annotations

import math

import numpy as np

from claims_kit import (all_formulas, both, check_bank_shape, check_written_arithmetic, derivation,  # noqa: E402
                        load, run_checks, states, table_rows)
from tutor import nn
from tutor.experiments import check_run_step

LESSON = load("lessons/09-transformers/01-rnn-bptt.yaml")
BANK = {q["id"]: q for q in load("quizzes/ch09-rnn-lstm.yaml")["questions"]}
MINE = {k: q for k, q in BANK.items() if k.startswith(("q09-rnn-", "q09-why-rnn-"))}
KEY = {q["id"]: q for q in load("quizzes/ch00-key-questions.yaml")["questions"]}
RNG = np.random.default_rng(0)


def prose_with(word: str) -> list[str]:
    found = [s["prose"] for s in LESSON["steps"] if "prose" in s and word in s["prose"]["en"]]
    assert len(found) == 1, word
    return both(found[0])


def close(a, b, tol=1e-9):
    assert abs(a - b) <= tol, (a, b)


# -- a column-convention RNN (the lesson's), checked against the engine ------------------------------

def forward(Wx, Wh, b, xs, h0=None):
    """h_t = tanh(W_x x_t + W_h h_{t-1} + b): the states h_1 … h_T (and the pre-activations)."""
    h = np.zeros(Wh.shape[0]) if h0 is None else h0
    hs, As = [], []
    for x in xs:
        a = Wx @ x + Wh @ h + b
        h = np.tanh(a)
        hs.append(h)
        As.append(a)
    return hs, As


def engine_states(Wx, Wh, b, xs):
    """The same RNN in tutor.nn (row convention: it stores W_xᵀ and W_hᵀ)."""
    layer = nn.RNN(Wx.shape[1], Wx.shape[0]).to(np.float64)
    layer.params["W_x"][...] = Wx.T
    layer.params["W_h"][...] = Wh.T
    layer.params["b"][...] = b
    return layer(np.asarray(xs, np.float64)[None])[0]


def jac(f, x, h=1e-6):
    """Central-difference Jacobian of f at x."""
    cols = []
    for j in range(len(x)):
        e = np.zeros_like(x)
        e[j] = h
        cols.append((f(x + e) - f(x - e)) / (2 * h))
    return np.stack(cols, axis=1)


def random_rnn(H=3, D=2, scale=1.0):
    return (RNG.normal(0, 1, (H, D)), RNG.normal(0, scale / math.sqrt(H), (H, H)), RNG.normal(0, 0.3, H))


def test_the_column_convention_is_the_engines():
    for _ in range(5):
        Wx, Wh, b = random_rnn()
        xs = RNG.normal(size=(6, 2))
        np.testing.assert_allclose(engine_states(Wx, Wh, b, xs), np.array(forward(Wx, Wh, b, xs)[0]),
                                   rtol=1e-12, atol=1e-14)


# -- the prose -------------------------------------------------------------------------------------

def test_parameter_counts():
    states(prose_with("Sequential data and"), "20 \\cdot 30 + 20 = 620", "100 \\cdot 10 \\cdot 20 + 20 = 20020")
    nn.manual_seed(0)
    assert nn.RNN(10, 20).num_params() == 20 * (10 + 20) + 20 == 620
    assert nn.Linear(100 * 10, 20).num_params() == 20020
    # the count does not depend on T: the same layer reads any length
    layer = nn.RNN(10, 20)
    for T in (5, 100):
        assert layer(np.zeros((1, T, 10), np.float32)).shape == (1, T, 20)


def test_worked_example_by_hand_and_by_the_engine():
    Wx, Wh, b = np.array([[0.5], [-0.5]]), np.array([[0.5, -1.0], [1.0, 0.5]]), np.zeros(2)
    xs = [np.array([1.0]), np.array([0.5])]
    hs, As = forward(Wx, Wh, b, xs)
    np.testing.assert_allclose(engine_states(Wx, Wh, b, xs), np.array(hs), rtol=1e-12)
    texts = prose_with("Two steps by hand")
    states(texts, "(0.5, -1)", "(1, 0.5)", "x_1 = 1", "x_2 = 0.5")
    h0 = np.zeros(2)
    for text in texts:
        rows = [r for r in table_rows(text, 5) if r[0].isdigit()]
        assert [r[0] for r in rows] == ["1", "2"]
        for t, r in enumerate(rows):
            prev = h0 if t == 0 else hs[t - 1]
            cells = [Wx @ xs[t], Wh @ prev, As[t], hs[t]]
            for cell, value in zip(r[1:], cells):
                written = [float(v) for v in cell.strip("()").split(",")]
                np.testing.assert_allclose(written, np.round(value, 4), atol=1e-12)
        states([text], "0.5 \\cdot 0.4621 + (-1) \\cdot (-0.4621)", "1 \\cdot 0.4621 + 0.5 \\cdot (-0.4621)")
    close(0.5 * 0.4621 + 0.4621, 0.6932, 1e-4)
    close(0.4621 - 0.5 * 0.4621, 0.2311, 1e-4)


def test_what_the_run_showed():
    texts = prose_with("What the run showed")
    states(texts, "\\frac{1}{3}(x_{T-2} + x_{T-1} + x_T)", "\\|W_h\\|^{19}")
    from tutor.experiments.rnn_memory import make_task
    x, y = make_task(3, 20, 3, np.random.default_rng(0))
    np.testing.assert_allclose(y[:, 0], x[:, 17:, 0].mean(axis=1), rtol=1e-6)   # 20 − 1 = 19 steps back is x_1


def test_written_arithmetic_holds():
    assert check_written_arithmetic(all_formulas(LESSON)) >= 4
    assert check_written_arithmetic(all_formulas(list(MINE.values()))) >= 2


# -- the derivation ----------------------------------------------------------------------------------

def test_bptt_derivation():
    d = derivation(LESSON, "deriv-09-bptt")
    Wx, Wh, b = random_rnn(H=4, D=2)
    xs = RNG.normal(size=(7, 2))
    T, k = 7, 2                      # h_k is hs[k-1]
    hs, As = forward(Wx, Wh, b, xs)

    def tanh_jac():
        a = As[3]
        np.testing.assert_allclose(jac(np.tanh, a), np.diag(1 - np.tanh(a) ** 2), atol=1e-8)

    def a_jac():
        t = 4
        np.testing.assert_allclose(jac(lambda h: Wx @ xs[t - 1] + Wh @ h + b, hs[t - 2]), Wh, atol=1e-8)

    def step_jac():
        t = 4
        f = lambda h: np.tanh(Wx @ xs[t - 1] + Wh @ h + b)
        np.testing.assert_allclose(jac(f, hs[t - 2]), np.diag(1 - hs[t - 1] ** 2) @ Wh, atol=1e-8)

    def product():
        f = lambda h: forward(Wx, Wh, b, xs[k:], h0=h)[0][-1]
        P = np.eye(4)
        for t in range(k + 1, T + 1):                   # the t = T factor leftmost
            P = np.diag(1 - hs[t - 1] ** 2) @ Wh @ P
        np.testing.assert_allclose(jac(f, hs[k - 1]), P, atol=1e-8)

    def one_bound():
        for _ in range(50):
            W = RNG.normal(size=(4, 4))
            h = np.tanh(RNG.normal(0, 2, 4))
            assert np.linalg.norm(np.diag(1 - h ** 2) @ W, 2) <= np.linalg.norm(W, 2) + 1e-12

    def power_bound():
        for scale in (0.5, 1.0, 3.0):
            for _ in range(20):
                W1, W2, b1 = random_rnn(4, 2, scale)
                x1 = RNG.normal(size=(8, 2))
                h1 = forward(W1, W2, b1, x1)[0]
                f = lambda h: forward(W1, W2, b1, x1[2:], h0=h)[0][-1]
                J = jac(f, h1[1])
                assert np.linalg.norm(J, 2) <= np.linalg.norm(W2, 2) ** 6 + 1e-7

    def ninety():
        assert f"{0.9 ** 30:.4f}" == "0.0424"

    def eleven():
        assert f"{1.1 ** 30:.1f}" == "17.4"

    def input_grad():
        w = RNG.normal(size=4)
        f = lambda x: np.array([w @ forward(Wx, Wh, b, np.vstack([xs[:k - 1], x, xs[k:]]))[0][-1]])
        P = np.eye(4)
        for t in range(k + 1, T + 1):
            P = np.diag(1 - hs[t - 1] ** 2) @ Wh @ P
        formula = w @ P @ np.diag(1 - hs[k - 1] ** 2) @ Wx
        np.testing.assert_allclose(jac(f, xs[k - 1])[0], formula, atol=1e-8)
        # and the engine's backward (what rnn_memory measures) agrees
        from tutor.nn import LastStep
        layer = nn.RNN(2, 4).to(np.float64)
        layer.params["W_x"][...], layer.params["W_h"][...], layer.params["b"][...] = Wx.T, Wh.T, b
        head = nn.Linear(4, 1).to(np.float64)
        head.params["W"][...] = w[:, None]
        head.params["b"][...] = 0.0
        net = nn.Sequential(layer, LastStep(), head)
        net(xs[None])
        dx = net.backward(np.ones((1, 1)))
        np.testing.assert_allclose(dx[0, k - 1], formula, atol=1e-10)

    run_checks(d, {
        "\\frac{\\partial \\mathbf{h}_t}{\\partial \\mathbf{a}_t} = \\operatorname{diag}(1 - \\mathbf{h}_t^2)": tanh_jac,
        "\\frac{\\partial \\mathbf{a}_t}{\\partial \\mathbf{h}_{t-1}} = W_h": a_jac,
        "\\frac{\\partial \\mathbf{h}_t}{\\partial \\mathbf{h}_{t-1}} = \\operatorname{diag}(1 - \\mathbf{h}_t^2) \\, W_h": step_jac,
        "\\frac{\\partial \\mathbf{h}_T}{\\partial \\mathbf{h}_k} = \\prod_{t=k+1}^{T} \\operatorname{diag}(1 - \\mathbf{h}_t^2) \\, W_h": product,
        "\\|\\operatorname{diag}(1 - \\mathbf{h}_t^2) \\, W_h\\| \\le \\|W_h\\|": one_bound,
        "\\left\\| \\frac{\\partial \\mathbf{h}_T}{\\partial \\mathbf{h}_k} \\right\\| \\le \\|W_h\\|^{T-k}": power_bound,
        "0.9^{30} \\approx 0.0424": ninety,
        "1.1^{30} \\approx 17.4": eleven,
        "\\frac{\\partial \\hat{y}}{\\partial \\mathbf{x}_k} = \\mathbf{w}^\\top \\frac{\\partial \\mathbf{h}_T}{\\partial \\mathbf{h}_k} \\operatorname{diag}(1 - \\mathbf{h}_k^2) \\, W_x": input_grad,
    })


def test_the_run_is_a_valid_run_step():
    runs = [s["run"] for s in LESSON["steps"] if "run" in s]
    assert [r["experiment"] for r in runs] == ["rnn_memory"]
    assert check_run_step("rnn_memory", runs[0].get("set", {})) is None
    assert {tuple(sorted(f["set"].items())) for f in LESSON["figures"]} == {(("seed", 0),)}
    # the ask's settings are the defaults: length 20, the mean of the last 3
    from tutor.experiments import REGISTRY
    p = REGISTRY["rnn_memory"].params
    assert p["length"].default == 20 and p["window"].default == 3


# -- the bank ----------------------------------------------------------------------------------------

def test_bank_shape():
    check_bank_shape(MINE, "q09-", 9, total=5, why=2)
    assert all(BANK[q]["follow_up"] for q in ("q09-why-rnn-bptt-fade", "q09-why-rnn-shared-weights"))
    refs = [s["quiz"]["ref"] for s in LESSON["steps"] if "quiz" in s]
    assert len([r for r in refs if r in MINE]) >= 3 and all(r in MINE or r in KEY for r in refs)


def test_bank_answers():
    q = BANK["q09-rnn-param-count"]
    nn.manual_seed(0)
    assert q["answer"] == nn.RNN(10, 20).num_params() == 620

    q = BANK["q09-rnn-hand-step"]
    h1 = math.tanh(0.5 * 2)
    h2 = math.tanh(0.5 * 1 + 0.8 * h1)
    assert round(h2, 3) == q["answer"] and f"{h1:.4f}" == "0.7616" and f"{0.5 + 0.8 * h1:.4f}" == "1.1093"
    layer = nn.RNN(1, 1).to(np.float64)
    layer.params["W_x"][...], layer.params["W_h"][...], layer.params["b"][...] = 0.5, 0.8, 0.0
    close(float(layer(np.array([[[2.0], [1.0]]]))[0, 1, 0]), h2, 1e-12)

    q = BANK["q09-rnn-bound"]
    assert round(0.8 ** 20, 4) == q["answer"]

    q = BANK["q09-rnn-jacobian"]
    Wx, Wh, b = random_rnn()
    x, hp = RNG.normal(size=2), RNG.normal(size=3)
    h = np.tanh(Wx @ x + Wh @ hp + b)
    J = jac(lambda v: np.tanh(Wx @ x + Wh @ v + b), hp)
    candidates = [np.diag(1 - h ** 2) @ Wh, Wh, np.diag(1 - hp ** 2) @ Wx, np.diag(h * (1 - h)) @ Wh]
    matches = [i for i, c in enumerate(candidates) if c.shape == J.shape and np.allclose(c, J, atol=1e-8)]
    assert matches == [q["answer"]] == [0]

    q = BANK["q09-rnn-facts"]
    assert q["answers"] == [0, 1, 2]
    z = np.linspace(-10, 10, 10001)
    assert (1 - np.tanh(z) ** 2).max() <= 1.0                         # statement 3 is false
    # statement 2: W_h's gradient is the sum of every step's contribution (the engine agrees)
    layer = nn.RNN(2, 3).to(np.float64)
    xs = RNG.normal(size=(1, 5, 2))
    out = layer(xs)
    dout = RNG.normal(size=out.shape)
    layer.backward(dout)
    hs = np.concatenate([np.zeros((1, 1, 3)), out], axis=1)
    da = []
    dh_next = np.zeros(3)
    for t in reversed(range(5)):
        d = (dout[0, t] + dh_next) * (1 - out[0, t] ** 2)
        da.append((t, d))
        dh_next = d @ layer.params["W_h"].T
    total = sum(np.outer(hs[0, t], d) for t, d in da)
    np.testing.assert_allclose(layer.grads["W_h"], total, rtol=1e-10)

    q = BANK["q09-why-rnn-bptt-fade"]
    states(both(q["a"]), "\\|W_h\\|^{T-k}", "\\prod_{t=k+1}^{T} \\operatorname{diag}(1 - \\mathbf{h}_t^2) W_h")

    q = BANK["q09-why-rnn-shared-weights"]
    states(both(q["a"]), "H(D + H) + H")
    states(both(q["explanation"]), "620")
