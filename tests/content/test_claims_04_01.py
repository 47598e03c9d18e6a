"""Recompute the numbers and identities of lesson 04-01 (activation functions) and of its questions
in quizzes/ch04-activations.yaml.

The sigmoid part of the lesson (its table, the σ' = σ(1 − σ) and 1/4 derivations) keeps its older
checks in tests/content/test_stub_lesson_claims.py; this file checks what the completed lesson adds:
the bound of the opening stated the right way round with its |w| ≤ 1 assumption, the step
function's zero slope, the tanh, GELU and dead-ReLU derivations (each line looked up by its exact
``math`` text in a table of numerical checks, every line must have one), the ReLU-family table and
the dead-unit tables cell by cell (with the engine's own layers, ``tutor.nn``), the run step's
settings, and the bank's answer keys. What the dead-ReLU run shows (ReLU and Leaky ReLU both flat
near ln 2 at lr 0.2, only ReLU's units dead) is checked on the run itself in
tests/experiments/test_outcomes.py (test_activations_reports_dead_relu_units_and_leaky_relu_keeps_them_alive).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import yaml

from tutor import nn
from tutor.experiments import REGISTRY, resolve
from tutor.experiments.deep import dead_fraction
from tutor.i18n import TAG_NAMES
from tutor.nn.optim import SGD
from claims_kit import (ROOT, both, derivation, load, rounds_to, run_checks, states,  # noqa: E402
                        table_rows)

LESSON = "lessons/04-deep-learning/01-activations.yaml"
BANK = "quizzes/ch04-activations.yaml"
MINE = ["q04-act-tanh-from-sigmoid", "q04-act-dead-fraction", "q04-act-leaky-grad",
        "q04-act-multilabel-output", "q04-act-relu-kink", "q04-act-why-relu-saturates",
        "q04-act-why-detect-dead", "q04-act-why-tanh-rnn", "q04-act-why-output-follows-problem"]
NUM = r"-?\d+(?:\.\d+)?"
RNG = np.random.default_rng(401)
Z = np.concatenate([np.linspace(-6, 6, 241), RNG.normal(0, 2.5, 60)])


# --------------------------------------------------------------------------- helpers

def sig(z):
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def Phi(x):
    return 0.5 * (1.0 + np.vectorize(math.erf)(np.asarray(x, dtype=float) / math.sqrt(2.0)))


def phi(x):
    x = np.asarray(x, dtype=float)
    return np.exp(-x * x / 2.0) / math.sqrt(2.0 * math.pi)


def gelu(x):
    return np.asarray(x, dtype=float) * Phi(x)


def d(f, x, h=1e-6):
    """Central difference, independent of the identity being checked."""
    x = np.asarray(x, dtype=float)
    return (f(x + h) - f(x - h)) / (2 * h)


def layer_grad(layer, x):
    """f'(x) from the engine's own backward pass (dout = 1)."""
    x = np.asarray(x, dtype=np.float64)
    layer.forward(x)
    return layer.backward(np.ones_like(x))


def steps_of(lesson: dict, kind: str) -> list[dict]:
    return [s[kind] for s in lesson["steps"] if kind in s]


def sentences(text: str, lang: str) -> int:
    """Sentence ends: . ! ? before a space or the end (abbreviations such as e.g. left out)."""
    text = re.sub(r"\b(?:e\.g|i\.e|etc|vs)\.", "", text.strip())
    return len(re.findall(r"[.!?](?=\s|$)", text))


def bank() -> dict[str, dict]:
    return {q["id"]: q for q in load(BANK)["questions"]}


def all_bank_ids() -> dict[str, str]:
    ids = {}
    for path in sorted((ROOT / "quizzes").glob("*.yaml")):
        for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            ids.setdefault(q["id"], path.name)
    return ids


LESSON_DATA = load(LESSON)
PROSE = [both(p) for p in steps_of(LESSON_DATA, "prose")]


def prose_with(marker: str) -> list[str]:
    found = [texts for texts in PROSE if marker in texts[1]]
    assert len(found) == 1, marker
    return found[0]


# --------------------------------------------------------------------------- the lesson's shape

def test_a_full_lesson_that_keeps_its_id_and_figures():
    lesson = LESSON_DATA
    assert lesson["id"] == "04-01-activations" and lesson["chapter"] == 4
    assert 5 <= lesson["minutes"] <= 15
    assert "stub" not in (ROOT / LESSON).read_text(encoding="utf-8").lower()
    whys = steps_of(lesson, "why")
    assert len(whys) >= 2
    for why in whys:
        assert 2 <= len(why["points"]) <= 4, why["id"]
        for lang in ("ko", "en"):
            assert 2 <= sentences(why["a"][lang], lang) <= 5, (why["id"], lang)
    derivs = steps_of(lesson, "derivation")
    assert {"deriv-04-tanh", "deriv-04-gelu", "deriv-04-dead-relu"} <= {x["id"] for x in derivs}
    assert derivation(lesson, "deriv-04-gelu")["level"] == 3
    for deriv in derivs:
        assert all(s["why"]["ko"] and s["why"]["en"] for s in deriv["steps"]), deriv["id"]
    refs = [q["ref"] for q in steps_of(lesson, "quiz")]
    ids = all_bank_ids()
    assert len(refs) >= 3 and len(set(refs)) == len(refs)
    assert all(ref in ids for ref in refs), refs
    assert len([r for r in refs if r in MINE]) >= 3
    # the two figures the stub pinned are still pinned, unchanged in name and settings
    figs = {f["name"]: f for f in lesson["figures"]}
    assert set(figs) == {"first-grad-sigmoid", "first-grad-relu"}
    assert all(f["set"] == {"seed": 0} and f["step"] == 0 for f in figs.values())


def test_run_steps_resolve_and_the_dead_relu_run_is_four_times_the_default_rate():
    runs = steps_of(LESSON_DATA, "run")
    for run in runs:
        resolve(run["experiment"], run["set"])
        assert run["ask"]["ko"] and run["ask"]["en"]
    dead_run = [r for r in runs if r["set"].get("acts") == "relu_family"]
    assert len(dead_run) == 1
    params = resolve("activations", dead_run[0]["set"])
    default = REGISTRY["activations"].params["lr"].default
    assert params["lr"] == 4 * default and REGISTRY["activations"].variant_names(params) == \
        ["relu", "leaky_relu", "gelu"]
    states(both(dead_run[0]["ask"]), "0.2", "ln 2 ≈ 0.693")
    assert f"{math.log(2):.3f}" == "0.693"
    # "the loss of answering p = 0.5 for every point": the cross-entropy of p = 0.5 is ln 2,
    # whatever the label
    for y in (0.0, 1.0):
        assert math.isclose(-(y * math.log(0.5) + (1 - y) * math.log(0.5)), math.log(2))


# --------------------------------------------------------------------------- the opening

def test_the_bound_is_stated_the_right_way_round_with_its_assumption():
    ko, en = PROSE[0]
    for text in (ko, en):
        assert "$|w| \\le 1$" in text
        assert "0.25¹⁰ ≈ 9.5 × 10⁻⁷" in text
    assert "**많아야**" in ko and "**at most**" in en
    # the stub's wording, the bound read backwards, is gone
    assert "줄어들 수 있습니다" not in ko and "by up to" not in en
    # what the sentence says: with |w_k| ≤ 1 a 10-layer sigmoid chain keeps at most 0.25^10 of the
    # gradient (exact derivative by the complex step), and about a millionth of it
    assert 0.25 ** 10 == 1 / 4 ** 10 == 1 / 1048576
    assert f"{0.25 ** 10:.1e}" == "9.5e-07"

    def chain(h0, w):
        h = h0
        for wk in w:
            h = 1 / (1 + np.exp(-wk * h))
        return h

    worst = 0.0
    for _ in range(300):
        w = RNG.uniform(-1, 1, 10)
        grad = chain(RNG.normal() + 1e-30j, w).imag / 1e-30
        worst = max(worst, abs(grad))
    assert worst <= 0.25 ** 10
    # without the assumption the bound fails: large weights beat it
    w = np.full(10, 2.0)
    assert abs(chain(0.0 + 1e-30j, w).imag / 1e-30) > 0.25 ** 10


# --------------------------------------------------------------------------- step function and tanh

def test_the_step_function_has_slope_zero_on_both_sides():
    ko, en = prose_with("## Why was the step function dropped?")
    states([ko, en], "$z = 0.3$", "$z = -0.3$", "$(1 - 1) / 0.02 = 0$", "$(0 - 0) / 0.02 = 0$")
    step = nn.Step()
    for z in (0.3, -0.3):
        up, down = step.forward(np.array([z + 0.01])), step.forward(np.array([z - 0.01]))
        assert float(up[0] - down[0]) / 0.02 == 0.0
    assert float(step.forward(np.array([0.3]))[0]) == 1 and float(step.forward(np.array([-0.3]))[0]) == 0
    assert np.all(step.backward(np.ones(5)) == 0)   # the engine passes no gradient back


def test_tanh_derivation():
    t = np.tanh
    e = np.exp
    checks = {
        "\\tanh(z) = \\frac{1 - e^{-2z}}{1 + e^{-2z}}":
            lambda: np.testing.assert_allclose(t(Z), (1 - e(-2 * Z)) / (1 + e(-2 * Z)), atol=1e-12),
        "\\tanh(z) = \\frac{2}{1 + e^{-2z}} - 1":
            lambda: np.testing.assert_allclose(t(Z), 2 / (1 + e(-2 * Z)) - 1, atol=1e-12),
        "\\tanh(z) = 2\\sigma(2z) - 1":
            lambda: np.testing.assert_allclose(t(Z), 2 * sig(2 * Z) - 1, atol=1e-12),
        "\\tanh'(z) = 2 \\cdot \\sigma'(2z) \\cdot 2 = 4\\sigma'(2z)":
            lambda: np.testing.assert_allclose(d(t, Z), 4 * d(sig, 2 * Z), atol=1e-8),
        "\\sigma(2z) = \\frac{1 + \\tanh(z)}{2}":
            lambda: (np.testing.assert_allclose(sig(2 * Z), (1 + t(Z)) / 2, atol=1e-12),
                     np.testing.assert_allclose(1 - sig(2 * Z), (1 - t(Z)) / 2, atol=1e-12)),
        "\\tanh'(z) = 4 \\cdot \\frac{1 + \\tanh(z)}{2} \\cdot \\frac{1 - \\tanh(z)}{2} = 1 - \\tanh^2(z)":
            lambda: (np.testing.assert_allclose(d(t, Z), 4 * (1 + t(Z)) / 2 * (1 - t(Z)) / 2, atol=1e-8),
                     np.testing.assert_allclose(d(t, Z), 1 - t(Z) ** 2, atol=1e-8),
                     np.testing.assert_allclose(layer_grad(nn.Tanh(), Z), 1 - t(Z) ** 2, atol=1e-12)),
        "\\tanh'(z) \\le 1 = \\tanh'(0)":
            lambda: (np.testing.assert_array_less(d(t, Z[Z != 0]), 1.0),
                     np.testing.assert_allclose(d(t, 0.0), 1.0, atol=1e-9),
                     np.testing.assert_allclose(d(t, 0.0) / d(sig, 0.0), 4.0, atol=1e-6)),
    }
    deriv = derivation(LESSON_DATA, "deriv-04-tanh")
    run_checks(deriv, checks)
    conclusion = both(deriv["conclusion"])
    states(conclusion, "1 - \\tanh^2(2) \\approx 0.0707", "2 \\cdot 0.8808 - 1 = 0.7616")
    assert rounds_to(1 - math.tanh(2) ** 2, "0.0707")
    assert rounds_to(float(sig(2.0)), "0.8808") and math.isclose(2 * 0.8808 - 1, 0.7616)
    assert rounds_to(math.tanh(1), "0.7616")


# --------------------------------------------------------------------------- ReLU, Leaky ReLU, GELU

def test_relu_family_table():
    texts = prose_with("## ReLU, Leaky ReLU, GELU: what happens")
    leaky = nn.LeakyReLU(0.01)
    for text in texts:
        states([text], "$a = 0.01$")
        rows = [r for r in table_rows(text, 6) if re.fullmatch(NUM, r[0])]
        assert len(rows) == 4
        for x, relu, drelu, dleaky, g, dg in rows:
            x = float(x)
            assert float(relu) == max(0.0, x)
            assert float(drelu) == float(layer_grad(nn.ReLU(), [x])[0])
            assert math.isclose(float(dleaky), float(layer_grad(leaky, [x])[0]))
            assert rounds_to(float(gelu(x)), g), (x, g)
            assert rounds_to(float(d(gelu, x)), dg), (x, dg)
    # the kink: slope 0 on the left, 1 on the right; the engine picks 0 at exactly 0
    relu = lambda v: np.maximum(v, 0.0)  # noqa: E731
    assert (relu(0.0) - relu(-1e-6)) / 1e-6 == 0.0 and (relu(1e-6) - relu(0.0)) / 1e-6 == 1.0
    assert float(layer_grad(nn.ReLU(), [0.0])[0]) == 0.0
    states(texts, "0")


def test_gelu_derivation():
    x = Z
    engine = nn.GELU()

    def approx(v):
        v = np.asarray(v, dtype=float)
        return v / 2 * (1 + np.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v ** 3)))

    wide = np.linspace(-20, 20, 400001)
    checks = {
        "\\mathrm{ReLU}(x) = x \\cdot H(x)":
            lambda: np.testing.assert_array_equal(np.maximum(x, 0), x * (x > 0)),
        "\\mathrm{GELU}(x) = x \\cdot \\Phi(x)":
            lambda: (np.testing.assert_allclose(Phi(40.0), 1.0), np.testing.assert_allclose(Phi(-40.0), 0.0),
                     np.testing.assert_allclose(gelu(8.0), 8.0, atol=1e-12),
                     np.testing.assert_allclose(gelu(-8.0), 0.0, atol=1e-12)),
        "\\mathrm{GELU}'(x) = \\Phi(x) + x \\phi(x)":
            lambda: (np.testing.assert_allclose(d(Phi, x), phi(x), atol=1e-8),
                     np.testing.assert_allclose(d(gelu, x), Phi(x) + x * phi(x), atol=1e-7)),
        "\\mathrm{GELU}'(0) = \\Phi(0) = \\frac{1}{2}":
            lambda: (np.testing.assert_allclose(d(gelu, 0.0), 0.5, atol=1e-9),
                     np.testing.assert_equal(float(Phi(0.0)), 0.5)),
        "\\mathrm{GELU}(-1) = -\\Phi(-1) \\approx -0.159":
            lambda: (np.testing.assert_allclose(gelu(-1.0), -Phi(-1.0)),
                     np.testing.assert_(rounds_to(float(gelu(-1.0)), "-0.159"))),
        "\\mathrm{GELU}'(-3) = \\Phi(-3) - 3\\phi(-3) \\approx -0.012":
            lambda: (np.testing.assert_allclose(d(gelu, -3.0), Phi(-3.0) - 3 * phi(-3.0), atol=1e-8),
                     np.testing.assert_(rounds_to(float(Phi(-3.0) - 3 * phi(-3.0)), "-0.012")),
                     # the derivative goes to 0 far on the negative side
                     np.testing.assert_(abs(float(Phi(-10.0) - 10 * phi(-10.0))) < 1e-20)),
        "\\mathrm{GELU}(x) \\approx \\frac{x}{2} (1 + \\tanh(\\sqrt{2/\\pi} (x + 0.044715 x^3)))":
            lambda: (np.testing.assert_array_less(np.abs(approx(wide) - gelu(wide)), 0.0005),
                     np.testing.assert_allclose(engine.forward(x.copy()), approx(x), atol=1e-12)),
    }
    deriv = derivation(LESSON_DATA, "deriv-04-gelu")
    run_checks(deriv, checks)
    # the minimum "about -0.17 at x ≈ -0.75", where the derivative is 0
    grid = np.linspace(-3, 0, 300001)
    i = int(np.argmin(gelu(grid)))
    assert rounds_to(float(grid[i]), "-0.75") and rounds_to(float(gelu(grid[i])), "-0.17")
    assert abs(float(Phi(grid[i]) + grid[i] * phi(grid[i]))) < 1e-4
    step = [s for s in deriv["steps"] if s["math"].startswith("\\mathrm{GELU}(-1)")][0]
    states(both(step["why"]), "x \\approx -0.75", "-0.17")
    last = deriv["steps"][-1]
    states(both(last["why"]), "0.0005")


# --------------------------------------------------------------------------- dead ReLU

W = np.array([0.5, -1.0])
B = -2.0
X4 = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 1.0], [-1.0, -1.0]])


def test_dead_neuron_table():
    texts = prose_with("## Finding a dead ReLU by hand")
    states(texts, "$w = (0.5, -1)$", "$b = -2$")
    for text in texts:
        rows = table_rows(text, 3)
        rows = [r for r in rows if r[0].startswith("(")]
        assert len(rows) == 4
        for (inp, z, h), x in zip(rows, X4):
            assert tuple(float(v) for v in inp.strip("()").split(",")) == tuple(x)
            assert float(z) == float(W @ x + B) < 0
            assert float(h) == max(0.0, float(z)) == 0.0


def test_dead_fraction_table_and_the_experiment_measure():
    texts = prose_with("## Finding a dead ReLU by hand")
    for text in texts:
        rows = [r for r in table_rows(text, 5) if re.fullmatch(r"\d", r[0])]
        assert len(rows) == 3
        A = np.array([[float(v) for v in r[1:]] for r in rows])
        dead = np.all(A == 0, axis=0)
        assert dead.tolist() == [True, False, False, True]
        assert (A[:, 2] == 0).sum() == 2      # "neuron 3 is 0 on two of the three inputs, alive"
        assert dead.mean() == 0.5
    states(texts, "2/4 = 0.5")
    # the experiment's measure says the same of the hand example's neuron (and a live one beside it)
    lin = nn.Linear(2, 2)
    lin.params["W"][...] = np.array([[W[0], 1.0], [W[1], 1.0]])
    lin.params["b"][...] = np.array([B, 0.0])
    net = nn.Sequential(lin, nn.ReLU(), nn.Linear(2, 1))
    assert dead_fraction(net, X4.astype(np.float32)) == 0.5


def test_dead_relu_derivation():
    """The hand example's neuron (w = (0.5, −1), b = −2) inside a small net, trained by the engine."""
    a = 0.01
    y = np.array([[1.0], [0.0], [1.0], [0.0]])

    def net(act):
        nn.manual_seed(4)
        first = nn.Linear(2, 1)
        first.params["W"][...] = W.reshape(2, 1)
        first.params["b"][...] = B
        model = nn.Sequential(first, act, nn.Linear(1, 1)).to(np.float64)
        loss = nn.BCEWithLogitsLoss()
        logits = model.forward(X4)
        loss.forward(logits, y)
        model.backward(loss.backward())
        # δ_n = ∂L_n/∂h_n, computed by hand: (p_n − y_n) times the output weight
        out_w = float(model.layers[2].params["W"][0, 0])
        delta = (1 / (1 + np.exp(-logits)) - y) * out_w
        return model, model.layers[0], delta

    model, first, delta = net(nn.ReLU())
    z = X4 @ W + B

    def dead_grads():
        assert np.all(first.grads["W"] == 0) and np.all(first.grads["b"] == 0)
        assert np.any(delta != 0)          # the gradient from above is not 0: the ReLU cuts it

    def update_changes_nothing():
        w0, b0 = first.params["W"].copy(), first.params["b"].copy()
        for _ in range(3):
            SGD(0.5).update(model.params, model.grads)
            loss = nn.BCEWithLogitsLoss()
            loss.forward(model.forward(X4), y)
            model.backward(loss.backward())
        assert np.array_equal(first.params["W"], w0) and np.array_equal(first.params["b"], b0)

    def leaky():
        _, f, dl = net(nn.LeakyReLU(a))
        assert np.allclose(layer_grad(nn.LeakyReLU(a), z), a)   # slope a on the negative side
        assert np.isclose(float(f.grads["b"][0]), a / len(X4) * float(dl.sum()))
        assert float(f.grads["b"][0]) != 0

    checks = {
        "z_1, …, z_N < 0": lambda: np.testing.assert_array_less(z, 0),
        "h_n = \\max(0, z_n) = 0":
            lambda: np.testing.assert_array_equal(nn.ReLU().forward(z.reshape(-1, 1)), 0),
        "\\frac{\\partial h_n}{\\partial z_n} = 0":
            lambda: np.testing.assert_array_equal(layer_grad(nn.ReLU(), z), 0),
        "\\frac{\\partial L}{\\partial w} = \\frac{1}{N} \\sum_n \\delta_n \\cdot 0 \\cdot x_n = 0": dead_grads,
        "\\frac{\\partial L}{\\partial b} = \\frac{1}{N} \\sum_n \\delta_n \\cdot 0 = 0": dead_grads,
        "w \\leftarrow w - \\eta \\cdot 0 = w": update_changes_nothing,
        "\\frac{\\partial h_n}{\\partial z_n} = a \\Rightarrow \\frac{\\partial L}{\\partial b} = \\frac{a}{N} \\sum_n \\delta_n":
            leaky,
    }
    run_checks(derivation(LESSON_DATA, "deriv-04-dead-relu"), checks)


