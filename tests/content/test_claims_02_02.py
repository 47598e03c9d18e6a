"""Recompute every number and identity of lesson 02-02 (kinds of learning, Q-learning) and its bank
quizzes/ch02-kinds-of-learning.yaml.

Each line of the Q-learning derivation is looked up by its exact ``math`` text in a table of
numerical checks, and every line must have one. The numbers the prose and the questions state
are read from the YAML. The run's own figures are pinned separately
(tests/content/test_pinned_figures.py); here the run is checked against the hand-worked table.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from claims_kit import both, derivation, load, run_checks, states, table_rows  # noqa: E402 (same folder)
from tutor.experiments import REGISTRY, check_run_step
from tutor.experiments.qlearning import GOAL, SHORTEST, START, q_update, true_value

LESSON = "lessons/02-why-now/02-kinds-of-learning.yaml"
BANK = "quizzes/ch02-kinds-of-learning.yaml"
LESSON_DATA = load(LESSON)
QUESTIONS = {q["id"]: q for q in load(BANK)["questions"]}
GAMMA = 0.9


def steps_of(kind: str) -> list[dict]:
    return [s[kind] for s in LESSON_DATA["steps"] if kind in s]


def prose(heading: str) -> list[str]:
    found = [p for p in steps_of("prose") if p["en"].startswith(f"## {heading}")]
    assert len(found) == 1, heading
    return both(found[0])


def discounted(rewards, gamma: float) -> float:
    return sum(gamma ** k * r for k, r in enumerate(rewards))


def check_numeric(question: dict, exact: float) -> None:
    tol = question["tolerance"]
    assert abs(question["answer"] - exact) <= tol, (question["id"], question["answer"], exact)
    digits = round(-math.log10(tol))
    assert question["answer"] == pytest.approx(round(exact, digits), abs=1e-12)


# -- CNN, RNN, GAN ---------------------------------------------------------------------------------

def test_filter_and_dense_weight_counts():
    assert 3 * 3 == 9 and 28 * 28 == 784
    states(prose("What are CNN, RNN and GAN used for?"), "9", "784", "1/2")
    states(both(QUESTIONS["q02-kl-cnn-why"]["explanation"]), "9", "784")


def test_the_ideal_discriminator_says_one_half_when_fakes_match_the_data():
    # D maximises p·log D + q·log(1 − D) pointwise: D* = p/(p + q), 1/2 when the fake density q equals p
    d = np.linspace(1e-4, 1 - 1e-4, 200001)
    for p, q in [(0.3, 0.3), (0.7, 0.7), (0.3, 0.6)]:
        best = d[np.argmax(p * np.log(d) + q * np.log(1 - d))]
        assert best == pytest.approx(p / (p + q), abs=1e-4)
    assert 0.3 / (0.3 + 0.3) == 0.5


# -- kinds of learning -----------------------------------------------------------------------------

def test_next_word_examples_from_a_sentence():
    words = "the cat sat on the mat and then it slept".split()
    assert len(words) == 10
    examples = [(words[:i], words[i]) for i in range(1, len(words))]
    assert len(examples) == 9
    states(prose("Four kinds of learning"), "N − 1", "9")
    states(both(QUESTIONS["q02-why-kl-self-supervised"]["explanation"]), "9")


# -- the discount factor -----------------------------------------------------------------------------

def test_discounted_return_table_and_sum():
    values = [true_value(d, GAMMA) for d in range(1, 7)]
    assert values == pytest.approx([-1, -1.9, -2.71, -3.439, -4.0951, -4.68559])
    assert values[-1] == pytest.approx(-(1 - GAMMA ** 6) / (1 - GAMMA))
    assert discounted([-1] * 6, GAMMA) == pytest.approx(-4.68559)
    terms = [GAMMA ** k for k in range(6)]
    assert terms == pytest.approx([1, 0.9, 0.81, 0.729, 0.6561, 0.59049])
    for text in prose("The discount factor"):
        rows = table_rows(text, 7)
        assert rows[1][1:] == ["-1", "-1.9", "-2.71", "-3.439", "-4.0951", "-4.68559"]
        assert "$-(1 + 0.9 + 0.81 + 0.729 + 0.6561 + 0.59049) = -4.68559$" in text
    assert 1 / (1 - GAMMA) == pytest.approx(10)
    states(prose("The discount factor"), "$1/(1 - \\gamma)$", "10")


def epsilon_greedy_best(eps: float, actions: int) -> float:
    """Probability of the single best action, by enumerating the two branches and every random pick."""
    return (1 - eps) + sum(eps / actions for a in range(actions) if a == 0)


def test_epsilon_greedy_probability():
    assert epsilon_greedy_best(0.1, 4) == pytest.approx(0.925)
    states(prose("The discount factor"), "$0.9 + 0.1/4 = 0.925$")
    rng = np.random.default_rng(0)
    picks = np.where(rng.random(200_000) < 0.1, rng.integers(4, size=200_000), 0)
    assert np.mean(picks == 0) == pytest.approx(0.925, abs=0.003)


# -- the derivation --------------------------------------------------------------------------------------

def test_q_learning_derivation_line_by_line():
    deriv = derivation(LESSON_DATA, "deriv-02-q-learning")
    rng = np.random.default_rng(1)
    r = rng.normal(size=60)
    g = GAMMA

    def ret(t):          # G_t over a long finite episode: r[t] is r_{t+1}
        return discounted(r[t:], g)

    def running(alpha_of):
        ys = rng.normal(size=50)
        q = 0.0
        for n, y in enumerate(ys, start=1):
            q = q + alpha_of(n) * (y - q)
        return q, ys

    q0, y0, a0 = 0.7, -1.3, 0.3

    def bellman_expectation():
        # a two-outcome move: Q(s, a) equals the expectation of r + γ max Q(s′, ·) at the fixed point
        probs, rewards = np.array([0.25, 0.75]), np.array([-1.0, 2.0])
        q_next = np.array([[0.5, -0.2], [1.5, 3.0]])
        target = probs @ (rewards + g * q_next.max(axis=1))
        q = 0.0
        for _ in range(2000):   # the expected update, α = 0.5, converges to the expectation
            q = q + 0.5 * (target - q)
        assert q == pytest.approx(target)
        assert target == pytest.approx(0.25 * (-1 + g * 0.5) + 0.75 * (2 + g * 3.0))

    def check(ok):
        def f():
            assert ok()
        return f

    checks = {
        "G_t = r_{t+1} + \\gamma r_{t+2} + \\gamma^2 r_{t+3} + \\cdots": check(
            lambda: ret(0) == pytest.approx(r[0] + g * r[1] + g ** 2 * r[2] + sum(g ** k * r[k] for k in range(3, 60)))),
        "G_t = r_{t+1} + \\gamma G_{t+1}": check(
            lambda: all(ret(t) == pytest.approx(r[t] + g * ret(t + 1)) for t in range(5))),
        "r(1 + \\gamma + \\gamma^2 + \\cdots) = \\frac{r}{1 - \\gamma}": check(
            lambda: all(discounted([2.0] * 2000, gg) == pytest.approx(2.0 / (1 - gg)) for gg in (0.0, 0.5, 0.9))),
        "Q(s, a) = \\mathbb{E}[r + \\gamma \\, \\max_{a'} Q(s', a')]": bellman_expectation,
        "y = r + \\gamma \\, \\max_{a'} Q(s', a')": check(
            lambda: q_update(0.0, -1.0, -2.0, 1.0, g, False) == pytest.approx(-1 + g * -2.0)
            and q_update(0.0, -1.0, -2.0, 1.0, g, True) == -1.0),
        "Q(s, a) \\leftarrow Q(s, a) + \\alpha (y - Q(s, a))": check(
            lambda: q_update(q0, -1.0, 0.5, a0, g, False) == pytest.approx(q0 + a0 * ((-1 + g * 0.5) - q0))),
        "Q(s, a) \\leftarrow (1 - \\alpha) Q(s, a) + \\alpha y": check(
            lambda: q0 + a0 * (y0 - q0) == pytest.approx((1 - a0) * q0 + a0 * y0)),
        "Q_n = Q_{n-1} + \\frac{1}{n}(y_n - Q_{n-1}) = \\frac{y_1 + \\cdots + y_n}{n}": check(
            lambda: (lambda qy: qy[0] == pytest.approx(np.mean(qy[1])))(running(lambda n: 1 / n))),
        "0 + 0.5 \\times (-1 + 0.9 \\times (-2) - 0) = -1.4": check(
            lambda: q_update(0.0, -1.0, -2.0, 0.5, 0.9, False) == pytest.approx(-1.4)),
    }
    run_checks(deriv, checks)
    for text in both(deriv["steps"][-1]["why"]):
        states([text], "-2.8", "-1.4")


# -- the run agrees with the hand-worked table -----------------------------------------------------------

def test_the_runs_values_are_the_hand_worked_returns():
    ev = list(REGISTRY["qlearning"].run({"epsilon": 0.1, "gamma": GAMMA}, seed=0))
    end = ev[-1]["variants"]["main"]
    for r, row in enumerate(end["values"]):
        for c, v in enumerate(row):
            d = abs(GOAL[0] - r) + abs(GOAL[1] - c)   # the shortest distance: Manhattan, no walls
            assert v == pytest.approx(round(true_value(d, GAMMA), 3), abs=2e-3), (r, c)
    assert abs(GOAL[0] - START[0]) + abs(GOAL[1] - START[1]) == SHORTEST == 6
    assert end["value_start_true"] == pytest.approx(-4.68559)
    assert round(end["value_start"], 2) == round(-4.68559, 2) == -4.69


def test_the_lesson_runs_are_valid():
    for run in steps_of("run"):
        assert check_run_step(run["experiment"], run["set"]) is None


# -- the bank ------------------------------------------------------------------------------------------

def test_bank_discounted_return():
    q = QUESTIONS["q02-kl-discounted-return"]
    exact = discounted([-1, -1, -1, 10], GAMMA)
    check_numeric(q, exact)
    assert -1 - 0.9 - 0.81 == pytest.approx(-2.71) and 0.729 * 10 == pytest.approx(7.29)
    states(both(q["explanation"]), "-2.71", "7.29", "4.58")


def test_bank_constant_return():
    q = QUESTIONS["q02-kl-constant-return"]
    check_numeric(q, discounted([1.0] * 5000, 0.95))
    check_numeric(q, 1 / (1 - 0.95))
    states(both(q["explanation"]), "1/0.05 = 20")
    states(both(QUESTIONS["q02-why-kl-discount"]["explanation"]), "$1/(1 - 0.9) = 10$")


def test_bank_q_update():
    q = QUESTIONS["q02-kl-q-update"]
    check_numeric(q, q_update(2.0, 1.0, 5.0, 0.1, 0.9, False))
    assert 1 + 0.9 * 5 == pytest.approx(5.5) and 0.9 * 2 + 0.1 * 5.5 == pytest.approx(2.35)
    states(both(q["explanation"]), "5.5", "3.5", "2.35")


def test_bank_epsilon_greedy():
    q = QUESTIONS["q02-kl-epsilon-greedy"]
    check_numeric(q, epsilon_greedy_best(0.2, 4))
    # enumerate: the greedy branch, then each of the 4 random picks
    outcomes = [(0.8, 0)] + [(0.2 / 4, a) for a in range(4)]
    assert sum(p for p, a in outcomes if a == 0) == pytest.approx(0.85)
    assert all(sum(p for p, a in outcomes if a == b) == pytest.approx(0.05) for b in (1, 2, 3))
    states(both(q["explanation"]), "0.8", "0.05", "0.85")
    states(both(QUESTIONS["q02-why-kl-exploration"]["explanation"]), "0.925")


def test_bank_mcq_answers():
    assert QUESTIONS["q02-kl-gan-roles"]["answer"] == 0
    assert QUESTIONS["q02-kl-which-kind"]["answer"] == 2
    assert QUESTIONS["q02-kl-cnn-why"]["answer"] == 0
    assert len(QUESTIONS) >= 6 and sum(q["type"] == "why" for q in QUESTIONS.values()) >= 3


def test_optimistic_start_makes_a_greedy_agent_explore():
    # Q = 0 is above every true value here (all negative), so ε = 0 still finds the shortest path
    assert all(true_value(d, GAMMA) < 0 for d in range(1, 7))
    ev = list(REGISTRY["qlearning"].run({"epsilon": 0.0, "gamma": GAMMA}, seed=0))
    assert ev[-1]["variants"]["main"]["greedy_moves"] == SHORTEST


# -- model answers: 2–5 sentences in both languages ------------------------------------------------------

def sentence_count(text: str) -> int:
    plain = re.sub(r"\$[^$]*\$", "x", text)
    return len(re.findall(r"[.?!](?=\s|$)", plain.strip()))


def test_model_answers_have_two_to_five_sentences():
    whys = [w for w in steps_of("why")] + [q for q in QUESTIONS.values() if q["type"] == "why"]
    assert len(whys) == 3 + 4
    for w in whys:
        for text in both(w["a"]):
            assert 2 <= sentence_count(text) <= 5, text
        assert 2 <= len(w["points"]) <= 4


def test_every_written_arithmetic_chain_holds():
    from claims_kit import all_formulas, check_written_arithmetic   # noqa: PLC0415 (same folder)
    assert check_written_arithmetic(all_formulas(LESSON_DATA)) >= 3
    assert check_written_arithmetic(all_formulas(load(BANK))) >= 6
