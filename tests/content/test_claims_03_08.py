"""Recompute every number and identity of lesson 03-08 (batch size) and its bank questions.

Each derivation line is looked up by its exact ``math`` text in a table of numerical checks, and
every line must have one: editing a line fails here until its check is updated. Expectations and
variances are computed exactly, by enumerating every equally likely mini-batch of a small data set,
not by sampling. Numbers the prose and the questions state are read from the YAML and compared.
"""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from tutor.content.mathtext import latex_to_unicode
from tutor.experiments import REGISTRY, check_run_step
from claims_kit import (all_formulas, both, check_written_arithmetic, korean, load,  # noqa: E402
                        states)  # same folder

ROOT = Path(__file__).parents[2]
LESSON = "lessons/03-neural-networks/08-batch-size.yaml"
BANK = "quizzes/ch03-neural-networks.yaml"
MINE = ("q03-batch-updates-per-epoch", "q03-batch-noise-std", "q03-batch-linear-scaling",
        "q03-batch-unbiased", "q03-batch-which-true", "q03-why-batch-linear-scaling-limits",
        "q03-why-batch-not-largest")
HANGUL = r"[\uac00-\ud7a3]"


LESSON_DATA = load(LESSON)
QUESTIONS = {q["id"]: q for q in load(BANK)["questions"]}


def steps_of(kind: str) -> list[dict]:
    return [s[kind] for s in LESSON_DATA["steps"] if kind in s]


# -- exact expectation and variance of a mini-batch mean, by enumeration ------------------------------

def batches(g: np.ndarray, B: int, replace: bool) -> np.ndarray:
    """The mean of every equally likely mini-batch of size B drawn from the values g."""
    if replace:   # ordered draws, each index independently uniform: N^B equally likely tuples
        picks = itertools.product(range(len(g)), repeat=B)
    else:         # without replacement: every subset equally likely
        picks = itertools.combinations(range(len(g)), B)
    return np.array([g[list(p)].mean() for p in picks])


def var(values: np.ndarray) -> float:
    return float(np.mean((values - values.mean()) ** 2))


G = np.array([-2.0, -6.0, -4.0, -16.0])      # the hand example's gradients at w = 0
RANDOM_G = np.random.default_rng(0).normal(size=5) * 3 + 1


# -- the hand example ---------------------------------------------------------------------------------

POINTS = [(1, 1), (1, 3), (2, 1), (2, 4)]


def hand_prose() -> dict:
    return next(s for s in steps_of("prose") if "(1, 3)" in s["en"])


def test_hand_example_points_and_gradients():
    x = np.array([p[0] for p in POINTS], float)
    y = np.array([p[1] for p in POINTS], float)
    for text in both(hand_prose()):
        states([text], *(f"$({a}, {b})$" for a, b in POINTS))
    # g_i = 2 x_i (w x_i − y_i) is the derivative of (w x_i − y_i)², by central differences
    w, h = 0.3, 1e-6
    numeric = (((w + h) * x - y) ** 2 - ((w - h) * x - y) ** 2) / (2 * h)
    assert np.allclose(numeric, 2 * x * (w * x - y), atol=1e-6)
    g = 2 * x * (0 * x - y)
    assert g.tolist() == G.tolist()
    states(both(hand_prose()), "$-2$", "$-6$", "$-4$", "$-16$", "$-28/4 = -7$")
    assert G.sum() == -28 and G.mean() == -7
    # the full loss's gradient at 0 is the mean (finite difference of the mean loss)
    L = lambda w: np.mean((w * x - y) ** 2)   # noqa: E731
    assert math.isclose((L(h) - L(-h)) / (2 * h), -7, abs_tol=1e-6)
    # the best slope
    w_star = float(np.sum(x * y) / np.sum(x * x))
    assert np.sum(x * y) == 14 and np.sum(x * x) == 10 and w_star == 1.4
    assert math.isclose(float(np.linalg.lstsq(x[:, None], y, rcond=None)[0][0]), w_star)
    states(both(hand_prose()), "14/10 = 1.4")


