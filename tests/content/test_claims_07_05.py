"""Recompute every number and identity of lesson 07-05 (the cures of the vanishing gradient side by
side) and of its questions in quizzes/ch07-vanishing-cures.yaml (ids q07-cures-… and
q07-why-cures-…).

Each derivation line is looked up by its exact ``math`` text in a table of numerical checks, and
every line must have one (claims_kit.run_checks). The variance claims are checked by sampling,
the skip connection's Jacobian by finite differences. The runs' figures are pinned in the lesson's
``figures:`` (tests/content/test_pinned_figures.py).
"""

from __future__ import annotations

import math

import numpy as np

from claims_kit import (all_formulas, both, check_bank_shape, check_written_arithmetic, derivation,  # noqa: E402
                        load, run_checks, states, table_rows)
from tutor.experiments import check_run_step

LESSON = load("lessons/07-deep-network-problems/05-cures-side-by-side.yaml")
BANK = {q["id"]: q for q in load("quizzes/ch07-vanishing-cures.yaml")["questions"]}
MINE = {k: q for k, q in BANK.items() if k.startswith(("q07-cures-", "q07-why-cures-"))}
RNG = np.random.default_rng(0)


def dsig(z):
    s = 1.0 / (1.0 + np.exp(-z))
    return s * (1.0 - s)


def prose_with(word: str) -> list[str]:
    found = [s["prose"] for s in LESSON["steps"] if "prose" in s and word in s["prose"]["en"]]
    assert len(found) == 1, word
    return both(found[0])


def close(a, b, tol=1e-9):
    assert abs(a - b) <= tol, (a, b)


def test_the_product_table():
    for text in prose_with("The four cures in the product picture"):
        rows = table_rows(text, 4)[1:]
        assert [r[2] for r in rows][:2] == ["0.25", "1"] and rows[0][3] == "9.54e-7"
        assert rows[-1][2] == "1 + 0.01 = 1.01" and rows[-1][3] == "1.105"
        states([text], "σ′(5) = 0.0066 → σ′(0) = 0.25", "0.197", "1.01^{10} \\approx 1.105", "0.01^{10} = 10^{-20}")
    assert f"{0.25 ** 10:.2e}" == "9.54e-07"
    assert f"{dsig(5.0):.4f}" == "0.0066" and dsig(0.0) == 0.25 and f"{dsig(1.0):.3f}" == "0.197"
    assert f"{1.01 ** 10:.3f}" == "1.105" and math.isclose(0.01 ** 10, 1e-20)


def test_written_arithmetic_holds():
    assert check_written_arithmetic(all_formulas(LESSON)) >= 4
    assert check_written_arithmetic(all_formulas(list(MINE.values()))) >= 1


def test_init_derivation():
    d = derivation(LESSON, "deriv-07-cures-init")
    n, m = 32, 200_000
    sw = 0.3
    x = RNG.normal(0, 1.5, size=(m, n))
    w = RNG.normal(0, sw, size=(m, n))
    z = (w * x).sum(axis=1)

    def var_z():
        close(float(z.var()), n * sw ** 2 * 1.5 ** 2, 0.02 * n * sw ** 2 * 1.5 ** 2)

    def xavier():
        zz = (RNG.normal(0, math.sqrt(1 / n), size=(m, n)) * x).sum(axis=1)
        close(float(zz.var()) / 1.5 ** 2, 1.0, 0.02)

    def relu_half():
        zz = RNG.normal(0, 2.0, size=1_000_000)
        close(float(np.mean(np.maximum(zz, 0) ** 2)), 0.5 * 4.0, 0.02)

    def he():
        # one He ReLU layer keeps the mean square, on average over the draw of W (a single draw
        # is lucky or unlucky by a few per cent, and ten layers compound that luck)
        h = np.maximum(RNG.normal(size=(2000, n)), 0)
        ratios = [float(np.mean(np.maximum(h @ RNG.normal(0, math.sqrt(2 / n), size=(n, n)), 0) ** 2) / np.mean(h ** 2))
                  for _ in range(200)]
        close(float(np.mean(ratios)), 1.0, 0.03)
        close(n * (2 / n) / 2, 1.0)

    def he32():
        close(math.sqrt(2 / 32), 0.25)

    def uniform_var():
        u = RNG.uniform(-1 / math.sqrt(n), 1 / math.sqrt(n), size=2_000_000)
        close(float(u.var()), 1 / (3 * n), 0.01 / (3 * n) * 3)
        close((2 / math.sqrt(n)) ** 2 / 12, 1 / (3 * n))
        close((2 / n) / (1 / (3 * n)), 6.0)

    def default_relu():
        close(math.sqrt(n / 2 * 1 / (3 * n)), math.sqrt(1 / 6))
        assert f"{math.sqrt(1 / 6):.3f}" == "0.408"
        assert 6 ** 5 == 7776 and math.isclose(math.sqrt(1 / 6) ** 10, 1 / 7776)

    run_checks(d, {
        "\\operatorname{Var}[z] = n \\operatorname{Var}[w] \\operatorname{Var}[x]": var_z,
        "\\operatorname{Var}[w] = \\frac{1}{n}": xavier,
        "\\mathbb{E}[\\mathrm{ReLU}(z)^2] = \\frac{1}{2} \\operatorname{Var}[z]": relu_half,
        "\\operatorname{Var}[w] = \\frac{2}{n}": he,
        "\\sqrt{\\frac{2}{32}} = 0.25": he32,
        "\\operatorname{Var}[w] = \\frac{(2/\\sqrt{n})^2}{12} = \\frac{1}{3n}": uniform_var,
        "\\sqrt{\\frac{n}{2} \\cdot \\frac{1}{3n}} = \\sqrt{\\frac{1}{6}} \\approx 0.408": default_relu,
    })


