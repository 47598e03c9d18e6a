"""Recompute every number and identity of lesson 01-06 (the chain rule and the Jacobian) and of its
questions in quizzes/ch01-chain-rule.yaml.

The numbers are read from the YAML where they sit in tables or answers and recomputed with NumPy,
usually by finite differences rather than by the formula the text uses; numbers in prose are
computed here and the prose must state exactly those. Each derivation line has a numerical check
looked up by its exact ``math`` text, so an edited line fails until its check is updated. The
vector chain rule is checked on random smooth maps of several shapes, d(uᵀWv)/dW = u vᵀ by
finite differences, and the four-index derivative of Y = XW is built in full on a small case.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from claims_kit import both, derivation, load, run_checks, states, table_rows  # noqa: E402 (same folder)
from test_full_lessons import sentences  # same folder: pytest's rootdir import
from tutor.content import load_library, bundled_content_dirs
from tutor.experiments import REGISTRY

LESSON_PATH = "lessons/01-math/06-chain-rule-jacobian.yaml"
BANK_PATH = "quizzes/ch01-chain-rule.yaml"
LESSON = load(LESSON_PATH)
BANK = {q["id"]: q for q in load(BANK_PATH)["questions"]}
RNG = np.random.default_rng(0)


# --------------------------------------------------------------------------- helpers

def steps_of(kind: str) -> list[dict]:
    return [s[kind] for s in LESSON["steps"] if kind in s]


def prose_with(marker: str) -> list[str]:
    found = [t for p in steps_of("prose") for t in both(p) if marker in t]
    assert len(found) == 2, f"{marker!r} should be in one prose step, both languages"
    return found


def jacobian(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central-difference Jacobian of f at x: one row per output, one column per input."""
    x = np.asarray(x, dtype=float)
    cols = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e.flat[j] = h
        cols.append((np.atleast_1d(f(x + e)) - np.atleast_1d(f(x - e))).ravel() / (2 * h))
    return np.stack(cols, axis=1)


def grad_matrix(f, W: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of a scalar f by a matrix W, in W's shape."""
    return jacobian(lambda w: f(w.reshape(W.shape)), W.ravel(), h).reshape(W.shape)


def g(p):  # the lesson's 2 → 2 map
    x, y = p
    return np.array([x * y, x ** 2 + 3 * y])


def loss_u(u):  # the loss put after g
    return u[0] ** 2 + u[1]


def smooth_map(n_in: int, n_out: int, seed: int):
    r = np.random.default_rng(seed)
    A = r.standard_normal((n_out, n_in))
    b = r.standard_normal(n_out)
    return lambda x: np.tanh(A @ x + b) + 0.1 * (A @ x) ** 2


def close(a, b, tol=1e-6):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), atol=tol, rtol=0)


# --------------------------------------------------------------------------- scalar chain rule

def test_scalar_chain_rule_numbers():
    texts = prose_with("0.852160")
    exact = 2 * np.cos(1.0)
    central = (np.sin(1.01 ** 2) - np.sin(0.99 ** 2)) / 0.02
    assert f"{np.cos(1.0):.4f}" == "0.5403" and f"{exact:.4f}" == "1.0806"
    assert f"{2 * 0.5403:.4f}" == "1.0806"  # the gears' product with cos 1 rounded as written
    assert f"{np.sin(1.01 ** 2):.6f}" == "0.852160" and f"{np.sin(0.99 ** 2):.6f}" == "0.830553"
    assert f"{(0.852160 - 0.830553) / 0.02:.4f}" == "1.0804" and f"{central:.4f}" == "1.0804"
    assert jacobian(lambda x: np.sin(x ** 2), np.array([1.0]))[0, 0] == pytest.approx(exact, abs=1e-8)
    states(texts, "0.5403", "1.0806", "1.0804", "h = 0.01", "\\sin(1.01^2)", "\\sin(0.99^2)")


