"""Recompute every number and identity the lessons and quiz questions state.

The content style says: every number in a lesson or question is computed, not recalled, and a
test recomputes it. These tests read the numbers from the YAML files wherever practical (tables,
quiz answers, choices), so a wrong number in a file fails here; where a number lives in prose,
the test computes it and checks that the prose states exactly that value.
"""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from claims_kit import (all_formulas, arithmetic_chains, both, fmt, load, table_rows,  # noqa: E402
                        to_number)  # same folder

ROOT = Path(__file__).parents[2]
GRADIENT = "lessons/01-math/01-gradient-steepest.yaml"
NETWORK = "lessons/03-neural-networks/01-network-is-a-function.yaml"
GATES = "lessons/03-neural-networks/02-perceptron-gates.yaml"
LINREG = "lessons/03-neural-networks/03-linear-regression-gd.yaml"
LR = "lessons/03-neural-networks/04-learning-rate.yaml"
BANK1 = "quizzes/ch01-math.yaml"
BANK3 = "quizzes/ch03-neural-networks.yaml"
BANK3B = "quizzes/ch03-gradcheck-basics.yaml"  # 03-02's and 03-03's newer questions live here

NUM = r"-?\d+(?:\.\d+)?"
PAIR = re.compile(rf"\(({NUM}), ({NUM})\)")


# --------------------------------------------------------------------------- helpers

def bank(rel: str) -> dict[str, dict]:
    return {q["id"]: q for q in load(rel)["questions"]}


def texts(obj) -> list[str]:
    """Every string inside a loaded YAML object (both languages)."""
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [t for v in obj.values() for t in texts(v)]
    if isinstance(obj, list):
        return [t for v in obj for t in texts(v)]
    return []


def prose(lesson: dict) -> list[str]:
    return [t for step in lesson["steps"] if "prose" in step for t in both(step["prose"])]


def states(haystacks: list[str], value: str) -> None:
    """Each language version states ``value`` (a number as written in the file)."""
    for text in haystacks:
        assert value in text, f"expected {value!r} in: {text[:120]!r}…"


def numeric_rows(text: str, cells: int) -> list[list[str]]:
    """Table rows whose last cell is a number (drops header rows)."""
    return [r for r in table_rows(text, cells) if re.fullmatch(NUM, r[-1])]


def pair(text: str) -> tuple[float, float]:
    m = PAIR.search(text)
    assert m, f"no (a, b) pair in {text!r}"
    return float(m.group(1)), float(m.group(2))


