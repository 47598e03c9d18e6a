"""Recompute the identities and numbers added to three lessons: activations (04-01), MSE vs
cross-entropy (05-01) and optimizers (03-05).

Each derivation step is looked up by its exact ``math`` text in a table of numerical checks, and
every step must have one: editing a line in the YAML fails here until its check is updated, and a
new line cannot slip in unchecked. Numbers stated in tables, ``math`` lines and conclusions are
read from the YAML and compared with values computed here, so a wrong number fails.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from claims_kit import rounds_to  # noqa: E402 (same folder)
from tutor.nn.optim import SGD, Adam

ROOT = Path(__file__).parents[2]
ACTIVATIONS = "lessons/04-deep-learning/01-activations.yaml"
MSE_CE = "lessons/05-classification/01-mse-vs-ce.yaml"
OPTIMIZERS = "lessons/03-neural-networks/05-optimizers.yaml"

NUM = r"-?\d+(?:\.\d+)?"
RNG = np.random.default_rng(0)


# --------------------------------------------------------------------------- helpers

def load(rel: str) -> dict:
    return yaml.safe_load((ROOT / rel).read_text(encoding="utf-8"))


def derivation(lesson: dict, ident: str) -> dict:
    found = [s["derivation"] for s in lesson["steps"] if "derivation" in s
             and s["derivation"].get("id") == ident]
    assert len(found) == 1, ident
    return found[0]


def maths(deriv: dict) -> list[str]:
    return [s["math"] for s in deriv["steps"]]


def prose(lesson: dict) -> list[dict]:
    return [s["prose"] for s in lesson["steps"] if "prose" in s]


def numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(NUM, text)]


def table_rows(text: str, cells: int) -> list[list[str]]:
    """Rows of a Markdown table with ``cells`` cells whose first cell is a number."""
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        parts = [p.strip() for p in line.strip("|").split("|")]
        if len(parts) == cells and re.fullmatch(NUM, parts[0]):
            rows.append(parts)
    return rows


def quiz_refs(lesson: dict) -> list[str]:
    return [s["quiz"]["ref"] for s in lesson["steps"] if "quiz" in s and "ref" in s["quiz"]]


def bank_ids() -> dict[str, int]:
    ids = {}
    for path in (ROOT / "quizzes").glob("*.yaml"):
        for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            ids[q["id"]] = q["chapter"]
    return ids


def d(f, x, h=1e-6):
    """Central difference of a scalar function."""
    return (f(x + h) - f(x - h)) / (2 * h)


def grad(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    g = np.zeros_like(x, dtype=float)
    for i in range(x.size):
        e = np.zeros_like(x, dtype=float)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def true(condition) -> None:
    """An assertion usable inside a lambda."""
    assert bool(np.all(condition))


def run_checks(deriv: dict, checks: dict) -> None:
    lines = maths(deriv)
    unchecked = [m for m in lines if m not in checks]
    assert not unchecked, f"derivation lines without a numerical check: {unchecked}"
    stale = [m for m in checks if m not in lines]
    assert not stale, f"checks for lines no longer in the YAML: {stale}"
    for m in lines:
        checks[m](m)


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def dsig(z):
    """σ'(z) by central differences, independent of the identity being tested."""
    return d(sig, z)


Z = np.concatenate([np.linspace(-8, 8, 161), RNG.normal(0, 3, 50)])


@pytest.mark.parametrize("rel, chapters", [(ACTIVATIONS, {4}), (MSE_CE, {5}), (OPTIMIZERS, {3})])
def test_quiz_refs_exist_and_fit_the_chapter(rel, chapters):
    ids = bank_ids()
    refs = quiz_refs(load(rel))
    assert len(refs) >= 2 and len(set(refs)) == len(refs)
    for ref in refs:
        assert ref in ids, ref
        assert ids[ref] in chapters, ref


# =========================================================================== 04-01 activations

