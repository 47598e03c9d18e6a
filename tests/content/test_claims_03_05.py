"""Recompute the numbers and identities of lesson 03-05 (optimizers) that
test_stub_lesson_claims.py does not already cover, and the 03-05 questions of
quizzes/ch03-optimizers-init.yaml.

Covered there: the momentum table and its limits, the unrolled momentum buffer (v₁, v₂, v₃, v₄ …)
and Adam's bias correction, line by line. Covered here: the RMSprop derivation line by line (each
line keyed by its exact ``math`` text; a new or edited line fails until its check is updated), the
first-step table on the saddle surface, the momentum walk along x, the claim that Adam trails
momentum because of the steep x direction, and every bank answer. The surface, its gradient and
the optimizers are the experiment's own (tutor.experiments.training, tutor.nn.optim), so a change
there that breaks a sentence of the lesson fails here.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from claims_kit import (ROOT, all_formulas, both, check_written_arithmetic, derivation,  # noqa: E402
                        korean, load, rounds_to, run_checks, states, table_rows)  # same folder
from tutor.experiments import REGISTRY, check_run_step
from tutor.experiments.nets import make_optimizer
from tutor.experiments.training import (ESCAPED, SURFACE_START, escape_step, surface_f, surface_grad,
                                        trajectory)
from tutor.nn.optim import Adam, RMSprop

LESSON_PATH = "lessons/03-neural-networks/05-optimizers.yaml"
BANK_PATH = "quizzes/ch03-optimizers-init.yaml"
LESSON = load(LESSON_PATH)
QUESTIONS = {q["id"]: q for q in load(BANK_PATH)["questions"]}
MINE = ["q03-opt-momentum-buffer-three", "q03-opt-rmsprop-first-step", "q03-opt-adam-first-step",
        "q03-why-opt-bias-correction", "q03-why-opt-rmsprop-vs-adagrad", "q03-why-opt-adam-not-always-faster"]
NUM = r"-?\d+(?:\.\d+)?"
RNG = np.random.default_rng(5)
ALPHA, LR = 0.99, 0.05          # PyTorch's RMSprop default; the surface's learning rate


def steps_of(kind: str) -> list[dict]:
    return [s[kind] for s in LESSON["steps"] if kind in s]


def prose_with(marker: str) -> dict:
    found = [p for p in steps_of("prose") if marker in p["en"]]
    assert len(found) == 1, marker
    return found[0]


def pair(cell: str) -> tuple[str, str]:
    a, b = cell.strip("()").split(",")
    return a.strip(), b.strip()


def path(name: str) -> np.ndarray:
    """The optimizer's path on the saddle surface, exactly as the experiment draws it."""
    p = REGISTRY["optimizers"].params
    assert p["surface_lr"].default == LR
    return np.array(trajectory(name, LR, p["surface_steps"].default))


def rmsprop_sq_avg(grads: np.ndarray, alpha: float) -> np.ndarray:
    v, out = 0.0, []
    for g in grads:
        v = alpha * v + (1 - alpha) * g * g
        out.append(v)
    return np.array(out)


def first_steps(opt, grads: np.ndarray) -> np.ndarray:
    """|Δθ_t| of a tutor optimizer on one parameter fed the given gradients."""
    theta, out = np.zeros(1), []
    for g in grads:
        before = theta.copy()
        opt.update(theta, np.array([g]))
        out.append(abs(float(theta[0] - before[0])))
    return np.array(out)


# --------------------------------------------------------------------------- the opening question

def test_opening_asks_why_adam_trails_momentum():
    opening = LESSON["steps"][0]["prose"]
    assert all("?" in t for t in both(opening))
    # the pinned figures the opening quotes say what its question says: Adam after momentum, RMSprop first
    figs = {f["name"]: int(f["text"]) for f in LESSON["figures"]}
    assert figs["saddle-steps-momentum"] < figs["saddle-steps-adam"] < figs["saddle-steps-sgd"]
    assert figs["saddle-steps-rmsprop"] == min(figs.values())
    for name in ("sgd", "momentum", "adam", "rmsprop"):
        assert escape_step(path(name).tolist()) == figs[f"saddle-steps-{name}"]