def central_diff(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def numeric_answer_ok(q: dict, truth: float) -> None:
    """The stored answer is within its tolerance of the truth, and the truth of the answer."""
    assert q["type"] == "numeric"
    tol = q.get("tolerance", 1e-6)
    assert abs(q["answer"] - truth) <= max(tol, 1e-12) / 2 + 1e-12, (q["id"], q["answer"], truth)


# =========================================================================== chapter 1

class TestGradientLesson:
    lesson = load(GRADIENT)
    questions = bank(BANK1)

    def test_plane_table(self):
        """f(x, y) = 3x + 4y: every row's height change is 3·d1 + 4·d2 for a unit d."""
        for text in prose(self.lesson):
            if "3x + 4y" not in text:
                continue
            rows = numeric_rows(text, 2)
            assert len(rows) >= 6
            best = None
            for direction, change in rows:
                d = np.array(pair(direction))
                assert math.isclose(np.linalg.norm(d), 1.0), direction
                assert math.isclose(3 * d[0] + 4 * d[1], float(change), abs_tol=1e-12), direction
                if best is None or float(change) > best[1]:
                    best = (d, float(change))
            grad = np.array([3.0, 4.0])
            assert math.isclose(best[1], np.linalg.norm(grad))
            assert np.allclose(best[0], grad / np.linalg.norm(grad))
            states([text], "5")

    def test_taylor_example(self):
        """x² + 3y² at (1, 1): ∇f = (2, 6); a 0.01 step along (0.6, 0.8) climbs 0.060228 vs 0.06."""
        f = lambda v: v[0] ** 2 + 3 * v[1] ** 2
        x = np.array([1.0, 1.0])
        grad = central_diff(f, x)
        assert np.allclose(grad, [2, 6], atol=1e-6)
        d = np.array([0.6, 0.8])
        eps = 0.01
        real = f(x + eps * d) - f(x)
        predicted = eps * grad @ d
        assert fmt(predicted, 2) == "0.06"
        assert fmt(real, 6) == "0.060228"
        assert fmt(real - predicted, 6) == "0.000228"
        assert fmt(math.sqrt(40), 3) == "6.325"
        assert math.isclose(np.linalg.norm([2, 6]), math.sqrt(40))
        assert grad @ d < np.linalg.norm(grad)
        text = [t for t in prose(self.lesson) if "0.060228" in t]
        assert len(text) == 2
        for value in ("(2, 6)", "0.060228", "0.000228", "0.06", "6.325", "f(1.006, 1.008)"):
            states(text, value)
        assert fmt(1 + eps * 0.6, 3) == "1.006" and fmt(1 + eps * 0.8, 3) == "1.008"

    def test_directional_derivative_is_dot_product(self):
        """The derivation's step g'(0) = ∇fᵀd, checked on a non-quadratic function."""
        rng = np.random.default_rng(0)
        f = lambda v: math.sin(v[0]) * v[1] ** 2 + math.exp(0.3 * v[0] * v[2]) - v[1] * v[2]
        for _ in range(20):
            x = rng.normal(size=3)
            d = rng.normal(size=3)
            d /= np.linalg.norm(d)
            grad = central_diff(f, x)
            g = lambda e: f(x + e[0] * d)
            slope = central_diff(g, np.array([0.0]))[0]
            assert math.isclose(slope, grad @ d, rel_tol=1e-5, abs_tol=1e-7)

    def test_steepest_direction_is_normalised_gradient(self):
        """max over unit d of ∇fᵀd is ‖∇f‖, reached at ∇f/‖∇f‖; min −‖∇f‖ at −∇f/‖∇f‖."""
        rng = np.random.default_rng(1)
        for _ in range(10):
            grad = rng.normal(size=2)
            angles = np.linspace(0, 2 * np.pi, 200_001)
            dirs = np.stack([np.cos(angles), np.sin(angles)], axis=1)
            slopes = dirs @ grad
            norm = np.linalg.norm(grad)
            assert slopes.max() <= norm + 1e-12
            assert math.isclose(slopes.max(), norm, rel_tol=1e-8)
            assert np.allclose(dirs[slopes.argmax()], grad / norm, atol=1e-4)
            assert math.isclose(slopes.min(), -norm, rel_tol=1e-8)
            assert np.allclose(dirs[slopes.argmin()], -grad / norm, atol=1e-4)
            # Perpendicular direction: slope 0 (the contour line).
            perp = np.array([-grad[1], grad[0]]) / norm
            assert abs(perp @ grad) < 1e-12
        # In more dimensions, no random unit vector beats the normalised gradient.
        grad = rng.normal(size=6)
        dirs = rng.normal(size=(100_000, 6))
        dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
        assert (dirs @ grad).max() < np.linalg.norm(grad)
        assert math.isclose(grad @ (grad / np.linalg.norm(grad)), np.linalg.norm(grad))

    def test_cauchy_schwarz_derivation(self):
        rng = np.random.default_rng(2)
        for _ in range(100):
            a, b = rng.normal(size=(2, 4))
            t = rng.normal()
            lhs = np.linalg.norm(a - t * b) ** 2
            assert math.isclose(lhs, a @ a - 2 * t * (a @ b) + t * t * (b @ b), rel_tol=1e-10)
            t_star = (a @ b) / (b @ b)
            q = lambda s: np.linalg.norm(a - s * b) ** 2
            assert q(t_star) <= min(q(t_star + 1e-3), q(t_star - 1e-3))
            assert math.isclose(q(t_star), a @ a - (a @ b) ** 2 / (b @ b), rel_tol=1e-9,
                                abs_tol=1e-12)
            assert (a @ b) ** 2 <= (a @ a) * (b @ b) + 1e-12
            assert abs(a @ b) <= np.linalg.norm(a) * np.linalg.norm(b) + 1e-12
        # Equality when parallel.
        b = rng.normal(size=4)
        a = -2.5 * b
        assert math.isclose(abs(a @ b), np.linalg.norm(a) * np.linalg.norm(b))

    def test_quiz_directional_derivative(self):
        q = self.questions["q01-dirderiv-value"]
        for text in both(q["q"]):
            assert "x^2 + 3y^2" in text and "(2, 1)" in text and "(0.8, -0.6)" in text
        f = lambda v: v[0] ** 2 + 3 * v[1] ** 2
        grad = central_diff(f, np.array([2.0, 1.0]))
        assert np.allclose(grad, [4, 6], atol=1e-6)
        numeric_answer_ok(q, grad @ np.array([0.8, -0.6]))

    def test_quiz_max_slope(self):
        q = self.questions["q01-max-slope"]
        truth = math.sqrt(4 ** 2 + 6 ** 2)
        numeric_answer_ok(q, truth)
        assert fmt(truth, 3) == fmt(q["answer"], 3) == "7.211"
        states(both(q["explanation"]), "7.211")

    def test_quiz_steepest_descent_choice(self):
        q = self.questions["q01-steepest-descent-direction"]
        grad = np.array(pair(q["q"]["en"]))
        assert np.allclose(grad, [3, -4])
        dirs = [np.array(pair(c["en"])) for c in q["choices"]]
        for c, d in zip(q["choices"], dirs):
            assert np.array(pair(c["ko"])).tolist() == d.tolist()
            assert math.isclose(np.linalg.norm(d), 1.0)
        slopes = [round(float(grad @ d), 12) for d in dirs]
        assert q["answer"] == int(np.argmin(slopes))
        assert math.isclose(min(slopes), -np.linalg.norm(grad))
        # The explanation lists each slope.
        for s in slopes:
            written = f"{s:+g}" if s else "0"
            for text in both(q["explanation"]):
                assert f"${written}$" in text, (written, text)


# =========================================================================== chapter 3
# The perceptron used throughout: 1 when w·x + b > 0, else 0.

def perceptron(w1: float, w2: float, b: float, x1: float, x2: float) -> int:
    return int(w1 * x1 + w2 * x2 + b > 0)


INPUTS = [(0, 0), (1, 0), (0, 1), (1, 1)]
TRUTH = {
    "AND": {(0, 0): 0, (1, 0): 0, (0, 1): 0, (1, 1): 1},
    "NAND": {(0, 0): 1, (1, 0): 1, (0, 1): 1, (1, 1): 0},
    "OR": {(0, 0): 0, (1, 0): 1, (0, 1): 1, (1, 1): 1},
    "XOR": {(0, 0): 0, (1, 0): 1, (0, 1): 1, (1, 1): 0},
}
TRIPLE = re.compile(rf"\(({NUM}), ({NUM}), ({NUM})\)")


class TestNetworkLesson:
    lesson = load(NETWORK)
    questions = bank(BANK3)

    @staticmethod
    def forward(x):
        """The lesson's 2-2-1 ReLU network."""
        W1 = np.array([[1.0, -1.0], [2.0, 0.5]])
        b1 = np.array([0.0, -1.0])
        W2 = np.array([3.0, 1.0])
        b2 = 0.5
        h = np.maximum(0, W1 @ np.asarray(x, float) + b1)
        return float(W2 @ h + b2), W1 @ np.asarray(x, float) + b1

    def test_concert_neuron_tables(self):
        w1, w2 = 3, -2
        tables = {}
        for step in self.lesson["steps"]:
            if "prose" not in step:
                continue
            for text in both(step["prose"]):
                rows = numeric_rows(text, 4)
                if not rows:
                    continue
                bias = -0.5 if "b = -0.5" in text else 1.0 if "b = 1$" in text else None
                assert bias is not None, "a neuron table without its bias"
                tables.setdefault(bias, []).append(rows)
                for x1, x2, z, y in rows:
                    x1, x2 = int(x1), int(x2)
                    assert math.isclose(float(z), w1 * x1 + w2 * x2 + bias), (bias, x1, x2)
                    assert int(y) == perceptron(w1, w2, bias, x1, x2), (bias, x1, x2)
                assert sorted((int(r[0]), int(r[1])) for r in rows) == sorted(INPUTS)
        assert set(tables) == {-0.5, 1.0} and all(len(v) == 2 for v in tables.values())
        first = [t for t in prose(self.lesson) if "b = -0.5" in t]
        assert len(first) == 2
        states(first, "w_1 = 3")
        states(first, "w_2 = -2")

    def test_hand_computed_network(self):
        y, z = self.forward((1, 2))
        assert y == 2.5 and z.tolist() == [-1.0, 2.0]
        text = [t for t in prose(self.lesson) if "(1, -1)" in t]
        assert len(text) == 2
        for value in ("(1, -1)", "(2, 0.5)", "(3, 1)", "0.5", "= -1$", "= 2$", "= 2.5$"):
            states(text, value)

    def test_parameter_counts(self):
        derivation = next(s["derivation"] for s in self.lesson["steps"] if "derivation" in s)
        assert 3 * 2 + 3 + 1 * 3 + 1 == 13
        assert any("= 13$" in t for t in texts(derivation))
        q = self.questions["q03-param-count"]
        for text in both(q["q"]):
            assert "3" in text and "4" in text and "2" in text
        numeric_answer_ok(q, 3 * 4 + 4 + 4 * 2 + 2)

    def test_quiz_forward_pass(self):
        q = self.questions["q03-forward-pass"]
        for text in both(q["q"]):
            for value in ("(1, -1)", "(2, 0.5)", "(3, 1)", "0.5", "(2, 1)"):
                assert value in text
        y, z = self.forward((2, 1))
        assert z.tolist() == [1.0, 3.5]
        numeric_answer_ok(q, y)

    def test_quiz_bias_effect(self):
        q = self.questions["q03-bias-effect"]
        rng = np.random.default_rng(3)
        # Choice 0: raising b never turns a firing input off.
        for _ in range(2000):
            w1, w2, b = rng.normal(size=3)
            db = abs(rng.normal())
            for x in INPUTS:
                if perceptron(w1, w2, b, *x):
                    assert perceptron(w1, w2, b + db, *x)
        # Choice 1: with b = 0 the origin gives z = 0 and does not fire.
        assert all(perceptron(w1, w2, 0.0, 0, 0) == 0 for w1, w2 in rng.normal(size=(100, 2)))
        # Choice 3: a negative weight lowers z when its input is 1.
        assert perceptron(3, -2, -0.5, 1, 1) <= perceptron(3, 0, -0.5, 1, 1)
        assert sorted(q["answers"]) == [0, 1, 3]

    def test_and_needs_a_bias(self):
        """why-03-bias-role: without a bias (boundary through the origin) no neuron is AND."""
        grid = np.linspace(-2, 2, 161)
        w1, w2 = np.meshgrid(grid, grid, indexing="ij")
        ok = np.ones_like(w1, dtype=bool)
        for (x1, x2), target in TRUTH["AND"].items():
            ok &= (w1 * x1 + w2 * x2 > 0).astype(int) == target
        assert not ok.any()
        assert all(perceptron(0.5, 0.5, -0.7, *x) == TRUTH["AND"][x] for x in INPUTS)


class TestGatesLesson:
    lesson = load(GATES)
    questions = bank(BANK3)

    def gate_weights(self) -> dict[str, tuple[float, float, float]]:
        found: dict[str, tuple[float, float, float]] = {}
        for text in prose(self.lesson):
            for name, w1, w2, b in numeric_rows(text, 4):
                if name in TRUTH:
                    weights = (float(w1), float(w2), float(b))
                    assert found.setdefault(name, weights) == weights, "ko and en tables differ"
        assert set(found) == {"AND", "NAND", "OR"}
        return found

    def test_gate_weights_give_truth_tables(self):
        for name, (w1, w2, b) in self.gate_weights().items():
            for x in INPUTS:
                assert perceptron(w1, w2, b, *x) == TRUTH[name][x], (name, x)
                # No input sits exactly on the boundary (so sign flips are safe).
                assert w1 * x[0] + w2 * x[1] + b != 0

    def test_and_z_table(self):
        w1, w2, b = self.gate_weights()["AND"]
        checked = 0
        for text in prose(self.lesson):
            if "0.3" not in text:
                continue
            for x1, x2, z, y in numeric_rows(text, 4):
                if x1 in ("0", "1") and x2 in ("0", "1"):
                    x1, x2 = int(x1), int(x2)
                    assert math.isclose(float(z), w1 * x1 + w2 * x2 + b, abs_tol=1e-12)
                    assert int(y) == perceptron(w1, w2, b, x1, x2) == TRUTH["AND"][(x1, x2)]
                    checked += 1
        assert checked == 8

    def test_nand_is_and_with_signs_flipped(self):
        weights = self.gate_weights()
        assert weights["NAND"] == tuple(-v for v in weights["AND"])
        w1, w2, b = weights["AND"]
        for x in INPUTS:
            assert perceptron(-w1, -w2, -b, *x) == 1 - perceptron(w1, w2, b, *x)
        # The z values the why-answer lists.
        zs = sorted(round(w1 * x1 + w2 * x2 + b, 10) for x1, x2 in INPUTS)
        assert zs == [-0.7, -0.2, -0.2, 0.3]

    def test_two_layer_xor_table(self):
        g = self.gate_weights()
        checked = 0
        for text in prose(self.lesson):
            for x1, x2, s1, s2, y in numeric_rows(text, 5):
                x1, x2 = int(x1), int(x2)
                h1 = perceptron(*g["NAND"], x1, x2)
                h2 = perceptron(*g["OR"], x1, x2)
                assert (int(s1), int(s2)) == (h1, h2)
                assert int(y) == perceptron(*g["AND"], h1, h2) == TRUTH["XOR"][(x1, x2)]
                checked += 1
        assert checked == 8
        # The hidden layer's map of the four corners, as the prose and a why-answer state it.
        image = {x: (perceptron(*g["NAND"], *x), perceptron(*g["OR"], *x)) for x in INPUTS}
        assert image == {(0, 0): (1, 0), (1, 0): (1, 1), (0, 1): (1, 1), (1, 1): (0, 1)}

    def test_no_single_perceptron_computes_xor(self):
        """Search a fine grid: XOR is never computed, and the best is 3 of 4 inputs."""
        grid = np.linspace(-2, 2, 161)  # step 0.025
        w1, w2, b = np.meshgrid(grid, grid, grid, indexing="ij")
        correct = np.zeros_like(w1, dtype=int)
        for (x1, x2), target in TRUTH["XOR"].items():
            correct += ((w1 * x1 + w2 * x2 + b > 0).astype(int) == target)
        assert correct.max() == 3
        # The same search finds AND, NAND and OR, so it is not too coarse to find a gate.
        for name in ("AND", "NAND", "OR"):
            ok = np.ones_like(w1, dtype=bool)
            for (x1, x2), target in TRUTH[name].items():
                ok &= (w1 * x1 + w2 * x2 + b > 0).astype(int) == target
            assert ok.any(), name

    def test_contradiction_proof_algebra(self):
        rng = np.random.default_rng(4)
        for w1, w2, b in rng.normal(size=(1000, 3)):
            assert math.isclose((w1 + b) + (w2 + b), (w1 + w2 + b) + b, abs_tol=1e-12)
            conditions = [b <= 0, w1 + b > 0, w2 + b > 0, w1 + w2 + b <= 0]
            assert not all(conditions)

    def test_quiz_or_weights(self):
        q = self.questions["q03-or-weights"]
        good = []
        for i, choice in enumerate(q["choices"]):
            m = TRIPLE.search(choice["en"])
            assert m and choice["ko"] == choice["en"]
            w1, w2, b = map(float, m.groups())
            if all(perceptron(w1, w2, b, *x) == TRUTH["OR"][x] for x in INPUTS):
                good.append(i)
        assert sorted(q["answers"]) == good
        # The explanation's claims about the wrong choices.
        assert all(perceptron(0.5, 0.5, -0.7, *x) == TRUTH["AND"][x] for x in INPUTS)
        assert all(perceptron(-0.5, -0.5, 0.7, *x) == TRUTH["NAND"][x] for x in INPUTS)
        assert all(perceptron(0.5, 0.5, 0.2, *x) == 1 for x in INPUTS)

    def test_quiz_xor_net_z(self):
        q = self.questions["q03-xor-net-z"]
        g = self.gate_weights()
        s = (perceptron(*g["NAND"], 1, 1), perceptron(*g["OR"], 1, 1))
        w1, w2, b = g["AND"]
        for text in both(q["q"]):
            assert "(0.5, 0.5)" in text and "-0.7" in text
        numeric_answer_ok(q, w1 * s[0] + w2 * s[1] + b)


class TestLinearRegressionLesson:
    lesson = load(LINREG)
    questions = bank(BANK3)
    X = np.array([1.0, 2.0])
    Y = np.array([3.0, 5.0])

    @staticmethod
    def loss(w, b, x, y):
        return float(np.mean((w * x + b - y) ** 2))

    @staticmethod
    def grads(w, b, x, y):
        e = w * x + b - y
        return 2 * float(np.mean(e * x)), 2 * float(np.mean(e))

    def test_gradient_formulas_match_central_differences(self):
        rng = np.random.default_rng(5)
        for _ in range(20):
            n = int(rng.integers(1, 10))
            x, y = rng.normal(size=(2, n))
            p = rng.normal(size=2)
            numeric = central_diff(lambda v: self.loss(v[0], v[1], x, y), p)
            assert np.allclose(numeric, self.grads(p[0], p[1], x, y), rtol=1e-6, atol=1e-8)
            # The chain-rule step: d/dw (u²) = 2u · x_i for one term.
            i = int(rng.integers(n))
            term = lambda v: (v[0] * x[i] + v[1] - y[i]) ** 2
            u = p[0] * x[i] + p[1] - y[i]
            assert np.allclose(central_diff(term, p), [2 * u * x[i], 2 * u], atol=1e-6)

    def test_data_and_exact_answer(self):
        for text in prose(self.lesson)[:2]:
            assert "(1, 3)" in text and "(2, 5)" in text and "w = 2" in text and "b = 1" in text
        assert np.allclose(2 * self.X + 1, self.Y)

    def test_gd_table(self):
        for text in prose(self.lesson):
            rows = numeric_rows(text, 4)
            if not rows:
                continue
            w = b = 0.0
            eta = 0.1
            assert "0.1" in text
            moves = []
            for t, (step, w_s, b_s, loss_s) in enumerate(rows):
                assert int(step) == t
                decimals = lambda s: len(s.split(".")[1]) if "." in s else 0
                assert fmt(w, decimals(w_s)) == fmt(float(w_s), decimals(w_s)), (t, w, w_s)
                assert fmt(b, decimals(b_s)) == fmt(float(b_s), decimals(b_s)), (t, b, b_s)
                assert math.isclose(round(self.loss(w, b, self.X, self.Y), decimals(loss_s)),
                                    float(loss_s)), (t, loss_s)
                gw, gb = self.grads(w, b, self.X, self.Y)
                moves.append(eta * -gw)
                w, b = w - eta * gw, b - eta * gb
            assert len(rows) == 4
            # "w moves by 1.3, then 0.41, then 0.13", and the loss drops about tenfold a step.
            assert [round(m, 2) for m in moves[:3]] == [1.3, 0.41, 0.13]
            for m in ("1.3", "0.41", "0.13"):
                states([text], m)
            losses = [float(r[3]) for r in rows]
            assert all(8 < a / b_ < 11 for a, b_ in zip(losses, losses[1:]))

    def test_one_step_derivation(self):
        gw, gb = self.grads(0.0, 0.0, self.X, self.Y)
        assert (gw, gb) == (-13.0, -8.0)
        assert self.loss(0, 0, self.X, self.Y) == 17
        w, b = 0 - 0.1 * gw, 0 - 0.1 * gb
        assert math.isclose(w, 1.3) and math.isclose(b, 0.8)
        assert math.isclose(self.loss(w, b, self.X, self.Y), 1.685)
        step = next(s["derivation"] for s in self.lesson["steps"]
                    if "derivation" in s and "numbers" in s["derivation"]["title"]["en"])
        maths = [line["math"] for line in step["steps"]]
        assert maths[1].endswith("= -13") and maths[2].endswith("= -8")
        assert maths[3].endswith("= 1.3") and maths[4].endswith("= 0.8")
        assert maths[5].endswith("= 1.685")

    def test_quiz_gradient_and_step(self):
        x, y = np.array([1.0, 2.0, 3.0]), np.array([2.0, 3.0, 5.0])
        q = self.questions["q03-linreg-grad-w"]
        for text in both(q["q"]):
            assert "x = (1, 2, 3)" in text and "y = (2, 3, 5)" in text and "w = 1" in text
        gw, _ = self.grads(1.0, 0.0, x, y)
        numeric_answer_ok(q, gw)
        q2 = self.questions["q03-linreg-step"]
        assert all("0.05" in t for t in both(q2["q"]))
        numeric_answer_ok(q2, 1.0 - 0.05 * gw)

    def test_quiz_mse_grad_b_choice(self):
        q = self.questions["q03-mse-grad-b"]
        rng = np.random.default_rng(6)
        x, y = rng.normal(size=(2, 5))
        w, b = rng.normal(size=2)
        e = w * x + b - y
        candidates = []
        for choice in q["choices"]:
            f = choice["en"]
            if "^2" in f:
                candidates.append(float(np.mean(e ** 2)))
            elif ") x_i" in f:
                candidates.append(2 * float(np.mean(e * x)))
            elif f.strip("$ ") == "2b":
                candidates.append(2 * b)
            else:
                assert "\\frac{2}{N}" in f
                candidates.append(2 * float(np.mean(e)))
        numeric = central_diff(lambda v: float(np.mean((w * x + v[0] - y) ** 2)), np.array([b]))[0]
        matches = [i for i, c in enumerate(candidates) if math.isclose(c, numeric, rel_tol=1e-6)]
        assert matches == [q["answer"]]


def states_all(haystacks: list[str], *values: str) -> None:
    for value in values:
        states(haystacks, value)


class TestBiasDecidesTheRainyCase:
    """03-01: with friend and rain, z = 3 − 2 + b = 1 + b, so going depends on b (go iff b > −1)."""
    lesson = load(NETWORK)

    def test_condition_on_b(self):
        for b in np.linspace(-3, 3, 601):
            assert perceptron(3, -2, b, 1, 1) == int(b > -1), b
        assert math.isclose(3 - 2 + (-0.5), 0.5) and perceptron(3, -2, -0.5, 1, 1) == 1
        assert math.isclose(3 - 2 + (-1.5), -0.5) and perceptron(3, -2, -1.5, 1, 1) == 0
        assert perceptron(3, -2, -1.0, 1, 1) == 0  # z = 0 exactly does not fire: "b > -1", strict
        text = [t for t in prose(self.lesson) if "1 + b" in t]
        assert len(text) == 2
        states_all(text, "3 - 2 + b = 1 + b", "b = -1.5", "z = -0.5", "b > -1", "3 - 2 = 1")


class TestOneLayerXorRun:
    """03-02: the one-layer run is logistic regression; on XOR its minimum is w = b = 0, p = 0.5."""
    lesson = load(GATES)
    X = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], float)
    Y = np.array([0, 1, 1, 0], float)

    @classmethod
    def loss_grad_hess(cls, theta):
        A = np.c_[cls.X, np.ones(4)]
        p = 1 / (1 + np.exp(-A @ theta))
        loss = -np.mean(cls.Y * np.log(p) + (1 - cls.Y) * np.log(1 - p))
        grad = A.T @ (p - cls.Y) / 4
        hess = (A.T * (p * (1 - p))) @ A / 4
        return loss, grad, hess

    def test_zero_gradient_and_convex_minimum(self):
        loss, grad, hess = self.loss_grad_hess(np.zeros(3))
        assert np.allclose(grad, 0) and math.isclose(loss, math.log(2))
        assert f"{math.log(2):.3f}" == "0.693"
        # The prose's two cancellations.
        assert math.isclose(0.5 - np.mean(self.Y), 0)
        assert (0.5 - 1) + (0.5 - 0) == 0
        # The Hessian is positive definite everywhere (convex); so 0 is the unique minimum.
        rng = np.random.default_rng(7)
        for theta in rng.normal(scale=3, size=(200, 3)):
            l, _, h = self.loss_grad_hess(theta)
            assert np.linalg.eigvalsh(h).min() > 0
            assert l > math.log(2)
        # A line that gets 3 of 4 right costs more cross-entropy than 0.5 everywhere.
        three_right = np.array([4.0, 4.0, -2.0])  # fires on (1,0), (0,1), (1,1): wrong only at (1,1)
        assert sum(int(v > 0) == t for v, t in zip(np.c_[self.X, np.ones(4)] @ three_right, self.Y)) == 3
        assert self.loss_grad_hess(three_right)[0] > math.log(2)

    def test_run_outputs_are_all_one_half(self):
        from tutor.experiments import REGISTRY
        events = list(REGISTRY["perceptron_gates"].run({"gate": "xor", "layers": 1, "seed": 0}))
        end = next(e for e in events if e["event"] == "end")
        assert [f"{o:.1f}" for o in end["outputs"]] == ["0.5"] * 4
        text = [t for t in prose(self.lesson) if "0.693" in t]
        assert len(text) == 2
        states_all(text, "0.693", "\\ln 2", "0.5")


