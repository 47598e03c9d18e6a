"""Recompute every number and identity of lesson 07-03 (overfitting and its cures) and its questions
in quizzes/ch07-overfitting-regularization.yaml (ids q07-overfit-…).

The bias–variance derivation is checked line by line (claims_kit.run_checks) on a simulation with a
fixed seed: many training sets of noisy sin(x) points, a cubic fitted to each, its prediction at one
x against fresh noisy targets there. The run's figures are pinned in the lesson's ``figures:``
(tests/content/test_pinned_figures.py); the claims about the run that are not single figures (the
parameter count, which cure gets closest to the floor, early stopping = the baseline's bottom) are
checked here on the same run.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from claims_kit import (all_formulas, both, check_bank_shape, check_written_arithmetic, derivation, load,  # noqa: E402
                        run_checks, states, table_rows)
from threadpoolctl import threadpool_limits

from tutor.experiments import REGISTRY, check_run_step

LESSON = load("lessons/07-deep-network-problems/03-overfitting.yaml")
BANK = {q["id"]: q for q in load("quizzes/ch07-overfitting-regularization.yaml")["questions"]}
OWN = {k: q for k, q in BANK.items() if k.startswith("q07-overfit-")}


def prose_with(word: str) -> list[str]:
    found = [s["prose"] for s in LESSON["steps"] if "prose" in s and word in s["prose"]["en"]]
    assert len(found) == 1, word
    return both(found[0])


@pytest.fixture(scope="module")
def run():
    with threadpool_limits(1, "blas"):   # small matrices: one BLAS thread, as the run panel's child uses
        events = list(REGISTRY["remedies"].run({"seed": 0}))
    return events, events[-1]["variants"]


# -- the diagnosis table ------------------------------------------------------------------------------

def test_diagnosis_table_gaps():
    for text in prose_with("Diagnosing from two curves"):
        rows = [r for r in table_rows(text, 5) if r[0] in "ABC"]
        assert [r[0] for r in rows] == ["A", "B", "C"]
        for _, train, val, gap, _ in rows:
            assert f"{float(val) - float(train):.2f}" == gap
        (a, b, c) = [(float(r[1]), float(r[2])) for r in rows]
        # A: both high, small gap (underfitting); B: large gap (overfitting); C: both low and close
        assert min(a) > 0.4 and a[1] - a[0] < 0.05
        assert b[1] - b[0] > 0.25 and b[0] < 0.05
        assert max(c) < 0.15 and c[1] - c[0] < 0.05


# -- the derivation, by simulation ------------------------------------------------------------------------

def simulate(R=20_000, n=10, sigma=0.3, x0=1.0, degree=3, seed=0):
    """R training sets of n points y = sin x + N(0, σ²) on [−π, π]; a cubic fitted to each; its
    prediction ŷ at x0 and a fresh noise ε of the target there."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-np.pi, np.pi, (R, n))
    y = np.sin(x) + sigma * rng.standard_normal((R, n))
    V = np.stack([x ** k for k in range(degree + 1)], axis=2)             # (R, n, d+1)
    coef = np.linalg.solve(np.einsum("rnk,rnj->rkj", V, V), np.einsum("rnk,rn->rk", V, y)[..., None])[..., 0]
    yhat = coef @ np.array([x0 ** k for k in range(degree + 1)])
    eps = sigma * rng.standard_normal(R)
    return math.sin(x0), yhat, eps, sigma


