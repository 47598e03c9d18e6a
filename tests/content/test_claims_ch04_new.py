"""Recompute the numbers and identities of two chapter-4 lessons and their bank questions:
why non-linear activations (04-02) and backpropagation with matrices (04-03).

Tables are read from the YAML and every cell recomputed. Each derivation line is looked up by its
exact ``math`` text in a table of numerical checks, and every line must have one (an edited line
fails until its check is updated). The two-layer ReLU network of 04-03 is rebuilt from the
engine's own layers (``tutor.nn``), and the gradients the lesson states are compared with its
backward pass and with ``tutor.nn.gradcheck``'s numerical gradients.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from tutor import nn
from tutor.experiments import resolve
from tutor.nn.gradcheck import gradcheck, numerical_gradient, relative_error
from claims_kit import both, derivation, load, run_checks, states, table_rows  # noqa: E402 (same folder)

ROOT = Path(__file__).parents[2]
NONLINEAR = "lessons/04-deep-learning/02-why-nonlinear.yaml"
BACKPROP = "lessons/04-deep-learning/03-backprop-matrices.yaml"
BANK = "quizzes/ch04-deep-learning.yaml"
NEW_QUESTIONS = [
    "q04-collapse-intercept", "q04-collapsed-shape", "q04-relu-not-additive", "q04-linear-xor-best",
    "q04-linear-bottleneck-rank", "q04-why-deep-linear-fails", "q04-why-relu-piecewise",
    "q04-dw-shape-rows", "q04-db-rows", "q04-relu-mlp-grad", "q04-backprop-cache",
    "q04-why-dw-pattern", "q04-why-forward-cache",
]
NUM = r"-?\d+(?:\.\d+)?"
RNG = np.random.default_rng(4)


# --------------------------------------------------------------------------- helpers

def bank() -> dict[str, dict]:
    return {q["id"]: q for q in load(BANK)["questions"]}


def steps_of(lesson: dict, kind: str) -> list[dict]:
    return [s[kind] for s in lesson["steps"] if kind in s]


def line_why(deriv: dict, math_text: str) -> list[str]:
    return [both(s["why"]) for s in deriv["steps"] if s["math"] == math_text][0]


def vec(text: str) -> np.ndarray:
    """'(1, -2)' → array([1., -2.])"""
    inner = re.fullmatch(r"\((.*)\)", text.strip())
    assert inner, text
    return np.array([float(v) for v in inner.group(1).split(",")])


def mat(text: str) -> np.ndarray:
    """'(1, 2); (-1, 3)' → the 2 × 2 matrix with those rows."""
    return np.array([vec(row) for row in text.split(";")])


def mat_str(m: np.ndarray) -> str:
    """The inverse of ``mat`` for integer matrices: how the lesson writes a matrix."""
    m = np.atleast_2d(m)
    return "; ".join("(" + ", ".join(f"{int(round(v))}" for v in row) + ")" for row in m)


def relu(z):
    return np.maximum(z, 0.0)


def run_step_params_ok(lesson: dict) -> list[dict]:
    runs = steps_of(lesson, "run")
    for run in runs:
        resolve(run["experiment"], run["set"])  # raises ParamError on a bad parameter
        assert run.get("ask"), run
    return runs


# --------------------------------------------------------------------------- shared lesson shape

@pytest.mark.parametrize("rel, ident", [(NONLINEAR, "04-02-why-nonlinear"),
                                         (BACKPROP, "04-03-backprop-matrices")])
def test_a_full_lesson(rel, ident):
    lesson = load(rel)
    assert lesson["id"] == ident and lesson["chapter"] == 4
    assert 5 <= lesson["minutes"] <= 15
    questions = bank()
    refs = [s["ref"] for s in steps_of(lesson, "quiz")]
    assert len(refs) >= 3 and len(set(refs)) == len(refs)
    for ref in refs:
        assert questions[ref]["chapter"] == 4, ref
    whys = steps_of(lesson, "why")
    assert len(whys) >= 2
    for why in whys:
        assert 2 <= len(why["points"]) <= 4, why["id"]
    assert run_step_params_ok(lesson)
    assert steps_of(lesson, "derivation")
    assert "stub" not in (ROOT / rel).read_text(encoding="utf-8").lower()


def test_new_questions_are_appended_fresh_and_stand_alone():
    ids = [q["id"] for q in load(BANK)["questions"]]
    assert len(set(ids)) == len(ids)
    assert ids[-len(NEW_QUESTIONS):] == NEW_QUESTIONS
    questions = bank()
    for lesson_rel, first, last in [(NONLINEAR, 0, 7), (BACKPROP, 7, 13)]:
        mine = [questions[i] for i in NEW_QUESTIONS[first:last]]
        assert len(mine) >= 5
        whys = [q for q in mine if q["type"] == "why"]
        assert len(whys) >= 2
        for q in whys:
            assert 2 <= len(q["points"]) <= 4, q["id"]
            assert q["follow_up"] and all(f in questions for f in q["follow_up"]), q["id"]


# --------------------------------------------------------------------------- 04-02 why non-linear

class TestWhyNonlinear:
    lesson = load(NONLINEAR)
    prose = [both(p) for p in steps_of(lesson, "prose")]

    # the four-layer example of the "check it with numbers" step
    W1 = np.array([[1.0, 2.0], [0.0, -1.0]])
    b1 = np.array([1.0, 0.0])
    W2 = np.array([[1.0, 1.0], [2.0, 0.0]])
    b2 = np.array([0.0, -1.0])
    W3 = np.array([[1.0, -1.0]])
    b3 = np.array([2.0])

    def test_one_number_layers_table(self):
        for text in self.prose[1]:
            rows = [r for r in table_rows(text, 4) if re.fullmatch(NUM, r[0])]
            assert len(rows) == 5
            for x, h, lin, rel in rows:
                x = float(x)
                assert float(h) == 2 * x + 1
                assert float(lin) == 3 * (2 * x + 1) - 4 == 6 * x - 1
                assert float(rel) == 3 * relu(2 * x + 1) - 4
        states(self.prose[1], "6x - 1", "x = -0.5", "x < -0.5")
        assert 2 * -0.5 + 1 == 0  # the bend: h = 0 exactly at x = -0.5

    def test_the_example_matrices_are_the_ones_stated(self):
        texts = self.prose[3]
        states(texts, "$W_1$", "$(1, 2)$", "$(0, -1)$", "$b_1 = (1, 0)$", "$(1, 1)$", "$(2, 0)$",
               "$b_2 = (0, -1)$", "$(1, -1)$", "$b_3 = 2$")
        W21 = self.W2 @ self.W1
        assert W21.tolist() == [[1, 1], [2, 4]]
        W = self.W3 @ W21
        b = self.W3 @ self.W2 @ self.b1 + self.W3 @ self.b2 + self.b3
        assert W.tolist() == [[-1, -3]] and b.tolist() == [2]
        states(texts, "$(2, 4)$", "$W = W_3 W_2 W_1 = (-1, -3)$", "b_3 = 2$")

    def test_layer_by_layer_table(self):
        W = self.W3 @ self.W2 @ self.W1
        b = self.W3 @ self.W2 @ self.b1 + self.W3 @ self.b2 + self.b3
        for text in self.prose[3]:
            rows = [r for r in table_rows(text, 6) if r[0].startswith("(")]
            assert len(rows) == 4
            agree = []
            for x, h1, h2, y, folded, y_relu in rows:
                x = vec(x)
                assert np.array_equal(vec(h1), self.W1 @ x + self.b1)
                assert np.array_equal(vec(h2), self.W2 @ vec(h1) + self.b2)
                assert float(y) == (self.W3 @ vec(h2) + self.b3).item()
                assert float(folded) == (W @ x + b).item() == float(y)
                hidden1 = relu(self.W1 @ x + self.b1)
                hidden2 = relu(self.W2 @ hidden1 + self.b2)
                assert float(y_relu) == (self.W3 @ hidden2 + self.b3).item()
                agree.append(float(y_relu) == float(y))
            # "agrees on the first two points ... differs on the last two"
            assert agree == [True, True, False, False]

    def test_collapse_derivation(self):
        deriv = derivation(self.lesson, "deriv-04-linear-collapse")
        n, h1, h2, m = 3, 4, 5, 2
        W1, W2, W3 = (RNG.normal(size=s) for s in [(h1, n), (h2, h1), (m, h2)])
        b1, b2, b3 = (RNG.normal(size=k) for k in (h1, h2, m))
        x = RNG.normal(size=n)
        stack = W3 @ (W2 @ (W1 @ x + b1) + b2) + b3
        W, b = W3 @ W2 @ W1, W3 @ W2 @ b1 + W3 @ b2 + b3

        def product_over_layers():
            Ws = [RNG.normal(size=(3, 3)) for _ in range(5)]
            bs = [RNG.normal(size=3) for _ in range(5)]
            y = x
            for Wk, bk in zip(Ws, bs):
                y = Wk @ y + bk
            def chain(mats):  # W_L ⋯ W_{k+1}; the empty product is the identity
                return functools.reduce(lambda acc, Wk: Wk @ acc, mats, np.eye(3))

            Wall = chain(Ws)
            ball = sum(chain(Ws[k + 1:]) @ bs[k] for k in range(5))
            assert np.allclose(y, Wall @ x + ball)

        checks = {
            "y = W_3(W_2(W_1 x + b_1) + b_2) + b_3":
                lambda: np.testing.assert_allclose(stack, W3 @ (W2 @ (W1 @ x + b1) + b2) + b3),
            "W_2(W_1 x + b_1) + b_2 = W_2 W_1 x + W_2 b_1 + b_2":
                lambda: np.testing.assert_allclose(W2 @ (W1 @ x + b1) + b2, W2 @ W1 @ x + W2 @ b1 + b2),
            "W_2 W_1 x + W_2 b_1 + b_2 = (W_2 W_1) x + (W_2 b_1 + b_2)":
                lambda: np.testing.assert_allclose(W2 @ (W1 @ x), (W2 @ W1) @ x),
            "y = W_3 W_2 W_1 x + (W_3 W_2 b_1 + W_3 b_2 + b_3)":
                lambda: np.testing.assert_allclose(stack, W3 @ W2 @ W1 @ x + (W3 @ W2 @ b1 + W3 @ b2 + b3)),
            "y = Wx + b, \\quad W = W_3 W_2 W_1, \\quad b = W_3 W_2 b_1 + W_3 b_2 + b_3":
                lambda: (np.testing.assert_allclose(stack, W @ x + b), self._shape(W, (m, n))),
            "W = W_L \\cdots W_2 W_1, \\quad b = \\sum_{k=1}^{L} W_L \\cdots W_{k+1} b_k":
                product_over_layers,
            "\\max(0, 1 + (-1)) = 0 \\ne 1 = \\max(0, 1) + \\max(0, -1)":
                lambda: self._true(relu(1 + (-1)) == 0 and relu(1) + relu(-1) == 1),
        }
        run_checks(deriv, checks)
        assert [s.get("level") for s in deriv["steps"]].count(3) == 1

    def test_sigmoid_threshold_is_the_zero_logit(self):
        """The conclusion: σ(Wx + b) > 0.5 exactly when Wx + b > 0."""
        z = np.concatenate([np.linspace(-5, 5, 101), RNG.normal(0, 3, 100)])
        z = z[z != 0]
        assert np.array_equal(1 / (1 + np.exp(-z)) > 0.5, z > 0)

    def test_the_run_asks_about_ln2(self):
        runs = steps_of(self.lesson, "run")
        assert [r["set"]["activation"] for r in runs] == ["linear", "tanh"]
        assert all(r["experiment"] == "playground" and r["set"]["dataset"] == "circle" for r in runs)
        states(both(runs[0]["ask"]), f"{math.log(2):.3f}", "\\ln 2")
        # answering 50% for every point: BCE on logit 0 is ln 2, whatever the labels
        loss = nn.BCEWithLogitsLoss().forward(np.zeros((4, 1)), np.array([[0.0], [1.0], [1.0], [0.0]]))
        assert loss == pytest.approx(math.log(2))

    def test_why_rank_numbers(self):
        why = [w for w in steps_of(self.lesson, "why") if w["id"] == "why-04-linear-rank"][0]
        W1, W2 = RNG.normal(size=(2, 10)), RNG.normal(size=(10, 2))
        assert (W2 @ W1).shape == (10, 10) and np.linalg.matrix_rank(W2 @ W1) == 2
        assert np.linalg.matrix_rank(RNG.normal(size=(10, 10))) == 10
        states(both(why["a"]), "10 \\times 10")

    def test_why_relu_counterexample(self):
        why = [w for w in steps_of(self.lesson, "why") if w["id"] == "why-04-relu-breaks-collapse"][0]
        states(both(why["a"]), "\\max(0, 1 + (-1)) = 0", "\\max(0, 1) + \\max(0, -1) = 1")
        assert relu(1 + (-1)) == 0 and relu(1) + relu(-1) == 1

    @staticmethod
    def _shape(a, shape):
        assert a.shape == shape

    @staticmethod
    def _true(cond):
        assert cond


# --------------------------------------------------------------------------- 04-03 backprop

class TestBackpropMatrices:
    lesson = load(BACKPROP)
    prose = [both(p) for p in steps_of(lesson, "prose")]

    X = np.array([[1.0, 2.0], [-1.0, 1.0]])
    W1 = np.array([[1.0, -1.0], [0.0, 1.0]])
    b1 = np.array([0.0, 1.0])
    W2 = np.array([[1.0], [-1.0]])
    b2 = np.array([1.0])
    T = np.array([[1.0], [-4.0]])

    def net(self):
        """The lesson's network, built from the engine's layers, in float64."""
        model = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1)).to(np.float64)
        model.params["0.W"][...] = self.W1
        model.params["0.b"][...] = self.b1
        model.params["2.W"][...] = self.W2
        model.params["2.b"][...] = self.b2
        return model

    def forward_backward(self):
        model, loss_fn = self.net(), nn.MSELoss()
        loss = loss_fn.forward(model.forward(self.X), self.T)
        model.backward(loss_fn.backward())
        return model, loss

    def by_hand(self) -> dict[str, np.ndarray]:
        Z1 = self.X @ self.W1 + self.b1
        H = relu(Z1)
        Y = H @ self.W2 + self.b2
        d2 = 2 * (Y - self.T) / len(self.X)
        dH = d2 @ self.W2.T
        dZ1 = dH * (Z1 > 0)
        return {"Z1": Z1, "H": H, "Y": Y, "E": Y - self.T, "d2": d2, "dW2": H.T @ d2,
                "db2": d2.sum(axis=0), "dH": dH, "dZ1": dZ1, "dW1": self.X.T @ dZ1,
                "db1": dZ1.sum(axis=0), "L": float(np.mean((Y - self.T) ** 2))}

    def test_the_engine_uses_the_stated_layout(self):
        """x is N × in, W is in × out, y = xW + b; Linear keeps x, ReLU keeps its output."""
        layer = nn.Linear(3, 5)
        assert layer.params["W"].shape == (3, 5) and layer.params["b"].shape == (5,)
        x = RNG.normal(size=(4, 3)).astype(np.float32)
        y = layer.forward(x)
        np.testing.assert_allclose(y, x @ layer.params["W"] + layer.params["b"], rtol=1e-5)
        assert layer.x is x
        r = nn.ReLU()
        out = r.forward(np.array([[-1.0, 2.0]]))
        assert r.y is out and np.array_equal(r.y > 0, np.array([[False, True]]))
        states(self.prose[1], "`tutor/nn/layers.py`", "N × in", "in × out", "y = xW + b")

    def test_opening_numbers(self):
        states(both(self.lesson["steps"][0]["prose"]), "784 \\times 128 = 100352")
        assert 784 * 128 == 100352

    def test_one_weight_table(self):
        x = np.array([[3.0, -2.0], [1.0, 4.0]])
        delta = np.array([[0.5], [-1.0]])
        dw = (x.T @ delta).ravel()
        for text in self.prose[2]:
            rows = [r for r in table_rows(text, 4) if r[0] in ("w₁", "w₂")]
            assert len(rows) == 2
            for i, (_, s1, s2, total) in enumerate(rows):
                a = re.fullmatch(rf"\(?({NUM})\)? · \(?({NUM})\)? = ({NUM})", s1)
                c = re.fullmatch(rf"\(?({NUM})\)? · \(?({NUM})\)? = ({NUM})", s2)
                assert a and c, (s1, s2)
                assert (float(a[1]), float(a[2])) == (x[0, i], delta[0, 0])
                assert float(a[3]) == x[0, i] * delta[0, 0]
                assert (float(c[1]), float(c[2])) == (x[1, i], delta[1, 0])
                assert float(c[3]) == x[1, i] * delta[1, 0]
                assert float(total) == dw[i] == float(a[3]) + float(c[3])

    def test_dw_derivation(self):
        deriv = derivation(self.lesson, "deriv-04-dw-xt-delta")
        N, n_in, n_out = 4, 3, 2
        x, W, b = RNG.normal(size=(N, n_in)), RNG.normal(size=(n_in, n_out)), RNG.normal(size=n_out)
        delta = RNG.normal(size=(N, n_out))

        def loss():  # linear in y with ∂L/∂y = δ, so any gradient below is exactly what δ implies
            return float(np.sum((x @ W + b) * delta))

        dW, db, dx = (numerical_gradient(loss, a, 1e-6) for a in (W, b, x))

        def elementwise():
            y = x @ W + b
            for n, j in itertools.product(range(N), range(n_out)):
                assert y[n, j] == pytest.approx(sum(x[n, i] * W[i, j] for i in range(n_in)) + b[j])

        def partial_y_partial_w():
            for i, j in itertools.product(range(n_in), range(n_out)):
                def yk(k, n):
                    return lambda: float((x @ W + b)[n, k])
                for n, k in itertools.product(range(N), range(n_out)):
                    g = numerical_gradient(yk(k, n), W, 1e-6)[i, j]
                    assert g == pytest.approx(x[n, i] if k == j else 0.0, abs=1e-8)

        def chain_sum():
            for i, j in itertools.product(range(n_in), range(n_out)):
                assert dW[i, j] == pytest.approx(sum(x[n, i] * delta[n, j] for n in range(N)), abs=1e-8)

        checks = {
            "y_{nj} = \\sum_i x_{ni} W_{ij} + b_j": elementwise,
            "\\frac{\\partial y_{nk}}{\\partial W_{ij}} = x_{ni} \\text{ if } k = j, \\text{ else } 0":
                partial_y_partial_w,
            "\\frac{\\partial L}{\\partial W_{ij}} = \\sum_n \\sum_k \\delta_{nk} \\frac{\\partial y_{nk}}{\\partial W_{ij}} = \\sum_n x_{ni} \\delta_{nj}":
                chain_sum,
            "dW = x^\\top \\delta": lambda: (np.testing.assert_allclose(dW, x.T @ delta, atol=1e-8),
                                               self._true((x.T @ delta).shape == W.shape)),
            "db = \\mathbf{1}^\\top \\delta": lambda: np.testing.assert_allclose(db, np.ones(N) @ delta, atol=1e-8),
            "dx = \\delta W^\\top": lambda: (np.testing.assert_allclose(dx, delta @ W.T, atol=1e-8),
                                              self._true((delta @ W.T).shape == x.shape)),
        }
        run_checks(deriv, checks)
        # the engine's Linear computes the same three products
        layer = nn.Linear(n_in, n_out).to(np.float64)
        layer.params["W"][...], layer.params["b"][...] = W, b
        layer.needs_input_grad = True
        layer.forward(x)
        np.testing.assert_allclose(layer.backward(delta), delta @ W.T)
        np.testing.assert_allclose(layer.grads["W"], x.T @ delta)
        np.testing.assert_allclose(layer.grads["b"], delta.sum(axis=0))

    def test_forward_table(self):
        hand = self.by_hand()
        texts = self.prose[4]
        states(texts, "$X$ = (1, 2); (-1, 1)", "$W_1$ = (1, -1); (0, 1)", "$b_1$ = (0, 1)",
               "$W_2$ = (1); (-1)", "$b_2$ = 1", "$t$ = (1); (-4)")
        for text in texts:
            rows = {r[0]: r[3] for r in table_rows(text, 4) if r[0] in ("Z₁", "H", "ŷ", "ŷ − t")}
            assert len(rows) == 4
            assert np.array_equal(mat(rows["Z₁"]), hand["Z1"])
            assert np.array_equal(mat(rows["H"]), hand["H"])
            assert np.array_equal(mat(rows["ŷ"]), hand["Y"])
            assert np.array_equal(mat(rows["ŷ − t"]), hand["E"])
        assert hand["L"] == 2.5
        states(texts, "$L = ((-1)^2 + 2^2)/2 = 2.5$", "$z = -1$")
        assert hand["Z1"][1, 0] == -1
        model, loss = self.forward_backward()
        assert loss == 2.5

    def test_backward_derivation(self):
        hand = self.by_hand()
        deriv = derivation(self.lesson, "deriv-04-mlp-backward")
        model, _ = self.forward_backward()

        def stated(math_text, value, engine=None):
            def check():
                states(line_why(deriv, math_text), mat_str(value))
                if engine is not None:
                    np.testing.assert_allclose(np.reshape(engine, np.shape(value)), value)
            return check

        checks = {
            "\\delta_2 = \\frac{\\partial L}{\\partial \\hat{y}} = \\frac{2}{N}(\\hat{y} - t)":
                stated("\\delta_2 = \\frac{\\partial L}{\\partial \\hat{y}} = \\frac{2}{N}(\\hat{y} - t)", hand["d2"]),
            "dW_2 = H^\\top \\delta_2": stated("dW_2 = H^\\top \\delta_2", hand["dW2"], model.grads["2.W"]),
            "db_2 = \\mathbf{1}^\\top \\delta_2":
                lambda: (states(line_why(deriv, "db_2 = \\mathbf{1}^\\top \\delta_2"), "-1 + 2 = 1"),
                         np.testing.assert_allclose(model.grads["2.b"], hand["db2"]),
                         self._true(hand["db2"].tolist() == [1.0])),
            "dH = \\delta_2 W_2^\\top": stated("dH = \\delta_2 W_2^\\top", hand["dH"]),
            "dZ_1 = dH \\odot \\mathbb{1}[Z_1 > 0]": stated("dZ_1 = dH \\odot \\mathbb{1}[Z_1 > 0]", hand["dZ1"]),
            "dW_1 = X^\\top dZ_1": stated("dW_1 = X^\\top dZ_1", hand["dW1"], model.grads["0.W"]),
            "db_1 = \\mathbf{1}^\\top dZ_1": stated("db_1 = \\mathbf{1}^\\top dZ_1", hand["db1"], model.grads["0.b"]),
        }
        run_checks(deriv, checks)
        # the intermediate products the why texts show
        states(line_why(deriv, "dW_2 = H^\\top \\delta_2"),
               "1 \\cdot (-1) + 0 \\cdot 2 = -1", "2 \\cdot (-1) + 3 \\cdot 2 = 4")
        states(line_why(deriv, "dH = \\delta_2 W_2^\\top"), mat_str(self.W2.T))
        states(line_why(deriv, "dW_1 = X^\\top dZ_1"), mat_str(self.X.T), mat_str(hand["dZ1"]))
        states(line_why(deriv, "db_1 = \\mathbf{1}^\\top dZ_1"), "-1 + 0 = -1", "1 + (-2) = -1")
        # the neuron that was off passes nothing back from the second example
        assert hand["dH"][1, 0] == 2 and hand["dZ1"][1, 0] == 0
        assert hand["dW1"][:, 0].tolist() == (self.X[0] * hand["dZ1"][0, 0]).tolist()

    def test_gradients_match_numerical_gradients(self):
        """The lesson's gradients are the derivatives of the loss, by central differences."""
        hand = self.by_hand()
        model = self.net()
        loss_fn = nn.MSELoss()

        def loss():
            return loss_fn.forward(model.forward(self.X), self.T)

        for key, want in [("0.W", hand["dW1"]), ("0.b", hand["db1"]), ("2.W", hand["dW2"]),
                          ("2.b", hand["db2"])]:
            numeric = numerical_gradient(loss, model.params[key], 1e-6)
            np.testing.assert_allclose(numeric, want, atol=1e-7)
        # and the engine's own gradient check of the network and of the loss
        assert gradcheck(self.net(), self.X) < 1e-7
        assert gradcheck(nn.MSELoss(), hand["Y"], self.T) < 1e-7

    def test_run_steps(self):
        runs = steps_of(self.lesson, "run")
        assert [r["experiment"] for r in runs] == ["gradcheck", "gradcheck"]
        assert runs[0]["set"] == {"activation": "relu"}
        assert runs[1]["set"] == {"activation": "relu", "bug": "missing_mean"}
        states(both(runs[0]["ask"]), "1e-6")

    def test_missing_mean_gives_every_layer_the_same_error(self):
        """What the second run's question points at: scaling every gradient by N gives each layer
        the relative error (N − 1)/(N + 1), whatever its gradient."""
        for g in (RNG.normal(size=7), RNG.normal(size=3) * 100):
            assert relative_error(8 * g, g) == pytest.approx(7 / 9)

    def test_cache_table_matches_the_engine(self):
        states(self.prose[3], "self.x = x", "2(ŷ − t)/N")
        loss_fn = nn.MSELoss()
        pred = np.array([[0.0], [-2.0]])
        loss_fn.forward(pred, self.T)
        np.testing.assert_allclose(loss_fn.backward(), 2 * (pred - self.T) / 2)

    @staticmethod
    def _true(cond):
        assert cond


