"""Recompute every number and identity of lesson 01-08 (MLE and MAP) and its bank questions in
quizzes/ch01-probability-mle.yaml.

Each derivation line is looked up by its exact ``math`` text in a table of numerical checks, and
every line must have one (claims_kit.run_checks). Likelihoods, posteriors and MAP estimates are
checked by brute force on a fine grid of p (or w), not only by the closed forms the lesson derives.
The run's figures are pinned in the lesson's ``figures:`` (tests/content/test_pinned_figures.py).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from claims_kit import both, derivation, load, run_checks, states, table_rows  # noqa: E402 (same folder)
from tutor.experiments import check_run_step
from tutor.experiments.mle_map import map_estimate

LESSON = load("lessons/01-math/08-mle-map.yaml")
QUESTIONS = {q["id"]: q for q in load("quizzes/ch01-probability-mle.yaml")["questions"]}
GRID = np.linspace(1e-6, 1 - 1e-6, 1_000_001)
CASES = [(7, 10), (1, 3), (18, 24), (40, 100), (2, 2), (0, 5)]   # (k, n); the last two hit an end


def prose_with(word: str) -> list[str]:
    found = [s["prose"] for s in LESSON["steps"] if "prose" in s and word in s["prose"]["en"]]
    assert len(found) == 1, word
    return both(found[0])


def close(a: float, b: float, tol: float = 1e-9) -> None:
    assert abs(a - b) <= tol, (a, b)


def L(p, k, n):
    return p ** k * (1 - p) ** (n - k)


def argmax(values) -> float:
    return float(GRID[int(np.argmax(values))])


# -- likelihood vs probability ------------------------------------------------------------------------

def test_likelihood_table_and_integral():
    texts = prose_with("Probability and likelihood")
    for text in texts:
        rows = [r for r in table_rows(text, 2) if r[0][0].isdigit()]
        assert [float(r[0]) for r in rows] == [0.5, 0.6, 0.7, 0.8]
        for r in rows:
            assert f"{1000 * L(float(r[0]), 7, 10):.3f}" == r[1]
    close(argmax(L(GRID, 7, 10)), 0.7, 1e-5)
    # over data the probabilities sum to 1; over p the likelihood does not integrate to 1
    close(sum(math.comb(10, k) * L(0.5, k, 10) for k in range(11)), 1.0)
    integral = float(np.trapezoid(L(GRID, 7, 10), GRID)) if hasattr(np, "trapezoid") else float(np.trapz(L(GRID, 7, 10), GRID))
    close(integral, 1 / 1320, 1e-9)
    close(math.factorial(7) * math.factorial(3) / math.factorial(11), 1 / 1320)
    assert f"{1 / 1320:.6f}" == "0.000758"
    states(texts, "1/1320", "0.000758", "0.7 = 7/10")


# -- derivation 1: the coin's MLE ---------------------------------------------------------------------

def test_mle_coin_derivation():
    inner = [(k, n) for k, n in CASES if 0 < k < n]
    ps = np.array([0.13, 0.37, 0.5, 0.81])

    def each(check):
        def run():
            for k, n in inner:
                check(k, n)
        return run

    def product(k, n):
        flips = [1] * k + [0] * (n - k)
        for p in ps:
            close(math.prod(p if f else 1 - p for f in flips), L(p, k, n), 1e-15)

    def log(k, n):
        assert np.allclose(np.log(L(ps, k, n)), k * np.log(ps) + (n - k) * np.log(1 - ps))
        close(argmax(k * np.log(GRID) + (n - k) * np.log(1 - GRID)), argmax(L(GRID, k, n)), 3e-6)

    def derivative(k, n):
        h = 1e-6
        fd = (np.log(L(ps + h, k, n)) - np.log(L(ps - h, k, n))) / (2 * h)
        assert np.allclose(fd, k / ps - (n - k) / (1 - ps), rtol=1e-6)

    def stationary(k, n):
        p = k / n
        close(k / p, (n - k) / (1 - p), 1e-9)
        close(k / p - (n - k) / (1 - p), 0.0, 1e-9)

    def cross(k, n):
        p = k / n
        close(k * (1 - p), (n - k) * p, 1e-12)
        # off the stationary point the two sides differ, and equally so as in the line above
        q = 0.3
        close((k / q - (n - k) / (1 - q)) * q * (1 - q), k * (1 - q) - (n - k) * q, 1e-12)

    def linear(k, n):
        for q in ps:
            close(k * (1 - q) - (n - k) * q, k - n * q, 1e-12)

    def mle(k, n):
        close(argmax(L(GRID, k, n)), k / n, 1e-5)
        second = -k / ps ** 2 - (n - k) / (1 - ps) ** 2
        assert (second < 0).all()

    run_checks(derivation(LESSON, "deriv-01-mle-coin"), {
        r"L(p) = p^k (1 - p)^{n - k}": each(product),
        r"\log L(p) = k \log p + (n - k) \log(1 - p)": each(log),
        r"\frac{d}{dp} \log L(p) = \frac{k}{p} - \frac{n - k}{1 - p}": each(derivative),
        r"\frac{k}{p} = \frac{n - k}{1 - p}": each(stationary),
        r"k(1 - p) = (n - k)\,p": each(cross),
        r"k = n p": each(linear),
        r"\hat{p}_{MLE} = \frac{k}{n}": each(mle),
    })
    # the given: at k = 0 or k = n the maximum is at the end
    assert argmax(L(GRID, 0, 5)) == GRID[0] and argmax(L(GRID, 2, 2)) == GRID[-1]


def test_gaussian_mean_mle():
    texts = prose_with("the same way")
    x = np.array([2.1, 1.7, 2.6, 1.6])
    close(x.sum(), 8.0, 1e-12)
    close(x.mean(), 2.0, 1e-12)
    sigma = 0.8
    mus = np.linspace(0, 4, 400001)
    loglik = np.array([-np.sum((x - m) ** 2) / (2 * sigma ** 2) for m in mus[::100]])
    close(float(mus[::100][np.argmax(loglik)]), 2.0, 1e-3)
    # the derivative Σ(xᵢ − μ)/σ² vanishes at the mean, and the log-likelihood matches the density's
    close(float(np.sum(x - x.mean())) / sigma ** 2, 0.0, 1e-12)
    m = 1.3
    dens = np.exp(-(x - m) ** 2 / (2 * sigma ** 2)) / (math.sqrt(2 * math.pi) * sigma)
    const = -len(x) * math.log(math.sqrt(2 * math.pi) * sigma)
    close(float(np.sum(np.log(dens))), -float(np.sum((x - m) ** 2)) / (2 * sigma ** 2) + const, 1e-12)
    states(texts, "2.1, 1.7, 2.6", "1.6", "8/4 = 2")


# -- derivation 2: MAP with a Beta prior --------------------------------------------------------------

def beta_pdf(p, a, b):
    return p ** (a - 1) * (1 - p) ** (b - 1) * math.gamma(a + b) / (math.gamma(a) * math.gamma(b))


PRIORS = [(11, 11), (3, 3), (2, 5), (1, 1)]


def test_map_beta_derivation():
    cases = [(k, n, a, b) for k, n in CASES for a, b in PRIORS if k + a > 1 and n - k + b > 1]

    def each(check):
        def run():
            for c in cases:
                check(*c)
        return run

    def bayes(k, n, a, b):
        # P(D) by integration; the posterior then integrates to 1
        joint = L(GRID, k, n) * beta_pdf(GRID, a, b)
        evidence = float(np.trapezoid(joint, GRID)) if hasattr(np, "trapezoid") else float(np.trapz(joint, GRID))
        post = joint / evidence
        area = float(np.trapezoid(post, GRID)) if hasattr(np, "trapezoid") else float(np.trapz(post, GRID))
        close(area, 1.0, 1e-6)

    def proportional(k, n, a, b):
        ps = np.array([0.2, 0.45, 0.7])
        ratio = L(ps, k, n) * beta_pdf(ps, a, b) / (L(ps, k, n) * ps ** (a - 1) * (1 - ps) ** (b - 1))
        assert np.allclose(ratio, ratio[0])

    def exponents(k, n, a, b):
        ps = np.array([0.2, 0.45, 0.7])
        assert np.allclose(L(ps, k, n) * ps ** (a - 1) * (1 - ps) ** (b - 1),
                           ps ** (k + a - 1) * (1 - ps) ** (n - k + b - 1))

    def mode(k, n, a, b):
        post = GRID ** (k + a - 1) * (1 - GRID) ** (n - k + b - 1)
        close(argmax(post), (k + a - 1) / (n + a + b - 2), 1e-5)
        close(map_estimate(k, n, a, b), (k + a - 1) / (n + a + b - 2))

    def flat():
        for k, n in CASES:
            if n:
                close(map_estimate(k, n, 1, 1), k / n)
                close(float(beta_pdf(0.3, 1, 1)), 1.0)

    def one_head():
        close(map_estimate(1, 1, 11, 11), 11 / 21)
        assert f"{11 / 21:.3f}" == "0.524"

    run_checks(derivation(LESSON, "deriv-01-map-beta"), {
        r"P(p \,|\, D) = \frac{P(D \,|\, p) \, P(p)}{P(D)}": each(bayes),
        r"P(p \,|\, D) \propto p^k (1 - p)^{n - k} \cdot p^{a - 1} (1 - p)^{b - 1}": each(proportional),
        r"P(p \,|\, D) \propto p^{k + a - 1} (1 - p)^{n - k + b - 1}": each(exponents),
        r"\hat{p}_{MAP} = \frac{k + a - 1}{n + a + b - 2}": each(mode),
        r"\mathrm{Beta}(1, 1): \; \hat{p}_{MAP} = \frac{k}{n}": flat,
        r"\mathrm{Beta}(11, 11), \; k = n = 1: \; \hat{p}_{MAP} = \frac{11}{21}": one_head,
    })
    states(both(derivation(LESSON, "deriv-01-map-beta")["steps"][-1]["why"]), "0.524")


def test_prior_fades_table():
    texts = prose_with("As data piles up")
    for text in texts:
        rows = [r for r in table_rows(text, 3) if r[1][0].isdigit()]
        assert len(rows) == 3
        for (k, n), row in zip([(7, 10), (70, 100), (700, 1000)], rows):
            assert row[1] == "0.7" and k / n == 0.7
            assert row[2] == f"{map_estimate(k, n, 11, 11):.3f}"
            close(map_estimate(k, n, 11, 11), (k + 10) / (n + 20))
    assert [f"{x:.3f}" for x in (17 / 30, 80 / 120, 710 / 1020)] == ["0.567", "0.667", "0.696"]
    states(texts, "Beta}(11, 11)")


def test_run_step_and_figures():
    runs = [s["run"] for s in LESSON["steps"] if "run" in s]
    assert len(runs) == 1 and runs[0]["experiment"] == "mle_map"
    assert check_run_step("mle_map", runs[0]["set"]) is None
    names = {f["name"] for f in LESSON["figures"]}
    assert {"map-after-1", "mle-after-10", "map-after-10", "mle-after-1000", "map-after-1000"} <= names
    # the prose's closed forms agree with the pinned figures: 1 head → 11/21, 6 of 10 → 16/30
    assert f"{map_estimate(1, 1, 11, 11):.3f}" == "0.524" and f"{map_estimate(6, 10, 11, 11):.3f}" == "0.533"
    assert f"{map_estimate(678, 1000, 11, 11):.3f}" == "0.675"


# -- derivation 3: Gaussian prior = L2, Laplace prior = L1 --------------------------------------------

def test_map_l2_l1_derivation():
    rng = np.random.default_rng(3)
    W = rng.normal(size=(5, 4)) * 1.5      # five weight vectors, d = 4
    tau, s = 0.7, 0.4
    d = W.shape[1]
    # a toy NLL: a quadratic bowl around a point, so every argmin can be found on a 1-D grid too
    target = np.array([1.2, -0.4, 0.05, 2.0])

    def nll(w):
        return 0.5 * np.sum((w - target) ** 2, axis=-1)

    def gauss_prior(w):
        return np.prod(np.exp(-w ** 2 / (2 * tau ** 2)) / (math.sqrt(2 * math.pi) * tau), axis=-1)

    def laplace_prior(w):
        return np.prod(np.exp(-np.abs(w) / s) / (2 * s), axis=-1)

    grid = np.linspace(-4, 4, 80001)

    def per_coord_argmin(objective):
        """The objectives here are sums over coordinates: minimise each coordinate on the grid."""
        return np.array([grid[np.argmin(objective(grid, j))] for j in range(d)])

    def bayes_argmax():
        # max of P(D|w)P(w) with P(D|w) = exp(−NLL) is the same as min of NLL − log P(w)
        post = np.exp(-nll(W)) * gauss_prior(W)
        score = nll(W) - np.log(gauss_prior(W))
        assert int(np.argmax(post)) == int(np.argmin(score))

    def argmin_form():
        assert np.allclose(-np.log(np.exp(-nll(W)) * gauss_prior(W)), nll(W) - np.log(gauss_prior(W)))

    def gauss_density():
        # each factor is the N(0, τ²) density: area 1, variance τ²
        f = lambda x: np.exp(-x ** 2 / (2 * tau ** 2)) / (math.sqrt(2 * math.pi) * tau)
        x = np.linspace(-12 * tau, 12 * tau, 200001)
        close(float(np.sum(f(x)) * (x[1] - x[0])), 1.0, 1e-6)
        close(float(np.sum(x ** 2 * f(x)) * (x[1] - x[0])), tau ** 2, 1e-6)

    def gauss_neglog():
        assert np.allclose(-np.log(gauss_prior(W)),
                           np.sum(W ** 2, axis=1) / (2 * tau ** 2) + d * math.log(math.sqrt(2 * math.pi) * tau))

    def l2():
        lam = 1 / (2 * tau ** 2)
        a = per_coord_argmin(lambda g, j: 0.5 * (g - target[j]) ** 2 + g ** 2 / (2 * tau ** 2))
        b = per_coord_argmin(lambda g, j: 0.5 * (g - target[j]) ** 2 + lam * g ** 2)
        assert np.allclose(a, b) and np.allclose(a, target / (1 + 2 * lam), atol=2e-4)
        assert (np.abs(a) < np.abs(target)).all() and (a != 0).all()   # L2 shrinks, never to 0

    def laplace_density():
        x = np.linspace(-30 * s, 30 * s, 600001)
        close(float(np.sum(np.exp(-np.abs(x) / s) / (2 * s)) * (x[1] - x[0])), 1.0, 1e-5)
        y = np.linspace(0, 30 * s, 300001)
        close(2 * float(np.sum(np.exp(-y / s)) * (y[1] - y[0])) / (2 * s), 1.0, 1e-3)

    def laplace_neglog():
        assert np.allclose(-np.log(laplace_prior(W)), np.sum(np.abs(W), axis=1) / s + d * math.log(2 * s))

    def l1():
        lam = 1 / s
        a = per_coord_argmin(lambda g, j: 0.5 * (g - target[j]) ** 2 + np.abs(g) / s)
        b = per_coord_argmin(lambda g, j: 0.5 * (g - target[j]) ** 2 + lam * np.abs(g))
        soft = np.sign(target) * np.maximum(np.abs(target) - lam, 0)   # soft thresholding
        assert np.allclose(a, b) and np.allclose(a, soft, atol=2e-4)
        assert (a == 0).sum() >= 2                                     # L1 sets small weights to exactly 0

    run_checks(derivation(LESSON, "deriv-01-map-l2-l1"), {
        r"\hat{\mathbf{w}}_{MAP} = \arg\max_{\mathbf{w}} P(D \,|\, \mathbf{w}) \, P(\mathbf{w})": bayes_argmax,
        r"\hat{\mathbf{w}}_{MAP} = \arg\min_{\mathbf{w}} \left[ \mathrm{NLL}(\mathbf{w}) - \log P(\mathbf{w}) \right]": argmin_form,
        r"P(\mathbf{w}) = \prod_j \frac{1}{\sqrt{2\pi}\,\tau} e^{-w_j^2 / (2\tau^2)}": gauss_density,
        r"-\log P(\mathbf{w}) = \frac{1}{2\tau^2} \sum_j w_j^2 + d \log(\sqrt{2\pi}\,\tau)": gauss_neglog,
        r"\hat{\mathbf{w}}_{MAP} = \arg\min_{\mathbf{w}} \left[ \mathrm{NLL}(\mathbf{w}) + \lambda \|\mathbf{w}\|_2^2 \right], \; \lambda = \frac{1}{2\tau^2}": l2,
        r"P(w_j) = \frac{1}{2s} e^{-|w_j| / s}": laplace_density,
        r"-\log P(\mathbf{w}) = \frac{1}{s} \sum_j |w_j| + d \log(2s)": laplace_neglog,
        r"\hat{\mathbf{w}}_{MAP} = \arg\min_{\mathbf{w}} \left[ \mathrm{NLL}(\mathbf{w}) + \lambda \|\mathbf{w}\|_1 \right], \; \lambda = \frac{1}{s}": l1,
    })


# -- bank questions -----------------------------------------------------------------------------------

def check_numeric(q: dict, exact: float) -> None:
    tol = q["tolerance"]
    assert abs(q["answer"] - exact) <= tol, (q["id"], q["answer"], exact)
    digits = round(-math.log10(tol))
    assert q["answer"] == pytest.approx(round(exact, digits), abs=1e-12)


def test_mle_coin_value():
    q = QUESTIONS["q01-mle-coin-value"]
    check_numeric(q, argmax(L(GRID, 18, 24)))
    close(18 / 24, 0.75)
    states(both(q["explanation"]), "18/24 = 0.75")


def test_map_beta_value():
    q = QUESTIONS["q01-map-beta-value"]
    check_numeric(q, argmax(GRID ** (3 + 3 - 1) * (1 - GRID) ** (0 + 3 - 1)))
    close(map_estimate(3, 3, 3, 3), 5 / 7)
    states(both(q["explanation"]), "5/7", "0.714", "3/3 = 1")


def test_gaussian_prior_penalty():
    q = QUESTIONS["q01-map-gaussian-prior-penalty"]
    assert q["answer"] == 1 and "2\\tau^2" in q["choices"][1]["en"]
    tau = 0.6
    w = np.array([0.3, -1.1, 2.0])
    neglog = -np.sum(np.log(np.exp(-w ** 2 / (2 * tau ** 2)) / (math.sqrt(2 * math.pi) * tau)))
    close(float(neglog), float(np.sum(w ** 2)) / (2 * tau ** 2) + 3 * math.log(math.sqrt(2 * math.pi) * tau), 1e-12)


def test_mle_map_facts():
    q = QUESTIONS["q01-mle-map-facts"]
    assert q["answers"] == [0, 1, 2]
    close(math.factorial(7) * math.factorial(3) / math.factorial(11), 1 / 1320)
    # a flat prior: MAP equals the MLE; more data: MAP approaches the MLE
    assert all(map_estimate(k, n, 1, 1) == k / n for k, n in CASES if n)
    gaps = [abs(map_estimate(7 * m, 10 * m, 11, 11) - 0.7) for m in (1, 10, 100, 1000)]
    assert gaps == sorted(gaps, reverse=True) and gaps[-1] < 1e-3
    states(both(q["explanation"]), "1/1320")


def test_why_questions_shape():
    for qid in ("q01-why-prior-pseudo-counts", "q01-why-l1-sparse"):
        q = QUESTIONS[qid]
        assert q["type"] == "why" and 2 <= len(q["points"]) <= 4
    # L1's slope has constant size λ, L2's 2λw fades at 0
    lam, h = 0.5, 1e-7
    for w in (0.5, 0.01, 1e-4):
        close((lam * abs(w + h) - lam * abs(w - h)) / (2 * h), lam, 1e-6)
        close((lam * (w + h) ** 2 - lam * (w - h) ** 2) / (2 * h), 2 * lam * w, 1e-6)