def test_hand_example_pair_table():
    rows = []
    for text in both(hand_prose()):
        found = []
        for line in text.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) == 3 and re.fullmatch(r"\d, \d", cells[0]):
                found.append((tuple(int(c) - 1 for c in cells[0].split(", ")), float(cells[1]),
                              float(cells[2])))
        rows.append(found)
    assert rows[0] == rows[1] and len(rows[0]) == 6
    assert {r[0] for r in rows[0]} == set(itertools.combinations(range(4), 2))
    for (i, j), mean, diff in rows[0]:
        assert (G[i] + G[j]) / 2 == mean
        assert mean - G.mean() == diff
    means = np.array([r[1] for r in rows[0]])
    assert means.sum() == -42 and means.mean() == -7
    states(both(hand_prose()), "$-42/6 = -7$", "$(5^2 + 1^2 + 3^2 + 9^2)/4 = 29$", "$58/6 \\approx 9.67$")
    assert var(G) == 29 and np.sum((G - G.mean()) ** 2) == 116
    assert np.sum((means - means.mean()) ** 2) == 58
    assert round(var(means), 2) == 9.67
    assert sorted(batches(G, 2, replace=False)) == sorted(means)
    assert math.isclose(var(batches(G, 2, replace=False)), 58 / 6)


# -- the derivation, line by line ---------------------------------------------------------------------

def check_grad_of_mean():
    # ∇(1/N Σ ℓ_i) = 1/N Σ ∇ℓ_i for quadratic per-example losses, by central differences
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=6), rng.normal(size=6)
    w, h = 0.7, 1e-6
    L = lambda w: np.mean((w * x - y) ** 2)   # noqa: E731
    assert math.isclose((L(w + h) - L(w - h)) / (2 * h), np.mean(2 * x * (w * x - y)), rel_tol=1e-6)


def check_one_draw_unbiased():
    for g in (G, RANDOM_G):
        assert math.isclose(batches(g, 1, replace=True).mean(), g.mean())


def check_batch_unbiased():
    for g in (G, RANDOM_G):
        for B in (2, 3):
            assert math.isclose(batches(g, B, replace=True).mean(), g.mean())


def check_sigma_definition():
    assert var(batches(G, 1, replace=True)) == 29
    assert math.isclose(var(batches(RANDOM_G, 1, True)), np.var(RANDOM_G))


def check_variance_of_scaled_sum():
    # Var[(1/B) Σ X_b] = (1/B²) Σ Var[X_b] for independent draws: enumerate B = 2 and 3
    for g in (G, RANDOM_G):
        for B in (2, 3):
            sums = batches(g, B, replace=True) * B
            assert math.isclose(var(sums / B), B * np.var(g) / B**2)


def check_sigma2_over_b():
    for g in (G, RANDOM_G):
        for B in (1, 2, 3, 4):
            assert math.isclose(var(batches(g, B, replace=True)), np.var(g) / B)
    assert var(batches(G, 2, replace=True)) == 14.5


def check_std():
    for B in (1, 4):
        assert math.isclose(math.sqrt(var(batches(G, B, replace=True))), math.sqrt(29) / math.sqrt(B))
    # halving the noise takes 4 times the batch
    assert math.isclose(math.sqrt(var(batches(G, 4, True))) / math.sqrt(var(batches(G, 1, True))), 0.5)


def check_without_replacement():
    for g in (G, RANDOM_G):
        N = len(g)
        for B in range(1, N + 1):
            exact = var(batches(g, B, replace=False))
            assert math.isclose(exact, np.var(g) / B * (N - B) / (N - 1), abs_tol=1e-12)
    assert math.isclose(14.5 * 2 / 3, 58 / 6)
    assert var(batches(G, 4, replace=False)) == 0   # full batch: no noise