# --------------------------------------------------------------------------- bank answers

class TestBankAnswers:
    questions = bank()

    def q(self, ident):
        return self.questions[ident]

    def test_collapse_intercept(self):
        question = self.q("q04-collapse-intercept")

        def f(x):
            h1 = 2 * x + 1
            h2 = -3 * h1 + 4
            return 0.5 * h2 - 1

        w, b = f(1) - f(0), f(0)
        assert (w, b) == (-3, -0.5) and f(7) == w * 7 + b
        assert question["answer"] == b and question["tolerance"] < 0.5
        states(both(question["explanation"]), "-6x + 1", "-3x - 0.5", "0.5 \\cdot (-3) \\cdot 2 = -3",
               "b = 0.5 \\cdot (-3 \\cdot 1 + 4) - 1")
        assert 0.5 * (-3 * 1 + 4) - 1 == b

    def test_collapsed_shape(self):
        question = self.q("q04-collapsed-shape")
        W1, W2, W3 = RNG.normal(size=(5, 3)), RNG.normal(size=(4, 5)), RNG.normal(size=(2, 4))
        assert (W3 @ W2 @ W1).shape == (2, 3)
        assert question["answer"] == 0
        states(both(question["choices"][0]), "$2 \\times 3$")
        states(both(question["explanation"]), "3 \\times 2")

    def test_relu_not_additive(self):
        question = self.q("q04-relu-not-additive")
        assert question["answer"] == 0
        assert relu(1 + (-1)) != relu(1) + relu(-1)
        z = np.linspace(-3, 3, 601)
        assert relu(0.0) == 0 and np.all(np.diff(relu(z)) >= 0)          # φ(0) = 0, monotone
        assert np.max(np.abs(np.diff(relu(z)))) <= 0.01 + 1e-12           # no jumps on the grid

    def test_linear_xor_best(self):
        question = self.q("q04-linear-xor-best")
        X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
        t = np.array([0, 1, 1, 0])
        # a deep identity-activation net is one Wx + b: try every line on a fine grid
        best = 0
        grid = np.linspace(-2, 2, 41)
        for w1, w2, b in itertools.product(grid, grid, grid):
            best = max(best, int(np.sum(((X @ [w1, w2] + b) > 0) == t)))
        assert best == question["answer"] == 3
        assert int(np.sum(((X @ [1, 1] - 0.5) > 0) == t)) == 3     # the line the explanation gives
        # and a 10-layer identity net folds to such a line
        layers = [RNG.normal(size=(2, 2)) for _ in range(10)] + [RNG.normal(size=(1, 2))]
        biases = [RNG.normal(size=2) for _ in range(10)] + [RNG.normal(size=1)]
        y = X.T
        for Wk, bk in zip(layers, biases):
            y = Wk @ y + bk[:, None]
        W = np.linalg.multi_dot(layers[::-1])
        b = y[:, 0] - W @ X[0]
        np.testing.assert_allclose(y, W @ X.T + b[:, None])

    def test_bottleneck_rank(self):
        question = self.q("q04-linear-bottleneck-rank")
        W1, W2 = RNG.normal(size=(3, 10)), RNG.normal(size=(8, 3))
        assert (W2 @ W1).shape == (8, 10)
        assert np.linalg.matrix_rank(W2 @ W1) == question["answer"] == 3
        assert np.linalg.matrix_rank(RNG.normal(size=(8, 10))) == 8

    def test_dw_shape_rows(self):
        question = self.q("q04-dw-shape-rows")
        N, n_in, n_out = 5, 3, 2
        x, W, delta = RNG.normal(size=(N, n_in)), RNG.normal(size=(n_in, n_out)), RNG.normal(size=(N, n_out))
        dW = numerical_gradient(lambda: float(np.sum((x @ W) * delta)), W, 1e-6)
        np.testing.assert_allclose(dW, x.T @ delta, atol=1e-8)
        assert question["answer"] == 0
        assert (delta.T @ x).shape == (n_out, n_in) and np.allclose(delta.T @ x, dW.T, atol=1e-8)
        assert (delta @ W.T).shape == (N, n_in)

    def test_db_rows(self):
        question = self.q("q04-db-rows")
        x, W, b = RNG.normal(size=(6, 3)), RNG.normal(size=(3, 2)), RNG.normal(size=2)
        delta = RNG.normal(size=(6, 2))
        db = numerical_gradient(lambda: float(np.sum((x @ W + b) * delta)), b, 1e-6)
        np.testing.assert_allclose(db, delta.sum(axis=0), atol=1e-8)
        assert not np.allclose(db, delta.mean(axis=0))
        assert question["answer"] == 0

    def test_relu_mlp_grad(self):
        question = self.q("q04-relu-mlp-grad")
        x = np.array([[2.0, -1.0]])
        model = nn.Sequential(nn.Linear(2, 2, bias=False), nn.ReLU(), nn.Linear(2, 1, bias=False)).to(np.float64)
        model.params["0.W"][...] = [[1, 0], [1, 1]]
        model.params["2.W"][...] = [[3], [2]]
        loss_fn = nn.MSELoss()   # one example, one output: the mean is (ŷ − t)² itself

        def loss():
            return loss_fn.forward(model.forward(x), np.array([[1.0]]))

        assert loss() == 4.0
        model.backward(loss_fn.backward())
        analytic = model.grads["0.W"].copy()
        numeric = numerical_gradient(loss, model.params["0.W"], 1e-6)
        np.testing.assert_allclose(analytic, numeric, atol=1e-7)
        assert analytic.tolist() == [[24, 0], [-12, 0]]
        assert analytic[1, 0] == question["answer"] == -12 and question["tolerance"] == 0
        states(both(question["explanation"]), "(1, -1)", "(1, 0)", "= 3", "= 4", "(12, 8)", "(12, 0)",
               "(-1) \\cdot 12 = -12")

    def test_backprop_cache(self):
        question = self.q("q04-backprop-cache")
        assert question["answers"] == [0, 1, 2]
        model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
        x = RNG.normal(size=(4, 2)).astype(np.float32)
        h = model.layers[1].forward(model.layers[0].forward(x))
        model.layers[2].forward(h)
        assert model.layers[0].x is x and model.layers[2].x is h   # each Linear keeps its input
        assert model.layers[1].y is h                              # ReLU keeps its output (the mask)

    def test_weight_grad_shape_names_its_convention(self):
        question = self.q("q04-weight-grad-shape")
        states(both(question["q"]), "$y = Wx$", "m \\times n")
        assert "열 벡터" in question["q"]["ko"] and "Column-vector" in question["q"]["en"]
        m, n = 3, 4
        W, x, delta = RNG.normal(size=(m, n)), RNG.normal(size=n), RNG.normal(size=m)
        dW = numerical_gradient(lambda: float(delta @ (W @ x)), W, 1e-6)
        np.testing.assert_allclose(dW, np.outer(delta, x), atol=1e-8)   # δxᵀ, m × n
        assert question["answer"] == 0 and "\\delta x^\\top" in question["choices"][0]["en"]
        # the row layout's xᵀδ is the same numbers, transposed
        states(both(question["explanation"]), "x^\\top \\delta", "y = xW")
        np.testing.assert_allclose(x[None, :].T @ delta[None, :], dW.T, atol=1e-8)