class TestActivations:
    lesson = load(ACTIVATIONS)

    def test_has_enough_quiz_refs(self):
        assert len(quiz_refs(self.lesson)) >= 3

    def test_sigmoid_table(self):
        texts = [t for p in prose(self.lesson) for t in (p["ko"], p["en"]) if "| z |" in t]
        assert len(texts) == 2
        for text in texts:
            rows = table_rows(text, 3)
            assert len(rows) >= 4
            for z, s, ds in rows:
                z = float(z)
                assert rounds_to(sig(z), s), (z, s)
                assert rounds_to(dsig(z), ds), (z, ds)
                assert rounds_to(sig(z) * (1 - sig(z)), ds), (z, ds)

    def test_table_mirror_claim(self):
        assert np.allclose(sig(-Z), 1 - sig(Z))
        assert np.allclose(dsig(-Z), dsig(Z), atol=1e-9)

    def test_derivative_identity(self):
        one = lambda z: np.ones_like(z)
        e = lambda z: np.exp(-z)
        checks = {
            "\\sigma(z) = (1 + e^{-z})^{-1}":
                lambda m: np.testing.assert_allclose(sig(Z), (1 + e(Z)) ** -1.0),
            "\\sigma'(z) = -(1 + e^{-z})^{-2} \\cdot (-e^{-z})":
                lambda m: np.testing.assert_allclose(dsig(Z), -(1 + e(Z)) ** -2.0 * (-e(Z)),
                                                     atol=1e-9),
            "\\sigma'(z) = \\frac{e^{-z}}{(1 + e^{-z})^2}":
                lambda m: np.testing.assert_allclose(dsig(Z), e(Z) / (1 + e(Z)) ** 2, atol=1e-9),
            "\\sigma'(z) = \\frac{1}{1 + e^{-z}} \\cdot \\frac{e^{-z}}{1 + e^{-z}}":
                lambda m: np.testing.assert_allclose(dsig(Z), one(Z) / (1 + e(Z)) * e(Z) / (1 + e(Z)),
                                                     atol=1e-9),
            "\\frac{e^{-z}}{1 + e^{-z}} = \\frac{(1 + e^{-z}) - 1}{1 + e^{-z}} = 1 - \\sigma(z)":
                lambda m: (np.testing.assert_allclose(e(Z) / (1 + e(Z)), ((1 + e(Z)) - 1) / (1 + e(Z)),
                                                      rtol=1e-6, atol=1e-12),
                           np.testing.assert_allclose(e(Z) / (1 + e(Z)), 1 - sig(Z), atol=1e-12)),
            "\\sigma'(z) = \\sigma(z)(1 - \\sigma(z))":
                lambda m: np.testing.assert_allclose(dsig(Z), sig(Z) * (1 - sig(Z)), atol=1e-9),
        }
        run_checks(derivation(self.lesson, "deriv-04-sigmoid-derivative"), checks)

    def test_derivative_conclusion_example(self):
        deriv = derivation(self.lesson, "deriv-04-sigmoid-derivative")
        for text in (deriv["conclusion"]["ko"], deriv["conclusion"]["en"]):
            m = re.search(rf"z = ({NUM})\$, \$({NUM}) \\cdot ({NUM}) \\approx ({NUM})", text)
            if m is None:  # Korean puts a particle after the first $…$
                m = re.search(rf"z = ({NUM})\$에서 \$({NUM}) \\cdot ({NUM}) \\approx ({NUM})", text)
            assert m, text
            z, s, one_minus, product = m.groups()
            assert rounds_to(sig(float(z)), s)
            assert rounds_to(1 - sig(float(z)), one_minus)
            assert rounds_to(float(s) * float(one_minus), product)
            assert rounds_to(dsig(float(z)), product)

    def test_quarter_bound_and_ten_layers(self):
        deriv = derivation(self.lesson, "deriv-04-sigmoid-quarter")
        fine = np.linspace(-6, 6, 120001)
        s_grid = np.linspace(1e-6, 1 - 1e-6, 10001)

        def chain(h0, w):
            h = h0
            for wk in w:
                h = sig(wk * h)
            return h

        def chain_product(h0, w):
            prod, h = 1.0, h0
            for wk in w:
                prod *= wk * dsig(wk * h)
                h = sig(wk * h)
            return prod

        def check_chain(m):
            layers = int(re.search(r"h_\{(\d+)\}", m).group(1))
            assert f"^{{{layers}}}" in m
            for _ in range(20):
                w = RNG.uniform(-3, 3, layers)
                h0 = RNG.normal()
                # complex-step derivative: no cancellation, so exact even for tiny gradients
                exact = (chain(h0 + 1e-30j, w)).imag / 1e-30
                assert math.isclose(exact, chain_product(h0, w), rel_tol=1e-5)

        def check_bound(m):
            base, layers = (float(x) for x in re.search(rf"\\le ({NUM})\^{{(\d+)}}", m).groups())
            assert base == 0.25 and math.isclose(dsig(0.0), base, abs_tol=1e-9)
            for _ in range(200):
                w = RNG.uniform(-1, 1, int(layers))
                h0 = RNG.normal()
                assert abs((chain(h0 + 1e-30j, w)).imag / 1e-30) <= base ** layers

        def check_number(m):
            base, layers, four, neg, one, denom, mant, ten, exp = numbers(m)
            assert (one, ten) == (1, 10)
            assert base ** layers == four ** neg == 1 / denom  # exact in binary floating point
            assert four == 1 / base and neg == -layers and denom == four ** layers
            assert rounds_to(base ** layers / 10 ** exp, str(mant))

        checks = {
            "0 < s < 1": lambda m: true((sig(Z) > 0) & (sig(Z) < 1)),
            "s(1 - s) = \\frac{1}{4} - (s - \\frac{1}{2})^2":
                lambda m: np.testing.assert_allclose(s_grid * (1 - s_grid),
                                                     0.25 - (s_grid - 0.5) ** 2, atol=1e-15),
            "s(1 - s) \\le \\frac{1}{4}":
                lambda m: (true(s_grid * (1 - s_grid) <= 0.25),
                           np.testing.assert_allclose(dsig(fine).max(), 0.25, atol=1e-9)),
            "\\sigma(0) = \\frac{1}{1 + e^{0}} = \\frac{1}{2}":
                lambda m: (np.testing.assert_equal(sig(0.0), 0.5),
                           np.testing.assert_allclose(fine[np.argmax(dsig(fine))], 0.0, atol=1e-3)),
            "\\frac{\\partial h_{10}}{\\partial h_0} = \\prod_{k=1}^{10} w_k \\sigma'(w_k h_{k-1})":
                check_chain,
            "|\\frac{\\partial h_{10}}{\\partial h_0}| \\le 0.25^{10}": check_bound,
            "0.25^{10} = 4^{-10} = \\frac{1}{1048576} \\approx 9.5 \\times 10^{-7}": check_number,
        }
        run_checks(deriv, checks)

    def test_max_is_quarter_at_zero_in_text(self):
        deriv = derivation(self.lesson, "deriv-04-sigmoid-quarter")
        step = next(s for s in deriv["steps"] if s["math"].startswith("\\sigma(0)"))
        for text in (step["why"]["ko"], step["why"]["en"]):
            assert f"\\sigma'(0) = {dsig(0.0):.2f}" in text

    def test_intro_numbers(self):
        """The opening prose: 0.25¹⁰ ≈ 9.5 × 10⁻⁷ and the saturated factor 0.0066 at z = 5."""
        intro = prose(self.lesson)[0]
        for text in (intro["ko"], intro["en"]):
            assert "0.25¹⁰ ≈ 9.5 × 10⁻⁷" in text
            assert f"{0.25 ** 10 / 1e-7:.1f}" == "9.5"
        conclusion = derivation(self.lesson, "deriv-04-sigmoid-quarter")["conclusion"]
        assert rounds_to(dsig(5.0), "0.0066")
        for text in (conclusion["ko"], conclusion["en"]):
            assert "0.0066" in text and "z = 5" in text


