"""Recompute every number and identity in lesson 05-05 (binary classification: the decision
boundary, the perceptron's update, the sigmoid and the logit, the BCE gradient (p − y)x) and in
its bank questions (quizzes/ch05-binary-accuracy.yaml, q05-bin-*).

Each derivation line is looked up by its exact ``math`` text in a table of numerical checks, and
every line must have one (claims_kit.run_checks)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from claims_kit import both, derivation, fmt, load, run_checks, states, table_rows  # noqa: E402

LESSON = load("lessons/05-classification/05-binary-classification.yaml")
BANK = {q["id"]: q for q in load("quizzes/ch05-binary-accuracy.yaml")["questions"]}
RNG = np.random.default_rng(505)
W, B = np.array([2.0, -1.0]), -1.0


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def bce(p, y):
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def prose(marker_en: str) -> dict:
    found = [s["prose"] for s in LESSON["steps"] if "prose" in s and marker_en in s["prose"]["en"]]
    assert len(found) == 1, marker_en
    return found[0]


def check_numeric(qid: str, exact: float) -> None:
    q = BANK[qid]
    assert q["type"] == "numeric"
    assert abs(q["answer"] - exact) <= q["tolerance"], (qid, q["answer"], exact)


# --------------------------------------------------------------------------- the boundary table

def test_distance_table():
    text = prose("## The decision boundary")
    for lang in ("ko", "en"):
        rows = [r for r in table_rows(text[lang], 4) if r[0].startswith("(")]   # the points
        assert len(rows) == 4
        for point, z, cls, dist in rows:
            x = np.array([float(v) for v in point.strip("()").split(",")])
            zz = float(W @ x + B)
            assert float(z) == zz
            assert dist == ("0" if zz == 0 else fmt(abs(zz) / math.sqrt(5), 3))
            if zz > 0:
                assert cls == "1"
            elif zz < 0:
                assert cls == "0"
    assert np.linalg.norm(W) == pytest.approx(math.sqrt(5))


def test_perceptron_worked_example():
    x, y = np.array([1.0, 2.0]), 1
    z = W @ x + B
    assert z == -1 and int(z > 0) == 0          # a mistake
    w, b = W + 1 * (y - 0) * x, B + 1 * (y - 0)
    assert list(w) == [3, 1] and b == 0
    z_new = w @ x + b
    assert z_new == 5 and z_new - z == x @ x + 1 == 6
    states(both(prose("## The perceptron")), "(3, 1)", "= 5 > 0", "= 6")
    # a right answer leaves everything unchanged: y − ŷ = 0
    for xr in RNG.normal(size=(20, 2)):
        yhat = int(W @ xr + B > 0)
        assert (W + (yhat - yhat) * xr == W).all()


def test_sigmoid_table_and_logit():
    text = prose("## The sigmoid instead of a step")
    for lang in ("ko", "en"):
        rows = table_rows(text[lang], 5)
        zs, ps = [float(v) for v in rows[0][1:]], rows[1][1:]
        assert zs == [-2, -1, 0, 2]
        for z, p in zip(zs, ps):
            want = sigmoid(z)
            assert p == ("0.5" if z == 0 else fmt(want, 3))
    assert math.log(0.881 / 0.119) == pytest.approx(2, abs=0.01)
    states(both(text), "\\ln \\frac{0.881}{0.119} \\approx 2")
    # p > 0.5 ⇔ z > 0 on a grid
    z = np.linspace(-8, 8, 1601)
    assert np.array_equal(sigmoid(z) > 0.5, z > 0)


# --------------------------------------------------------------------------- derivations

def test_signed_distance_derivation():
    d = derivation(LESSON, "deriv-05-signed-distance")
    w, b = RNG.normal(size=3), float(RNG.normal())
    x = RNG.normal(size=3)
    nw = np.linalg.norm(w)
    x0 = x - (w @ x + b) / nw ** 2 * w            # the foot of the perpendicular
    r = float(w @ (x - x0) / nw)
    x1 = x0 + np.cross(w, RNG.normal(size=3))      # another boundary point
    z = float(w @ x + b)
    checks = {
        "\\mathbf{w}^\\top (\\mathbf{x}_1 - \\mathbf{x}_0) = 0":
            lambda: (abs(w @ x0 + b) < 1e-12 and abs(w @ x1 + b) < 1e-12
                     and abs(w @ (x1 - x0)) < 1e-12) or pytest.fail("not perpendicular"),
        "\\mathbf{x} = \\mathbf{x}_0 + r \\frac{\\mathbf{w}}{\\|\\mathbf{w}\\|}":
            lambda: np.testing.assert_allclose(x0 + r * w / nw, x),
        "\\mathbf{w}^\\top \\mathbf{x} + b = (\\mathbf{w}^\\top \\mathbf{x}_0 + b) + r \\frac{\\mathbf{w}^\\top \\mathbf{w}}{\\|\\mathbf{w}\\|}":
            lambda: np.testing.assert_allclose(z, (w @ x0 + b) + r * (w @ w) / nw),
        "z = r \\|\\mathbf{w}\\|": lambda: np.testing.assert_allclose(z, r * nw),
        "r = \\frac{z}{\\|\\mathbf{w}\\|}": lambda: (
            np.testing.assert_allclose(r, z / nw),
            np.testing.assert_allclose(abs(r), np.linalg.norm(x - x0))),
    }
    run_checks(d, checks)
    # the last line's example and the conclusion's scaling claim
    assert fmt(1 / math.sqrt(5), 3) == "0.447"
    xe = np.array([1.0, 2.0])
    assert (2 * W) @ xe + 2 * B == 2 * (W @ xe + B)
    assert abs((2 * W) @ xe + 2 * B) / np.linalg.norm(2 * W) == pytest.approx(abs(W @ xe + B) / np.linalg.norm(W))


def test_bce_gradient_derivation():
    d = derivation(LESSON, "deriv-05-bce-grad-w")
    h = 1e-6
    x, y = RNG.normal(size=3), 1.0
    w, b = RNG.normal(size=3), 0.3

    def loss(w_, b_, x_=x, y_=y):
        return bce(sigmoid(w_ @ x_ + b_), y_)

    z = w @ x + b
    p = sigmoid(z)
    grad_w = np.array([(loss(w + h * e, b) - loss(w - h * e, b)) / (2 * h) for e in np.eye(3)])
    grad_b = (loss(w, b + h) - loss(w, b - h)) / (2 * h)
    X = RNG.normal(size=(6, 3))
    Y = (RNG.random(6) > 0.5).astype(float)

    def mean_loss(w_):
        return float(np.mean(bce(sigmoid(X @ w_ + b), Y)))

    mean_grad = np.array([(mean_loss(w + h * e) - mean_loss(w - h * e)) / (2 * h) for e in np.eye(3)])
    eta = 0.7
    checks = {
        "\\frac{\\partial L}{\\partial p} = \\frac{p - y}{p(1 - p)}": lambda: np.testing.assert_allclose(
            (bce(p + h, y) - bce(p - h, y)) / (2 * h), (p - y) / (p * (1 - p)), rtol=1e-6),
        "\\frac{\\partial p}{\\partial z} = \\sigma(z)(1 - \\sigma(z)) = p(1 - p)": lambda: np.testing.assert_allclose(
            (sigmoid(z + h) - sigmoid(z - h)) / (2 * h), p * (1 - p), rtol=1e-6),
        "\\frac{\\partial L}{\\partial z} = \\frac{p - y}{p(1 - p)} \\cdot p(1 - p) = p - y": lambda: np.testing.assert_allclose(
            (bce(sigmoid(z + h), y) - bce(sigmoid(z - h), y)) / (2 * h), p - y, rtol=1e-6),
        "\\frac{\\partial z}{\\partial w_j} = x_j, \\; \\frac{\\partial z}{\\partial b} = 1": lambda: np.testing.assert_allclose(
            [((w + h * e) @ x - (w - h * e) @ x) / (2 * h) for e in np.eye(3)] + [1.0], [*x, 1.0], rtol=1e-6),
        "\\frac{\\partial L}{\\partial \\mathbf{w}} = (p - y) \\, \\mathbf{x}, \\; \\frac{\\partial L}{\\partial b} = p - y": lambda: (
            np.testing.assert_allclose(grad_w, (p - y) * x, rtol=1e-5),
            np.testing.assert_allclose(grad_b, p - y, rtol=1e-5)),
        "\\mathbf{w} \\leftarrow \\mathbf{w} + \\eta (y - p) \\, \\mathbf{x}": lambda: np.testing.assert_allclose(
            w - eta * grad_w, w + eta * (y - p) * x, rtol=1e-5),
        "\\frac{\\partial}{\\partial \\mathbf{w}} \\frac{1}{N} \\sum_i L_i = \\frac{1}{N} \\sum_i (p_i - y_i) \\, \\mathbf{x}_i": lambda: np.testing.assert_allclose(
            mean_grad, ((sigmoid(X @ w + b) - Y) @ X) / len(X), rtol=1e-5),
    }
    run_checks(d, checks)


def test_bce_gradient_worked_example():
    d = derivation(LESSON, "deriv-05-bce-grad-w")
    x, y = np.array([1.0, 2.0]), 1
    z = W @ x + B
    p = sigmoid(z)
    g = (p - y) * x
    w1, b1 = W - g, B - (p - y)
    assert z == -1
    states(both(d["conclusion"]), fmt(p, 3), f"({fmt(g[0], 3)}, {fmt(g[1], 3)})", fmt(p - y, 3),
           f"({fmt(w1[0], 3)}, {fmt(w1[1], 3)})", f"b = {fmt(b1, 3)}")


# --------------------------------------------------------------------------- bank

def test_bank_distance():
    w, b, x = np.array([3.0, 4.0]), -5.0, np.array([3.0, 2.0])
    z = w @ x + b
    assert z == 12 and np.linalg.norm(w) == 5
    check_numeric("q05-bin-distance", abs(z) / np.linalg.norm(w))


def test_bank_perceptron_update():
    w, b, x, y, eta = np.array([1.0, 1.0]), 0.0, np.array([2.0, -3.0]), 1, 0.5
    z = w @ x + b
    yhat = int(z > 0)
    w2, b2 = w + eta * (y - yhat) * x, b + eta * (y - yhat)
    assert z == -1 and list(w2) == [2, -0.5] and b2 == 0.5
    z2 = w2 @ x + b2
    assert z2 - z == eta * (x @ x + 1) == 7
    check_numeric("q05-bin-perceptron-update", z2)


def test_bank_logit():
    check_numeric("q05-bin-sigmoid-logit", math.log(0.8 / 0.2))
    assert sigmoid(math.log(4)) == pytest.approx(0.8)   # the why's threshold 0.8 ⇔ z = ln 4


def test_bank_bce_grad():
    w, b, x, y = np.array([0.5, 1.0]), 0.5, np.array([2.0, -1.0]), 0.0
    h = 1e-6
    f = lambda w1: bce(sigmoid(np.array([w1, w[1]]) @ x + b), y)   # noqa: E731
    num = (f(w[0] + h) - f(w[0] - h)) / (2 * h)
    p = sigmoid(w @ x + b)
    assert fmt(p, 4) == "0.6225"
    assert num == pytest.approx((p - y) * x[0])
    check_numeric("q05-bin-bce-grad", num)
    states(both(BANK["q05-bin-bce-grad"]["explanation"]), "0.6225", "1.245")


def test_scaling_w_and_b_lowers_loss_on_separable_data():
    """q05-bin-why-logistic-keeps-moving: same boundary, larger scale, lower loss, never 0."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    y = np.array([0, 0, 0, 1], float)
    w, b = np.array([1.0, 1.0]), -1.5
    losses = [float(np.mean(bce(sigmoid(c * (X @ w + b)), y))) for c in (1, 2, 4, 8)]
    assert all(a > c > 0 for a, c in zip(losses, losses[1:]))
    assert np.array_equal(X @ w + b > 0, y > 0.5)