def check_step_split():
    rng = np.random.default_rng(2)
    w, eta, grad, g_hat = rng.normal(size=4)
    assert math.isclose(w - eta * g_hat, w - eta * grad - eta * (g_hat - grad))
    # the noise −η(ĝ − ∇L) has variance η² σ²/B
    eta, B = 0.3, 2
    noise = -eta * (batches(G, B, True) - G.mean())
    assert math.isclose(var(noise), eta**2 * 29 / B)


def k_small_steps(g, eta, B, k):
    """Every equally likely outcome of k steps with batches of B on a constant per-example gradient
    (the derivation's assumption: the gradient does not change): the total moves."""
    means = batches(g, B, replace=True)
    return np.array([-eta * sum(c) for c in itertools.product(means, repeat=k)])


def check_k_steps():
    for eta, B, k in ((0.1, 1, 2), (0.2, 1, 3), (0.05, 2, 2)):
        moves = k_small_steps(RANDOM_G, eta, B, k)
        assert math.isclose(moves.mean(), -k * eta * RANDOM_G.mean())
        assert math.isclose(var(moves), k * eta**2 * np.var(RANDOM_G) / B)


def check_one_big_step():
    for eta, B, k in ((0.1, 1, 2), (0.2, 1, 3), (0.05, 2, 2)):
        moves = -(k * eta) * batches(RANDOM_G, k * B, replace=True)
        assert math.isclose(moves.mean(), -k * eta * RANDOM_G.mean())
        assert math.isclose(var(moves), (k * eta) ** 2 * np.var(RANDOM_G) / (k * B))
        small = k_small_steps(RANDOM_G, eta, B, k)
        assert math.isclose(moves.mean(), small.mean()) and math.isclose(var(moves), var(small))


DERIVATION_CHECKS = {
    "\\nabla L = \\frac{1}{N} \\sum_{i=1}^{N} g_i": check_grad_of_mean,
    "\\mathbb{E}[g_{i_b}] = \\sum_{i=1}^{N} \\frac{1}{N} g_i = \\nabla L": check_one_draw_unbiased,
    "\\mathbb{E}[\\hat{g}] = \\frac{1}{B} \\sum_{b=1}^{B} \\mathbb{E}[g_{i_b}] = \\nabla L": check_batch_unbiased,
    "\\sigma^2 = \\operatorname{Var}[g_{i_b}] = \\frac{1}{N} \\sum_{i=1}^{N} (g_i - \\nabla L)^2": check_sigma_definition,
    "\\operatorname{Var}[\\hat{g}] = \\frac{1}{B^2} \\sum_{b=1}^{B} \\operatorname{Var}[g_{i_b}]": check_variance_of_scaled_sum,
    "\\operatorname{Var}[\\hat{g}] = \\frac{B \\sigma^2}{B^2} = \\frac{\\sigma^2}{B}": check_sigma2_over_b,
    "\\sqrt{\\operatorname{Var}[\\hat{g}]} = \\frac{\\sigma}{\\sqrt{B}}": check_std,
    "\\operatorname{Var}[\\hat{g}] = \\frac{\\sigma^2}{B} \\cdot \\frac{N - B}{N - 1}": check_without_replacement,
    "w_{t+1} = w_t - \\eta \\nabla L - \\eta (\\hat{g} - \\nabla L)": check_step_split,
    "\\mathbb{E}[\\Delta w_k] = -k \\eta \\nabla L, \\operatorname{Var}[\\Delta w_k] = k \\eta^2 \\sigma^2 / B":
        check_k_steps,
    "\\mathbb{E}[\\Delta w_1] = -k \\eta \\nabla L, \\operatorname{Var}[\\Delta w_1] = "
    "\\frac{(k \\eta)^2 \\sigma^2}{k B} = k \\eta^2 \\sigma^2 / B": check_one_big_step,
}


def derivation_lines() -> list[dict]:
    return [line for d in steps_of("derivation") for line in d["steps"]]


def test_every_derivation_line_has_a_check():
    lines = [line["math"] for line in derivation_lines()]
    assert lines == list(DERIVATION_CHECKS), "a derivation line changed: update its check"
    for line in derivation_lines():
        assert line["why"]["ko"].strip() and line["why"]["en"].strip()
        latex_to_unicode(line["math"])