def test_gradient_of_a_scalar_by_a_vector():
    texts = prose_with("x^2 y + 3y")
    f = lambda p: p[0] ** 2 * p[1] + 3 * p[1]
    grad = jacobian(f, np.array([2.0, 1.0]))[0]
    close(grad, [4, 7])
    assert grad.shape == (2,)  # the vector's shape
    states(texts, "2xy = 4", "x^2 + 3 = 7", "(4, 7)", "(2, 1)")


# --------------------------------------------------------------------------- the Jacobian

def test_jacobian_table_and_nudge():
    texts = prose_with("7.0201")
    J = jacobian(g, np.array([1.0, 2.0]))
    assert J.shape == (2, 2)  # m × n, rows outputs
    for text in texts:
        rows = [r for r in table_rows(text, 3) if r[0].startswith("g")]
        assert len(rows) == 2
        for i, row in enumerate(rows):
            values = [float(re.findall(r"-?\d+(?:\.\d+)?", cell)[-1]) for cell in row[1:]]
            close(values, J[i])
    close(g(np.array([1.0, 2.0])), [2, 7])
    moved = g(np.array([1.01, 2.0]))
    close(moved, [2.02, 7.0201], 1e-12)
    change = moved - g(np.array([1.0, 2.0]))
    close(change, [0.02, 0.0201], 1e-12)
    close(0.01 * J[:, 0], [0.02, 0.02])
    assert change[1] - 0.01 * 2 == pytest.approx(0.01 ** 2, abs=1e-12)  # the h² leftover
    states(texts, "(2, 7)", "(2.02, 7.0201)", "(0.02, 0.0201)", "(2, 2)", "(0.02, 0.02)", "0.0001")


def test_jacobian_transpose_times_gradient():
    texts = prose_with("(10, 7)")
    x = np.array([1.0, 2.0])
    u = g(x)
    grad_u = jacobian(loss_u, u)[0]
    close(u, [2, 7])
    close(grad_u, [4, 1])
    J = jacobian(g, x)
    close(J[:, 0], [2, 2])
    close(J[:, 1], [1, 3])
    assert 2 * 4 + 2 * 1 == 10 and 1 * 4 + 3 * 1 == 7
    close(J.T @ grad_u, [10, 7])
    direct = lambda p: p[0] ** 2 * p[1] ** 2 + p[0] ** 2 + 3 * p[1]
    for p in RNG.standard_normal((5, 2)):  # the expanded form is L(g(x, y))
        assert direct(p) == pytest.approx(loss_u(g(p)))
    close(jacobian(direct, x)[0], [10, 7])
    close([2 * 1 * 2 ** 2 + 2 * 1, 2 * 1 ** 2 * 2 + 3], [10, 7])
    states(texts, "(4, 1)", "2 \\times 4 + 2 \\times 1 = 10", "1 \\times 4 + 3 \\times 1 = 7",
           "x^2 y^2 + x^2 + 3y", "2xy^2 + 2x = 10", "2x^2 y + 3 = 7")


def test_vector_chain_rule_derivation():
    deriv = derivation(LESSON, "deriv-01-vector-chain-rule")
    n, m, p = 4, 3, 2
    gmap, hmap = smooth_map(n, m, 1), smooth_map(m, p, 2)
    x = RNG.standard_normal(n)
    u = gmap(x)
    Jg, Jh = jacobian(gmap, x), jacobian(hmap, u)
    J = jacobian(lambda v: hmap(gmap(v)), x)

    def entry_sums():
        for i in range(p):
            for j in range(n):
                assert J[i, j] == pytest.approx(sum(Jh[i, k] * Jg[k, j] for k in range(m)), abs=1e-6)

    def composed():
        for v in RNG.standard_normal((3, n)):
            close(hmap(gmap(v)), [hmap(gmap(v))[i] for i in range(p)])  # y_i through u

    def product():
        close(J, Jh @ Jg)

    def shapes():
        assert Jg.shape == (m, n) and Jh.shape == (p, m) and (Jh @ Jg).shape == J.shape == (p, n)
        with pytest.raises(ValueError):
            Jg @ Jh  # n ≠ p: the other order does not multiply

    def backprop():
        L = lambda v: float(np.sum(np.sin(v)) + v @ v)  # a scalar after u
        grad_u = jacobian(L, u)[0]
        close(jacobian(lambda v: L(gmap(v)), x)[0], Jg.T @ grad_u)
        close(jacobian(L, u), grad_u[None, :])  # J_h of a scalar is the 1 × m row

    run_checks(deriv, {
        "y_i = h_i(g_1(\\mathbf{x}), \\ldots, g_m(\\mathbf{x}))": composed,
        "\\frac{\\partial y_i}{\\partial x_j} = \\sum_{k=1}^{m} \\frac{\\partial y_i}{\\partial u_k} \\cdot \\frac{\\partial u_k}{\\partial x_j}": entry_sums,
        "(J_{y,x})_{ij} = \\sum_{k=1}^{m} (J_h)_{ik} (J_g)_{kj}": entry_sums,
        "J_{y,x} = J_h J_g": product,
        "(p \\times m)(m \\times n) = p \\times n": shapes,
        "\\nabla_{\\mathbf{x}} L = J_g^\\top \\nabla_{\\mathbf{u}} L": backprop,
    })


