"""Recompute every number and identity of lesson 03-09 (validation) and its bank quizzes/ch03-validation.yaml.

Each derivation line is looked up by its exact ``math`` text in a table of numerical checks, and
every line must have one: editing a line fails here until its check is updated. Expectations over
coin-flip noise are computed exactly, by enumerating every equally likely outcome; the Gaussian
ones by quadrature. The numbers the prose and the questions state are read from the YAML.
The run's figures are pinned separately (tests/content/test_pinned_figures.py).
"""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pytest

from claims_kit import (all_formulas, both, check_bank_shape, check_written_arithmetic,  # noqa: E402
                        derivation, load, run_checks, states, table_rows)  # same folder
from tutor.experiments import REGISTRY, check_run_step

LESSON = "lessons/03-neural-networks/09-validation.yaml"
BANK = "quizzes/ch03-validation.yaml"
LESSON_DATA = load(LESSON)
QUESTIONS = {q["id"]: q for q in load(BANK)["questions"]}


def steps_of(kind: str) -> list[dict]:
    return [s[kind] for s in LESSON_DATA["steps"] if kind in s]


def prose(heading: str) -> list[str]:
    """Both languages of the prose step whose English starts with ``## heading``."""
    found = [p for p in steps_of("prose") if p["en"].startswith(f"## {heading}")]
    assert len(found) == 1, heading
    return both(found[0])


def close_to(x: float, written: str) -> bool:
    digits = len(written.split(".")[1]) if "." in written else 0
    return abs(x - float(written)) <= 0.5 * 10 ** -digits + 1e-12


# -- parameters vs hyperparameters --------------------------------------------------------------------

def test_parameter_count_of_a_1_8_1_network():
    sizes = [1, 8, 1]
    count = sum(a * b + b for a, b in zip(sizes, sizes[1:]))
    assert count == 1 * 8 + 8 + 8 * 1 + 1 == 25
    states(prose("Parameters and hyperparameters"), "25")


# -- choosing on the training set -----------------------------------------------------------------------

X3, Y3 = np.array([0.0, 1.0, 2.0]), np.array([0.0, 1.0, 0.0])


def train_mse(x, y, d) -> float:
    c = np.polynomial.polynomial.polyfit(x, y, d)
    return float(np.mean((np.polynomial.polynomial.polyval(x, c) - y) ** 2))


def test_three_point_table():
    c0 = np.polynomial.polynomial.polyfit(X3, Y3, 0)
    c1 = np.polynomial.polynomial.polyfit(X3, Y3, 1)
    c2 = np.polynomial.polynomial.polyfit(X3, Y3, 2)
    assert np.allclose(c0, [1 / 3]) and np.allclose(c1, [1 / 3, 0], atol=1e-12)
    assert np.allclose(c2, [0, 2, -1])                          # 2x − x²
    assert train_mse(X3, Y3, 0) == pytest.approx(2 / 9) and train_mse(X3, Y3, 1) == pytest.approx(2 / 9)
    assert train_mse(X3, Y3, 2) == pytest.approx(0, abs=1e-20)
    assert close_to(2 / 9, "0.222")
    for text in prose("Choosing on the training set"):
        rows = table_rows(text, 3)
        assert [r[2] for r in rows[1:]] == ["$2/9 \\approx 0.222$", "$2/9 \\approx 0.222$", "0"]
        assert "$\\hat{y} = 2x - x^2$" in text


def test_training_loss_never_rises_and_reaches_zero_at_degree_n_minus_1():
    rng = np.random.default_rng(3)
    for n in (3, 10, 20):
        x = np.sort(rng.uniform(-1, 1, n))
        y = np.sin(3 * x) + 0.3 * rng.standard_normal(n)
        # Legendre basis: the same nested models, better conditioned up to degree 19
        losses = []
        for d in range(n):
            V = np.polynomial.legendre.legvander(x, d)
            c = np.linalg.lstsq(V, y, rcond=None)[0]
            losses.append(float(np.mean((V @ c - y) ** 2)))
        assert all(b <= a + 1e-9 for a, b in zip(losses, losses[1:]))
        assert losses[n - 1] < 1e-12
        assert losses[n - 2] > 1e-6      # degree n − 2 does not interpolate: n − 1 is the first