# --------------------------------------------------------------------------- the bank

def test_bank_shape_fresh_ids_and_known_tags():
    questions = load(BANK)["questions"]
    ids = [q["id"] for q in questions]
    assert ids == MINE
    others = {qid: f for qid, f in all_bank_ids().items() if f != "ch04-activations.yaml"}
    assert not set(ids) & set(others)
    assert len(questions) >= 6
    whys = [q for q in questions if q["type"] == "why"]
    assert len(whys) >= 3
    known = set(all_bank_ids())
    for q in questions:
        assert q["chapter"] == 4 and set(q["tags"]) <= set(TAG_NAMES), q["id"]
        assert all(f in known for f in q.get("follow_up", [])), q["id"]
    for q in whys:
        assert 2 <= len(q["points"]) <= 4, q["id"]
        assert q["follow_up"], q["id"]
        for lang in ("ko", "en"):
            assert 2 <= sentences(q["a"][lang], lang) <= 5, (q["id"], lang)


def test_tanh_from_sigmoid_answer():
    q = bank()["q04-act-tanh-from-sigmoid"]
    states(both(q["q"]), "\\sigma(2) \\approx 0.8808")
    assert rounds_to(float(sig(2.0)), "0.8808")
    assert q["answer"] == round(math.tanh(1), 3) == round(2 * 0.8808 - 1, 3) and q["tolerance"] == 0.001
    states(both(q["explanation"]), "2 \\cdot 0.8808 - 1 = 0.7616")