@pytest.mark.parametrize("math_text", list(DERIVATION_CHECKS))
def test_derivation_line(math_text):
    DERIVATION_CHECKS[math_text]()


def test_derivation_numbers():
    d = steps_of("derivation")[0]
    texts = [t for line in d["steps"] for t in both(line["why"])]
    assert any("29" in t for t in texts[6:8])        # σ² of the hand example, in both languages
    assert sum("$14.5 \\cdot 2/3 \\approx 9.67$" in t for t in texts) == 2
    assert round(14.5 * 2 / 3, 2) == 9.67 and 29 / 2 == 14.5


def test_lesson_formulas_as_written():
    """Each pure-arithmetic chain ($… = …$, $… \\approx …$) in the lesson and my questions holds."""
    assert check_written_arithmetic(all_formulas(LESSON_DATA) + all_formulas([QUESTIONS[q] for q in MINE])) >= 10


# -- the run step ---------------------------------------------------------------------------------------

def test_run_step_is_the_batch_size_experiment_at_its_defaults():
    runs = steps_of("run")
    assert len(runs) == 1 and runs[0]["experiment"] == "batch_size"
    assert check_run_step("batch_size", runs[0]["set"]) is None
    assert all(t.rstrip().endswith("?") for t in both(runs[0]["ask"]))
    # the lesson's N/B updates per epoch, at the experiment's defaults
    p = {k: v.default for k, v in REGISTRY["batch_size"].params.items()}
    assert (p["n"], p["batch_size"]) == (256, 32) and math.ceil(p["n"] / p["batch_size"]) == 8


# -- the bank --------------------------------------------------------------------------------------------

def q(qid):
    return QUESTIONS[qid]


def numeric_ok(question, exact):
    assert question["type"] == "numeric"
    assert abs(question["answer"] - exact) <= question["tolerance"] / 2 + 1e-12, (question["id"], exact)


def test_updates_per_epoch():
    question = q("q03-batch-updates-per-epoch")
    states(both(question["q"]), "$N = 50000$", "$B = 128$")
    numeric_ok(question, math.ceil(50000 / 128))
    assert question["tolerance"] == 0 and question["answer"] == 391
    assert 50000 / 128 == 390.625 and 50000 - 390 * 128 == 80
    states(both(question["explanation"]), "$50000 / 128 = 390.625$", "$50000 - 390 \\cdot 128 = 80$",
           "391", "50000")


def test_noise_std():
    question = q("q03-batch-noise-std")
    states(both(question["q"]), "$\\sigma = 6$", "$B = 16$")
    numeric_ok(question, 6 / math.sqrt(16))
    # the same by enumeration: 16 draws are too many to enumerate, so scale a smaller exact case
    g = RANDOM_G / np.std(RANDOM_G) * 6                      # σ = 6 exactly
    assert math.isclose(math.sqrt(var(batches(g, 2, True))) * math.sqrt(2 / 16), 1.5)
    states(both(question["explanation"]), "$\\sigma^2 / B = 36 / 16 = 2.25$", "$\\sigma/\\sqrt{B} = 6/4 = 1.5$")


def test_linear_scaling():
    question = q("q03-batch-linear-scaling")
    states(both(question["q"]), "0.1", "256", "2048")
    numeric_ok(question, 0.1 * 2048 / 256)
    states(both(question["explanation"]), "$2048 / 256 = 8$", "$0.1 \\cdot 8 = 0.8$")


def test_unbiased_mcq():
    question = q("q03-batch-unbiased")
    g = RANDOM_G
    expected = {B: batches(g, B, True).mean() for B in (1, 2, 3)}
    # the expectation is the full gradient for every B: not B times it, not 0, not B-dependent
    assert all(math.isclose(e, g.mean()) for e in expected.values())
    assert not math.isclose(g.mean(), 0) and not math.isclose(2 * g.mean(), g.mean())
    assert question["answer"] == 0
    assert len(question["choices"]) == 4