def test_skip_derivation():
    d = derivation(LESSON, "deriv-07-cures-skip")
    k = 4
    Ws = [RNG.normal(0, 0.1, size=(k, k)) for _ in range(5)]
    f = [lambda x, W=W: np.tanh(W @ x) for W in Ws]
    x0 = RNG.normal(size=k)

    def jac(fn, x, h=1e-6):
        return np.stack([(fn(x + h * e) - fn(x - h * e)) / (2 * h) for e in np.eye(len(x))], axis=1)

    def Jf(W, x):
        return np.diag(1 - np.tanh(W @ x) ** 2) @ W

    def one_block():
        np.testing.assert_allclose(jac(lambda x: x + f[0](x), x0), np.eye(k) + Jf(Ws[0], x0), atol=1e-8)

    def product():
        def net(x):
            for fl in f:
                x = x + fl(x)
            return x
        J, x = np.eye(k), x0
        for W in Ws:
            J = (np.eye(k) + Jf(W, x)) @ J
            x = x + np.tanh(W @ x)
        np.testing.assert_allclose(jac(net, x0), J, atol=1e-7)

    def expand():
        Js = [RNG.normal(0, 0.1, size=(k, k)) for _ in range(3)]
        P = (np.eye(k) + Js[2]) @ (np.eye(k) + Js[1]) @ (np.eye(k) + Js[0])
        rest = P - np.eye(k) - sum(Js)
        # what is left after I + Σ J_l are the products of two or more J's: second order in their size
        assert np.abs(rest).max() < 3 * max(np.abs(J).max() for J in Js) ** 2 * k * 3

    run_checks(d, {
        "\\frac{\\partial}{\\partial \\mathbf{x}} (\\mathbf{x} + f(\\mathbf{x})) = I + \\frac{\\partial f}{\\partial \\mathbf{x}}": one_block,
        "\\frac{\\partial \\mathbf{y}_L}{\\partial \\mathbf{x}_0} = \\prod_{l=1}^{L} (I + J_l)": product,
        "\\prod_{l=1}^{L} (I + J_l) = I + \\sum_{l} J_l + \\dots": expand,
        "(1 + 0.01)^{10} \\approx 1.105": lambda: close(round(1.01 ** 10, 3), 1.105),
        "0.01^{10} = 10^{-20}": lambda: close(0.01 ** 10 / 1e-20, 1.0, 1e-9),
    })


def test_the_runs_and_what_the_prose_says_about_them():
    runs = [s["run"] for s in LESSON["steps"] if "run" in s]
    assert [r["experiment"] for r in runs] == ["cures", "cures"]
    assert runs[0].get("set", {}) == {} and runs[1]["set"] == {"lr": 0.2}
    assert all(check_run_step(r["experiment"], r.get("set", {})) is None for r in runs)
    from tutor.experiments import REGISTRY
    assert REGISTRY["cures"].params["lr"].default == 0.1     # the first run's "learning rate 0.1"
    # the ranking the prose describes, from the pinned figures' values
    pinned = {f["name"]: float(f["text"]) for f in LESSON["figures"]}
    assert max(pinned["val-loss-relu"], pinned["val-loss-batchnorm"]) < pinned["val-loss-skip"] < pinned["val-loss-plain"]
    assert pinned["lr02-val-loss-skip"] < pinned["lr02-val-loss-batchnorm"] < pinned["lr02-val-loss-relu"]
    assert 100 < pinned["ratio-he"] / pinned["ratio-plain"] < 1000          # "a few hundred times"


def test_bank_shape():
    check_bank_shape(MINE, "q07-", 7, total=7, why=2)
    assert all(BANK[q]["follow_up"] for q in ("q07-why-cures-which-factor", "q07-why-cures-one-run"))
    refs = [s["quiz"]["ref"] for s in LESSON["steps"] if "quiz" in s]
    assert len(refs) >= 3 and sum(r in MINE for r in refs) >= 3
    assert "q07-why-vanishing-cures" in refs                     # the key question, from ch00


def test_bank_answers():
    q = BANK["q07-cures-he-std"]
    close(math.sqrt(2 / 50), q["answer"])
    close(50 * 0.04 / 2, 1.0)
    q = BANK["q07-cures-skip-product"]
    assert f"{1.1 ** 5:.5f}" == "1.61051" and round(1.1 ** 5, 3) == q["answer"]
    assert math.isclose(0.1 ** 5, 0.00001)
    q = BANK["q07-cures-default-relu"]
    assert round(math.sqrt(1 / 6), 3) == q["answer"]
    states(both(q["explanation"]), "7776", "1.29 \\times 10^{-4}")
    assert f"{1 / 7776:.2e}" == "1.29e-04"
    q = BANK["q07-cures-which-factor"]
    assert q["answer"] == 0 and f"{dsig(5.0):.4f}" == "0.0066"
    q = BANK["q07-cures-sigmoid-init"]
    assert q["answer"] == 0 and 4 * dsig(0.0) == 1.0
