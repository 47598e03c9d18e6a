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

ROOT = Path(__file__).parents[2]
GRADIENT = "lessons/01-math/01-gradient-steepest.yaml"
NETWORK = "lessons/03-neural-networks/01-network-is-a-function.yaml"
GATES = "lessons/03-neural-networks/02-perceptron-gates.yaml"
LINREG = "lessons/03-neural-networks/03-linear-regression-gd.yaml"
LR = "lessons/03-neural-networks/04-learning-rate.yaml"
BANK1 = "quizzes/ch01-math.yaml"
BANK3 = "quizzes/ch03-neural-networks.yaml"

NUM = r"-?\d+(?:\.\d+)?"
PAIR = re.compile(rf"\(({NUM}), ({NUM})\)")


# --------------------------------------------------------------------------- helpers

def load(rel: str):
    return yaml.safe_load((ROOT / rel).read_text(encoding="utf-8"))


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


def both(text: dict) -> list[str]:
    return [text["ko"], text["en"]]


def prose(lesson: dict) -> list[str]:
    return [t for step in lesson["steps"] if "prose" in step for t in both(step["prose"])]


def states(haystacks: list[str], value: str) -> None:
    """Each language version states ``value`` (a number as written in the file)."""
    for text in haystacks:
        assert value in text, f"expected {value!r} in: {text[:120]!r}…"


def fmt(x: float, digits: int) -> str:
    return f"{x:.{digits}f}"


def table_rows(text: str, cells: int) -> list[list[str]]:
    """Rows of a Markdown table with ``cells`` cells, header and rule excluded."""
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        parts = [p.strip() for p in line.strip("|").split("|")]
        if len(parts) == cells:
            rows.append(parts)
    return rows


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
