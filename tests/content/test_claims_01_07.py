"""Recompute every number and identity of lesson 01-07 (random variables and distributions) and its
bank questions in quizzes/ch01-probability-mle.yaml.

Each derivation line is looked up by its exact ``math`` text in a table of numerical checks, and
every line must have one (claims_kit.run_checks). Numbers the prose and the questions state are
read from the YAML and compared with values computed here. The run's figures are pinned in the
lesson's ``figures:`` (tests/content/test_pinned_figures.py reruns them).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from claims_kit import both, derivation, load, run_checks, states, table_rows  # noqa: E402 (same folder)
from tutor.experiments import check_run_step

LESSON = load("lessons/01-math/07-probability.yaml")
QUESTIONS = {q["id"]: q for q in load("quizzes/ch01-probability-mle.yaml")["questions"]}
RNG = np.random.default_rng(7)
FACES = np.arange(1, 7)


def step_text(i: int) -> list[str]:
    return both(LESSON["steps"][i]["prose"])


def prose_with(word: str) -> list[str]:
    found = [s["prose"] for s in LESSON["steps"] if "prose" in s and word in s["prose"]["en"]]
    assert len(found) == 1, word
    return both(found[0])


def close(a: float, b: float, tol: float = 1e-9) -> None:
    assert abs(a - b) <= tol, (a, b)


def integrate(f, a: float, b: float, n: int = 200001) -> float:
    x = np.linspace(a, b, n)
    y = f(x)
    return float(np.sum((y[1:] + y[:-1]) / 2 * np.diff(x)))


def normal_within(k: float) -> float:
    """P(|X − μ| < kσ) for a normal X."""
    return math.erf(k / math.sqrt(2))


# -- the die ------------------------------------------------------------------------------------------

def test_die_table_and_numbers():
    texts = prose_with("Mean and variance of one die")
    for text in texts:
        rows = table_rows(text, 4)[1:]   # the header row is text
        assert [int(r[0]) for r in rows] == list(FACES)
        for r in rows:
            x = int(r[0])
            assert float(r[1]) == x - 3.5 and float(r[2]) == (x - 3.5) ** 2 and int(r[3]) == x * x
    mean = FACES.mean()
    var = np.mean((FACES - mean) ** 2)
    mean_sq = np.mean(FACES ** 2)
    close(mean, 3.5)
    close(FACES.sum(), 21)
    close(np.sum((FACES - mean) ** 2), 17.5)
    close(var, 35 / 12)
    close(mean_sq, 91 / 6)
    close(mean_sq - mean ** 2, 35 / 12)
    assert f"{35 / 12:.3f}" == "2.917" and f"{math.sqrt(35 / 12):.3f}" == "1.708" and f"{91 / 6:.3f}" == "15.167"
    states(texts, "21/6 = 3.5", "17.5/6 = 35/12", "2.917", "1.708", "91/6", "15.167", "3.5^2 = 35/12")


def test_uniform_half_density_is_two():
    # U(0, 0.5): height 2 × width 0.5 = area 1
    close(integrate(lambda x: np.full_like(x, 2.0), 0, 0.5), 1.0, 1e-9)
    states(step_text(1), "[0, 0.5]")
    states([step_text(1)[0]], "밀도가 2", "높이 2 × 폭 0.5 = 넓이 1")
    states([step_text(1)[1]], "density 2", "height 2 times width 0.5 is area 1")


# -- derivation 1: the variance shortcut --------------------------------------------------------------

def random_discrete():
    values = RNG.normal(size=5) * 3
    probs = RNG.random(5)
    return values, probs / probs.sum()


def test_variance_shortcut_derivation():
    def for_some(check):
        def run():
            for _ in range(20):
                check(*random_discrete())
        return run

    def E(values, probs, g=lambda x: x):
        return float(np.sum(g(values) * probs))

    def definition(v, p):
        mu = E(v, p)
        close(E(v, p, lambda x: (x - mu) ** 2), float(np.sum(p * (v - mu) ** 2)))

    def expand(v, p):
        mu = E(v, p)
        assert np.allclose((v - mu) ** 2, v ** 2 - 2 * mu * v + mu ** 2)

    def linear(v, p):
        mu = E(v, p)
        close(E(v, p, lambda x: (x - mu) ** 2), E(v, p, lambda x: x ** 2) - 2 * mu * E(v, p) + mu ** 2)

    def substitute(v, p):
        mu = E(v, p)
        close(E(v, p, lambda x: (x - mu) ** 2), E(v, p, lambda x: x ** 2) - 2 * mu ** 2 + mu ** 2)

    def shortcut(v, p):
        mu = E(v, p)
        var = E(v, p, lambda x: (x - mu) ** 2)
        close(var, E(v, p, lambda x: x ** 2) - E(v, p) ** 2)
        assert var >= 0 and E(v, p, lambda x: x ** 2) >= E(v, p) ** 2

    def die():
        close(91 / 6 - 3.5 ** 2, 35 / 12)
        close(float(np.mean((FACES - 3.5) ** 2)), 35 / 12)

    run_checks(derivation(LESSON, "deriv-01-variance-shortcut"), {
        r"\mathrm{Var}(X) = \mathbb{E}[(X - \mu)^2]": for_some(definition),
        r"(X - \mu)^2 = X^2 - 2\mu X + \mu^2": for_some(expand),
        r"\mathbb{E}[(X - \mu)^2] = \mathbb{E}[X^2] - 2\mu \, \mathbb{E}[X] + \mu^2": for_some(linear),
        r"\mathbb{E}[(X - \mu)^2] = \mathbb{E}[X^2] - 2\mu^2 + \mu^2": for_some(substitute),
        r"\mathrm{Var}(X) = \mathbb{E}[X^2] - \mathbb{E}[X]^2": for_some(shortcut),
        r"\mathrm{Var}(X) = \frac{91}{6} - 3.5^2 = \frac{35}{12}": die,
    })


# -- derivation 2: the uniform distribution -----------------------------------------------------------

INTERVALS = [(0.0, 1.0), (-3.0, 3.0), (2.0, 7.5), (-1.3, 0.4)]


def test_uniform_moments_derivation():
    def each(check):
        def run():
            for a, b in INTERVALS:
                check(a, b)
        return run

    def density(a, b):
        close(integrate(lambda x: np.full_like(x, 1 / (b - a)), a, b), 1.0, 1e-9)

    def mean_integral(a, b):
        close(integrate(lambda x: x / (b - a), a, b), (b * b - a * a) / (2 * (b - a)), 1e-8)

    def mean(a, b):
        close((b * b - a * a) / (2 * (b - a)), (a + b) / 2)
        samples = np.random.default_rng(0).uniform(a, b, 400000)
        close(samples.mean(), (a + b) / 2, 0.01 * (b - a))

    def sq_integral(a, b):
        close(integrate(lambda x: x * x / (b - a), a, b), (b ** 3 - a ** 3) / (3 * (b - a)), 1e-7)

    def sq(a, b):
        close((b ** 3 - a ** 3) / (3 * (b - a)), (a * a + a * b + b * b) / 3)

    def var_from_moments(a, b):
        e2 = integrate(lambda x: x * x / (b - a), a, b)
        e1 = integrate(lambda x: x / (b - a), a, b)
        close(e2 - e1 ** 2, (a * a + a * b + b * b) / 3 - (a + b) ** 2 / 4, 1e-7)

    def common_denominator(a, b):
        close((a * a + a * b + b * b) / 3 - (a + b) ** 2 / 4,
              (4 * a * a + 4 * a * b + 4 * b * b - 3 * a * a - 6 * a * b - 3 * b * b) / 12)

    def square(a, b):
        close((a * a - 2 * a * b + b * b) / 12, (b - a) ** 2 / 12)
        close((4 * a * a + 4 * a * b + 4 * b * b - 3 * a * a - 6 * a * b - 3 * b * b) / 12, (b - a) ** 2 / 12)
        samples = np.random.default_rng(1).uniform(a, b, 400000)
        assert abs(samples.var() / ((b - a) ** 2 / 12) - 1) < 0.01

    def symmetric():
        for c in (0.5, 1.0, 2.0):
            close((2 * c) ** 2 / 12, c * c / 3)
            close((math.sqrt(3) * c) ** 2 / 3, c * c)   # c = √3 σ gives variance σ²

    run_checks(derivation(LESSON, "deriv-01-uniform-moments"), {
        r"f(x) = \frac{1}{b - a}, \; a \le x \le b": each(density),
        r"\mathbb{E}[X] = \int_a^b \frac{x}{b - a}\,dx = \frac{b^2 - a^2}{2(b - a)}": each(mean_integral),
        r"\mathbb{E}[X] = \frac{a + b}{2}": each(mean),
        r"\mathbb{E}[X^2] = \int_a^b \frac{x^2}{b - a}\,dx = \frac{b^3 - a^3}{3(b - a)}": each(sq_integral),
        r"\mathbb{E}[X^2] = \frac{a^2 + ab + b^2}{3}": each(sq),
        r"\mathrm{Var}(X) = \frac{a^2 + ab + b^2}{3} - \frac{(a + b)^2}{4}": each(var_from_moments),
        r"\mathrm{Var}(X) = \frac{4a^2 + 4ab + 4b^2 - 3a^2 - 6ab - 3b^2}{12}": each(common_denominator),
        r"\mathrm{Var}(X) = \frac{a^2 - 2ab + b^2}{12} = \frac{(b - a)^2}{12}": each(square),
        r"U(-c, c): \; \mathrm{Var}(X) = \frac{(2c)^2}{12} = \frac{c^2}{3}": symmetric,
    })
    d = derivation(LESSON, "deriv-01-uniform-moments")
    assert f"{math.sqrt(3):.3f}" == "1.732"
    states(both(d["conclusion"]), "1.732")


# -- the normal distribution, initialization, the sample mean -----------------------------------------

def test_normal_rule_and_uniform_example():
    texts = prose_with("The uniform and the normal distribution")
    assert f"{normal_within(1):.1%}" == "68.3%"
    assert f"{normal_within(2):.1%}" == "95.4%"
    assert f"{normal_within(3):.1%}" == "99.7%"
    states(texts, "68.3%", "95.4%", "99.7%", "0.0833", "[-0.2, 0.2]")
    assert f"{1 / 12:.4f}" == "0.0833"
    # N(0, 0.1²): [−0.2, 0.2] is ±2σ, about 95 in 100
    assert round(100 * normal_within(2)) == 95
    # the density formula: area 1 and variance σ² (numerically)
    mu, s = 0.3, 0.7
    f = lambda x: np.exp(-(x - mu) ** 2 / (2 * s * s)) / (math.sqrt(2 * math.pi) * s)
    close(integrate(f, mu - 12 * s, mu + 12 * s), 1.0, 1e-7)
    close(integrate(lambda x: (x - mu) ** 2 * f(x), mu - 12 * s, mu + 12 * s), s * s, 1e-7)


def test_xavier_and_answer_numbers():
    texts = prose_with("The answer to the opening question")
    c = math.sqrt(6 / (100 + 100))
    close(c * c, 0.03)
    assert f"{c:.3f}" == "0.173"
    close(c * c / 3, 2 / (100 + 100))
    close(c * c / 3, 0.01)
    close(math.sqrt(c * c / 3), 0.1)
    # the Bernoulli variable: mean p, variance p(1 − p), the sample mean's std
    p = 0.7
    values, probs = np.array([0.0, 1.0]), np.array([1 - p, p])
    close(float(values @ probs), p)
    close(float((values ** 2) @ probs), p)
    close(float((values ** 2) @ probs) - p ** 2, 0.21)
    assert f"{math.sqrt(0.21 / 10):.3f}" == "0.145" and f"{math.sqrt(0.21 / 1000):.4f}" == "0.0145"
    states(texts, "0.173", "0.01", "0.1", "0.21", "0.145", "0.0145", "1.732")


def test_what_the_run_showed():
    # the pinned 0.678 (figures:) is 0.022 from 0.7, within two standard deviations of 0.0145
    texts = prose_with("What the run showed")
    close(0.7 - 0.678, 0.022, 1e-12)
    assert 0.022 < 2 * math.sqrt(0.21 / 1000)
    states(texts, "0.022", "0.0145", "95%")
    names = {f["name"] for f in LESSON["figures"]}
    assert {"sample-mean-after-10", "sample-mean-after-1000", "heads-after-10", "sample-mean-after-1"} <= names


def test_run_step_is_valid():
    runs = [s["run"] for s in LESSON["steps"] if "run" in s]
    assert len(runs) == 1 and runs[0]["experiment"] == "mle_map"
    assert check_run_step("mle_map", runs[0]["set"]) is None


# -- bank questions -----------------------------------------------------------------------------------

def check_numeric(q: dict, exact: float) -> None:
    tol = q["tolerance"]
    assert abs(q["answer"] - exact) <= tol, (q["id"], q["answer"], exact)
    digits = round(-math.log10(tol))
    assert q["answer"] == pytest.approx(round(exact, digits), abs=1e-12)


def test_four_sided_die():
    q = QUESTIONS["q01-prob-four-sided-die"]
    x = np.arange(1, 5)
    var = float(np.mean((x - x.mean()) ** 2))
    check_numeric(q, var)
    close(x.mean(), 2.5)
    close(float(np.mean(x ** 2)), 7.5)
    close(float(np.sum((x - 2.5) ** 2)) / 4, 1.25)
    states(both(q["explanation"]), "2.5", "7.5", "6.25", "1.25", "(2.25 + 0.25 + 0.25 + 2.25)/4")


def test_uniform_width():
    q = QUESTIONS["q01-prob-uniform-width"]
    check_numeric(q, math.sqrt(3))
    samples = np.random.default_rng(2).uniform(-math.sqrt(3), math.sqrt(3), 400000)
    assert abs(samples.var() - 1) < 0.01


def test_normal_outside():
    q = QUESTIONS["q01-prob-normal-outside"]
    outside = {k: 10000 * (1 - normal_within(k)) for k in (1, 2, 3)}
    assert round(outside[2], -1) == 460 and round(outside[1], -2) == 3200 and round(outside[3], -1) == 30
    assert q["answer"] == 1 and "460" in q["choices"][1]["en"]
    assert f"{1 - normal_within(1):.1%}" == "31.7%" and f"{1 - normal_within(2):.1%}" == "4.6%"
    states(both(q["explanation"]), "95.4%", "4.6%", "31.7%", "0.3%")


def test_prob_facts():
    q = QUESTIONS["q01-prob-facts"]
    assert q["answers"] == [0, 1, 2]
    assert 91 / 6 != 3.5 ** 2
    states(both(q["explanation"]), "91/6", "12.25")


def test_sample_mean_question():
    q = QUESTIONS["q01-why-sample-mean-settles"]
    # variance of the mean of n independent flips, by exact enumeration for small n
    p = 0.7
    for n in (1, 2, 5, 8):
        ks = np.arange(n + 1)
        probs = np.array([math.comb(n, int(k)) * p ** k * (1 - p) ** (n - k) for k in ks])
        means = ks / n
        var = float(probs @ (means - probs @ means) ** 2)
        close(var, p * (1 - p) / n)
    states(both(q["explanation"]), "0.21", "0.145", "0.0145")


def test_density_question():
    q = QUESTIONS["q01-why-density-not-probability"]
    states(both(q["explanation"]), "U(0, 0.5)", "2 \\times 0.5 = 1")


def test_bank_shape():
    mine = [q for q in QUESTIONS.values() if q["id"].startswith("q01-")]
    assert len(mine) >= 10 and sum(q["type"] == "why" for q in mine) >= 4
    for q in mine:
        if q["type"] == "why":
            assert 2 <= len(q["points"]) <= 4, q["id"]
        for ref in q.get("follow_up", []):
            assert ref in QUESTIONS, ref