# --------------------------------------------------------------------------- the first-step table

def test_gradient_at_the_start():
    text = prose_with("RMSprop: divide")
    g = surface_grad(np.array(SURFACE_START))
    assert g[0] == -2 and math.isclose(g[1], 0.01**3 - 0.01) and math.isclose(g[1], -0.009999)
    for t in both(text):
        states([t], "$0.01^3 - 0.01 = -0.009999$", "$-2$", "200")
    assert 150 < abs(g[0] / g[1]) < 250           # "about 200 times smaller"
    # the gradient is the surface's: central differences of f
    h = 1e-6
    fd = [(surface_f(-2 + h, 0.01) - surface_f(-2 - h, 0.01)) / (2 * h),
          (surface_f(-2, 0.01 + h) - surface_f(-2, 0.01 - h)) / (2 * h)]
    np.testing.assert_allclose(fd, g, atol=1e-8)


def test_first_step_table():
    text = prose_with("RMSprop: divide")
    names = {"SGD": "sgd", "모멘텀": "momentum", "momentum": "momentum", "RMSprop": "rmsprop", "Adam": "adam"}
    for t in both(text):
        rows = [r for r in table_rows(t, 4) if r[0] in names]
        assert [names[r[0]] for r in rows] == ["sgd", "momentum", "rmsprop", "adam"]
        for label, x_step, y_step, after in rows:
            p = path(names[label])
            step = np.abs(p[1] - p[0])
            assert rounds_to(step[0], x_step) and rounds_to(step[1], y_step), (label, step)
            ax, ay = pair(after)
            assert rounds_to(p[1][0], ax) and rounds_to(p[1][1], ay), (label, p[1])


def test_first_steps_by_hand():
    g = surface_grad(np.array(SURFACE_START))
    # SGD and momentum: η g (momentum's buffer starts as g₁)
    np.testing.assert_allclose(np.abs(LR * g), [0.1, 0.00049995])
    # RMSprop: η g / √((1 − α) g²) = η/√(1 − α) per coordinate; Adam: η per coordinate
    np.testing.assert_allclose(LR * np.abs(g) / np.sqrt((1 - ALPHA) * g * g), [0.5, 0.5])
    np.testing.assert_allclose(np.abs(path("rmsprop")[1] - path("rmsprop")[0]), [0.5, 0.5], atol=1e-4)
    np.testing.assert_allclose(np.abs(path("adam")[1] - path("adam")[0]), [LR, LR], atol=1e-6)
    for t in both(prose_with("RMSprop: divide")):
        states([t], "$0.05 \\cdot 0.009999 \\approx 0.0005$", "$0.05 / 0.0005 = 100$", "0.01", "0.51", "0.5")
    assert math.isclose(0.05 / (0.05 * 0.009999), 100, rel_tol=1e-3)


# --------------------------------------------------------------------------- the RMSprop derivation

def check_v1():
    for g1 in RNG.normal(size=5) * 3:
        assert math.isclose(rmsprop_sq_avg([g1], ALPHA)[0], (1 - ALPHA) * g1 * g1)
        assert math.isclose(ALPHA * 0 + (1 - ALPHA) * g1**2, (1 - ALPHA) * g1**2)
    assert math.isclose(1 - ALPHA, 0.01)          # "0.01 g₁², a hundred times too small"


def check_v2():
    for alpha in (0.5, 0.9, 0.99):
        g = RNG.normal(size=2)
        assert math.isclose(rmsprop_sq_avg(g, alpha)[1], (1 - alpha) * (alpha * g[0] ** 2 + g[1] ** 2))


def check_unrolled():
    for alpha in (0.5, 0.9, 0.99):
        g = RNG.normal(size=25)
        v = rmsprop_sq_avg(g, alpha)
        for t in range(1, len(g) + 1):
            assert math.isclose(v[t - 1], (1 - alpha) * sum(alpha ** (t - k) * g[k - 1] ** 2
                                                            for k in range(1, t + 1)), rel_tol=1e-12)
    # AdaGrad's sum only grows, so its steps on a constant gradient shrink like η/√t; RMSprop's do not
    g = 1.7
    for t in (1, 4, 100, 2500):
        assert math.isclose(LR * g / math.sqrt(t * g * g), LR / math.sqrt(t))
    assert first_steps(RMSprop(lr=LR), np.full(2500, g))[-1] > 0.99 * LR


