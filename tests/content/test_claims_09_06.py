"""Recompute every number and identity of lesson 09-06 (what deep-learning research asks of you:
the five-seed table, the standard error s/√n and E[s²] = σ² with n − 1 by seeded simulation, the
standard error of a difference and the z rule, the paired comparison's covariance term, checked
on the ``seeds`` run's own accuracies) and of its bank questions (quizzes/ch09-transformer-research.yaml,
q09-res-*). The run's figures are pinned in the lesson's ``figures:`` (tests/content/test_pinned_figures.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from claims_kit import (all_formulas, both, check_bank_shape, check_written_arithmetic, derivation,  # noqa: E402
                        load, run_checks, states, table_rows)

LESSON = load("lessons/09-transformers/06-research.yaml")
ALL = {q["id"]: q for q in load("quizzes/ch09-transformer-research.yaml")["questions"]}
BANK = {k: v for k, v in ALL.items() if k.startswith("q09-res-")}
X5 = np.array([0.90, 0.86, 0.92, 0.88, 0.94])


def prose(marker_en: str) -> dict:
    found = [s["prose"] for s in LESSON["steps"] if "prose" in s and marker_en in s["prose"]["en"]]
    assert len(found) == 1, marker_en
    return found[0]


def test_five_seed_table():
    text = prose("## By hand: five seeds")
    mean = X5.mean()
    for lang in ("ko", "en"):
        rows = [r for r in table_rows(text[lang], 4) if r[0].isdigit()]
        assert [float(r[1]) for r in rows] == list(X5)
        for r, x in zip(rows, X5):
            assert float(r[2]) == pytest.approx(x - mean, abs=1e-12)
            assert float(r[3]) == pytest.approx((x - mean) ** 2, abs=1e-12)
    assert X5.sum() == pytest.approx(4.50) and mean == pytest.approx(0.90)
    assert ((X5 - mean) ** 2).sum() == pytest.approx(0.004)
    s = X5.std(ddof=1)
    assert s ** 2 == pytest.approx(0.001) and f"{s:.4f}" == "0.0316"
    assert f"{s / math.sqrt(5):.4f}" == "0.0141"
    states(both(text), "0.0316", "0.0141", "0.004")
    assert round(100 * s) == 3   # "some 3 points"


def test_standard_error_derivation_by_simulation():
    rng = np.random.default_rng(0)
    mu, sigma, n, trials = 0.9, 0.03, 5, 200_000
    runs = rng.normal(mu, sigma, (trials, n))      # many experiments of n independent seeds each
    means = runs.mean(axis=1)

    def the_mean():
        assert means[0] == pytest.approx(runs[0].sum() / n)

    def sum_variance():
        assert runs.sum(axis=1).var() == pytest.approx(n * sigma ** 2, rel=0.01)

    def mean_variance():
        assert means.var() == pytest.approx(sigma ** 2 / n, rel=0.01)

    def standard_error():
        assert means.std() == pytest.approx(sigma / math.sqrt(n), rel=0.01)

    def unbiased():
        s2 = runs.var(axis=1, ddof=1)
        assert s2.mean() == pytest.approx(sigma ** 2, rel=0.01)
        assert runs.var(axis=1, ddof=0).mean() == pytest.approx(sigma ** 2 * (n - 1) / n, rel=0.01)  # too small

    def worked():
        s = X5.std(ddof=1)
        assert f"{s / math.sqrt(5):.4f}" == "0.0141" and f"{s / math.sqrt(5):.3f}" == "0.014"
        assert 0.0316 / math.sqrt(5) == pytest.approx(0.0141, abs=5e-5)

    run_checks(derivation(LESSON, "deriv-09-standard-error"), {
        '\\bar{x} = \\frac{1}{n} \\sum_{i=1}^{n} x_i': the_mean,
        '\\operatorname{Var}\\left(\\sum_{i=1}^{n} x_i\\right) = \\sum_{i=1}^{n} \\operatorname{Var}(x_i) = n \\sigma^2': sum_variance,
        '\\operatorname{Var}(\\bar{x}) = \\frac{1}{n^2} \\cdot n \\sigma^2 = \\frac{\\sigma^2}{n}': mean_variance,
        '\\operatorname{SE}(\\bar{x}) = \\sqrt{\\operatorname{Var}(\\bar{x})} = \\frac{\\sigma}{\\sqrt{n}}': standard_error,
        's^2 = \\frac{1}{n - 1} \\sum_{i=1}^{n} (x_i - \\bar{x})^2, \\quad \\mathbb{E}[s^2] = \\sigma^2': unbiased,
        '\\operatorname{SE} \\approx \\frac{s}{\\sqrt{n}} = \\frac{0.0316}{\\sqrt{5}} \\approx 0.0141': worked,
    })


def test_difference_derivation_by_simulation():
    rng = np.random.default_rng(1)
    trials, n = 200_000, 8
    a = rng.normal(0.85, 0.05, (trials, n)).mean(axis=1)
    b = rng.normal(0.85, 0.04, (trials, n)).mean(axis=1)   # no real difference
    se_a, se_b = 0.05 / math.sqrt(n), 0.04 / math.sqrt(n)

    def difference_variance():
        assert (b - a).var() == pytest.approx(b.var() + a.var(), rel=0.01)

    def difference_se():
        assert (b - a).std() == pytest.approx(math.hypot(se_a, se_b), rel=0.01)

    def z_score():
        z = (b - a) / math.hypot(se_a, se_b)
        assert abs(z.mean()) < 0.01 and z.std() == pytest.approx(1, rel=0.01)

    def rule_of_two():
        z = (b - a) / math.hypot(se_a, se_b)
        assert (np.abs(z) > 2).mean() == pytest.approx(0.0455, abs=0.003)   # "about 5%"

    def example():
        assert math.hypot(0.02, 0.015) == pytest.approx(0.025)
        assert (0.88 - 0.85) / 0.025 == pytest.approx(1.2) and 1.2 < 2

    run_checks(derivation(LESSON, "deriv-09-difference"), {
        '\\operatorname{Var}(\\bar{x}_B - \\bar{x}_A) = \\operatorname{Var}(\\bar{x}_B) + \\operatorname{Var}(\\bar{x}_A)': difference_variance,
        'SE_{B-A} = \\sqrt{SE_A^2 + SE_B^2}': difference_se,
        'z = \\frac{\\bar{x}_B - \\bar{x}_A}{SE_{B-A}}': z_score,
        '|z| < 2 \\Rightarrow \\text{within noise}': rule_of_two,
        '\\sqrt{0.02^2 + 0.015^2} = 0.025, \\quad z = \\frac{0.88 - 0.85}{0.025} = 1.2': example,
    })


def seeds_run():
    from tutor.experiments import REGISTRY
    events = list(REGISTRY["seeds"].run({}, seed=0))
    return events[-1]["variants"]


def test_paired_derivation_on_the_run():
    v = seeds_run()
    a, b = np.array(v["narrow"]["accuracies"]), np.array(v["wide"]["accuracies"])
    d = b - a
    cov = np.cov(a, b, ddof=1)[0, 1]

    def expansion():
        assert d.var(ddof=1) == pytest.approx(a.var(ddof=1) + b.var(ddof=1) - 2 * cov)

    def positive_covariance():
        assert cov > 0 and d.var(ddof=1) < a.var(ddof=1) + b.var(ddof=1)

    def paired():
        se = d.std(ddof=1) / math.sqrt(len(d))
        assert se == pytest.approx(v["wide"]["paired_se"])
        assert d.mean() == pytest.approx(b.mean() - a.mean())
        assert d.mean() / se == pytest.approx(v["wide"]["paired_z"])

    run_checks(derivation(LESSON, "deriv-09-paired"), {
        '\\operatorname{Var}(b_i - a_i) = \\operatorname{Var}(a_i) + \\operatorname{Var}(b_i) - 2 \\operatorname{Cov}(a_i, b_i)': expansion,
        '\\operatorname{Cov}(a_i, b_i) > 0 \\Rightarrow \\operatorname{Var}(d_i) < \\operatorname{Var}(a_i) + \\operatorname{Var}(b_i)': positive_covariance,
        'SE_{\\text{paired}} = \\frac{s_d}{\\sqrt{n}}, \\quad z_{\\text{paired}} = \\frac{\\bar{d}}{SE_{\\text{paired}}}': paired,
    })
    # the run's own comparison is the derivation's: diff_se from the two standard errors
    assert v["wide"]["diff_se"] == pytest.approx(math.hypot(v["narrow"]["se"], v["wide"]["se"]))
    assert abs(v["wide"]["z"]) < 2 < v["wide"]["paired_z"]
    # "8 seeds", "the second seed", "the fifth seed": the indices the figures read
    assert v["narrow"]["n_seeds"] == 8
    states(both(LESSON["steps"][7]["prose"]), "8")


def test_bank_answers():
    # q09-res-se
    x = np.array([0.80, 0.84, 0.82, 0.86])
    assert x.mean() == pytest.approx(0.83) and ((x - x.mean()) ** 2).sum() == pytest.approx(0.002)
    se = x.std(ddof=1) / math.sqrt(4)
    assert round(se, 3) == BANK["q09-res-se"]["answer"] == 0.013
    assert f"{x.std(ddof=1):.4f}" == "0.0258" and f"{2 * se:.3f}" == "0.026"
    # q09-res-more-seeds: SE ∝ 1/√n, halved at 4n
    s = 0.05
    assert s / math.sqrt(32) == pytest.approx(0.5 * s / math.sqrt(8))
    assert BANK["q09-res-more-seeds"]["answer"] == 32
    # q09-res-within-noise
    q = BANK["q09-res-within-noise"]
    assert math.hypot(0.02, 0.015) == pytest.approx(0.025) and 0.03 / 0.025 == pytest.approx(1.2)
    assert q["answer"] == 1
    # q09-res-practices: best seed only and tuning on the test set are not honest
    assert BANK["q09-res-practices"]["answers"] == [0, 3, 4]


def test_written_arithmetic_and_bank_shape():
    assert check_written_arithmetic(all_formulas(LESSON)) >= 4
    assert check_written_arithmetic(all_formulas(list(BANK.values()))) >= 2
    check_bank_shape(BANK, "q09-res-", 9, total=5, why=2)
    refs = [s["quiz"]["ref"] for s in LESSON["steps"] if "quiz" in s]
    assert sum(r.startswith("q09-res-") for r in refs) >= 3