# =========================================================================== 05-01 MSE vs CE

def bce(p, y):
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def logsumexp(z):
    return z.max() + np.log(np.exp(z - z.max()).sum())


def targets(n: int):
    """A one-hot target and a soft one (any distribution summing to 1)."""
    onehot = np.eye(n)[RNG.integers(n)]
    soft = RNG.dirichlet(np.ones(n))
    return onehot, soft


class TestMseVsCe:
    lesson = load(MSE_CE)
    Zs = np.linspace(-6, 6, 49)

    def test_has_enough_quiz_refs(self):
        assert len(quiz_refs(self.lesson)) >= 3

    def _each(self, f):
        for z in self.Zs:
            for y in (0.0, 1.0):
                f(z, sig(z), y)

    def test_binary_derivation(self):
        def dL_dp(z, p, y):
            return d(lambda q: bce(q, y), p, 1e-7)

        def step1(m):
            self._each(lambda z, p, y: np.testing.assert_allclose(
                dL_dp(z, p, y), -y / p + (1 - y) / (1 - p), rtol=1e-5))

        def step2(m):
            self._each(lambda z, p, y: (
                np.testing.assert_allclose(dL_dp(z, p, y), (-y * (1 - p) + (1 - y) * p) / (p * (1 - p)),
                                           rtol=1e-5),
                np.testing.assert_allclose(dL_dp(z, p, y), (p - y) / (p * (1 - p)), rtol=1e-5)))

        def step3(m):
            self._each(lambda z, p, y: np.testing.assert_allclose(dsig(z), p * (1 - p), atol=1e-9))

        def step4(m):
            self._each(lambda z, p, y: (
                np.testing.assert_allclose(d(lambda x: bce(sig(x), y), z), p - y, atol=1e-7),
                np.testing.assert_allclose((p - y) / (p * (1 - p)) * p * (1 - p), p - y, atol=1e-12)))

        def step5(m):
            self._each(lambda z, p, y: np.testing.assert_allclose(
                d(lambda x: (sig(x) - y) ** 2 / 2, z), (p - y) * p * (1 - p), atol=1e-9))

        checks = {
            "\\frac{\\partial L}{\\partial p} = -\\frac{y}{p} + \\frac{1 - y}{1 - p}": step1,
            "\\frac{\\partial L}{\\partial p} = \\frac{-y(1 - p) + (1 - y)p}{p(1 - p)} = "
            "\\frac{p - y}{p(1 - p)}": step2,
            "\\frac{\\partial p}{\\partial z} = p(1 - p)": step3,
            "\\frac{\\partial L}{\\partial z} = \\frac{p - y}{p(1 - p)} \\cdot p(1 - p) = p - y": step4,
            "\\frac{\\partial}{\\partial z} \\frac{(p - y)^2}{2} = (p - y) \\cdot p(1 - p)": step5,
        }
        run_checks(derivation(self.lesson, "deriv-05-bce-grad"), checks)

    def test_binary_conclusion_numbers(self):
        deriv = derivation(self.lesson, "deriv-05-bce-grad")
        for text in (deriv["conclusion"]["ko"], deriv["conclusion"]["en"]):
            y = float(re.search(rf"y = ({NUM})", text).group(1))
            z = float(re.search(rf"z = ({NUM})", text).group(1))
            p_written = re.search(rf"p \\approx ({NUM})", text).group(1)
            ce_written, mse_written = re.findall(r"(-0\.\d+)\$", text)
            p = sig(z)
            assert rounds_to(p, p_written)
            assert rounds_to(d(lambda x: bce(sig(x), y), z), ce_written)
            assert rounds_to(d(lambda x: (sig(x) - y) ** 2 / 2, z), mse_written)

    def test_softmax_derivation(self):
        cases = []
        for n in (2, 3, 5, 7):
            for _ in range(5):
                z = RNG.normal(0, 2, n)
                for y in targets(n):
                    cases.append((z, y))

        def loss(z, y):
            return -(y * np.log(softmax(z))).sum()

        def each(f):
            for z, y in cases:
                f(z, y)

        checks = {
            "\\ln p_k = z_k - \\ln \\sum_j \\exp(z_j)":
                lambda m: each(lambda z, y: np.testing.assert_allclose(
                    np.log(softmax(z)), z - np.log(np.exp(z).sum()), atol=1e-12)),
            "L = -\\sum_k y_k z_k + (\\sum_k y_k) \\ln \\sum_j \\exp(z_j)":
                lambda m: each(lambda z, y: np.testing.assert_allclose(
                    loss(z, y), -(y * z).sum() + y.sum() * logsumexp(z), atol=1e-12)),
            "L = -\\sum_k y_k z_k + \\ln \\sum_j \\exp(z_j)":
                lambda m: each(lambda z, y: (
                    np.testing.assert_allclose(y.sum(), 1.0),
                    np.testing.assert_allclose(loss(z, y), -(y * z).sum() + logsumexp(z), atol=1e-12))),
            "\\frac{\\partial}{\\partial z_i} (-\\sum_k y_k z_k) = -y_i":
                lambda m: each(lambda z, y: np.testing.assert_allclose(
                    grad(lambda x: -(y * x).sum(), z), -y, atol=1e-8)),
            "\\frac{\\partial}{\\partial z_i} \\ln \\sum_j \\exp(z_j) = "
            "\\frac{\\exp(z_i)}{\\sum_j \\exp(z_j)} = p_i":
                lambda m: each(lambda z, y: (
                    np.testing.assert_allclose(grad(logsumexp, z), np.exp(z) / np.exp(z).sum(), atol=1e-8),
                    np.testing.assert_allclose(np.exp(z) / np.exp(z).sum(), softmax(z), atol=1e-12))),
            "\\frac{\\partial L}{\\partial z_i} = p_i - y_i":
                lambda m: each(lambda z, y: np.testing.assert_allclose(
                    grad(lambda x: loss(x, y), z), softmax(z) - y, atol=1e-8)),
            "\\frac{\\partial L}{\\partial \\mathbf{z}} = \\mathbf{p} - \\mathbf{y}":
                lambda m: each(lambda z, y: np.testing.assert_allclose(
                    grad(lambda x: loss(x, y), z), softmax(z) - y, atol=1e-8)),
        }
        run_checks(derivation(self.lesson, "deriv-05-softmax-ce-grad"), checks)

    def test_softmax_conclusion_claims(self):
        """Jacobian p_i(δ_ik − p_k), components of p − y sum to 0, softmax of (z, 0) is σ(z)."""
        conclusion = derivation(self.lesson, "deriv-05-softmax-ce-grad")["conclusion"]
        for text in (conclusion["ko"], conclusion["en"]):
            assert "p_i(\\delta_{ik} - p_k)" in text
            assert "\\sum_i (p_i - y_i) = 1 - 1 = 0" in text
            assert "\\frac{\\exp(z)}{\\exp(z) + \\exp(0)} = \\sigma(z)" in text
        for n in (2, 4, 6):
            z = RNG.normal(0, 2, n)
            p = softmax(z)
            jac = np.stack([grad(lambda x: softmax(x)[i], z) for i in range(n)])
            np.testing.assert_allclose(jac, p[:, None] * (np.eye(n) - p[None, :]), atol=1e-8)
            for y in targets(n):
                g = p - y
                assert abs(g.sum()) < 1e-12
                loss = lambda x: -(y * np.log(softmax(x))).sum()
                assert math.isclose(loss(z + 3.7), loss(z), abs_tol=1e-12)
        for z in self.Zs:
            assert math.isclose(softmax(np.array([z, 0.0]))[0], sig(z), rel_tol=1e-12)

    def test_intro_stub_gradient_claims(self):
        """The opening prose's formulas: MSE's gradient at z carries σ′(z); CE's is p − y."""
        for z in self.Zs:
            for y in (0.0, 1.0):
                assert math.isclose(d(lambda x: bce(sig(x), y), z), sig(z) - y, abs_tol=1e-7)