class TestLineFitHessian:
    """03-03: the crawl after step 3, b's overshoot, and the Hessian derivation behind them."""
    lesson = load(LINREG)
    questions = bank(BANK3B)
    X = np.array([1.0, 2.0])
    Y = np.array([3.0, 5.0])
    A = np.c_[X, np.ones(2)]
    H = 2 / 2 * A.T @ A

    def walk(self, steps, eta=0.1):
        theta = np.zeros(2)
        out = []
        for _ in range(steps + 1):
            out.append((theta[0], theta[1], float(np.mean((self.A @ theta - self.Y) ** 2))))
            theta = theta - eta * 2 / 2 * self.A.T @ (self.A @ theta - self.Y)
        return out

    def test_second_table(self):
        path = self.walk(60)
        tables = [numeric_rows(t, 5) for t in prose(self.lesson) if "0.971" in t and "1.1553" in t]
        assert len(tables) == 2
        for rows in tables:
            assert [int(r[0]) for r in rows] == [3, 4, 5, 6, 10, 50]
            for step, w, b, loss, ratio in rows:
                t = int(step)
                assert f"{path[t][0]:.4f}" == w and f"{path[t][1]:.4f}" == b
                assert f"{path[t][2]:.6f}" == loss
                assert f"{path[t][2] / path[t - 1][2]:.3f}" == ratio
        # b overshoots 1: its largest value is 1.1553 (step 6), then it comes back; w stays below 2.
        bs = [p[1] for p in path]
        assert int(np.argmax(bs)) == 6 and f"{max(bs):.4f}" == "1.1553"
        assert all(p[0] < 2 for p in path) and bs[50] < bs[6]
        # "from about step 8 on, about 0.971 per step, only 3%"; the first three drops are ~tenfold.
        ratios = [path[t][2] / path[t - 1][2] for t in range(1, 61)]
        assert all(0.09 < r < 0.12 for r in ratios[:3])
        assert all(abs(r - 0.971) < 0.001 for r in ratios[7:])  # ratios[7] is step 8
        assert abs(ratios[6] - 0.971) > 0.001 and 1 - 0.971 < 0.035

    def test_hessian_derivation(self):
        theta_star = np.array([2.0, 1.0])
        assert np.allclose(self.A @ theta_star, self.Y)
        # Gradient formula vs central differences; the Hessian vs differences of the gradient.
        loss = lambda th: float(np.mean((self.A @ th - self.Y) ** 2))
        grad = lambda th: 2 / 2 * self.A.T @ (self.A @ th - self.Y)
        rng = np.random.default_rng(8)
        for th in rng.normal(size=(10, 2)):
            assert np.allclose(central_diff(loss, th), grad(th), atol=1e-6)
            cols = [(grad(th + 1e-5 * e) - grad(th - 1e-5 * e)) / 2e-5 for e in np.eye(2)]
            assert np.allclose(np.array(cols).T, self.H, atol=1e-6)
            # ∇L(θ) = H(θ − θ*), and one step is (I − ηH) on the error.
            assert np.allclose(grad(th), self.H @ (th - theta_star))
            nxt = th - 0.1 * grad(th)
            assert np.allclose(nxt - theta_star, (np.eye(2) - 0.1 * self.H) @ (th - theta_star))
            # L = ½ (θ − θ*)ᵀ H (θ − θ*) since L(θ*) = 0.
            d = th - theta_star
            assert math.isclose(loss(th), 0.5 * d @ self.H @ d)
        assert self.H.tolist() == [[5.0, 3.0], [3.0, 2.0]]
        lam, vec = np.linalg.eigh(self.H)
        assert np.allclose(lam ** 2 - 7 * lam + 1, 0)
        assert np.allclose(sorted(lam), sorted([(7 - math.sqrt(45)) / 2, (7 + math.sqrt(45)) / 2]))
        small, big = lam
        assert (f"{big:.3f}", f"{small:.3f}") == ("6.854", "0.146")
        assert f"{big:.2f}" == "6.85" and f"{small:.3f}" == "0.146"
        assert (f"{1 - 0.1 * big:.3f}", f"{1 - 0.1 * small:.3f}") == ("0.315", "0.985")
        assert (f"{(1 - 0.1 * big) ** 2:.3f}", f"{(1 - 0.1 * small) ** 2:.3f}") == ("0.099", "0.971")
        assert f"{2 / big:.3f}" == "0.292" and round(big / small) == 47
        # The flat eigenvector (0.526, −0.851): w and b of opposite sign; it pivots the line near
        # the middle of the data (prediction unchanged at x = 0.851/0.526 ≈ 1.618).
        flat = vec[:, 0] * np.sign(vec[0, 0])
        assert (f"{flat[0]:.3f}", f"{flat[1]:.3f}") == ("0.526", "-0.851")
        assert 1 < -flat[1] / flat[0] < 2
        # After the fast phase the error lies along it: w too low by as much as b is too high.
        w, b, _ = self.walk(50)[50]
        err = np.array([w, b]) - theta_star
        assert abs(err @ vec[:, 1]) < 1e-6 * np.linalg.norm(err) + 1e-12
        # At the bound every direction satisfies |1 − ηλ| < 1 only below 2/λmax.
        for eta in (0.29, 0.2917):
            assert all(abs(1 - eta * l) < 1 for l in lam)
        assert abs(1 - 0.2925 * big) > 1
        text = [t for step in self.lesson["steps"] if "derivation" in step
                and step["derivation"].get("id") == "deriv-03-linreg-hessian"
                for t in texts(step["derivation"])]
        for value in ("6.854", "0.146", "0.315", "0.985", "0.099", "0.971", "0.292", "47",
                      "(0.526, -0.851)"):
            assert any(value in t for t in text), value

    def test_run_prose(self):
        """The noise floor 0.5² = 0.25, and the run's x centred on 0 (cross term nearly 0)."""
        from tutor.nn import data
        assert 0.5 ** 2 == 0.25
        x, _ = data.noisy_line(n=50, noise=0.5, seed=0)
        H = 2 / 50 * np.c_[x, np.ones(50)].T @ np.c_[x, np.ones(50)]
        assert abs(H[0, 1]) < 0.1 * math.sqrt(H[0, 0] * H[1, 1])  # against 3/√10 ≈ 0.95 for (1, 2)
        assert 3 / math.sqrt(10) > 0.9
        assert np.linalg.cond(H) < 47 / 10
        assert x.min() >= -1 and x.max() <= 1
        text = [t for t in prose(self.lesson) if "0.25" in t and "2.07" in t]
        assert len(text) == 2
        states_all(text, "0.5^2 = 0.25", "\\sum_i x_i")

    def test_bank_questions(self):
        q = self.questions["q03-linreg-lr-bound"]
        for t in both(q["q"]):
            assert "(5, 3)" in t and "(3, 2)" in t and "(1, 3)" in t and "(2, 5)" in t
        numeric_answer_ok(q, 2 / np.linalg.eigvalsh(self.H).max())
        assert 5 * 2 - 3 * 3 == 1 and 5 + 2 == 7
        states_all(both(q["explanation"]), "6.854", "0.146", "0.292")
        crawl = self.questions["q03-why-linreg-crawl"]
        states_all(both(crawl["a"]), "6.85", "0.146", "0.099", "0.971", "47")
        # Its explanation: centring x at 1.5 gives a diagonal Hessian with eigenvalues 0.5, 2 (κ = 4).
        xc = self.X - 1.5
        Hc = 2 / 2 * np.c_[xc, np.ones(2)].T @ np.c_[xc, np.ones(2)]
        assert np.allclose(Hc, np.diag([0.5, 2.0])) and np.linalg.cond(Hc) == 4
        states_all(both(crawl["explanation"]), "0.5", "1.5", "4")