def check_first_step_sign():
    for g1 in (-3.0, -0.009999, 0.2, 40.0):
        lhs = LR * g1 / math.sqrt((1 - ALPHA) * g1 * g1)
        assert math.isclose(lhs, LR / math.sqrt(1 - ALPHA) * math.copysign(1, g1))
        # the tutor's RMSprop (with its ε = 1e-8) takes the same first step
        # (relative error ε/(√(1 − α)|g₁|): 1e-5 for the surface's y gradient)
        assert math.isclose(first_steps(RMSprop(lr=LR), [g1])[0], LR / math.sqrt(1 - ALPHA), rel_tol=2e-5)


def check_ten_eta():
    assert math.isclose(math.sqrt(1 - 0.99), 0.1)
    assert math.isclose(1 / math.sqrt(1 - 0.99), 10)
    assert math.isclose(10 * 0.05, 0.5)
    assert RMSprop().alpha == ALPHA               # the default the lesson quotes


def check_constant_v():
    for alpha in (0.9, 0.99):
        for t in (1, 2, 10, 300):
            v = rmsprop_sq_avg(np.full(t, 1.3), alpha)[-1]
            assert math.isclose(v, (1 - alpha**t) * 1.3**2, rel_tol=1e-9)
            assert math.isclose((1 - alpha) * sum(alpha**k for k in range(t)), 1 - alpha**t, rel_tol=1e-9)


def check_step_decays():
    steps = first_steps(RMSprop(lr=LR), np.full(400, 0.8))
    t = np.arange(1, 401)
    np.testing.assert_allclose(steps, LR / np.sqrt(1 - ALPHA**t), rtol=1e-6)
    # still above 1.1η up to t = 174, not from 175 on
    above = steps > 1.1 * LR
    assert above[:174].all() and not above[174:].any()
    assert ALPHA**174 > 1 - 1 / 1.21 >= ALPHA**175
    assert rounds_to(1 - 1 / 1.21, "0.17")
    assert steps[-1] < 1.01 * LR                    # → η


def check_scale_invariant():
    g = RNG.normal(size=30)
    base = first_steps(RMSprop(lr=LR), g)
    for c in (0.1, 0.5, 7.0):          # (far smaller gradients meet ε = 1e-8)
        np.testing.assert_allclose(first_steps(RMSprop(lr=LR), c * g), base, rtol=1e-4)
        v = rmsprop_sq_avg(c * g, ALPHA)
        np.testing.assert_allclose(c * g / np.sqrt(v), g / np.sqrt(rmsprop_sq_avg(g, ALPHA)), rtol=1e-12)


def check_adam_corrected():
    b2 = Adam().betas[1]
    for g1 in (-3.0, 0.0002, 40.0):
        v1 = (1 - b2) * g1 * g1
        assert math.isclose(v1 / (1 - b2), g1 * g1)
        assert math.isclose(first_steps(Adam(lr=LR), [g1])[0], LR, rel_tol=1e-4)


RMSPROP_CHECKS = {
    "v_1 = \\alpha \\cdot 0 + (1 - \\alpha) g_1^2 = (1 - \\alpha) g_1^2": check_v1,
    "v_2 = (1 - \\alpha)(\\alpha g_1^2 + g_2^2)": check_v2,
    "v_t = (1 - \\alpha) \\sum_{k=1}^{t} \\alpha^{t-k} g_k^2": check_unrolled,
    "\\Delta \\theta_1 = -\\eta \\frac{g_1}{\\sqrt{(1 - \\alpha) g_1^2}} = -\\frac{\\eta}{\\sqrt{1 - \\alpha}} "
    "\\mathrm{sign}(g_1)": check_first_step_sign,
    "\\frac{\\eta}{\\sqrt{1 - 0.99}} = \\frac{\\eta}{0.1} = 10 \\eta": check_ten_eta,
    "v_t = (1 - \\alpha^t) g^2": check_constant_v,
    "|\\Delta \\theta_t| = \\frac{\\eta}{\\sqrt{1 - \\alpha^t}} \\to \\eta": check_step_decays,
    "-\\eta \\frac{c g}{\\sqrt{c^2 v}} = -\\eta \\frac{g}{\\sqrt{v}}": check_scale_invariant,
    "\\hat{v}_t = \\frac{v_t}{1 - \\beta_2^t} \\Rightarrow |\\Delta \\theta_1| = \\eta": check_adam_corrected,
}