# =========================================================================== 03-05 optimizers

def momentum_buffers(grads, mu):
    v, out = 0.0, []
    for g in grads:
        v = mu * v + g
        out.append(v)
    return np.array(out)


def ema(grads, beta):
    m, out = 0.0, []
    for g in grads:
        m = beta * m + (1 - beta) * g
        out.append(m)
    return np.array(out)


class TestOptimizers:
    lesson = load(OPTIMIZERS)

    def mu(self) -> float:
        text = prose(self.lesson)[1]["en"]
        return float(re.search(rf"\\mu\{{\}} = ({NUM})", text).group(1))

    def test_momentum_table(self):
        mu = self.mu()
        assert mu == 0.9
        for text in (prose(self.lesson)[1]["ko"], prose(self.lesson)[1]["en"]):
            rows = table_rows(text, 5)
            assert len(rows) >= 4
            t = np.array([int(r[0]) for r in rows])
            assert list(t) == list(range(1, len(rows) + 1))
            for col in (1, 3):
                g = np.array([float(r[col]) for r in rows])
                v = momentum_buffers(g, mu)
                for written, value in zip((r[col + 1] for r in rows), v):
                    assert rounds_to(value, written), (written, value)

    def test_momentum_limits_in_prose(self):
        mu = self.mu()
        same = momentum_buffers(np.ones(400), mu)
        alternating = momentum_buffers((-1.0) ** np.arange(400), mu)
        for text in (prose(self.lesson)[1]["ko"], prose(self.lesson)[1]["en"]):
            limit = float(re.search(re.escape("\\frac{1}{1 - \\mu} = ") + f"({NUM})", text).group(1))
            damped = re.search(re.escape("\\frac{1}{1 + \\mu} \\approx ") + f"({NUM})", text).group(1)
            assert math.isclose(same[-1], limit, rel_tol=1e-9)
            assert math.isclose(1 / (1 - mu), limit)
            assert rounds_to(abs(alternating[-1]), damped) and rounds_to(abs(alternating[-2]), damped)
            assert rounds_to(1 / (1 + mu), damped)

    def test_momentum_unrolled(self):
        deriv = derivation(self.lesson, "deriv-03-momentum-unrolled")
        trials = [(RNG.uniform(0.1, 0.99), RNG.normal(size=30)) for _ in range(10)]

        def each(f):
            for mu, g in trials:
                f(mu, g, momentum_buffers(g, mu))

        def constant(m):
            for mu in (0.5, 0.9, 0.99):
                for t in (1, 2, 5, 50):
                    g = 1.7
                    v = momentum_buffers(np.full(t, g), mu)[-1]
                    assert math.isclose(v, g * sum(mu ** k for k in range(t)), rel_tol=1e-12)
                    assert math.isclose(v, g * (1 - mu ** t) / (1 - mu), rel_tol=1e-12)
                v = momentum_buffers(np.full(5000, 1.7), mu)[-1]
                assert math.isclose(v, 1.7 / (1 - mu), rel_tol=1e-9)

        def other_convention(m):
            for mu, g in trials:
                beta = mu
                np.testing.assert_allclose(ema(g, beta), (1 - beta) * momentum_buffers(g, mu), atol=1e-12)
                t = np.arange(1, len(g) + 1)
                weights = np.array([(1 - beta) * sum(beta ** (s - k) for k in range(1, s + 1)) for s in t])
                np.testing.assert_allclose(weights, 1 - beta ** t, atol=1e-12)

        checks = {
            "v_1 = \\mu \\cdot 0 + g_1 = g_1":
                lambda m: each(lambda mu, g, v: np.testing.assert_allclose(v[0], g[0])),
            "v_2 = \\mu v_1 + g_2 = \\mu g_1 + g_2":
                lambda m: each(lambda mu, g, v: np.testing.assert_allclose(v[1], mu * g[0] + g[1])),
            "v_3 = \\mu v_2 + g_3 = \\mu^2 g_1 + \\mu g_2 + g_3":
                lambda m: each(lambda mu, g, v: np.testing.assert_allclose(
                    v[2], mu ** 2 * g[0] + mu * g[1] + g[2])),
            "v_4 = \\mu^3 g_1 + \\mu^2 g_2 + \\mu g_3 + g_4":
                lambda m: each(lambda mu, g, v: np.testing.assert_allclose(
                    v[3], mu ** 3 * g[0] + mu ** 2 * g[1] + mu * g[2] + g[3])),
            "v_t = \\sum_{k=1}^{t} \\mu^{t-k} g_k":
                lambda m: each(lambda mu, g, v: np.testing.assert_allclose(
                    v, [sum(mu ** (t - k) * g[k - 1] for k in range(1, t + 1)) for t in range(1, len(g) + 1)],
                    atol=1e-12)),
            "v_t = g \\sum_{k=0}^{t-1} \\mu^k = g \\frac{1 - \\mu^t}{1 - \\mu} \\to \\frac{g}{1 - \\mu}":
                constant,
            "v'_t = \\beta v'_{t-1} + (1 - \\beta) g_t = (1 - \\beta) v_t": other_convention,
        }
        run_checks(deriv, checks)

    def test_tutor_sgd_is_this_convention(self):
        """tutor.nn.optim.SGD(momentum=μ) walks θ_t = θ_{t−1} − η v_t with the unrolled v_t."""
        mu, lr = 0.9, 0.05
        g = RNG.normal(size=(12, 3))
        theta = np.array([0.3, -1.2, 2.0])
        opt = SGD(lr=lr, momentum=mu)
        v = np.zeros(3)
        expected = theta.copy()
        for t in range(len(g)):
            opt.update(theta, g[t].copy())
            v = sum(mu ** (t - k) * g[k] for k in range(t + 1))
            expected = expected - lr * v
            np.testing.assert_allclose(theta, expected, atol=1e-12)
            np.testing.assert_allclose(opt.state[""]["momentum_buffer"], v, atol=1e-12)

    def test_learning_rate_equivalence_in_conclusion(self):
        """(1−β) convention with η/(1−β) gives PyTorch's trajectory with η."""
        conclusion = derivation(self.lesson, "deriv-03-momentum-unrolled")["conclusion"]
        for text in (conclusion["ko"], conclusion["en"]):
            assert "\\frac{1}{1 - \\beta}" in text
        beta, lr = 0.9, 0.01
        g = RNG.normal(size=40)
        a = -lr * np.cumsum(momentum_buffers(g, beta))
        b = -(lr / (1 - beta)) * np.cumsum(ema(g, beta))
        np.testing.assert_allclose(a, b, atol=1e-12)
        assert math.isclose(1 / (1 - beta), 10)

    def test_adam_bias_correction(self):
        deriv = derivation(self.lesson, "deriv-03-adam-bias-correction")
        b1 = 0.9
        for text in (deriv["steps"][0]["why"]["ko"], deriv["steps"][0]["why"]["en"]):
            assert f"\\beta_1 = {b1}" in text and f"${1 - b1:.1f} g_1$" in text
        mean, noise, steps, runs = 0.8, 0.5, 30, 40000
        g = mean + noise * RNG.standard_normal((runs, steps))
        m = np.zeros(runs)
        ms = []
        for t in range(steps):
            m = b1 * m + (1 - b1) * g[:, t]
            ms.append(m.copy())
        ms = np.array(ms)  # (steps, runs)
        t = np.arange(1, steps + 1)

        def unrolled(m_):
            expect = np.stack([(1 - b1) * sum(b1 ** (s - k) * g[:, k - 1] for k in range(1, s + 1))
                               for s in t])
            np.testing.assert_allclose(ms, expect, atol=1e-12)

        def expectation(m_):
            # Monte Carlo mean of m_t against (1 − β₁) Σ β₁^{t−k} E[g]; standard error ≲ 0.003
            rhs = np.array([(1 - b1) * sum(b1 ** (s - k) for k in range(1, s + 1)) * mean for s in t])
            np.testing.assert_allclose(ms.mean(axis=1), rhs, atol=0.01)

        def geometric(m_):
            for beta in (0.5, 0.9, 0.999):
                for s in (1, 2, 10, 100):
                    assert math.isclose((1 - beta) * sum(beta ** k for k in range(s)), 1 - beta ** s,
                                        rel_tol=1e-9)

        def biased(m_):
            np.testing.assert_allclose(ms.mean(axis=1), (1 - b1 ** t) * mean, atol=0.01)
            const = ema(np.full(steps, mean), b1)  # a constant gradient: no noise at all
            np.testing.assert_allclose(const, (1 - b1 ** t) * mean, atol=1e-12)

        def corrected(m_):
            const = ema(np.full(steps, mean), b1)
            np.testing.assert_allclose(const / (1 - b1 ** t), mean, atol=1e-12)
            np.testing.assert_allclose((ms / (1 - b1 ** t)[:, None]).mean(axis=1), mean, atol=0.01)

        checks = {
            "m_1 = (1 - \\beta_1) g_1":
                lambda m_: np.testing.assert_allclose(ms[0], (1 - b1) * g[:, 0], atol=1e-15),
            "m_2 = (1 - \\beta_1)(\\beta_1 g_1 + g_2)":
                lambda m_: np.testing.assert_allclose(ms[1], (1 - b1) * (b1 * g[:, 0] + g[:, 1]), atol=1e-15),
            "m_t = (1 - \\beta_1) \\sum_{k=1}^{t} \\beta_1^{t-k} g_k": unrolled,
            "E[m_t] = (1 - \\beta_1) \\sum_{k=1}^{t} \\beta_1^{t-k} E[g]": expectation,
            "(1 - \\beta_1) \\sum_{k=0}^{t-1} \\beta_1^k = 1 - \\beta_1^t": geometric,
            "E[m_t] = (1 - \\beta_1^t) E[g]": biased,
            "\\hat{m}_t = \\frac{m_t}{1 - \\beta_1^t}": corrected,
        }
        run_checks(deriv, checks)

    def test_tutor_adam_state_matches(self):
        """tutor.nn.optim.Adam: after t constant gradients, m = (1 − β₁ᵗ)·g and the step is η."""
        g, lr = np.array([0.7, -2.0, 0.05]), 0.01
        opt = Adam(lr=lr)
        b1, b2 = opt.betas
        theta = np.zeros(3)
        for t in range(1, 8):
            before = theta.copy()
            opt.update(theta, g.copy())
            np.testing.assert_allclose(opt.state[""]["exp_avg"], (1 - b1 ** t) * g, atol=1e-15)
            np.testing.assert_allclose(opt.state[""]["exp_avg"] / (1 - b1 ** t), g, atol=1e-15)
            np.testing.assert_allclose(opt.state[""]["exp_avg_sq"], (1 - b2 ** t) * g ** 2, atol=1e-15)
            # bias-corrected: m̂/√v̂ = g/|g|, so each step is η·sign(g) (up to ε)
            np.testing.assert_allclose(before - theta, lr * np.sign(g), rtol=1e-5)

    def test_adam_conclusion_numbers(self):
        conclusion = derivation(self.lesson, "deriv-03-adam-bias-correction")["conclusion"]
        b1, b2 = 0.9, 0.999
        for text in (conclusion["ko"], conclusion["en"]):
            assert f"\\beta_2 = {b2}" in text and f"\\beta_1 = {b1}" in text
            m1 = float(re.search(rf"m_1 = ({NUM}) g", text).group(1))
            v1 = float(re.search(rf"({NUM}) g\^2", text).group(1))
            assert math.isclose(m1, 1 - b1) and math.isclose(v1, 1 - b2)
            ratio = re.search(rf"\\frac{{{NUM}}}{{\\sqrt{{{NUM}}}}} \\approx ({NUM})", text).group(1)
            assert rounds_to((1 - b1) / math.sqrt(1 - b2), ratio)
            t = int(re.search(r"t = (\d+)", text).group(1))
            assert b1 ** t < 0.01 <= b1 ** (t - 1)
        # the uncorrected first step really is 3.16 times the learning rate
        g, eps = 1.3, 1e-8
        m, v = (1 - b1) * g, (1 - b2) * g * g
        assert rounds_to(m / (math.sqrt(v) + eps), "3.16")
        assert math.isclose((m / (1 - b1)) / math.sqrt(v / (1 - b2)), 1.0)