# --------------------------------------------------------------------------- scalar by a matrix

def test_uwv_table_and_nudge():
    texts = prose_with("-4.94")
    u, v = np.array([1.0, 2.0]), np.array([3.0, 0.0, -1.0])
    W = np.array([[1.0, 0.0, 2.0], [-1.0, 1.0, 0.0]])
    L = lambda w: u @ w @ v
    G = grad_matrix(L, W)
    assert G.shape == W.shape
    close(G, np.outer(u, v))
    for text in texts:
        rows = [r for r in table_rows(text, 4) if r[0].startswith("i =")]
        close([[float(c) for c in r[1:]] for r in rows], G)
    close(W @ v, [1, -3])
    assert L(W) == pytest.approx(-5)
    W2 = W.copy()
    W2[1, 0] = -0.99
    close(W2 @ v, [1, -2.97], 1e-12)
    assert L(W2) == pytest.approx(-4.94, abs=1e-12)
    assert L(W2) - L(W) == pytest.approx(0.01 * G[1, 0], abs=1e-9) == pytest.approx(0.06)
    states(texts, "(1, 2)", "(3, 0, -1)", "(1, 0, 2)", "(-1, 1, 0)", "(1, -3)", "L = 1 - 6 = -5",
           "(1, -2.97)", "0.06")


def test_uwv_derivation():
    deriv = derivation(LESSON, "deriv-01-uwv")
    m, n = 3, 4
    u, v = RNG.standard_normal(m), RNG.standard_normal(n)
    W = RNG.standard_normal((m, n))
    L = lambda w: float(u @ w @ v)
    G = grad_matrix(L, W)

    def matvec():
        close(W @ v, [sum(W[i, j] * v[j] for j in range(n)) for i in range(m)], 1e-12)

    def double_sum():
        assert L(W) == pytest.approx(sum(u[i] * W[i, j] * v[j] for i in range(m) for j in range(n)))

    def entries():
        for a in range(m):
            for b in range(n):
                assert G[a, b] == pytest.approx(u[a] * v[b], abs=1e-6)

    def outer():
        U = np.outer(u, v)
        assert U.shape == W.shape
        close(U, [[u[a] * v[b] for b in range(n)] for a in range(m)], 1e-12)

    def whole():
        close(G, np.outer(u, v))
        assert np.outer(v, u).shape != W.shape

    def layer():
        x = RNG.standard_normal(n)
        loss_y = lambda y: float(np.sum(np.tanh(y) ** 2) + y @ y)
        delta = jacobian(loss_y, W @ x)[0]
        close(grad_matrix(lambda w: loss_y(w @ x), W), np.outer(delta, x))
        # 04-03's row layout: y = x W with W stored transposed gives dW = xᵀδ, the same numbers
        close(grad_matrix(lambda wt: loss_y(x @ wt), W.T), np.outer(x, delta))

    run_checks(deriv, {
        "(W\\mathbf{v})_i = \\sum_{j=1}^{n} W_{ij} v_j": matvec,
        "L = \\sum_{i=1}^{m} \\sum_{j=1}^{n} u_i W_{ij} v_j": double_sum,
        "\\frac{\\partial L}{\\partial W_{ab}} = u_a v_b": entries,
        "u_a v_b = (\\mathbf{u}\\mathbf{v}^\\top)_{ab}": outer,
        "\\frac{\\partial L}{\\partial W} = \\mathbf{u}\\mathbf{v}^\\top": whole,
        "\\frac{\\partial L}{\\partial W} = \\boldsymbol{\\delta} \\mathbf{x}^\\top": layer,
    })


