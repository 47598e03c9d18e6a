"""Recompute the numbers and identities of lesson 04-05 (logits vs probabilities) and of its
questions in quizzes/ch04-graph-logits.yaml.

Tables are read from the YAML and every cell recomputed; each derivation line has a numerical
check looked up by its exact ``math`` text; the overflow claims are checked in 64-bit floats, and
the stable BCE formula against the engine's ``BCEWithLogitsLoss``.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from tutor import nn
from tutor.content import load_library
from tutor.content.generators import check_generator
from tutor.experiments import REGISTRY, resolve
from tutor.nn.gradcheck import numerical_gradient
from claims_kit import ROOT, both, derivation, fmt, load, run_checks, states, table_rows  # noqa: E402

LESSON = "lessons/04-deep-learning/05-logits.yaml"
BANK = "quizzes/ch04-graph-logits.yaml"
MINE = ["q04-logit-from-prob", "q04-argmax-logits", "q04-bce-logits-stable", "q04-temperature-top",
        "q04-why-logits-out", "q04-why-logit-real-line", "q04-why-temperature"]
RNG = np.random.default_rng(45)


def lesson() -> dict:
    return load(LESSON)


def steps_of(kind: str) -> list[dict]:
    return [s[kind] for s in lesson()["steps"] if kind in s]


def bank() -> dict[str, dict]:
    return {q["id"]: q for q in load(BANK)["questions"]}


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum()


def vec3(p) -> str:
    return "(" + ", ".join(fmt(v, 3) for v in p) + ")"


def stable_bce(z, y):
    return max(z, 0.0) - z * y + math.log1p(math.exp(-abs(z)))


# --------------------------------------------------------------------------- lesson shape

def test_a_full_lesson():
    les = lesson()
    assert les["id"] == "04-05-logits" and les["chapter"] == 4
    assert 5 <= les["minutes"] <= 15
    refs = [s["ref"] for s in steps_of("quiz")]
    assert len(refs) >= 3 and len(set(refs)) == len(refs)
    lib = load_library([ROOT / "quizzes", ROOT / "lessons"], check_generator=check_generator)
    assert all(r in lib.questions and lib.questions[r].chapter == 4 for r in refs)
    assert sum(r in MINE for r in refs) >= 3
    assert [e for e in lib.errors if LESSON in e.file] == []
    whys = steps_of("why")
    assert len(whys) >= 2 and all(2 <= len(w["points"]) <= 4 for w in whys)
    runs = steps_of("run")
    assert runs and all(r.get("ask") for r in runs)
    for run in runs:
        resolve(run["experiment"], run["set"])
    assert steps_of("derivation")
    assert "stub" not in (ROOT / LESSON).read_text(encoding="utf-8").lower()


def test_this_lessons_questions():
    questions = bank()
    lib = load_library([ROOT / "quizzes", ROOT / "lessons"], check_generator=check_generator)
    mine = [questions[i] for i in MINE]
    assert len(mine) >= 5 and all(q["chapter"] == 4 for q in mine)
    whys = [q for q in mine if q["type"] == "why"]
    assert len(whys) >= 3
    for q in whys:
        assert 2 <= len(q["points"]) <= 4, q["id"]
        assert q["follow_up"] and all(fu in lib.questions for fu in q["follow_up"]), q["id"]


# --------------------------------------------------------------------------- the prose

def test_log_odds_table():
    for text in both(steps_of("prose")[1]):
        rows = [r for r in table_rows(text, 3) if re.fullmatch(r"0\.\d+", r[0])]
        assert [r[0] for r in rows] == ["0.5", "0.8", "0.2", "0.9", "0.99", "0.999"]
        for p, odds, logit in rows:
            p = float(p)
            assert float(odds) == pytest.approx(p / (1 - p), rel=1e-9)
            z = math.log(p / (1 - p))
            assert logit == (fmt(z, 3) if z else "0")
            assert sigmoid(z) == pytest.approx(p)
    # "the small step from 0.99 to 0.999 is more than 2 in logits"; 0.8 and 0.2 flip the sign
    assert math.log(999) - math.log(99) > 2
    assert math.log(0.8 / 0.2) == pytest.approx(-math.log(0.2 / 0.8))


def test_inverse_derivation():
    deriv = derivation(lesson(), "deriv-04-logit-inverse")
    z = RNG.normal(0, 3, 50)
    p = sigmoid(z)
    checks = {
        "\\frac{1}{p} = 1 + e^{-z}": lambda: np.testing.assert_allclose(1 / p, 1 + np.exp(-z)),
        "e^{-z} = \\frac{1}{p} - 1 = \\frac{1 - p}{p}":
            lambda: np.testing.assert_allclose(np.exp(-z), (1 - p) / p, rtol=1e-9),
        "-z = \\ln(\\frac{1 - p}{p})": lambda: np.testing.assert_allclose(-z, np.log((1 - p) / p), atol=1e-9),
        "z = \\ln(\\frac{p}{1 - p}) = \\sigma^{-1}(p)":
            lambda: np.testing.assert_allclose(sigmoid(np.log(p / (1 - p))), p),
        "\\sigma(-z) = 1 - \\sigma(z)": lambda: np.testing.assert_allclose(sigmoid(-z), 1 - sigmoid(z)),
    }
    run_checks(deriv, checks)


def test_softmax_numbers_and_overflow():
    texts = both(steps_of("prose")[2])
    z = np.array([2.0, 1.0, 0.0])
    p = softmax(z)
    assert vec3(p) == "(0.665, 0.245, 0.090)"
    states(texts, f"$e^2 \\approx {math.exp(2):.3f}$", f"$e^1 \\approx {math.e:.3f}$",
           f"${np.exp(z).sum():.3f}$", "$(0.665, 0.245, 0.090)$", "$z + 100 = (102, 101, 100)$",
           "$(1000, 999, 998)$", "$(0, -1, -2)$", f"${math.log(np.finfo(float).max):.2f}$",
           "\\frac{p_1}{p_2} = e^{z_1 - z_2}")
    # shift invariance, the ratio of probabilities, argmax kept
    np.testing.assert_allclose(softmax(z + 100), p)
    assert p[0] / p[1] == pytest.approx(math.exp(z[0] - z[1]))
    assert np.argmax(p) == np.argmax(z)
    # e^1000 overflows to inf, the naive formula is inf/inf; subtracting the max is fine
    big = np.array([1000.0, 999.0, 998.0])
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(big) / np.exp(big).sum()
        assert np.isinf(np.exp(big)).all() and np.isnan(naive).all()
    assert vec3(softmax(big)) == "(0.665, 0.245, 0.090)"
    np.testing.assert_allclose(big - big.max(), [0, -1, -2])


def test_stable_losses_derivation():
    deriv = derivation(lesson(), "deriv-04-stable-losses")
    z = RNG.normal(0, 4, 6)
    k, m = 2, z.max()
    c = RNG.normal()
    lse = math.log(np.exp(z).sum())

    def bce_identity():
        for zz in RNG.normal(0, 5, 40):
            for y in (0.0, 1.0):
                s = sigmoid(zz)
                lhs = -(y * math.log(s) + (1 - y) * math.log(1 - s))
                assert lhs == pytest.approx((1 - y) * zz + math.log(1 + math.exp(-zz)), rel=1e-9)

    def bce_stable():
        for zz in RNG.normal(0, 5, 40):
            for y in (0.0, 1.0):
                assert stable_bce(zz, y) == pytest.approx((1 - y) * zz + math.log(1 + math.exp(-zz)), rel=1e-9)
        # the engine's BCEWithLogitsLoss is this formula
        zs, ys = RNG.normal(0, 5, (8, 1)), RNG.integers(0, 2, (8, 1)).astype(float)
        got = nn.BCEWithLogitsLoss().forward(zs, ys)
        assert got == pytest.approx(np.mean([stable_bce(a, b) for a, b in zip(zs.ravel(), ys.ravel())]))

    def fused_gradient():
        y = 1
        zz = z.copy()
        g = numerical_gradient(lambda: -zz[y] + math.log(np.exp(zz).sum()), zz, 1e-6)
        np.testing.assert_allclose(g, softmax(zz) - np.eye(len(zz))[y], atol=1e-7)

    checks = {
        "e^{z_k + c} / \\sum_j e^{z_j + c} = e^{z_k} / \\sum_j e^{z_j}":
            lambda: np.testing.assert_allclose(np.exp(z + c) / np.exp(z + c).sum(), np.exp(z) / np.exp(z).sum()),
        "-\\ln p_k = -z_k + \\ln \\sum_j e^{z_j}":
            lambda: np.testing.assert_allclose(-math.log(softmax(z)[k]), -z[k] + lse),
        "\\ln \\sum_j e^{z_j} = m + \\ln \\sum_j e^{z_j - m}":
            lambda: np.testing.assert_allclose(lse, m + math.log(np.exp(z - m).sum())),
        "-[y \\ln \\sigma(z) + (1 - y) \\ln(1 - \\sigma(z))] = (1 - y) z + \\ln(1 + e^{-z})": bce_identity,
        "(1 - y) z + \\ln(1 + e^{-z}) = \\max(z, 0) - zy + \\ln(1 + e^{-|z|})": bce_stable,
        "\\frac{\\partial}{\\partial z_k}(-\\ln p_y) = p_k - \\mathbb{1}[k = y]": fused_gradient,
    }
    run_checks(deriv, checks)


def test_minus_800():
    deriv = derivation(lesson(), "deriv-04-stable-losses")
    with np.errstate(over="ignore", divide="ignore"):
        s = 1 / (1 + np.exp(np.float64(800.0)))
        assert s == 0.0 and -np.log(s) == np.inf
    assert stable_bce(-800.0, 1.0) == 800.0
    assert nn.BCEWithLogitsLoss().forward(np.array([[-800.0]]), np.array([[1.0]])) == pytest.approx(800.0)
    states(both(deriv["conclusion"]), "$z = -800$", "$y = 1$", "\\sigma(-800)",
           "\\ln(1 + e^{-800}) = 800$")


def test_temperature_table():
    z = np.array([2.0, 1.0, 0.0])
    for text in both(steps_of("prose")[3]):
        rows = [r for r in table_rows(text, 3) if re.fullmatch(r"[\d.]+", r[0])]
        assert [r[0] for r in rows] == ["0.5", "1", "2", "10"]
        for t, scaled, probs in rows:
            t = float(t)
            want = z / t
            got = [float(v) for v in scaled.strip("()").split(",")]
            np.testing.assert_allclose(got, want)
            p = softmax(want)
            assert probs == vec3(p)
            assert np.argmax(p) == 0  # the order is the same at every temperature
    # T → 0 one-hot, T → ∞ uniform
    np.testing.assert_allclose(softmax(z / 1e-3), [1, 0, 0], atol=1e-12)
    np.testing.assert_allclose(softmax(z / 1e6), [1 / 3] * 3, atol=1e-5)


def test_the_run():
    run = steps_of("run")[0]
    assert run["experiment"] == "mse_vs_ce" and run["set"]["start"] == "wrong"
    states(both(run["ask"]), "grad_w", "`cross_entropy`", "`mse`", "`BCEWithLogitsLoss`")
    finish = list(REGISTRY["mse_vs_ce"].run({"start": "wrong", "seed": 0}))[-1]["variants"]
    # the loss measured on the probability barely moves: a much smaller first gradient, later accuracy
    assert finish["cross_entropy"]["first_grad_w"] > 10 * finish["mse"]["first_grad_w"]
    assert finish["cross_entropy"]["val_accuracy_95_step"] < finish["mse"]["val_accuracy_95_step"]


# --------------------------------------------------------------------------- bank answers

def test_logit_from_prob():
    q = bank()["q04-logit-from-prob"]
    z = math.log(0.75 / 0.25)
    assert q["answer"] == round(z, 3) == 1.099 and q["tolerance"] == 0.001
    assert sigmoid(1.099) == pytest.approx(0.75, abs=5e-4)
    states(both(q["explanation"]), "\\ln 3 \\approx 1.099$", "$-1.099$")
    assert math.log(0.25 / 0.75) == pytest.approx(-z)


def test_argmax_logits():
    q = bank()["q04-argmax-logits"]
    z = [1.2, 3.4, -0.5, 3.1]
    p = softmax(z)
    assert np.argmax(p) == np.argmax(z) == 1 and q["answer"] == 0
    assert "dog" in q["choices"][0]["en"] and "개" in q["choices"][0]["ko"]
    states(both(q["explanation"]), "(" + ", ".join(fmt(v, 3) for v in p) + ")")


def test_bce_logits_stable():
    q = bank()["q04-bce-logits-stable"]
    assert 1 / (1 + np.exp(-40.0)) == 1.0 and 1.0 + np.exp(-40.0) == 1.0
    assert q["answer"] == round(stable_bce(40.0, 0.0), 3) == 40.0 and q["tolerance"] == 0.001
    assert f"{math.exp(-40):.1e}" == "4.2e-18" and f"{np.spacing(1.0):.1e}" == "2.2e-16"
    states(both(q["explanation"]), "4.2 \\times 10^{-18}", "2.2 \\times 10^{-16}", "\\approx 40.000$")


def test_temperature_top():
    q = bank()["q04-temperature-top"]
    p = softmax(np.array([1.0, 0.0]) / 0.5)[0]
    assert p == pytest.approx(sigmoid(2.0))
    assert q["answer"] == round(p, 3) == 0.881 and q["tolerance"] == 0.001
    states(both(q["explanation"]), "\\sigma(2) \\approx 0.881$", f"\\sigma(1) \\approx {sigmoid(1.0):.3f}$")


def test_why_numbers():
    qs = bank()
    states(both(qs["q04-why-logit-real-line"]["explanation"]), f"e \\approx {math.e:.3f}")
    z = RNG.normal(0, 2, 5)
    for t in (0.5, 3.0):
        p = softmax(z / t)
        assert p[0] / p[1] == pytest.approx(math.exp((z[0] - z[1]) / t))
    states(both(qs["q04-why-temperature"]["a"]), "e^{(z_i - z_j)/T}")
