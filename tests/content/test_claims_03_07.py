"""Recompute every number and identity of lesson 03-07 (gradient checking) and its bank questions.

Forward and central differences are measured with NumPy and shown to shrink like h and like h²;
the rounding table is recomputed in float64 and float32; the thresholds the lesson quotes are
checked against real gradient checks (a right backward pass passes, the bugs fail, float32 cannot
pass). Each derivation line has a numerical check, looked up by its exact ``math`` text: editing a
line fails here until its check is updated. Run figures are pinned separately (figures: in the
lesson, tests/content/test_pinned_figures.py); here the runs are used for the laws behind them.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from claims_kit import (all_formulas, both, check_written_arithmetic, derivation, load,  # noqa: E402
                        run_checks, states, table_rows)  # same folder
from tutor import nn
from tutor.experiments import REGISTRY
from tutor.nn.gradcheck import numerical_gradient, relative_error

LESSON_PATH = "lessons/03-neural-networks/07-gradient-check.yaml"
BANK_PATH = "quizzes/ch03-gradcheck-basics.yaml"
LESSON = load(LESSON_PATH)
BANK = load(BANK_PATH)
QUESTIONS = {q["id"]: q for q in BANK["questions"]}
ALL_BANKS = {q["id"] for rel in ("quizzes/ch03-neural-networks.yaml", BANK_PATH)
             for q in load(rel)["questions"]}


def steps_of(kind: str) -> list[dict]:
    return [s[kind] for s in LESSON["steps"] if kind in s]


def prose_with(marker: str) -> list[str]:
    found = [t for p in steps_of("prose") for t in both(p) if marker in t]
    assert len(found) == 2, f"{marker!r} should be in one prose step, both languages"
    return found


def forward(f, x, h):
    return (f(x + h) - f(x)) / h


def central(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


def cube(x):
    return x ** 3


def ratio_of_errors(diff, f, df, x, h):
    """Error at h over error at h/10."""
    return abs(diff(f, x, h) - df(x)) / abs(diff(f, x, h / 10) - df(x))


# --------------------------------------------------------------------------- differences

class TestDifferences:
    def test_cube_table(self):
        checked = 0
        for text in prose_with("3.003001"):
            rows = [r for r in table_rows(text, 5) if re.fullmatch(r"[\d.]+", r[0])]
            assert [r[0] for r in rows] == ["0.1", "0.01", "0.001"]
            for h_s, fwd, fwd_err, cen, cen_err in rows:
                h = float(h_s)
                digits = len(fwd.split(".")[1])
                assert f"{forward(cube, 1.0, h):.{digits}f}" == fwd
                assert f"{3 + 3 * h + h * h:.{digits}f}" == fwd  # the exact form
                assert f"{forward(cube, 1.0, h) - 3:.{len(fwd_err.split('.')[1])}f}" == fwd_err
                assert f"{central(cube, 1.0, h):.{len(cen.split('.')[1])}f}" == cen
                assert f"{central(cube, 1.0, h) - 3:.{len(cen_err.split('.')[1])}f}" == cen_err
                checked += 1
        assert checked == 6
        for text in prose_with("3.003001"):
            for value in ("1.331", "0.729", "3.31", "3.01", "f'(1) = 3"):
                assert value in text
        assert math.isclose(1.1 ** 3, 1.331) and math.isclose(0.9 ** 3, 0.729)

    @pytest.mark.parametrize("f, df, x", [
        (cube, lambda x: 3 * x * x, 1.0),
        (np.sin, np.cos, 0.7),
        (np.exp, np.exp, -0.3),
        (np.tanh, lambda x: 1 - np.tanh(x) ** 2, 0.4),
    ])
    def test_forward_is_order_h_central_is_order_h2(self, f, df, x):
        """Ten times smaller h: forward error ~10× smaller, central ~100× smaller (float64, while
        truncation dominates)."""
        for h in (1e-1, 1e-2):
            assert 8 < ratio_of_errors(forward, f, df, x, h) < 12.5
            assert 80 < ratio_of_errors(central, f, df, x, h) < 125

    def test_rounding_table(self):
        """The measured central-difference errors of x³ at 1, in float64 and float32."""
        def err(dtype, h):
            one, hh = dtype(1), dtype(h)
            return abs(float(((one + hh) ** 3 - (one - hh) ** 3) / (dtype(2) * hh)) - 3)

        def written(e):
            return "3" if e == 3 else f"{e:.0e}"

        rows_seen = 0
        for text in prose_with("8e-11"):
            for h_s, e64, e32 in table_rows(text, 3):
                if not h_s.startswith("1e"):
                    continue
                h = float(h_s)
                assert written(err(np.float64, h)) == e64, (h, e64)
                assert written(err(np.float32, h)) == e32, (h, e32)
                rows_seen += 1
        assert rows_seen == 8
        # The prose's readings of the table.
        assert err(np.float64, 1e-6) < 1e-9 and err(np.float32, 1e-6) > 1e-2
        assert f"{err(np.float32, 1e-6):.0e}" == "5e-02"
        assert np.float32(1) + np.float32(1e-8) == np.float32(1)  # so the estimate is 0, error 3
        assert err(np.float32, 1e-8) == 3.0
        # Machine epsilons and the best h ≈ ε^(1/3).
        assert f"{np.finfo(np.float64).eps:.1e}" == "2.2e-16"
        assert f"{np.finfo(np.float32).eps:.1e}" == "1.2e-07"
        assert f"{np.finfo(np.float32).eps ** (1 / 3):.0e}" == "5e-03"
        best64 = min((err(np.float64, h), h) for h in np.logspace(-9, -2, 141))
        assert best64[0] < 2e-10 and 1e-7 < best64[1] < 1e-4  # "about 1e-10 near h = 1e-6"
        for text in prose_with("8e-11"):
            for value in ("2.2 \\times 10^{-16}", "1.2 \\times 10^{-7}", "5 \\times 10^{-2}",
                          "5 \\times 10^{-3}", "10^{-10}", "10^{-6}", "1 + 10^{-8}"):
                assert value in text, value


# --------------------------------------------------------------------------- the Taylor derivation

def _taylor_checks():
    rng = np.random.default_rng(0)
    # sin at random points: derivatives known exactly.
    cases = [(float(x), np.sin, np.cos, lambda t: -np.sin(t), lambda t: -np.cos(t))
             for x in rng.uniform(-2, 2, 5)]
    hs = (1e-1, 5e-2, 2.5e-2)

    def bounded(residual, power):
        """residual(h) / h^power stays bounded (is of that order) as h shrinks."""
        for x, f, d1, d2, d3 in cases:
            scaled = [abs(residual(x, f, d1, d2, d3, h)) / h ** power for h in hs]
            assert max(scaled) < 1.0, scaled

    def line1():
        bounded(lambda x, f, d1, d2, d3, h: f(x + h) - (f(x) + h * d1(x) + h * h / 2 * d2(x)
                                                        + h ** 3 / 6 * d3(x)), 4)

    def line2():
        bounded(lambda x, f, d1, d2, d3, h: forward(f, x, h) - (d1(x) + h / 2 * d2(x)), 2)

    def line3():
        bounded(lambda x, f, d1, d2, d3, h: f(x - h) - (f(x) - h * d1(x) + h * h / 2 * d2(x)
                                                        - h ** 3 / 6 * d3(x)), 4)

    def line4():
        bounded(lambda x, f, d1, d2, d3, h: f(x + h) - f(x - h) - (2 * h * d1(x) + h ** 3 / 3 * d3(x)), 5)

    def line5():
        bounded(lambda x, f, d1, d2, d3, h: central(f, x, h) - (d1(x) + h * h / 6 * d3(x)), 4)

    def line6():
        for h in np.linspace(0.01, 0.5, 50):
            assert math.isclose(forward(cube, 1.0, h), 3 + 3 * h + h * h, rel_tol=1e-9)
            assert math.isclose(central(cube, 1.0, h), 3 + h * h, rel_tol=1e-9)
        # f'' = 6 and f''' = 6 at 1: forward error (h/2)·6 = 3h (plus h²), central (h²/6)·6 = h².
        assert math.isclose(3 * 0.1 + 0.1 ** 2, 0.31) and math.isclose(0.1 ** 2, 0.01)

    return {
        "f(x + h) = f(x) + h f'(x) + \\frac{h^2}{2} f''(x) + \\frac{h^3}{6} f'''(x) + O(h^4)": line1,
        "\\frac{f(x + h) - f(x)}{h} = f'(x) + \\frac{h}{2} f''(x) + O(h^2)": line2,
        "f(x - h) = f(x) - h f'(x) + \\frac{h^2}{2} f''(x) - \\frac{h^3}{6} f'''(x) + O(h^4)": line3,
        "f(x + h) - f(x - h) = 2 h f'(x) + \\frac{h^3}{3} f'''(x) + O(h^5)": line4,
        "\\frac{f(x + h) - f(x - h)}{2 h} = f'(x) + \\frac{h^2}{6} f'''(x) + O(h^4)": line5,
        "f(x) = x^3: \\quad \\frac{(1 + h)^3 - 1}{h} = 3 + 3 h + h^2, \\quad "
        "\\frac{(1 + h)^3 - (1 - h)^3}{2 h} = 3 + h^2": line6,
    }


def test_taylor_derivation():
    deriv = derivation(LESSON, "deriv-03-gc-taylor")
    assert deriv["level"] == 3
    run_checks(deriv, _taylor_checks())


def _scaled_checks():
    rng = np.random.default_rng(1)
    gs = rng.normal(size=(20, 7)) * rng.uniform(1e-8, 1e3, size=(20, 1))  # many sizes
    ks = rng.uniform(0.01, 20, 20)

    def line1():
        for g, k in zip(gs, ks):
            assert math.isclose(np.linalg.norm(k * g - g), abs(k - 1) * np.linalg.norm(g), rel_tol=1e-9)

    def line2():
        for g, k in zip(gs, ks):
            assert math.isclose(np.linalg.norm(k * g) + np.linalg.norm(g), (k + 1) * np.linalg.norm(g),
                                rel_tol=1e-12)

    def line3():
        for g, k in zip(gs, ks):
            assert math.isclose(relative_error(k * g, g), abs(k - 1) / (k + 1), rel_tol=1e-9)

    def line4():
        g = rng.normal(size=5)
        assert math.isclose(relative_error(2 * g, g), 1 / 3)
        assert math.isclose(relative_error(8 * g, g), 7 / 9) and f"{7 / 9:.3f}" == "0.778"

    return {
        "\\|\\mathbf{a} - \\mathbf{n}\\| = \\|(k - 1) \\mathbf{g}\\| = |k - 1| \\, \\|\\mathbf{g}\\|": line1,
        "\\|\\mathbf{a}\\| + \\|\\mathbf{n}\\| = (k + 1) \\, \\|\\mathbf{g}\\|": line2,
        "\\text{rel} = \\frac{|k - 1|}{k + 1}": line3,
        "k = 2: \\; \\frac{1}{3}, \\qquad k = 8: \\; \\frac{7}{9} \\approx 0.778": line4,
    }


def test_scaled_gradient_derivation():
    deriv = derivation(LESSON, "deriv-03-gc-scaled")
    run_checks(deriv, _scaled_checks())
    g = np.random.default_rng(2).normal(size=6)
    assert relative_error(-g, g) == 1.0  # the conclusion: a flipped sign gives the maximum


# --------------------------------------------------------------------------- relative error

class TestRelativeError:
    def test_bounds_and_conventions(self):
        rng = np.random.default_rng(3)
        for _ in range(500):
            a, n = rng.normal(size=(2, 6)) * rng.uniform(1e-6, 1e3)
            r = relative_error(a, n)
            assert 0 <= r <= 1  # triangle inequality
            # CS231n's per-element max(|a|, |n|) vs the sum: the denominators differ by at most 2×.
            for ai, ni in zip(a, n):
                m, s = max(abs(ai), abs(ni)), abs(ai) + abs(ni)
                assert m <= s <= 2 * m
        assert relative_error(np.zeros(3), np.ones(3)) == 1.0  # defined with one side 0

    def test_why_not_absolute(self):
        """A 1e-9 difference on a 1e-8 gradient is 10%; 1e-6 on a gradient of 100 is tiny."""
        assert math.isclose(1e-9 / 1e-8, 0.1)
        assert 1e-6 / 100 < 1e-7
        for text in prose_with("CS231n"):
            for value in ("10^{-8}", "10^{-9}", "10%", "10^{-6}", "100"):
                assert value in text, value

    def test_thresholds_against_real_checks(self):
        """Below 1e-6 passes (a right backward pass gives about 1e-9); above 1e-2 is a bug; a
        factor-2 error gives 1/3."""
        right = final("gradcheck")
        assert right["max_layer_error"] < 1e-6 and 1e-10 < right["error"] < 1e-8
        for bug in ("missing_mean", "wrong_sign_bias"):
            assert final("gradcheck", bug=bug)["error"] > 1e-2
        assert 1 / 3 > 1e-2
        for text in prose_with("CS231n"):
            for value in ("10^{-6}", "10^{-9}", "10^{-2}", "1/3"):
                assert value in text, value


def final(name: str, **params) -> dict:
    events = list(REGISTRY[name].run({"seed": 0, **params}))
    return next(e for e in events if e["event"] == "end")


def layer_rows(**params) -> list:
    events = list(REGISTRY["gradcheck"].run({"seed": 0, **params}))
    return next(e for e in events if e["event"] == "gradcheck")["rows"]


class TestTheRuns:
    def test_network_size_in_the_ask(self):
        ask = next(r for r in steps_of("run") if not r["set"])["ask"]
        events = list(REGISTRY["gradcheck"].run({"seed": 0}))
        start = next(e for e in events if e["event"] == "start")
        assert start["num_params"] == 93 and len(start["layers"]) == 3
        states(both(ask), "93", "tanh", "1e-6")

    def test_h_squared_law_and_rounding_in_the_run(self):
        big, mid, default, tiny = (final("gradcheck", eps=e)["max_layer_error"]
                                   for e in (1e-2, 1e-4, 1e-6, 1e-10))
        assert 5e3 < big / mid < 2e4  # 100× smaller eps, ~10⁴× smaller error: h²
        assert tiny > 1e3 * default  # rounding wins at 1e-10
        assert 10 ** 4 == 10000
        for text in prose_with("1.8e-09"):
            assert "10,000" in text or "1만" in text

    def test_missing_mean_is_the_same_in_every_layer(self):
        rows = layer_rows(bug="missing_mean")
        assert all(math.isclose(r[3], 7 / 9, rel_tol=1e-6) for r in rows)
        # N = 8, as the run's ask says
        states(both(steps_of("run")[1]["ask"]), "N = 8")

    def test_float32_cannot_pass(self):
        """However eps is chosen, the float32 check of the same (right) backward pass stays far
        above 1e-6, around 1e-4; float64 passes."""
        errs = {e: final("gradcheck", dtype="float32", eps=e)["max_layer_error"]
                for e in (1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 1e-4, 1e-6)}
        assert min(errs.values()) > 1e-5 and 1e-5 < errs[1e-2] < 1e-3
        assert min(errs, key=errs.get) in (1e-2, 3e-2)
        assert final("gradcheck", dtype="float64")["max_layer_error"] < 1e-6

    def test_central_difference_cost(self):
        """2n forward passes for n parameters (the why-answer and q03-gc-cost)."""
        calls = []
        theta = np.random.default_rng(4).normal(size=93)
        numerical_gradient(lambda: calls.append(1) or float(np.sum(theta ** 2)), theta, 1e-6)
        assert len(calls) == 2 * 93


# --------------------------------------------------------------------------- the bank

class TestBank:
    def numeric(self, qid: str, truth: float) -> None:
        q = QUESTIONS[qid]
        assert q["type"] == "numeric"
        assert abs(q["answer"] - truth) <= max(q["tolerance"], 1e-12) / 2 + 1e-12, (qid, q["answer"], truth)

    def test_forward_square(self):
        q = QUESTIONS["q03-gc-forward-square"]
        f = lambda x: x * x
        for t in both(q["q"]):
            assert "x^2" in t and "x = 3" in t and "h = 0.1" in t
        self.numeric("q03-gc-forward-square", forward(f, 3.0, 0.1))
        assert math.isclose(forward(f, 3.0, 0.1) - 6, 0.1)  # = h, since f'' = 2
        assert math.isclose(central(f, 3.0, 0.1), 6.0)  # exact for a quadratic
        assert math.isclose(3.1 ** 2, 9.61) and math.isclose(2.9 ** 2, 8.41)

    def test_halve_h(self):
        q = QUESTIONS["q03-gc-halve-h"]
        for f, df, x in ((np.sin, np.cos, 0.7), (np.exp, np.exp, 0.2)):
            e1 = abs(central(f, x, 0.02) - df(x))
            e2 = abs(central(f, x, 0.01) - df(x))
            assert 0.24 < e2 / e1 < 0.26
        assert q["answer"] == 1 and "quarter" in q["choices"][1]["en"]

    def test_relerr_scaled(self):
        g = np.random.default_rng(5).normal(size=4)
        self.numeric("q03-gc-relerr-scaled", relative_error(3 * g, g))
        assert 2 / 4 == 0.5

    def test_cost(self):
        for t in both(QUESTIONS["q03-gc-cost"]["q"]):
            assert "5000" in t
        self.numeric("q03-gc-cost", 2 * 5000)

    def test_relu_kink(self):
        relu = lambda z: max(0.0, z)
        z, h = 2e-7, 1e-6
        self.numeric("q03-gc-relu-kink", central(relu, z, h))
        assert math.isclose(z + h, 1.2e-6) and math.isclose(z - h, -8e-7)

    def test_why_answers_state_checked_numbers(self):
        assert np.float32(1) + np.float32(1e-8) == np.float32(1)
        states(both(QUESTIONS["q03-gc-why-float32-fails"]["a"]), "1.2 \\times 10^{-7}", "10^{-6}")
        states(both(QUESTIONS["q03-gc-why-trains-anyway"]["explanation"]), "0.778")
        states(both(QUESTIONS["q03-gc-why-central"]["explanation"]), "3 + 3h + h^2", "3 + h^2")

    def test_written_arithmetic(self):
        assert check_written_arithmetic(all_formulas(LESSON) + all_formulas(BANK)) >= 10


# --------------------------------------------------------------------------- shape

def test_lesson_shape():
    kinds = [next(iter(s)) for s in LESSON["steps"]]
    assert kinds[0] == "prose" and "stub" not in open_text().lower()
    assert kinds.count("why") >= 2 and kinds.count("run") >= 1 and kinds.count("derivation") >= 1
    assert any(d.get("level") == 3 for d in steps_of("derivation"))
    for d in steps_of("derivation"):
        assert all(line["why"]["ko"] and line["why"]["en"] for line in d["steps"])
    for r in steps_of("run"):
        assert r["ask"]["ko"] and r["ask"]["en"]
    refs = [s["quiz"]["ref"] for s in LESSON["steps"] if "quiz" in s]
    assert len(refs) >= 3 and all(r in ALL_BANKS for r in refs)
    for w in steps_of("why"):
        assert 2 <= len(w["points"]) <= 4
        for text in both(w["a"]):
            assert 2 <= len(re.findall(r"[.!?](?:\s|$)", text)) <= 5, w["id"]
    assert 5 <= LESSON["minutes"] <= 15


def open_text() -> str:
    from claims_kit import ROOT
    return (ROOT / LESSON_PATH).read_text(encoding="utf-8")


def test_bank_shape():
    qs = BANK["questions"]
    assert len(qs) >= 8
    whys = [q for q in qs if q["type"] == "why"]
    assert len(whys) >= 4
    for q in whys:
        assert 2 <= len(q["points"]) <= 4, q["id"]
        for text in both(q["a"]):  # a model answer of 2-5 sentences, in each language
            sentences = len(re.findall(r"[.!?](?:\s|$)", text))
            assert 2 <= sentences <= 5, (q["id"], sentences)
    for q in qs:
        for f in q.get("follow_up", []):
            assert f in ALL_BANKS, f