# --------------------------------------------------------------------------- a matrix by a matrix

def four_index(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """∂Y_ij/∂W_ab of Y = XW by finite differences, shape (N, m, k, m)."""
    J = jacobian(lambda w: (X @ w.reshape(W.shape)).ravel(), W.ravel())
    return J.reshape(X.shape[0], W.shape[1], *W.shape)


def test_matrix_by_matrix_counts():
    texts = prose_with("822083584")
    N, k, m = 64, 784, 128
    assert N * m == 8192 and k * m == 100352 and N * m * k * m == 822083584
    assert f"{N * m * k * m * 4 / 1e9:.1f}" == "3.3"
    states(texts, "64 \\times 128 = 8192", "784 \\times 128 = 100352",
           "8192 \\times 100352 = 822083584", "3.3 GB", "127")
    # the structure, on a small case: zero unless j = b, X_ia there; 1 in m entries nonzero at most
    X, W = RNG.standard_normal((3, 4)), RNG.standard_normal((4, 5))
    T = four_index(X, W)
    for i, j, a, b in np.ndindex(T.shape):
        expected = X[i, a] if j == b else 0.0
        assert T[i, j, a, b] == pytest.approx(expected, abs=1e-6)
    assert np.mean(np.abs(T) > 1e-9) == pytest.approx(1 / W.shape[1])
    # backpropagation's contraction with δ is one matrix product
    delta = RNG.standard_normal((3, 5))
    close(np.einsum("ij,ijab->ab", delta, T), X.T @ delta)


def test_the_gradcheck_runs_as_the_asks_say():
    runs = steps_of("run")
    assert [r["experiment"] for r in runs] == ["gradcheck", "gradcheck"]
    def rows(settings):
        return next(e for e in REGISTRY["gradcheck"].run(settings) if e["event"] == "gradcheck")["rows"]
    for text in both(runs[0]["ask"]):
        assert "1e-6" in text
    assert all(r[3] < 1e-6 for r in rows(runs[0]["set"]))       # every layer passes
    flipped = rows(runs[1]["set"])
    assert all(r[3] > 1e-6 for r in flipped)                     # the sign bug fails every layer
    assert all(r[1] == pytest.approx(r[2], rel=1e-6) for r in flipped)  # same sizes: shapes and norms fit


# --------------------------------------------------------------------------- the bank

def check_numeric(q: dict, exact: float) -> None:
    assert q["type"] == "numeric"
    assert abs(q["answer"] - exact) <= q["tolerance"] + 1e-6, (q["id"], q["answer"], exact)


def test_sin_square_answer():
    q = BANK["q01-cr-sin-square-deriv"]
    exact = jacobian(lambda x: np.sin(x ** 2), np.array([2.0]))[0, 0]
    check_numeric(q, exact)
    assert q["answer"] == round(4 * np.cos(4), 3)
    assert f"{np.cos(4):.5f}" == "-0.65364" and f"{4 * -0.65364:.3f}" == "-2.615"
    states(both(q["explanation"]), "-0.65364", "-2.615", "4\\cos 2")
    assert abs(4 * np.cos(2) - exact) > 0.5  # the classic mistake is far off


def test_jacobian_shape_answers():
    q = BANK["q01-cr-jacobian-shape"]
    J = jacobian(smooth_map(5, 3, 3), RNG.standard_normal(5))
    assert q["choices"][q["answer"]]["en"] == f"{J.shape[0]} × {J.shape[1]}" == "3 × 5"
    q = BANK["q01-cr-chain-shapes"]
    gm, hm = smooth_map(4, 6, 4), smooth_map(6, 2, 5)
    x = RNG.standard_normal(4)
    Jg, Jh = jacobian(gm, x), jacobian(hm, gm(x))
    J = jacobian(lambda v: hm(gm(v)), x)
    close(J, Jh @ Jg)
    assert Jg.shape == (6, 4) and Jh.shape == (2, 6) and J.shape == (2, 4)
    with pytest.raises(ValueError):
        Jg @ Jh
    assert q["choices"][q["answer"]]["en"].startswith("$J_h J_g$, (2 × 6)(6 × 4) = 2 × 4")


def test_composite_grad_answer():
    q = BANK["q01-cr-composite-grad"]
    gm = lambda p: np.array([p[0] + p[1], p[0] * p[1]])
    Lu = lambda u: u[0] ** 2 + 3 * u[1]
    x = np.array([1.0, 2.0])
    grad = jacobian(lambda p: Lu(gm(p)), x)[0]
    check_numeric(q, grad[0])
    close(grad, [12, 9])
    close(gm(x), [3, 2])
    close(jacobian(Lu, gm(x))[0], [6, 3])
    close(jacobian(gm, x), [[1, 1], [2, 1]])
    close(jacobian(gm, x).T @ [6, 3], [12, 9])
    states(both(q["explanation"]), "(3, 2)", "(6, 3)", "(2, 1)", "6 + 6 = 12", "= 9")


def test_uwv_entry_answer():
    q = BANK["q01-cr-uwv-entry"]
    u, v = np.array([1.0, -2.0, 3.0]), np.array([4.0, 5.0])
    for W in RNG.standard_normal((3, 3, 2)):  # the same whatever W holds
        G = grad_matrix(lambda w: u @ w @ v, W)
        check_numeric(q, G[2, 0])
    states(both(q["explanation"]), "3 \\times 4 = 12")


def test_matrix_matrix_count_answer():
    q = BANK["q01-cr-matrix-matrix-count"]
    X, W = np.zeros((32, 100)), np.zeros((100, 10))
    Y = X @ W
    check_numeric(q, Y.size * W.size)
    states(both(q["explanation"]), "32 \\times 10 = 320", "100 \\times 10 = 1000", "320 \\times 1000 = 320000")
    # 9 in 10 are zero: checked on a smaller batch with the same W width
    T = four_index(RNG.standard_normal((2, 100)), RNG.standard_normal((100, 10)))
    assert np.mean(np.abs(T) > 1e-9) == pytest.approx(0.1)


def test_reverse_mode_cost_example():
    q = BANK["q01-why-cr-reverse"]
    states(both(q["explanation"]), "1000^2", "1000^3")
    Js = [RNG.standard_normal((3, 3)) for _ in range(3)]
    grad = RNG.standard_normal(3)
    back = grad
    for J in reversed(Js):
        back = J.T @ back
    close(back, (Js[2] @ Js[1] @ Js[0]).T @ grad, 1e-12)  # same result either way


def test_bank_shape():
    library = load_library(bundled_content_dirs())
    qs = list(BANK.values())
    assert len(qs) >= 6 and sum(q["type"] == "why" for q in qs) >= 3
    assert all(q["id"] in library.questions for q in qs)
    for q in qs:
        assert q["id"].startswith("q01-") and q["chapter"] == 1
        for f in q.get("follow_up", []):
            assert f in library.questions, f
        if q["type"] == "why":
            assert 2 <= len(q["points"]) <= 4, q["id"]
            for text in both(q["a"]):  # a model answer of 2-5 sentences, in each language
                assert 2 <= len(re.findall(r"[.!?](?:\s|$)", text)) <= 5, q["id"]
            assert 2 <= sentences(q["a"]["en"]) <= 5
    refs = [s["quiz"]["ref"] for s in LESSON["steps"] if "quiz" in s]
    assert len(refs) >= 3 and set(refs) <= set(BANK)


def test_lesson_whys_have_2_to_5_sentences_in_korean_too():
    for why in steps_of("why"):
        for text in both(why["a"]):
            assert 2 <= len(re.findall(r"[.!?](?:\s|$)", text)) <= 5, why["id"]