def test_bias_variance_derivation():
    f, yhat, eps, sigma = simulate()
    R = len(yhat)
    y = f + eps
    ybar = float(yhat.mean())
    se = lambda values: 4 * float(np.std(values)) / math.sqrt(R)   # four standard errors
    expansion = ((f - ybar) ** 2 + (ybar - yhat) ** 2 + eps ** 2 + 2 * (f - ybar) * (ybar - yhat)
                 + 2 * (f - ybar) * eps + 2 * (ybar - yhat) * eps)

    def noise():
        assert abs(eps.mean()) < se(eps)
        assert abs(float(np.mean(eps ** 2)) - sigma ** 2) < se(eps ** 2)

    def average():
        # a constant: two independent halves of the training sets agree within their error
        a, b = yhat[: R // 2].mean(), yhat[R // 2:].mean()
        assert abs(a - b) < 2 * se(yhat)

    def split():
        assert np.allclose(y - yhat, (f - ybar) + (ybar - yhat) + eps, atol=1e-12)

    def expand():
        assert np.allclose((y - yhat) ** 2, expansion, atol=1e-10)

    def cross_bias():
        assert abs(float(np.mean(2 * (f - ybar) * (ybar - yhat)))) < 1e-12   # exactly 0 with the mean

    def cross_noise():
        for term in (2 * (f - ybar) * eps, 2 * (ybar - yhat) * eps):
            assert abs(float(term.mean())) < se(term)

    total = float(np.mean((y - yhat) ** 2))
    pieces = (f - ybar) ** 2 + float(np.mean((yhat - ybar) ** 2)) + sigma ** 2

    def three_squares():
        assert abs(total - pieces) < se((y - yhat) ** 2)

    def named():
        bias2, var = (ybar - f) ** 2, float(np.var(yhat))
        assert abs(total - (bias2 + var + sigma ** 2)) < se((y - yhat) ** 2)
        assert bias2 > 0 and var > 0    # the cubic on ten points has both

    run_checks(derivation(LESSON, "deriv-07-bias-variance"), {
        "y = f + \\epsilon, \\; \\mathbb{E}[\\epsilon] = 0, \\; \\mathbb{E}[\\epsilon^2] = \\sigma^2": noise,
        "\\bar{y} = \\mathbb{E}[\\hat{y}]": average,
        "y - \\hat{y} = (f - \\bar{y}) + (\\bar{y} - \\hat{y}) + \\epsilon": split,
        "(y - \\hat{y})^2 = (f - \\bar{y})^2 + (\\bar{y} - \\hat{y})^2 + \\epsilon^2 + 2(f - \\bar{y})(\\bar{y} - \\hat{y}) "
        "+ 2(f - \\bar{y})\\epsilon + 2(\\bar{y} - \\hat{y})\\epsilon": expand,
        "\\mathbb{E}[2(f - \\bar{y})(\\bar{y} - \\hat{y})] = 2(f - \\bar{y}) \\cdot \\mathbb{E}[\\bar{y} - \\hat{y}] = 0": cross_bias,
        "\\mathbb{E}[2(f - \\bar{y})\\epsilon] = 0, \\; \\mathbb{E}[2(\\bar{y} - \\hat{y})\\epsilon] = 0": cross_noise,
        "\\mathbb{E}[(y - \\hat{y})^2] = (f - \\bar{y})^2 + \\mathbb{E}[(\\hat{y} - \\bar{y})^2] + \\sigma^2": three_squares,
        "\\mathbb{E}[(y - \\hat{y})^2] = \\mathrm{bias}^2 + \\mathrm{Var}[\\hat{y}] + \\sigma^2": named,
    })


def test_more_data_lowers_the_variance_not_the_bias():
    """What the lesson says each cure does, on the same simulation: ten times the points shrinks the
    variance of the cubic's prediction several times; its bias² stays small either way."""
    f, few, _, _ = simulate(R=4000, n=10)
    _, many, _, _ = simulate(R=4000, n=100, seed=1)
    assert np.var(many) < 0.2 * np.var(few)
    assert (many.mean() - f) ** 2 < 0.01 and (few.mean() - f) ** 2 < 0.01


# -- the hand example ------------------------------------------------------------------------------------------

def test_four_predictions_by_hand():
    preds, f, sigma2 = np.array([0.6, 0.8, 1.0, 1.2]), 1.0, 0.3 ** 2
    ybar = preds.mean()
    bias2, var = (ybar - f) ** 2, float(np.mean((preds - ybar) ** 2))
    assert [round(float(v), 12) for v in (ybar, bias2, var, sigma2)] == [0.9, 0.01, 0.05, 0.09]
    assert round(bias2 + var + sigma2, 12) == 0.15
    direct = float(np.mean((f - preds) ** 2))
    assert round(direct, 12) == 0.06 == round(bias2 + var, 12)
    texts = prose_with("Once by hand")
    states(texts, "0.6, 0.8, 1.0", "1.2", "\\bar{y} = 0.9", "= 0.01", "= 0.05", "0.01 + 0.05 + 0.09 = 0.15",
           "\\frac{0.16 + 0.04 + 0 + 0.04}{4} = 0.06 = 0.01 + 0.05")


def test_written_arithmetic():
    assert check_written_arithmetic(all_formulas(LESSON) + all_formulas(list(OWN.values()))) >= 6


# -- the run -----------------------------------------------------------------------------------------------------

def test_run_step_and_what_the_prose_says_about_it(run):
    events, v = run
    step = next(s["run"] for s in LESSON["steps"] if "run" in s)
    assert step["experiment"] == "remedies" and check_run_step("remedies", step["set"]) is None
    params = events[0]["params"]
    assert (params["n"], params["noise"], params["steps"], params["hidden"]) == (20, 0.3, 2000, "128,128")
    assert (params["n_more"], params["copies"], params["shift"]) == (200, 10, 0.2)
    # "over ten thousand parameters"
    start = next(e for e in events if e.get("event") == "start" and e.get("variant") == "baseline")
    assert start["num_params"] == 1 * 128 + 128 + 128 * 128 + 128 + 128 + 1 > 10_000
    # "ten copies of each point", "180 real points" more
    assert v["augment"]["n_train"] == 20 * (1 + 10) and v["more_data"]["n_train"] - 20 == 180
    # the floor 0.3² = 0.09 and who gets closest to it
    assert all(s["noise_floor"] == pytest.approx(0.09) for s in v.values())
    best = {k: s["best_loss"] for k, s in v.items()}
    assert min(best, key=best.get) == "more_data" and best["more_data"] > 0.09
    # every cure ends below the baseline; more data lowest of all
    ends = {k: s["end_val_loss"] for k, s in v.items()}
    assert all(ends[k] < ends["baseline"] for k in ends if k != "baseline")
    assert min(ends, key=ends.get) == "more_data"
    # augmentation helps far less than the real points
    assert ends["baseline"] - ends["augment"] < 0.5 * (ends["baseline"] - ends["more_data"])
    # early stopping: back to the baseline's best step, and ends exactly at its bottom
    es = v["early_stopping"]
    assert es["status"] == "stopped" and es["best_step"] == v["baseline"]["best_step"]
    assert es["end_val_loss"] == pytest.approx(v["baseline"]["best_loss"], abs=1e-9)
    # the opening: training loss still falling at the end while validation has risen
    assert v["baseline"]["end_train_loss"] < 0.05 < ends["baseline"] - v["baseline"]["best_loss"] + 0.05
    states(prose_with("What the run showed"), "0.09", "180")
    states(prose_with("Fitting better"), "20")


# -- the bank ----------------------------------------------------------------------------------------------------

def test_bank_shape():
    check_bank_shape(OWN, "q07-overfit-", 7, total=5, why=2)
    refs = [s["quiz"]["ref"] for s in LESSON["steps"] if "quiz" in s]
    assert sum(r in OWN for r in refs) >= 3 and all(r in BANK or r == "q07-why-overfitting" for r in refs)


def test_bank_numbers():
    q = OWN["q07-overfit-diagnose"]
    states(both(q["q"]), "0.30", "0.02", "0.32", "0.14", "0.25")
    assert round(0.25 - 0.02, 12) == 0.23 and q["answer"] == 1
    states(both(q["explanation"]), "0.25 − 0.02 = 0.23")

    q = OWN["q07-overfit-bias-variance"]
    preds, f, sd = np.array([1.5, 1.9, 2.1, 2.1]), 2.0, 0.2
    mean = preds.mean()
    total = (mean - f) ** 2 + np.mean((preds - mean) ** 2) + sd ** 2
    assert round(mean, 12) == 1.9 and round(float(np.sum((preds - mean) ** 2)), 12) == 0.24
    assert abs(q["answer"] - total) < q["tolerance"] and q["answer"] == round(total, 3)
    states(both(q["q"]), "1.5, 1.9, 2.1", "0.2")

    q = OWN["q07-overfit-noise-floor"]
    assert q["answer"] == 0.5 ** 2