@pytest.mark.parametrize("math_text", list(RMSPROP_CHECKS))
def test_rmsprop_derivation_line(math_text):
    RMSPROP_CHECKS[math_text]()


def test_every_rmsprop_line_has_a_check():
    deriv = derivation(LESSON, "deriv-03-rmsprop-first-step")
    run_checks(deriv, RMSPROP_CHECKS)
    assert any(line.get("level") == 3 for line in deriv["steps"])
    for text in both(deriv["given"]):
        states([text], "\\alpha = 0.99", "\\epsilon = 10^{-8}")
    assert RMSprop().eps == 1e-8
    for text in both(deriv["steps"][6]["why"]):
        states([text], "t = 174", "1.1\\eta", "1 - 1/1.21 \\approx 0.17")
    for text in both(deriv["steps"][4]["why"]):
        states([text], "10 \\cdot 0.05 = 0.5")


# --------------------------------------------------------------------------- after the run: x is Adam's bottleneck

def test_momentum_walk_along_x_table():
    text = prose_with("What slowed Adam down")
    p = path("momentum")
    v, x, walked = 0.0, SURFACE_START[0], []
    for _ in range(3):                               # by hand: v ← 0.9 v + x, x ← x − 0.05 v
        v = 0.9 * v + x
        new = x - LR * v
        walked.append((v, new, abs(new - x)))
        x = new
    for t in both(text):
        states([t], "$v \\leftarrow 0.9 v + g$", "$x \\leftarrow x - 0.05 v$")
        rows = [r for r in table_rows(t, 4) if re.fullmatch(r"\d+", r[0])]
        assert [int(r[0]) for r in rows] == [1, 2, 3]
        for (step, vv, xx, dx), (v_, x_, dx_) in zip(rows, walked):
            assert rounds_to(v_, vv) and rounds_to(x_, xx) and rounds_to(dx_, dx)
            assert rounds_to(p[int(step)][0], xx)    # the experiment's own path agrees
    assert make_optimizer("momentum", LR).momentum == 0.9


def test_adam_x_steps_never_exceed_the_learning_rate():
    p = path("adam")
    escaped = escape_step(p.tolist())
    steps = np.abs(np.diff(p[: escaped + 1, 0]))
    assert steps.max() <= LR + 1e-9
    # …while momentum's x steps grow past it at once
    assert np.abs(np.diff(path("momentum")[:4, 0])).min() > LR
    for t in both(prose_with("What slowed Adam down")):
        states([t], "0.05", "100")


def test_lower_bound_on_adams_steps():
    # f ≥ x²/2 − 1/4 everywhere, since y⁴/4 − y²/2 has its minimum −1/4 at y = ±1
    ys = np.linspace(-3, 3, 60001)
    assert math.isclose((ys**4 / 4 - ys**2 / 2).min(), -0.25, abs_tol=1e-9)
    assert ESCAPED == -0.2
    bound = math.sqrt(2 * (ESCAPED + 0.25))          # |x| must be below √0.1
    assert math.isclose(bound, math.sqrt(0.1)) and rounds_to(bound, "0.32")
    need = (abs(SURFACE_START[0]) - bound) / LR
    assert rounds_to(need, "33.7") and math.ceil(need) == 34
    assert escape_step(path("adam").tolist()) >= 34
    for t in both(prose_with("What slowed Adam down")):
        states([t], "$x^2/2 < 0.05$", "$|x| < \\sqrt{0.1} \\approx 0.32$",
               "$(2 - \\sqrt{0.1})/0.05 \\approx 33.7$", "34")