def test_dead_fraction_answer():
    q = bank()["q04-act-dead-fraction"]
    for text in both(q["q"]):
        rows = re.findall(r"- (?:input|입력) (\d): \(([^)]*)\)", text)
        assert [int(i) for i, _ in rows] == [1, 2, 3]
        A = np.array([[float(v) for v in r.split(",")] for _, r in rows])
        assert A.shape == (3, 5)
        dead = np.all(A == 0, axis=0)
        assert dead.tolist() == [True, False, True, False, False]
        assert (A[:, 3] == 0).sum() == 2 and A[1, 3] == 0.2     # neuron 4: 0 on two, alive
        assert abs(q["answer"] - dead.mean()) <= q["tolerance"] and q["answer"] == dead.mean()
    states(both(q["explanation"]), "$2/5 = 0.4$", "0.2")


def test_leaky_grad_answer():
    q = bank()["q04-act-leaky-grad"]
    states(both(q["q"]), "$x = 0.5$", "$z = -2$", "= 3$", "$a = 0.01$")
    leaky = nn.LeakyReLU(0.01)
    slope = float(layer_grad(leaky, [-2.0])[0])
    grad = 3 * slope * 0.5
    assert math.isclose(grad, 0.015) and q["answer"] == round(grad, 3)
    assert float(layer_grad(nn.ReLU(), [-2.0])[0]) == 0.0     # "a plain ReLU: exactly 0"
    states(both(q["explanation"]), "3 \\cdot 0.01 \\cdot 0.5 = 0.015")