class TestLearningRateLesson:
    lesson = load(LR)
    questions = bank(BANK3)

    @staticmethod
    def run(a: float, eta: float, w0: float = 1.0, steps: int = 3,
            numeric: bool = False) -> list[float]:
        """Gradient descent on f(w) = a w²; the derivative by central differences if numeric,
        else 2aw (the derivation's first step, itself checked against central differences)."""
        f = lambda v: a * v[0] ** 2
        ws = [w0]
        for _ in range(steps):
            if numeric:
                g = central_diff(f, np.array([ws[-1]]), h=1e-5)[0]
                assert math.isclose(g, 2 * a * ws[-1], rel_tol=1e-6, abs_tol=1e-9)
            else:
                g = 2 * a * ws[-1]
            ws.append(ws[-1] - eta * g)
        return ws

    @classmethod
    def regime(cls, a: float, eta: float) -> str:
        ws = cls.run(a, eta, steps=200)
        if abs(ws[1]) < 1e-9:
            return "one step"
        if abs(ws[-1]) > 10:
            return "diverges"
        if abs(abs(ws[-1]) - 1) < 1e-6:
            return "bounces"
        assert abs(ws[-1]) < 0.05, (a, eta)  # converging (slowly, for tiny or near-1/a rates)
        signs = np.sign([v for v in ws[1:20] if abs(v) > 1e-12])
        return "oscillating" if (signs[1:] != signs[:-1]).all() else "monotone"

    def test_table_on_w_squared(self):
        outcomes = {"crawls": "monotone", "steady convergence": "monotone",
                    "there in one step": "one step", "converges, oscillating": "oscillating",
                    "bounces forever": "bounces", "diverges": "diverges"}
        for step in self.lesson["steps"]:
            if "prose" not in step or "| η |" not in step["prose"]["en"]:
                continue
            rows_en = [r for r in table_rows(step["prose"]["en"], 6) if re.fullmatch(NUM, r[0])]
            rows_ko = [r for r in table_rows(step["prose"]["ko"], 6) if re.fullmatch(NUM, r[0])]
            assert [r[:5] for r in rows_en] == [r[:5] for r in rows_ko]
            assert len(rows_en) == 6
            for eta_s, r_s, *w_s, outcome in rows_en:
                eta = float(eta_s)
                assert math.isclose(float(r_s), 1 - 2 * eta, abs_tol=1e-12)
                ws = self.run(1.0, eta, numeric=True)
                for k, written in enumerate(w_s, start=1):
                    assert math.isclose(ws[k], float(written), abs_tol=1e-6), (eta, k)
                    assert math.isclose((1 - 2 * eta) ** k, float(written), abs_tol=1e-12)
                assert self.regime(1.0, eta) == outcomes[outcome], (eta, outcome)

    def test_steps_to_reach_one_hundredth(self):
        def steps_needed(eta):
            w, t = 1.0, 0
            while abs(w) >= 0.01:
                w, t = w - eta * 2 * w, t + 1
            return t
        assert steps_needed(0.01) == 228 and steps_needed(0.1) == 21
        for text in prose(self.lesson):
            if "228" in text:
                assert "21" in text
        states([t for t in prose(self.lesson) if "0.941192" in t], "228")
        why_small = next(s["why"] for s in self.lesson["steps"]
                         if "why" in s and s["why"].get("id") == "why-03-lr-too-small")
        states(both(why_small["a"]), "228")

    def test_thresholds_for_many_curvatures(self):
        """Converges iff 0 < η < 1/a; oscillates iff 1/(2a) < η < 1/a; one step at 1/(2a)."""
        for a in (0.5, 1.0, 2.0, 4.0, 5.0, 10.0):
            for frac in (0.1, 0.3, 0.49, 0.51, 0.7, 0.99, 1.01, 1.5):
                eta = frac / a
                kind = self.regime(a, eta)
                if frac < 0.5:
                    assert kind == "monotone", (a, eta)
                elif frac < 1:
                    assert kind == "oscillating", (a, eta)
                else:
                    assert kind == "diverges", (a, eta)
            assert self.regime(a, 0.5 / a) == "one step"
            assert self.regime(a, 1.0 / a) == "bounces"
            # A negative learning rate climbs away from the minimum.
            assert abs(self.run(a, -0.1 / a, steps=50)[-1]) > 1

    def test_curvature_sets_the_bound(self):
        lam = np.array([1.0, 10.0])
        def final(eta, steps=300):
            w = np.array([1.0, 1.0])
            for _ in range(steps):
                w = w - eta * lam * w  # gradient of ½(λ₁u² + λ₂v²)
            return np.abs(w).max()
        assert final(0.19) < 1e-6 and final(0.21) > 1e3
        assert math.isclose(2 / lam.max(), 0.2)
        assert math.isclose(1 - 0.2 * lam.min(), 0.8)
        why = next(s["why"] for s in self.lesson["steps"]
                   if "why" in s and s["why"].get("id") == "why-03-lr-curvature")
        states(both(why["a"]), "0.2$")
        states(both(why["a"]), "0.8")
        # η < 1/a is η < 2/f'' for f = a w².
        for a in (0.5, 3.0):
            assert math.isclose(1 / a, 2 / (2 * a))

    def test_quiz_lr_max(self):
        q = self.questions["q03-lr-max"]
        assert all("4w^2" in t for t in both(q["q"]))
        numeric_answer_ok(q, 1 / 4)
        assert self.regime(4, 0.24) == "oscillating" and self.regime(4, 0.26) == "diverges"
        assert self.regime(4, 0.25) == "bounces"

    def test_quiz_two_steps(self):
        q = self.questions["q03-lr-two-steps"]
        assert all("2w^2" in t and "0.3" in t for t in both(q["q"]))
        numeric_answer_ok(q, self.run(2.0, 0.3, steps=2, numeric=True)[2])
        assert math.isclose(1 - 2 * 0.3 * 2, -0.2)
        assert 1 / (2 * 2) < 0.3 < 1 / 2

    def test_quiz_regime(self):
        q = self.questions["q03-lr-regime"]
        assert all("w^2" in t and "0.8" in t for t in both(q["q"]))
        assert self.regime(1.0, 0.8) == "oscillating"
        assert q["answer"] == 2
        ws = self.run(1.0, 0.8)
        assert [round(v, 6) for v in ws] == [1, -0.6, 0.36, -0.216]
        states(both(q["explanation"]), "1, -0.6, 0.36, -0.216")

    def test_quiz_which_converge(self):
        q = self.questions["q03-lr-which-converge"]
        assert all("5w^2" in t for t in both(q["q"]))
        converging = []
        for i, choice in enumerate(q["choices"]):
            eta = float(choice["en"])
            assert float(choice["ko"]) == eta
            if self.regime(5.0, eta) in ("monotone", "one step", "oscillating"):
                converging.append(i)
            factor = 1 - 10 * eta
            states(both(q["explanation"]), f"${factor:g}$")
        assert sorted(q["answers"]) == converging