def test_adam_leaves_the_flat_direction_first_and_momentum_the_steep_one():
    """What the run's question asks the learner to see."""
    def first(p, cond):
        return next(i for i, pt in enumerate(p) if cond(pt))
    adam, mom = path("adam"), path("momentum")
    flat = lambda pt: abs(pt[1]) >= 0.5             # noqa: E731  left the hilltop along y
    steep = lambda pt: abs(pt[0]) <= math.sqrt(0.1)  # noqa: E731  done along x
    assert first(adam, flat) < first(adam, steep)
    assert first(mom, steep) < first(mom, flat)
    assert first(adam, flat) < first(mom, flat) and first(mom, steep) < first(adam, steep)
    # Adam's first y step is about 100 times SGD's
    sgd = path("sgd")
    assert 90 < (adam[1][1] - adam[0][1]) / (sgd[1][1] - sgd[0][1]) < 110


def test_run_step():
    runs = steps_of("run")
    assert len(runs) == 1 and runs[0]["experiment"] == "optimizers"
    assert check_run_step("optimizers", runs[0]["set"]) is None
    assert all(t.rstrip().endswith("?") for t in both(runs[0]["ask"]))


# --------------------------------------------------------------------------- the bank questions

def numeric_ok(question: dict, exact: float) -> None:
    assert question["type"] == "numeric"
    tol = question["tolerance"]
    assert abs(question["answer"] - exact) <= tol / 2 + 1e-12, (question["id"], exact)


def test_momentum_buffer_three():
    question = QUESTIONS["q03-opt-momentum-buffer-three"]
    states(both(question["q"]), "\\mu = 0.9", "g = 2")
    v = 0.0
    for _ in range(3):
        v = 0.9 * v + 2
    numeric_ok(question, v)
    # the tutor's SGD with momentum holds the same buffer
    from tutor.nn.optim import SGD
    opt, theta = SGD(lr=0.1, momentum=0.9), np.zeros(1)
    for _ in range(3):
        opt.update(theta, np.array([2.0]))
    assert math.isclose(float(opt.state[""]["momentum_buffer"][0]), 5.42)
    assert math.isclose(2 / (1 - 0.9), 20) and math.isclose((1 - 0.9) * 5.42, 0.542)
    states(both(question["explanation"]), "5.42", "20", "0.542")


def test_rmsprop_first_step_question():
    question = QUESTIONS["q03-opt-rmsprop-first-step"]
    states(both(question["q"]), "\\alpha = 0.9", "\\eta = 0.01", "g_1 = -3")
    exact = 0.01 * 3 / math.sqrt((1 - 0.9) * 9)
    numeric_ok(question, exact)
    assert math.isclose(first_steps(RMSprop(lr=0.01, alpha=0.9), [-3.0])[0], exact, rel_tol=1e-6)
    assert math.isclose(exact, 0.01 / math.sqrt(0.1)) and rounds_to(exact / 0.01, "3.16")
    states(both(question["explanation"]), "3.16")


def test_adam_first_step_question():
    question = QUESTIONS["q03-opt-adam-first-step"]
    states(both(question["q"]), "\\eta = 0.001", "g_1 = 0.0002")
    b1, b2 = Adam().betas
    assert (b1, b2) == (0.9, 0.999)
    lr, g1 = 0.001, 0.0002
    got = first_steps(Adam(lr=lr), [g1])[0]
    assert math.isclose(got, lr, rel_tol=1e-4)
    values = [lr, lr * g1, lr * (1 - b1) / math.sqrt(1 - b2), lr / math.sqrt(1 - 0.99)]
    written = ["0.001", "2e-7", "0.00316", "0.01"]
    for value, text in zip(values, written):
        assert math.isclose(value, float(text), rel_tol=2e-3), (value, text)
    choices = [c["en"] for c in question["choices"]]
    assert [c.replace("about ", "") for c in choices] == ["$0.001$", "$2 \\times 10^{-7}$", "$0.00316$", "$0.01$"]
    assert [i for i, v in enumerate(values) if math.isclose(v, got, rel_tol=1e-3)] == [question["answer"]]


