"""Recompute every number and identity of lesson 07-04 (dropout, L1 and L2 beyond the formula) and
its questions in quizzes/ch07-overfitting-regularization.yaml (ids q07-reg-…).

The inverted-dropout derivation is checked on tutor.nn.Dropout itself (a million draws), the ensemble
claims by enumerating every mask, weight decay and L1 on tutor.nn's SGD and penalties, Adam + L2 vs
AdamW on tutor.nn's Adam and AdamW (weights with large and with small gradients), the MAP view by
evaluating the densities. The run's figures are pinned in the lesson's ``figures:``
(tests/content/test_pinned_figures.py); the run's other claims are checked here.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from claims_kit import (all_formulas, both, check_bank_shape, check_written_arithmetic, derivation, load,  # noqa: E402
                        run_checks, states)
from tutor import nn
from tutor.experiments import REGISTRY, check_run_step
from tutor.experiments import regularization as reg
from tutor.nn import optim

LESSON = load("lessons/07-deep-network-problems/04-dropout-l1-l2.yaml")
BANK = {q["id"]: q for q in load("quizzes/ch07-overfitting-regularization.yaml")["questions"]}
OWN = {k: q for k, q in BANK.items() if k.startswith("q07-reg-")}


def prose_with(word: str) -> list[str]:
    found = [s["prose"] for s in LESSON["steps"] if "prose" in s and word in s["prose"]["en"]]
    assert len(found) == 1, word
    return both(found[0])


@pytest.fixture(scope="module")
def run():
    with threadpool_limits(1, "blas"):   # small matrices: one BLAS thread, as the run panel's child uses
        events = list(REGISTRY["regularization"].run({"seed": 0}))
    return events, events[-1]["variants"]


# -- inverted dropout -------------------------------------------------------------------------------------

def test_inverted_dropout_by_hand():
    # p = 0.5, h = 2: 4 or 0, mean 2, the test-time value; without the scaling the mean would be 1
    h, p = 2.0, 0.5
    kept = h / (1 - p)
    assert kept == 4.0 and (kept + 0) / 2 == h and (h + 0) / 2 == 1.0
    states(prose_with("Drop and scale up"), "h = 2", "p = 0.5", "\\frac{4 + 0}{2} = 2", "1 - p")


def test_inverted_dropout_derivation():
    p, h, N = 0.3, 2.0, 1_000_000
    layer = nn.Dropout(p, rng=np.random.default_rng(0))
    out = layer.forward(np.full(N, h), train=True)
    m = out > 0
    se = 4 * math.sqrt(p * (1 - p) / N)

    def bernoulli():
        assert abs(m.mean() - (1 - p)) < se
        # the code's rule: u ≥ p kept, P(u ≥ p) = 1 − p
        u = np.random.default_rng(1).random(N)
        assert abs(np.mean(u >= p) - (1 - p)) < se

    def scaled():
        assert set(np.unique(np.round(out, 9))) == {0.0, round(h / (1 - p), 9)}

    def mean_m():
        assert Fraction(1) * (1 - Fraction(3, 10)) + 0 * Fraction(3, 10) == 1 - Fraction(3, 10)

    def expectation():
        assert abs(out.mean() - h) < 4 * out.std() / math.sqrt(N)
        assert math.isclose((1 - p) / (1 - p) * h, h)

    def variance():
        want = p / (1 - p) * h ** 2
        assert abs(out.var() - want) < 0.01 * want
        assert math.isclose(h ** 2 / (1 - p) - h ** 2, want)
        assert math.isclose((1 - p) / (1 - p) ** 2 * h ** 2, h ** 2 / (1 - p))
        assert 0.5 / (1 - 0.5) * h ** 2 == h ** 2          # at p = 0.5 the variance is h²

    def test_time():
        x = np.linspace(-1, 1, 7)
        assert np.array_equal(layer.forward(x, train=False), x)

    run_checks(derivation(LESSON, "deriv-07-inverted-dropout"), {
        "m \\sim \\mathrm{Bernoulli}(1 - p)": bernoulli,
        "\\tilde{h} = \\frac{m}{1 - p} h": scaled,
        "\\mathbb{E}[m] = 1 \\cdot (1 - p) + 0 \\cdot p = 1 - p": mean_m,
        "\\mathbb{E}[\\tilde{h}] = \\frac{\\mathbb{E}[m]}{1 - p} h = \\frac{1 - p}{1 - p} h = h": expectation,
        "\\mathrm{Var}[\\tilde{h}] = \\mathbb{E}[\\tilde{h}^2] - h^2 = \\frac{h^2}{1 - p} - h^2 = \\frac{p}{1 - p} h^2": variance,
        "\\tilde{h}_{test} = h = \\mathbb{E}[\\tilde{h}]": test_time,
    })


def masks(n):
    return [np.array(bits, dtype=float) for bits in itertools.product([0, 1], repeat=n)]


def test_ensemble_exact_for_linear_approximate_after_a_nonlinearity():
    x, w, p = np.array([1.0, 2.0, 3.0]), np.ones(3), 0.5
    outs = sorted(float(w @ (m * x) / (1 - p)) for m in masks(3))
    assert outs == [0, 2, 4, 6, 6, 8, 10, 12] and sum(outs) == 48 and sum(outs) / 8 == 6 == w @ x
    # a squared unit: E[h̃²] = 8, but (E h̃)² = 4
    assert ((0 ** 2) + (2 / (1 - p)) ** 2) / 2 == 8 and 2.0 ** 2 == 4
    states(prose_with("ensemble view"), "x = (1, 2, 3)", "0, 2, 4, 6, 6, 8, 10, 12", "\\frac{48}{8} = 6",
           "\\frac{0 + 16}{2} = 8", "h^2 = 4")
    # in general: every mask with its probability, for a random linear layer, and then through tanh
    rng = np.random.default_rng(0)
    n, p = 8, 0.3
    W, x = rng.standard_normal((4, n)), rng.standard_normal(n)
    probs = [(1 - p) ** m.sum() * p ** (n - m.sum()) for m in masks(n)]
    avg = sum(q * (W @ (m * x) / (1 - p)) for q, m in zip(probs, masks(n)))
    assert math.isclose(sum(probs), 1.0) and np.allclose(avg, W @ x, atol=1e-12)
    avg_tanh = sum(q * np.tanh(W @ (m * x) / (1 - p)) for q, m in zip(probs, masks(n)))
    assert not np.allclose(avg_tanh, np.tanh(W @ x), atol=1e-3)
    assert 2 ** 8 == len(masks(8))


# -- L2 = weight decay ---------------------------------------------------------------------------------------

def test_weight_decay_derivation():
    lam, eta = 0.01, 0.1
    rng = np.random.default_rng(0)
    w0, g = rng.standard_normal(5), rng.standard_normal(5)

    def penalty():
        assert math.isclose(optim.L2(lam).loss({"W": w0}), lam / 2 * float(np.sum(w0 ** 2)))

    def gradient():
        R = lambda w: lam / 2 * float(np.sum(w ** 2))
        num = [(R(w0 + 1e-6 * e) - R(w0 - 1e-6 * e)) / 2e-6 for e in np.eye(5)]
        assert np.allclose(num, lam * w0, atol=1e-8)
        grads = {"W": np.zeros(5)}
        optim.L2(lam).add_grad({"W": w0}, grads)
        assert np.allclose(grads["W"], lam * w0)

    def sgd_step():
        w = w0.copy()
        optim.SGD(eta, weight_decay=lam).update(w, g)
        assert np.allclose(w, w0 - eta * (g + lam * w0))

    def decay_form():
        assert np.allclose(w0 - eta * (g + lam * w0), (1 - eta * lam) * w0 - eta * g)

    def geometric():
        w = w0.copy()
        opt = optim.SGD(eta, weight_decay=lam)
        for _ in range(1000):
            opt.update(w, np.zeros(5))
        assert np.allclose(w, (1 - eta * lam) ** 1000 * w0) and np.all(w != 0)

    def number():
        assert round(1 - eta * lam, 12) == 0.999 and f"{0.999 ** 1000:.3f}" == "0.368"
        assert round(0.999 ** 1000 * 100) == 37

    run_checks(derivation(LESSON, "deriv-07-weight-decay"), {
        "R(\\mathbf{w}) = (\\lambda/2) \\|\\mathbf{w}\\|^2 = (\\lambda/2) \\sum_i w_i^2": penalty,
        "\\frac{\\partial R}{\\partial w_i} = \\lambda w_i": gradient,
        "w \\leftarrow w - \\eta (g + \\lambda w)": sgd_step,
        "w \\leftarrow (1 - \\eta \\lambda) w - \\eta g": decay_form,
        "w_t = (1 - \\eta \\lambda)^t w_0 \\quad (g = 0)": geometric,
        "0.999^{1000} \\approx 0.368": number,
    })


# -- Adam + L2 vs AdamW -----------------------------------------------------------------------------------------

def test_adam_l2_vs_adamw_numbers():
    eta, lam, w = 0.001, 0.01, 1.0
    assert math.isclose(eta * lam * w / 10, 1e-6) and math.isclose(eta * lam * w / 0.1, 1e-4)
    assert math.isclose(eta * lam * w, 1e-5) and round((1e-4) / (1e-6)) == 100
    states(prose_with("Adam + L2"), "\\eta = 0.001", "\\lambda = 0.01", "w = 1", "\\sqrt{\\hat{v}} = 10",
           "\\sqrt{\\hat{v}} = 0.1", "10^{-6}", "10^{-4}", "10^{-5}")


def decay_effect(opt_cls, scale, lam=0.01, eta=0.001, T=1000, n=2000, seed=0):
    """How far the decay moves weights starting at 1, with noisy zero-mean data gradients of size
    ``scale``: the same gradients with and without decay, the mean difference after T steps."""
    noise = np.random.default_rng(seed).standard_normal((T, n)) * scale
    w_off, w_on = np.ones(n), np.ones(n)
    off, on = opt_cls(eta, weight_decay=0.0), opt_cls(eta, weight_decay=lam)
    for t in range(T):   # Adam adds λw to the gradient (L2); AdamW shrinks θ by (1 − ηλ) apart from it
        off.update(w_off, noise[t])
        on.update(w_on, noise[t])
    return float(np.mean(w_off - w_on))


def test_adam_l2_decays_weights_with_large_gradients_less_adamw_does_not():
    big, small = decay_effect(optim.Adam, 10.0), decay_effect(optim.Adam, 0.1)
    assert small > 30 * big > 0                      # Adam + L2: the λw term is divided by √v̂
    big_w, small_w = decay_effect(optim.AdamW, 10.0), decay_effect(optim.AdamW, 0.1)
    assert math.isclose(big_w, small_w, rel_tol=0.05)   # AdamW: the same decay for all
    assert math.isclose(big_w, 1 - (1 - 0.001 * 0.01) ** 1000, rel_tol=0.05)
    # tutor.nn's AdamW is PyTorch's rule: θ ← θ(1 − ηλ) first, then the Adam step
    w, g = np.array([1.0, -2.0]), np.array([0.3, 0.1])
    a = w.copy()
    optim.AdamW(0.1, weight_decay=0.5).update(a, g)
    b = w * (1 - 0.1 * 0.5)
    optim.Adam(0.1).update(b, g)
    assert np.allclose(a, b)


# -- L1 --------------------------------------------------------------------------------------------------------

def test_l1_derivation():
    lam, eta = 0.1, 0.1

    def derivative():
        for w in (-0.7, -0.01, 0.02, 1.3):
            num = (lam * abs(w + 1e-7) - lam * abs(w - 1e-7)) / 2e-7
            assert math.isclose(num, lam * np.sign(w), rel_tol=1e-6)
        grads = {"W": np.zeros(3)}
        optim.L1(lam).add_grad({"W": np.array([-0.5, 0.2, 3.0])}, grads)
        assert np.allclose(grads["W"], [-lam, lam, lam])

    def step():
        w, g = np.array([0.5, -0.3]), np.array([0.2, 0.4])
        grads = g.copy()
        optim.L1(lam).add_grad(w, grads)
        optim.SGD(eta).update(w, grads)
        assert np.allclose(w, np.array([0.5, -0.3]) - eta * lam * np.sign([0.5, -0.3]) - eta * g)

    def arithmetic():
        w, history = np.array([0.1]), []
        for _ in range(10):
            grads = np.zeros(1)
            optim.L1(lam).add_grad(w, grads)
            optim.SGD(eta).update(w, grads)
            history.append(float(w[0]))
        assert np.allclose(history, [0.1 - (t + 1) * eta * lam for t in range(10)], atol=1e-12)

    def steps_to_zero():
        assert Fraction("0.1") / (Fraction("0.1") * Fraction("0.1")) == 10
        assert f"{0.1 * 0.99 ** 10:.4f}" == "0.0904"

    def subgradient():
        # L(w) = (a/2)(w − c)² + λ|w|: its minimum is at 0 exactly when |L'(0)| = |a c| ≤ λ
        grid = np.linspace(-1, 1, 200_001)
        for a, c in ((1.0, 0.05), (2.0, 0.04), (1.0, 0.3), (0.5, -0.5)):
            best = grid[np.argmin(a / 2 * (grid - c) ** 2 + lam * np.abs(grid))]
            if abs(a * c) <= lam:
                assert abs(best) < 1e-9
            else:
                assert abs(best) > 0.01 and math.isclose(best, np.sign(c) * (abs(c) - lam / a), abs_tol=1e-5)

    run_checks(derivation(LESSON, "deriv-07-l1-sparsity"), {
        "\\frac{\\partial}{\\partial w} \\lambda |w| = \\lambda \\, \\mathrm{sign}(w) \\quad (w \\neq 0)": derivative,
        "w \\leftarrow w - \\eta \\lambda \\, \\mathrm{sign}(w) - \\eta g": step,
        "|w_t| = |w_0| - t \\eta \\lambda \\quad (g = 0)": arithmetic,
        "t^* = \\frac{|w_0|}{\\eta \\lambda} = \\frac{0.1}{0.1 \\cdot 0.1} = 10": steps_to_zero,
        "\\partial (\\lambda |w|) \\big|_{w = 0} = [-\\lambda, \\lambda]": subgradient,
    })
    # the conclusion: the run's ηλ is below the threshold it counts as zero
    params = {k: p.default for k, p in REGISTRY["regularization"].params.items()}
    assert math.isclose(params["lr"] * params["l1"], 0.0005) and reg.THRESHOLD == 0.001 > 0.0005


# -- MAP -------------------------------------------------------------------------------------------------------

def test_map_priors():
    tau, s = 0.7, 0.4
    for w in (-1.3, -0.2, 0.0, 0.5, 2.0):
        gauss = math.exp(-w ** 2 / (2 * tau ** 2)) / (math.sqrt(2 * math.pi) * tau)
        laplace = math.exp(-abs(w) / s) / (2 * s)
        # −log = w²/(2τ²) + const = (λ/2) w² with λ = 1/τ²; 01-08's λ' w² has λ' = 1/(2τ²)
        assert math.isclose(-math.log(gauss), (1 / tau ** 2) / 2 * w ** 2 + math.log(math.sqrt(2 * math.pi) * tau))
        assert math.isclose((1 / tau ** 2) / 2, 1 / (2 * tau ** 2))
        assert math.isclose(-math.log(laplace), abs(w) / s + math.log(2 * s))
    states(prose_with("prior picks the penalty"), "01-08", "\\lambda = \\frac{1}{\\tau^2}", "\\lambda = \\frac{1}{2\\tau^2}",
           "\\lambda = \\frac{1}{s}")


def test_written_arithmetic():
    assert check_written_arithmetic(all_formulas(LESSON) + all_formulas(list(OWN.values()))) >= 8


# -- the run -----------------------------------------------------------------------------------------------------

def test_run_and_what_the_prose_says(run):
    events, v = run
    step = next(s["run"] for s in LESSON["steps"] if "run" in s)
    assert step["experiment"] == "regularization" and check_run_step("regularization", step["set"]) is None
    params = events[0]["params"]
    assert (params["inputs"], params["width"]) == (20, 32) and reg.USEFUL == 3
    assert all(s["weights"] == 20 * 32 == 640 for s in v.values())
    hist = {k: [e for e in events if e.get("event") == "histogram" and e["variant"] == k][-1] for k in v}
    centres = {k: (np.array(h["edges"][:-1]) + np.array(h["edges"][1:])) / 2 for k, h in hist.items()}
    spread = {k: float(np.sqrt(np.average(centres[k] ** 2, weights=hist[k]["counts"]))) for k in v}
    # L2 narrows the distribution without piling the weights at 0; L1 piles them in the middle bar
    assert spread["l2"] < 0.75 * spread["none"] and v["l2"]["sparse_fraction"] < 0.02
    assert hist["l1"]["counts"][12] > 0.9 * 640 and max(hist["l1"]["counts"]) == hist["l1"]["counts"][12]
    assert max(hist["none"]["counts"]) < 0.15 * 640
    # L1: far the lowest validation loss; the useless inputs' weights near 0, the useful ones not
    assert v["l1"]["val_loss"] < 0.2 * min(v[k]["val_loss"] for k in ("none", "l2", "dropout"))
    assert v["l1"]["useless_mean_abs"] < 0.05 * v["l1"]["useful_mean_abs"]
    states(prose_with("What the run showed"), "20", "32", "640")


# -- the bank ----------------------------------------------------------------------------------------------------

def test_bank_shape():
    check_bank_shape(OWN, "q07-reg-", 7, total=5, why=2)
    refs = [s["quiz"]["ref"] for s in LESSON["steps"] if "quiz" in s]
    assert len(refs) >= 3 and all(r in OWN for r in refs)


def test_bank_numbers():
    q = OWN["q07-reg-inverted-numeric"]
    assert math.isclose(q["answer"], 3.0 / (1 - 0.2)) and math.isclose(0.8 * 3.75 + 0.2 * 0, 3.0)
    layer = nn.Dropout(0.2, rng=np.random.default_rng(0))
    out = layer.forward(np.full(1000, 3.0), train=True)
    assert set(np.round(out, 6)) == {0.0, 3.75}

    assert OWN["q07-reg-ensemble-count"]["answer"] == 2 ** 12 == 4096

    q = OWN["q07-reg-decay-factor"]
    w = np.array([2.0])
    opt = optim.SGD(0.1, weight_decay=0.05)
    for _ in range(2):
        opt.update(w, np.zeros(1))
    assert abs(q["answer"] - float(w[0])) < 1e-12 and round(1 - 0.1 * 0.05, 12) == 0.995
    assert math.isclose(2 * 0.995 ** 2, 1.98005)

    q = OWN["q07-reg-l1-steps"]
    assert Fraction("0.06") / (Fraction("0.1") * Fraction("0.2")) == q["answer"] == 3
    assert f"{0.06 * 0.98 ** 3:.4f}" == "0.0565" and round(1 - 0.1 * 0.2, 12) == 0.98

    assert OWN["q07-reg-map-prior"]["answer"] == 1 and OWN["q07-reg-dropout-eval"]["answer"] == 1
