"""Recompute every number and identity of lesson 07-01 (batch normalisation) and its questions in
quizzes/ch07-batchnorm-skip.yaml.

Each derivation line is looked up by its exact ``math`` text in a table of numerical checks, and
every line must have one. The engine's BatchNorm1d (tutor/nn/layers.py) is checked against the
lesson's formulas: the variance divided by m in the forward, the unbiased one in the running
variance, momentum 0.1, evaluation with the running averages, a batch of one giving β. The runs'
figures are pinned separately (tests/content/test_pinned_figures.py).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from claims_kit import (all_formulas, both, check_bank_shape, check_written_arithmetic,  # noqa: E402
                        derivation, load, run_checks, states, table_rows)  # same folder
from tutor import nn

LESSON = "lessons/07-deep-network-problems/01-batchnorm.yaml"
BANK = "quizzes/ch07-batchnorm-skip.yaml"
LESSON_DATA = load(LESSON)
QUESTIONS = {q["id"]: q for q in load(BANK)["questions"]}
EPS = 1e-5
X4 = np.array([2.0, 4.0, 4.0, 10.0])


def steps_of(kind: str) -> list[dict]:
    return [s[kind] for s in LESSON_DATA["steps"] if kind in s]


def prose(heading: str) -> list[str]:
    found = [p for p in steps_of("prose") if p["en"].startswith(f"## {heading}")]
    assert len(found) == 1, heading
    return both(found[0])


def layer(values, gamma=1.0, beta=0.0):
    bn = nn.BatchNorm1d(1, dtype=np.float64)
    bn.params["gamma"][...] = gamma
    bn.params["beta"][...] = beta
    return bn, np.asarray(values, dtype=np.float64).reshape(-1, 1)


def close_to(x: float, written: str) -> bool:
    digits = len(written.split(".")[1]) if "." in written else 0
    return abs(x - float(written)) <= 0.5 * 10 ** -digits + 1e-12


# -- the mini-batch of four ---------------------------------------------------------------------------

def test_table_of_the_batch_of_four():
    mu, var = X4.mean(), np.mean((X4 - X4.mean()) ** 2)
    assert mu == 5 and var == 9
    xhat = (X4 - mu) / math.sqrt(var + EPS)
    bn, x = layer(X4, gamma=2.0, beta=1.0)
    y = bn.forward(x, train=True).ravel()
    assert np.allclose(y, 2 * xhat + 1)
    for text in prose("Intuition: one mini-batch of four"):
        rows = table_rows(text, 4)[1:]
        assert [float(r[0]) for r in rows] == list(X4)
        assert [float(r[1]) for r in rows] == list(X4 - mu)
        for r, xh, yy in zip(rows, xhat, y):
            assert close_to(xh, r[2]) and close_to(yy, r[3])
        states([text], "(2 + 4 + 4 + 10)/4 = 5", "(9 + 1 + 1 + 25)/4 = 9", "-3, -1, -1, 5", "9, 1, 1, 25")
    assert np.mean(xhat) == pytest.approx(0, abs=1e-12)
    assert np.mean(xhat ** 2) == pytest.approx(1, abs=1e-5)
    # 100 times larger or shifted by 1000: the same x̂ (to the ε)
    for other in (100 * X4, X4 + 1000):
        o = (other - other.mean()) / np.sqrt(other.var() + EPS)
        assert np.allclose(o, xhat, atol=1e-5)


def test_conclusion_identity_with_gamma_3_beta_5():
    d = derivation(LESSON_DATA, "deriv-07-bn-forward")
    states(both(d["conclusion"]), "\\gamma{} = 3", "\\beta{} = 5", "2, 4, 4, 10")
    bn, x = layer(X4, gamma=math.sqrt(9 + EPS), beta=5.0)
    assert np.allclose(bn.forward(x, train=True).ravel(), X4)
    assert close_to(math.sqrt(9 + EPS), "3.000")


def test_forward_derivation_line_by_line():
    d = derivation(LESSON_DATA, "deriv-07-bn-forward")
    rng = np.random.default_rng(7)
    x = rng.normal(3.0, 2.0, size=(16, 5))
    mu = x.sum(axis=0) / len(x)
    var = ((x - mu) ** 2).sum(axis=0) / len(x)
    xhat = (x - mu) / np.sqrt(var + EPS)
    gamma, beta = rng.normal(size=5), rng.normal(size=5)
    bn = nn.BatchNorm1d(5, dtype=np.float64)
    bn.params["gamma"][...] = gamma
    bn.params["beta"][...] = beta

    def engine_identity():
        b = nn.BatchNorm1d(5, dtype=np.float64)
        b.params["gamma"][...] = np.sqrt(var + EPS)
        b.params["beta"][...] = mu
        assert np.allclose(b.forward(x, train=True), x)

    checks = {
        "\\mu_B = \\frac{1}{m} \\sum_i x_i": lambda: np.testing.assert_allclose(mu, x.mean(axis=0)),
        "\\sigma_B^2 = \\frac{1}{m} \\sum_i (x_i - \\mu_B)^2":
            lambda: np.testing.assert_allclose(var, x.var(axis=0, ddof=0)),
        "\\hat{x}_i = \\frac{x_i - \\mu_B}{\\sqrt{\\sigma_B^2 + \\epsilon}}":
            lambda: (bn.forward(x, train=True), np.testing.assert_allclose(bn.xhat, xhat)),
        "\\frac{1}{m} \\sum_i \\hat{x}_i = 0": lambda: np.testing.assert_allclose(xhat.mean(axis=0), 0, atol=1e-12),
        "\\frac{1}{m} \\sum_i \\hat{x}_i^2 = \\frac{\\sigma_B^2}{\\sigma_B^2 + \\epsilon}":
            lambda: np.testing.assert_allclose((xhat ** 2).mean(axis=0), var / (var + EPS)),
        "y_i = \\gamma \\hat{x}_i + \\beta":
            lambda: np.testing.assert_allclose(bn.forward(x, train=True), gamma * xhat + beta),
        "\\gamma = \\sqrt{\\sigma_B^2 + \\epsilon}, \\; \\beta = \\mu_B \\Rightarrow y_i = x_i": engine_identity,
    }
    run_checks(d, checks)


# -- inference: running averages ----------------------------------------------------------------------

def test_engine_follows_pytorch_running_statistics():
    bn, x = layer(X4)
    assert bn.momentum == 0.1 and bn.eps == EPS
    bn.forward(x, train=True)
    assert bn.running_mean[0] == pytest.approx(0.5)
    assert bn.running_var[0] == pytest.approx(0.9 * 1 + 0.1 * 36 / 3) == pytest.approx(2.1)
    # evaluation mode uses them
    out = bn.forward(np.array([[4.0]]), train=False)[0, 0]
    assert out == pytest.approx((4 - 0.5) / math.sqrt(2.1 + EPS))
    assert close_to(out, "2.415")
    for text in prose("At inference there is no batch: running averages"):
        states([text], "0.9 \\times 0 + 0.1 \\times 5 = 0.5", "36/3 = 12", "0.9 \\times 1 + 0.1 \\times 12 = 2.1",
               "\\approx 2.415", "-0.333", "1 - 0.9^{10} \\approx 0.651", "65%", "BatchNorm1d")
    assert close_to(1 - 0.9 ** 10, "0.651") and round(100 * (1 - 0.9 ** 10)) == 65


def test_inference_derivation_line_by_line():
    d = derivation(LESSON_DATA, "deriv-07-bn-inference")
    rng = np.random.default_rng(3)
    batches = [rng.normal(2.0, 3.0, size=(8, 3)) for _ in range(30)]
    bn = nn.BatchNorm1d(3, dtype=np.float64)
    gamma, beta = rng.normal(size=3), rng.normal(size=3)
    bn.params["gamma"][...] = gamma
    bn.params["beta"][...] = beta

    def running_updates():
        rm, rv = np.zeros(3), np.ones(3)
        b = nn.BatchNorm1d(3, dtype=np.float64)
        for xb in batches:
            b.forward(xb, train=True)
            rm = 0.9 * rm + 0.1 * xb.mean(axis=0)
            rv = 0.9 * rv + 0.1 * xb.var(axis=0) * len(xb) / (len(xb) - 1)
        np.testing.assert_allclose(b.running_mean, rm)
        np.testing.assert_allclose(b.running_var, rv)
        return b

    def geometric():
        b = nn.BatchNorm1d(1, dtype=np.float64)
        xb = np.array([[4.0], [6.0]])          # every batch mean is 5
        for k in range(1, 51):
            b.forward(xb, train=True)
            assert b.running_mean[0] == pytest.approx(5 * (1 - 0.9 ** k))

    def fixed_linear():
        b = running_updates()
        b.params["gamma"][...] = gamma
        b.params["beta"][...] = beta
        x = rng.normal(size=(5, 3))
        s = np.sqrt(b.running_var + EPS)
        np.testing.assert_allclose(b.forward(x, train=False), gamma / s * x + (beta - gamma * b.running_mean / s))

    def eval_hat():
        b = running_updates()
        x = rng.normal(size=(5, 3))
        b.forward(x, train=False)
        np.testing.assert_allclose(b.xhat, (x - b.running_mean) / np.sqrt(b.running_var + EPS))
        # each row's output does not depend on the other rows
        np.testing.assert_allclose(b.forward(x[:1], train=False), b.forward(x, train=False)[:1])

    def batch_of_one():
        for value in (-3.0, 0.5, 40.0):
            b, x = layer([value], gamma=2.0, beta=1.0)
            assert b.forward(x, train=True)[0, 0] == 1.0     # β, whatever the input
            assert b.xhat[0, 0] == 0.0

    checks = {
        "r_\\mu \\leftarrow 0.9 \\, r_\\mu + 0.1 \\, \\mu_B": running_updates,
        "r_{\\sigma^2} \\leftarrow 0.9 \\, r_{\\sigma^2} + 0.1 \\, \\frac{m}{m - 1} \\sigma_B^2": running_updates,
        "r_\\mu^{(k)} = \\mu (1 - 0.9^k)": geometric,
        "\\hat{x} = \\frac{x - r_\\mu}{\\sqrt{r_{\\sigma^2} + \\epsilon}}": eval_hat,
        "y = \\frac{\\gamma}{\\sqrt{r_{\\sigma^2} + \\epsilon}} x + \\left(\\beta - \\frac{\\gamma \\, r_\\mu}{\\sqrt{r_{\\sigma^2} + \\epsilon}}\\right)": fixed_linear,
        "m = 1 \\Rightarrow \\sigma_B^2 = 0, \\; \\hat{x} = \\frac{x - x}{\\sqrt{0 + \\epsilon}} = 0": batch_of_one,
    }
    run_checks(d, checks)


def test_ln2_is_the_coin_flip_cross_entropy():
    assert close_to(math.log(2), "0.693")
    states(prose("In a deep sigmoid net"), "\\ln 2 \\approx 0.693")


def test_written_arithmetic_holds():
    assert check_written_arithmetic(all_formulas(LESSON_DATA)) >= 4
    assert check_written_arithmetic(all_formulas([QUESTIONS[q] for q in QUESTIONS if "bn" in q])) >= 3


# -- the bank's batch-norm questions ------------------------------------------------------------------

def test_bank_normalise_value():
    q = QUESTIONS["q07-bn-normalise-value"]
    states(both(q["q"]), "2, 4, 4, 10")
    bn, x = layer(X4)
    assert close_to(bn.forward(x, train=True)[3, 0], "1.667") and q["answer"] == 1.667


def test_bank_running_var():
    q = QUESTIONS["q07-bn-running-var"]
    states(both(q["q"]), "1, 3, 5, 7", "0.1")
    bn, x = layer([1.0, 3.0, 5.0, 7.0])
    bn.forward(x, train=True)
    assert close_to(bn.running_var[0], "1.567") and q["answer"] == 1.567
    assert 0.9 + 0.1 * 5 == pytest.approx(1.4)            # had the biased 5 been mixed in
    states(both(q["explanation"]), "1.4", "20/3 \\approx 6.667", "20/4 = 5")


def test_bank_param_count():
    q = QUESTIONS["q07-bn-param-count"]
    bn = nn.BatchNorm1d(32)
    assert sum(p.size for p in bn.params.values()) == 64 == q["answer"]
    assert bn.running_mean.size + bn.running_var.size == 64


def test_bank_batch_of_one_and_inference_facts():
    q = QUESTIONS["q07-bn-batch-of-one"]
    bn, x = layer([3.7], gamma=2.0, beta=1.0)
    assert bn.forward(x, train=True)[0, 0] == 1.0
    assert q["choices"][q["answer"]]["en"].startswith("Always 1")
    assert sorted(QUESTIONS["q07-bn-inference-facts"]["answers"]) == [0, 2]


def test_bank_shape():
    bn_questions = {k: v for k, v in QUESTIONS.items() if k.startswith("q07-bn") or k.startswith("q07-why-bn")}
    check_bank_shape(bn_questions, "q07-", 7, total=5, why=2)
    assert sum(bool(q["type"] == "why" and q.get("follow_up")) for q in bn_questions.values()) >= 2


def test_lesson_refs_into_the_bank():
    refs = [s["quiz"]["ref"] for s in LESSON_DATA["steps"] if "quiz" in s]
    assert len(refs) >= 3 and all(r in QUESTIONS for r in refs)


def test_the_runs_are_described_with_their_defaults():
    from tutor.experiments import REGISTRY
    bn = {k: p.default for k, p in REGISTRY["batchnorm"].params.items()}
    assert (bn["layers"], bn["activation"], bn["init"], bn["optimizer"], bn["steps"]) == \
        (8, "sigmoid", "default", "momentum", 600)
    states(prose("In a deep sigmoid net"), "8", "600")
    ev = {k: p.default for k, p in REGISTRY["bn_eval"].params.items()}
    assert (ev["layers"], ev["activation"], ev["eval_batch"]) == (4, "relu", 20)
    states(prose("Forgetting evaluation mode: the same weights, four evaluations"), "4", "20")