def test_why_questions_numbers():
    b1, b2 = Adam().betas
    assert rounds_to((1 - b1) / math.sqrt(1 - b2), "3.16")
    assert b1**44 < 0.01 <= b1**43
    states(both(QUESTIONS["q03-why-opt-bias-correction"]["a"]), "3.16", "m_1 = 0.1 g", "v_1 = 0.001 g^2")
    states(both(QUESTIONS["q03-why-opt-bias-correction"]["explanation"]), "t = 44")
    states(both(QUESTIONS["q03-why-opt-rmsprop-vs-adagrad"]["a"]), "\\eta g / \\sqrt{t g^2} = \\eta / \\sqrt{t}")
    assert math.isclose(1 / (1 - 0.99), 100)
    states(both(QUESTIONS["q03-why-opt-rmsprop-vs-adagrad"]["explanation"]), "100")
    states(both(QUESTIONS["q03-why-opt-adam-not-always-faster"]["a"]), "34", "0.32", "\\eta = 0.05")


def test_written_arithmetic_holds():
    assert check_written_arithmetic(all_formulas(LESSON) + all_formulas([QUESTIONS[i] for i in MINE]))


def test_my_questions_shape():
    assert set(MINE) <= set(QUESTIONS) and all(QUESTIONS[i]["chapter"] == 3 for i in MINE)
    whys = [i for i in MINE if QUESTIONS[i]["type"] == "why"]
    assert len(MINE) >= 5 and len(whys) >= 3
    for i in whys:
        w = QUESTIONS[i]
        for lang in ("ko", "en"):
            sentences = [s for s in re.split(r"(?<=[.?!])\s+", w["a"][lang].strip()) if s]
            assert 2 <= len(sentences) <= 5, (i, lang, len(sentences))
        assert 2 <= len(w["points"]) <= 4
    for i in MINE:
        for ref in QUESTIONS[i].get("follow_up", []):
            assert ref in QUESTIONS
        for text in both(QUESTIONS[i]["q"]):
            assert not re.search(r"previous|above|위 문제|앞 문제|레슨", text), i


# --------------------------------------------------------------------------- the lesson's shape and Korean

def test_lesson_shape():
    steps = LESSON["steps"]
    kinds = [next(iter(s)) for s in steps]
    assert kinds[0] == "prose"
    assert kinds.count("why") >= 2 and kinds.count("derivation") >= 1 and kinds.count("run") >= 1
    refs = [s["quiz"]["ref"] for s in steps if "quiz" in s]
    assert len(refs) >= 3 and len(set(refs)) == len(refs)
    assert sum(r in MINE for r in refs) >= 3
    assert 5 <= LESSON["minutes"] <= 15
    for w in steps_of("why"):
        for lang in ("ko", "en"):
            sentences = [s for s in re.split(r"(?<=[.?!])\s+", w["a"][lang].strip()) if s]
            assert 2 <= len(sentences) <= 5, (w["id"], lang)
        assert 2 <= len(w["points"]) <= 4
    raw = (ROOT / LESSON_PATH).read_text(encoding="utf-8")
    assert "stub" not in raw.lower()


def test_the_saddle_why_is_stated_correctly():
    """The old answer said Adam escapes quickly; here it must say Adam is slower and why."""
    why = next(w for w in steps_of("why") if w["id"] == "why-03-adam-saddle")
    assert "later" in why["q"]["en"] and "늦게" in why["q"]["ko"]
    states([why["a"]["en"]], "bottleneck", "100 times", "$\\eta = 0.05$")
    states([why["a"]["ko"]], "병목", "100배", "$\\eta = 0.05$")


def test_korean_terms_and_register():
    ko = "\n".join(korean(LESSON["steps"]))
    for term in ("옵티마이저(optimizer)", "그라디언트(gradient)", "학습률(learning rate)", "모멘텀(momentum)",
                 "안장점(saddle point)", "편향 보정(bias correction)"):
        assert term in ko, term
    everything = ko + "\n" + "\n".join(korean([QUESTIONS[i] for i in MINE]))
    assert not re.search(r"[\uac00-\ud7a3] \([A-Za-z]", everything)
    for sentence in re.findall(r"[^\s.]+다\.", everything):
        assert sentence.endswith("니다."), sentence
    assert "기울기(gradient)" not in everything and "정규화" not in everything