def test_mcq_keys():
    questions = bank()
    multi = questions["q04-act-multilabel-output"]
    right = multi["choices"][multi["answer"]]
    assert "sigmoid" in right["en"] and "binary cross-entropy per tag" in right["en"]
    kink = questions["q04-act-relu-kink"]
    right = kink["choices"][kink["answer"]]
    assert "not differentiable" in right["en"]
    # the engine picks 0 at the kink, as the explanation says
    assert float(layer_grad(nn.ReLU(), [0.0])[0]) == 0.0
    assert "0 in this tutor's engine" in kink["explanation"]["en"]


def test_why_answers_numbers():
    questions = bank()
    rnn = questions["q04-act-why-tanh-rnn"]
    states(both(rnn["explanation"]), "1 - \\tanh^2(z)", "\\tanh(z) = 2\\sigma(2z) - 1")
    np.testing.assert_allclose(np.tanh(Z), 2 * sig(2 * Z) - 1, atol=1e-12)
    assert abs(float(np.tanh(1e3))) <= 1     # bounded, however large the input


def test_default_relu_net_has_some_dead_units_and_still_trains_well():
    """q04-act-why-detect-dead's explanation: "even the ReLU net at the default settings has some
    dead units and still trains well"."""
    states(both(bank()["q04-act-why-detect-dead"]["explanation"]), "`dead_fraction`")
    events = list(REGISTRY["activations"].run({}, seed=0))
    relu = events[-1]["variants"]["relu"]
    assert 0 < relu["dead_fraction"] < 0.5 and relu["val_accuracy"] > 0.9