# =========================================================================== all content

def test_every_written_calculation_is_right():
    """Each chain like $2 \\cdot 1 + 0.5 \\cdot 2 - 1 = 2$ in a file evaluates as written."""
    checked = 0
    formulas = [(rel, f) for rel in (GRADIENT, NETWORK, GATES, LINREG, LR, BANK1, BANK3)
                for f in all_formulas(load(rel))]
    for rel, formula in formulas:
        for left, relation, right in arithmetic_chains(formula):
            a, b = to_number(left), to_number(right)
            if a is None or b is None:
                continue
            if isinstance(a, tuple) or isinstance(b, tuple):
                assert a == b, (rel, formula)
            elif relation == "=":
                assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), (rel, formula)
            else:  # ≈: right side rounded to its written decimals
                digits = len(right.split(".")[1]) if "." in right else 0
                assert abs(a - b) <= 0.5 * 10 ** -digits + 1e-12, (rel, formula)
            checked += 1
    assert checked >= 40, f"only {checked} written calculations found: is the parser broken?"


def test_lesson_shape():
    """Each lesson: ≥3 why steps, ≥1 derivation whose every step has a why, ≥3 quiz refs."""
    questions = {**bank(BANK1), **bank(BANK3), **bank(BANK3B)}
    for rel in (GRADIENT, NETWORK, GATES, LINREG, LR):
        lesson = load(rel)
        kinds = [next(iter(step)) for step in lesson["steps"]]
        assert kinds[0] == "prose", rel
        assert kinds.count("why") >= 3, rel
        assert kinds.count("derivation") >= 1, rel
        refs = [s["quiz"]["ref"] for s in lesson["steps"] if "quiz" in s]
        assert len(refs) >= 3 and all(r in questions for r in refs), rel
        for step in lesson["steps"]:
            if "derivation" in step:
                assert all(line["why"]["ko"] and line["why"]["en"]
                           for line in step["derivation"]["steps"])
    for rel, minimum in ((BANK1, 3), (BANK3, 12)):
        qs = load(rel)["questions"]
        assert len(qs) >= minimum
        assert len({q["type"] for q in qs}) >= 4, rel