def test_which_true_multi():
    question = q("q03-batch-which-true")
    ratio_var = (np.var(G) / 64) / np.var(G)
    ratio_std = math.sqrt(np.var(G) / 64) / math.sqrt(np.var(G))
    truths = [math.isclose(ratio_var, 1 / 64), math.isclose(ratio_std, 1 / 8),
              not math.isclose(batches(G, 1, True).mean(), batches(G, 3, True).mean()),   # expectation moves?
              64 / 1 == 1 / 64]                 # gradient evaluations per update: 64 instead of 1
    assert [i for i, t in enumerate(truths) if t] == question["answers"] == [0, 1]
    states(both(question["explanation"]), "$1/\\sqrt{64} = 1/8$")


def test_my_questions_stand_alone_and_why_shape():
    whys = [QUESTIONS[i] for i in MINE if QUESTIONS[i]["type"] == "why"]
    assert len(MINE) >= 5 and len(whys) >= 2
    for w in whys:
        for lang in ("ko", "en"):
            sentences = [s for s in re.split(r"(?<=[.?!])\s+", w["a"][lang].strip()) if s]
            assert 2 <= len(sentences) <= 5, (w["id"], lang, len(sentences))
        assert 2 <= len(w["points"]) <= 4
    for i in MINE:
        for ref in QUESTIONS[i].get("follow_up", []):
            assert ref in QUESTIONS
        # standing alone: no "above", "previous question", "위 문제"
        for text in both(QUESTIONS[i]["q"]):
            assert not re.search(r"previous|above|위 문제|앞 문제", text), i
    # my questions sit at the end of the bank, after every other
    ids = list(QUESTIONS)
    assert ids[-len(MINE):] == list(MINE)


# -- the lesson's shape and its Korean --------------------------------------------------------------------

def test_lesson_shape():
    steps = LESSON_DATA["steps"]
    kinds = [next(iter(s)) for s in steps]
    assert kinds[0] == "prose" and "?" in steps[0]["prose"]["en"] and "?" in steps[0]["prose"]["ko"]
    assert kinds.count("why") >= 2 and kinds.count("derivation") >= 1 and kinds.count("run") >= 1
    assert any(line.get("level") == 3 for line in derivation_lines())
    refs = [s["quiz"]["ref"] for s in steps if "quiz" in s]
    assert len(refs) >= 3 and all(r in MINE for r in refs)
    assert 5 <= LESSON_DATA["minutes"] <= 15
    for w in steps_of("why"):
        for lang in ("ko", "en"):
            sentences = [s for s in re.split(r"(?<=[.?!])\s+", w["a"][lang].strip()) if s]
            assert 2 <= len(sentences) <= 5, (w["id"], lang)
        assert 2 <= len(w["points"]) <= 4
    raw = (ROOT / LESSON).read_text(encoding="utf-8")
    assert "stub" not in raw.lower()


def test_korean_terms_first_use_and_no_space_before_the_parenthesis():
    ko = "\n".join(korean(LESSON_DATA))
    for term in ("경사 하강법(gradient descent)", "그라디언트(gradient)", "미니배치(mini-batch)",
                 "학습률(learning rate)", "배치 크기(batch size)", "분산(variance)", "에포크(epoch)",
                 "확률적 경사 하강법(stochastic gradient descent, SGD)", "선형 스케일링(linear scaling)"):
        assert term in ko, term
    everything = ko + "\n" + "\n".join(korean([QUESTIONS[i] for i in MINE]))
    assert not re.search(HANGUL + r" \([A-Za-z]", everything)
    # one register: no plain-form endings (…다.) beside the polite ones, except 입니다/습니다/ㅂ니다
    for sentence in re.findall(r"[^\s.]+다\.", everything):
        assert sentence.endswith("니다."), sentence
    # 정규화 is normalization only; not used here for anything else
    assert "정규화" not in everything