def test_split_60_20_20():
    assert [1000 * p // 100 for p in (60, 20, 20)] == [600, 200, 200]
    states(prose("Choosing on the training set"), "1,000", "60/20/20", "600/200/200")


# -- the contaminated test set: the maximum of noisy scores -------------------------------------------

def expected_max_coin(mu: float, h: float, M: int) -> float:
    """E[max of M scores], each mu ± h with probability 1/2, independent: by enumeration."""
    outcomes = itertools.product((mu - h, mu + h), repeat=M)
    return float(np.mean([max(o) for o in outcomes]))


def test_two_model_table_and_the_m_model_formula():
    for text in prose("Choosing on the test set"):
        rows = table_rows(text, 3)[1:]
        assert [tuple(map(float, r)) for r in rows] == \
            [(a, b, max(a, b)) for a, b in itertools.product((0.78, 0.82), repeat=2)]
    assert expected_max_coin(0.80, 0.02, 2) == pytest.approx(0.81)
    assert (0.78 + 3 * 0.82) / 4 == pytest.approx(0.81)
    for M in range(1, 11):
        assert expected_max_coin(0.80, 0.02, M) == pytest.approx(0.82 - 0.04 * 0.5 ** M)
    assert expected_max_coin(0.80, 0.02, 1) == pytest.approx(0.80)
    assert expected_max_coin(0.80, 0.02, 3) == pytest.approx(0.815)
    assert expected_max_coin(0.80, 0.02, 10) == pytest.approx(0.81996, abs=5e-6)
    states(prose("Choosing on the test set"), "0.815", "0.81996", "(1/2)^M")


def test_test_accuracy_noise_on_200_examples():
    sd = math.sqrt(0.8 * 0.2 / 200)
    assert close_to(sd, "0.028")
    # the binomial standard deviation of an accuracy: exact from the distribution
    k = np.arange(201)
    pmf = np.array([math.comb(200, int(i)) * 0.8 ** i * 0.2 ** (200 - i) for i in k])
    acc = k / 200
    assert math.sqrt(float(np.sum(pmf * (acc - 0.8) ** 2))) == pytest.approx(sd)
    states(prose("Choosing on the test set"), "0.028", "2.8")


def gaussian_e_abs(s: float) -> float:
    """E|Z| for Z ~ N(0, s²), by quadrature."""
    z = np.linspace(-12 * s, 12 * s, 400_001)
    pdf = np.exp(-z ** 2 / (2 * s ** 2)) / (s * math.sqrt(2 * math.pi))
    return float(np.trapezoid(np.abs(z) * pdf, z))


def gaussian_e_max2(mu: float, sigma: float) -> float:
    """E[max(S1, S2)], S_i ~ N(mu, σ²) independent, by quadrature of 2 φ(z) Φ(z) z."""
    z = np.linspace(-12, 12, 400_001)
    phi = np.exp(-z ** 2 / 2) / math.sqrt(2 * math.pi)
    Phi = 0.5 * (1 + np.vectorize(math.erf)(z / math.sqrt(2)))
    return mu + sigma * float(np.trapezoid(2 * z * phi * Phi, z))


def test_max_biased_derivation_line_by_line():
    d = derivation(LESSON_DATA, "deriv-03-val-max-biased")
    rng = np.random.default_rng(0)
    mu, h = 0.80, 0.02
    coin = list(itertools.product((-h, h), repeat=3))     # M = 3, every noise outcome equally likely

    def max_ge_first():
        S = mu + rng.normal(0, 0.03, (1000, 5))
        assert np.all(S.max(axis=1) >= S[:, 0])

    def e_first():
        assert np.mean([mu + e[0] for e in coin]) == pytest.approx(mu)

    def e_max_ge():
        e_max = np.mean([mu + max(e) for e in coin])
        assert e_max >= np.mean([mu + e[0] for e in coin]) - 1e-15 and e_max >= mu

    def strict():
        gap = [max(e) - e[0] for e in coin]
        assert min(gap) >= 0 and np.mean(gap) > 0
        assert np.mean([mu + max(e) for e in coin]) - mu == pytest.approx(np.mean(gap))

    def max_identity():
        for a, b in rng.normal(size=(100, 2)):
            assert max(a, b) == pytest.approx((a + b) / 2 + abs(a - b) / 2)

    def e_max_two():
        two = list(itertools.product((-h, h), repeat=2))
        lhs = np.mean([mu + max(e) for e in two])
        assert lhs == pytest.approx(mu + 0.5 * np.mean([abs(e[0] - e[1]) for e in two]))

    def coin_value():
        assert expected_max_coin(0.80, 0.02, 2) == pytest.approx(0.80 + 0.5 * 0.5 * 0.04) == pytest.approx(0.81)

    def gaussian():
        sigma = 0.028
        # the why's steps: ε1 − ε2 has variance 2σ², E|Z| = s√(2/π), half of it is σ/√π
        assert gaussian_e_abs(math.sqrt(2) * sigma) == pytest.approx(math.sqrt(2) * sigma * math.sqrt(2 / math.pi))
        assert 0.5 * math.sqrt(2) * sigma * math.sqrt(2 / math.pi) == pytest.approx(sigma / math.sqrt(math.pi))
        assert gaussian_e_max2(mu, sigma) == pytest.approx(mu + sigma / math.sqrt(math.pi), abs=1e-9)
        assert close_to(sigma / math.sqrt(math.pi), "0.016")

    def fresh_score():
        # choose on one noise, score on an independent fresh noise: every pair equally likely
        total, count = 0.0, 0
        for chosen_noise in itertools.product((-h, h), repeat=3):
            k = int(np.argmax(chosen_noise))
            for fresh in itertools.product((-h, h), repeat=3):
                total += mu + fresh[k]
                count += 1
        assert total / count == pytest.approx(mu)

    run_checks(d, {
        "S_{\\max} \\ge S_1": max_ge_first,
        "\\mathbb{E}[S_1] = \\mu{} + \\mathbb{E}[\\epsilon_1] = \\mu": e_first,
        "\\mathbb{E}[S_{\\max}] \\ge \\mathbb{E}[S_1] = \\mu": e_max_ge,
        "\\mathbb{E}[S_{\\max}] - \\mu{} = \\mathbb{E}[S_{\\max} - S_1] > 0": strict,
        "\\max(a, b) = \\frac{a + b}{2} + \\frac{|a - b|}{2}": max_identity,
        "\\mathbb{E}[\\max(S_1, S_2)] = \\mu{} + \\frac{1}{2} \\mathbb{E}|\\epsilon_1 - \\epsilon_2|": e_max_two,
        "\\mathbb{E}[\\max(S_1, S_2)] = 0.80 + \\frac{1}{2} \\cdot \\frac{1}{2} \\cdot 0.04 = 0.81": coin_value,
        "\\mathbb{E}[\\max(S_1, S_2)] = \\mu{} + \\frac{\\sigma}{\\sqrt{\\pi}}": gaussian,
        "\\mathbb{E}[S^{\\prime}_{\\hat{k}}] = \\mu": fresh_score,
    })
    line = next(s for s in d["steps"] if "sqrt{\\pi}" in s["math"])
    states(both(line["why"]), "0.028", "200", "0.016")


# -- K-fold ------------------------------------------------------------------------------------------------

def test_kfold_numbers():
    from tutor.experiments.validation import folds_of
    N, K = 50, 5
    folds = folds_of(np.random.default_rng(0), N, K)
    assert [len(f) for f in folds] == [10] * 5
    validated = np.zeros(N, int)
    trained = np.zeros(N, int)
    for k in range(K):
        validated[folds[k]] += 1
        train = np.concatenate([f for j, f in enumerate(folds) if j != k])
        assert len(train) == 40
        trained[train] += 1
    assert set(validated) == {1} and set(trained) == {4}
    scores = np.array([0.80, 0.70, 0.90, 0.80, 0.80])
    assert scores.mean() == pytest.approx(0.80)
    assert np.mean((scores - 0.8) ** 2) == pytest.approx(0.004)
    assert close_to(scores.std(), "0.063") and close_to(scores.std(ddof=1), "0.071")
    assert np.sum((scores - 0.8) ** 2) / (K - 1) == pytest.approx(0.005)
    assert 6 * 5 == 30 and 6 * 5 + 1 == 31
    text = prose("K-fold cross-validation")
    states(text, "0.80, 0.70, 0.90, 0.80, 0.80", "0.063", "0.071", "30", "31", "\\sqrt{0.004}", "\\sqrt{0.005}")


def test_kfold_variance_derivation_line_by_line():
    d = derivation(LESSON_DATA, "deriv-03-val-kfold-variance")
    K, sigma2, rho = 5, 0.7, 0.5

    def cov(K, rho, sigma2=sigma2):
        return sigma2 * ((1 - rho) * np.eye(K) + rho * np.ones((K, K)))

    def var_of_mean(K, rho):
        w = np.full(K, 1 / K)
        return float(w @ cov(K, rho) @ w)

    def mean_line():
        S = np.array([0.8, 0.7, 0.9, 0.8, 0.8])
        assert S.mean() == pytest.approx(np.sum(S) / len(S))

    def quad_form():
        # by simulation the variance of the mean of correlated scores is the sum of all covariances / K²
        rng = np.random.default_rng(1)
        S = rng.multivariate_normal(np.zeros(K), cov(K, rho), size=400_000)
        assert S.mean(axis=1).var() == pytest.approx(cov(K, rho).sum() / K ** 2, rel=0.01)

    def sum_cov():
        assert cov(K, rho).sum() == pytest.approx(K * sigma2 + K * (K - 1) * rho * sigma2)

    def closed_form():
        for k, r in itertools.product((2, 5, 10), (0.0, 0.3, 0.5, 1.0)):
            assert var_of_mean(k, r) == pytest.approx(sigma2 / k * (1 + (k - 1) * r))

    def extremes():
        assert var_of_mean(K, 0.0) == pytest.approx(sigma2 / K)
        assert var_of_mean(K, 1.0) == pytest.approx(sigma2)

    def five_half():
        assert var_of_mean(5, 0.5) == pytest.approx(0.6 * sigma2)
        assert (1 + 4 * 0.5) / 5 == pytest.approx(3 / 5)
        assert var_of_mean(5, 0.0) == pytest.approx(0.2 * sigma2)
        # the floor ρσ²: approached from above as K grows
        vs = [var_of_mean(k, 0.5) for k in (5, 50, 5000)]
        assert vs == sorted(vs, reverse=True) and all(v > 0.5 * sigma2 for v in vs)
        assert vs[-1] == pytest.approx(0.5 * sigma2, rel=2e-3)

    run_checks(d, {
        "\\bar{S} = \\frac{1}{K} \\sum_{k=1}^{K} S_k": mean_line,
        "\\operatorname{Var}[\\bar{S}] = \\frac{1}{K^2} \\sum_{k=1}^{K} \\sum_{l=1}^{K} \\operatorname{Cov}[S_k, S_l]": quad_form,
        "\\sum_{k=1}^{K} \\sum_{l=1}^{K} \\operatorname{Cov}[S_k, S_l] = K \\sigma^2 + K(K - 1) \\rho{} \\sigma^2": sum_cov,
        "\\operatorname{Var}[\\bar{S}] = \\frac{\\sigma^2}{K} (1 + (K - 1) \\rho)": closed_form,
        "\\rho{} = 0 \\Rightarrow \\operatorname{Var}[\\bar{S}] = \\frac{\\sigma^2}{K}, \\; \\rho{} = 1 \\Rightarrow \\operatorname{Var}[\\bar{S}] = \\sigma^2": extremes,
        "K = 5, \\rho{} = 0.5 \\Rightarrow \\operatorname{Var}[\\bar{S}] = 0.6 \\sigma^2": five_half,
    })
    # "with 5 folds, two runs share 3/4 of their training examples"
    from tutor.experiments.validation import folds_of
    folds = folds_of(np.random.default_rng(0), 100, 5)
    trains = [set(np.concatenate([f for j, f in enumerate(folds) if j != k]).tolist()) for k in range(5)]
    assert len(trains[0] & trains[1]) / len(trains[0]) == pytest.approx(3 / 4) == (5 - 2) / (5 - 1)
    states(both(d["given"]), "3/4")


# -- the bank ------------------------------------------------------------------------------------------------

def test_bank_answers():
    q = QUESTIONS
    assert q["q03-val-hyper-which"]["answers"] == [0, 2, 3, 5]
    truth = expected_max_coin(0.70, 0.03, 2)
    assert truth == pytest.approx((0.67 + 3 * 0.73) / 4) == pytest.approx(0.715)
    assert abs(q["q03-val-max-noisy"]["answer"] - truth) <= q["q03-val-max-noisy"]["tolerance"]
    assert q["q03-val-kfold-trainings"]["answer"] == 4 * 3 * 5 + 1 == 61 and 4 * 3 + 1 == 13
    # each of 100 examples: validated once, trained on 4 times; runs of 80 and 20
    from tutor.experiments.validation import folds_of
    folds = folds_of(np.random.default_rng(7), 100, 5)
    assert [len(f) for f in folds] == [20] * 5
    assert q["q03-val-kfold-each-once"]["answer"] == 0
    S = np.array([0.82, 0.78, 0.80, 0.84, 0.76])
    assert S.mean() == pytest.approx(0.80)
    assert np.sum((S - 0.8) ** 2) == pytest.approx(0.004)
    assert abs(q["q03-val-kfold-mean-std"]["answer"] - S.std()) <= q["q03-val-kfold-mean-std"]["tolerance"]
    assert close_to(S.std(ddof=1), "0.032") and np.sum((S - 0.8) ** 2) / 4 == pytest.approx(0.001)
    states(both(q["q03-val-kfold-mean-std"]["explanation"]), "0.0008", "0.028", "0.032", "0.004")
    # 20 distinct points: never rises, degree 19 is the first with training loss 0
    rng = np.random.default_rng(5)
    x = np.sort(rng.uniform(-1, 1, 20))
    y = rng.standard_normal(20)
    losses = []
    for d in range(1, 20):
        V = np.polynomial.legendre.legvander(x, d)
        losses.append(float(np.mean((V @ np.linalg.lstsq(V, y, rcond=None)[0] - y) ** 2)))
    assert all(b <= a + 1e-9 for a, b in zip(losses, losses[1:])) and losses[-1] < 1e-12 and losses[-2] > 1e-6
    assert q["q03-val-train-loss-degree"]["answer"] == 0
    contaminated = both(q["q03-why-val-contaminated"]["explanation"])
    states(contaminated, "0.80", "0.78", "0.82", "0.81")


def test_bank_shape():
    check_bank_shape(QUESTIONS, "q03-", 3, total=6, why=3)


# -- the lesson as a whole ---------------------------------------------------------------------------------

def test_lesson_shape():
    steps = LESSON_DATA["steps"]
    kinds = [next(iter(s)) for s in steps]
    assert kinds[0] == "prose" and kinds.count("why") >= 2 and kinds.count("run") == 1
    refs = [s["quiz"]["ref"] for s in steps if "quiz" in s]
    assert len(refs) >= 3 and all(r in QUESTIONS for r in refs)
    for w in steps_of("why"):
        assert 2 <= len(w["points"]) <= 4
        for lang in ("ko", "en"):
            sentences = [s for s in re.split(r"(?<=[.!?])\s+", w["a"][lang].strip()) if s]
            assert 2 <= len(sentences) <= 5, (w["id"], lang)
    for d in steps_of("derivation"):
        assert all(line["why"]["ko"] and line["why"]["en"] for line in d["steps"])
    assert "stub" not in (LESSON_DATA["title"]["en"] + open(__import__("claims_kit").ROOT / LESSON).read()).lower()


def test_run_step_is_the_validation_experiment_at_its_defaults():
    runs = steps_of("run")
    assert runs[0]["experiment"] == "validation" and check_run_step("validation", runs[0]["set"]) is None
    p = {k: v.default for k, v in REGISTRY["validation"].params.items()}
    assert (p["max_degree"], p["folds"]) == (10, 5)
    ask = both(runs[0]["ask"])
    states(ask, "10", "5")
    assert all(t.rstrip().endswith("?") for t in ask)


def test_lesson_formulas_as_written():
    assert check_written_arithmetic(all_formulas(LESSON_DATA) + all_formulas(list(QUESTIONS.values()))) >= 8


def test_korean_terms_at_first_use():
    """The English term beside the Korean one, with no space before the parenthesis."""
    ko = "\n".join(t for s in LESSON_DATA["steps"] for t in [str(s)])
    for term in ("하이퍼파라미터**(hyperparameter)", "파라미터**(parameter)", "훈련 세트(training set)",
                 "검증 세트**(validation set)", "테스트 세트(test set)", "K-겹 교차 검증(K-fold cross-validation)",
                 "과적합(overfitting)", "학습률(learning rate)", "경사 하강법(gradient descent)",
                 "오염된 테스트 세트**(contaminated test set)"):
        assert term in ko, term
    korean = [p["ko"] for p in steps_of("prose")]
    assert not any(re.search(r"[\uac00-\ud7a3]\*{0,2} \([A-Za-z]", t) for t in korean)


def test_run_comparisons_the_prose_makes():
    """"degree 9's expected loss is worse than degree 5's", "nearly equal", "optimistic": from the run."""
    events = list(REGISTRY["validation"].run({}, seed=0))
    f = events[-1]["variants"]["main"]
    assert f["test_pick_degree"] != f["chosen_degree"]
    assert f["test_pick_test_loss"] < f["chosen_test_loss"] and f["test_pick_true_loss"] > f["chosen_true_loss"]
    assert f["train_pick_degree"] == REGISTRY["validation"].params["max_degree"].default
    assert abs(f["mc_val_pick_test_loss"] - f["mc_val_pick_true_loss"]) < 0.002
    assert f["mc_test_pick_test_loss"] < f["mc_test_pick_true_loss"] - 0.008
