"""Recompute the numbers and identities of lesson 04-04 (backpropagation on a computational graph)
and of its questions in quizzes/ch04-graph-logits.yaml.

Every table of the lesson is read from the YAML and each cell recomputed; the gradients it states
are compared with finite differences; each derivation line has a numerical check looked up by its
exact ``math`` text (an edited line fails until its check is updated); the parameter count quoted
for the gradcheck run is compared with the experiment's own network.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from tutor import nn
from tutor.content import load_library
from tutor.content.generators import check_generator
from tutor.experiments import REGISTRY, resolve
from tutor.i18n import TAG_NAMES
from tutor.nn.gradcheck import numerical_gradient
from claims_kit import ROOT, both, derivation, load, run_checks, states, table_rows  # noqa: E402

LESSON = "lessons/04-deep-learning/04-computational-graph.yaml"
BANK = "quizzes/ch04-graph-logits.yaml"
MINE = ["q04-graph-mul-chain", "q04-graph-max-router", "q04-graph-fanout", "q04-gradcheck-count",
        "q04-why-backprop-cost", "q04-why-add-distributes", "q04-why-fanout-sum"]
NUM = r"-?\d+(?:\.\d+)?"
INPUTS = {"x": 2.0, "y": -5.0, "z": 4.0, "w": 1.0}


def lesson() -> dict:
    return load(LESSON)


def steps_of(kind: str) -> list[dict]:
    return [s[kind] for s in lesson()["steps"] if kind in s]


def bank() -> dict[str, dict]:
    return {q["id"]: q for q in load(BANK)["questions"]}


def f(x, y, z, w):
    return (x + y) * max(z, w)


def grad_f() -> dict[str, float]:
    """∂f/∂(x, y, z, w) by central differences, and ∂f/∂a, ∂f/∂m of the two inner nodes."""
    names = list(INPUTS)
    v = np.array([INPUTS[n] for n in names])
    g = numerical_gradient(lambda: f(*v), v, 1e-6)
    out = {n: float(g[i]) for i, n in enumerate(names)}
    a, m = INPUTS["x"] + INPUTS["y"], max(INPUTS["z"], INPUTS["w"])
    av, mv = np.array([a]), np.array([m])
    out["a"] = float(numerical_gradient(lambda: av[0] * m, av, 1e-6)[0])
    out["m"] = float(numerical_gradient(lambda: a * mv[0], mv, 1e-6)[0])
    return out


# --------------------------------------------------------------------------- lesson shape

def test_a_full_lesson():
    les = lesson()
    assert les["id"] == "04-04-computational-graph" and les["chapter"] == 4
    assert 5 <= les["minutes"] <= 15
    refs = [s["ref"] for s in steps_of("quiz")]
    assert len(refs) >= 3 and len(set(refs)) == len(refs)
    assert set(refs) <= set(MINE)
    whys = steps_of("why")
    assert len(whys) >= 2 and all(2 <= len(w["points"]) <= 4 for w in whys)
    runs = steps_of("run")
    assert runs and all(r.get("ask") for r in runs)
    for run in runs:
        resolve(run["experiment"], run["set"])
    assert steps_of("derivation")
    assert "stub" not in (ROOT / LESSON).read_text(encoding="utf-8").lower()


def test_the_bank_file():
    """≥ 10 questions, ≥ 5 why; fresh ids; this lesson's ≥ 5 with ≥ 3 why, each with a follow-up."""
    questions = load(BANK)["questions"]
    ids = [q["id"] for q in questions]
    assert len(ids) >= 10 and len(set(ids)) == len(ids)
    assert sum(q["type"] == "why" for q in questions) >= 5
    lib = load_library([ROOT / "quizzes", ROOT / "lessons"], check_generator=check_generator)
    assert [e for e in lib.errors if BANK in e.file or LESSON in e.file] == []
    others = [q["id"] for p in (ROOT / "quizzes").glob("*.yaml") if p.name != "ch04-graph-logits.yaml"
              for q in (load(f"quizzes/{p.name}") or {}).get("questions", [])]
    assert not set(ids) & set(others)
    mine = [q for q in questions if q["id"] in MINE]
    assert len(mine) == len(MINE) >= 5
    whys = [q for q in mine if q["type"] == "why"]
    assert len(whys) >= 3
    for q in whys:
        assert 2 <= len(q["points"]) <= 4, q["id"]
        assert q["follow_up"] and all(fu in lib.questions for fu in q["follow_up"]), q["id"]
    for q in questions:
        assert q["chapter"] == 4, q["id"]
        assert set(q["tags"]) <= set(TAG_NAMES), q["id"]  # every tag has a name a learner reads


# --------------------------------------------------------------------------- the prose

def test_opening_counts_and_the_one_line_network():
    texts = both(lesson()["steps"][0]["prose"])
    assert 2 * 1_000_000 == 2_000_000
    states(texts, "2,000,000", "\\sigma(W_2 \\operatorname{ReLU}(W_1 x + b_1) + b_2)",
           "\\sigma(\\operatorname{ReLU}(xW_1 + b_1) W_2 + b_2)")
    # the column and row forms are the same numbers with W stored transposed
    rng = np.random.default_rng(0)
    x, W1, b1, W2, b2 = rng.normal(size=3), rng.normal(size=(4, 3)), rng.normal(size=4), \
        rng.normal(size=(1, 4)), rng.normal(size=1)
    sig = lambda u: 1 / (1 + np.exp(-u))  # noqa: E731
    col = sig(W2 @ np.maximum(W1 @ x + b1, 0) + b2)
    row = sig(np.maximum(x[None, :] @ W1.T + b1, 0) @ W2.T + b2)
    np.testing.assert_allclose(col, row.ravel())
    for text in texts:
        rows = [r for r in table_rows(text, 3) if r[0].isdigit()]
        assert [r[0] for r in rows] == ["1", "2", "3", "4", "5"]


def test_forward_table():
    a, m = INPUTS["x"] + INPUTS["y"], max(INPUTS["z"], INPUTS["w"])
    want = {"a = x + y": a, "m = max(z, w)": m, "f = a · m": a * m}
    assert want["f = a · m"] == f(**INPUTS) == -12
    for text in both(steps_of("prose")[1]):
        rows = {r[1]: float(r[2]) for r in table_rows(text, 3) if r[1] in want}
        assert rows == want


def test_backward_table():
    g = grad_f()
    assert {k: round(v, 6) for k, v in g.items()} == {"x": 4, "y": 4, "z": -3, "w": 0, "a": 4, "m": -3}
    upstream_of = {"a": 1.0, "m": 1.0, "x": g["a"], "y": g["a"], "z": g["m"], "w": g["m"]}
    for text in both(steps_of("prose")[1]):
        rows = [r for r in table_rows(text, 5) if r[1] in upstream_of]
        assert [r[1] for r in rows] == ["a", "m", "x", "y", "z", "w"]
        for _, name, local, upstream, passed in rows:
            local = float(re.findall(NUM, local)[-1])
            assert float(upstream) == pytest.approx(upstream_of[name], abs=1e-6)
            assert float(passed) == local * float(upstream)
            assert float(passed) == pytest.approx(g[name], abs=1e-6)


def test_the_nudges():
    texts = both(steps_of("prose")[1])
    fx = f(2.01, -5, 4, 1)
    fz = f(2, -5, 4.01, 1)
    assert 2.01 - 5 == pytest.approx(-2.99) and fx == pytest.approx(-11.96)
    assert fx - f(**INPUTS) == pytest.approx(0.04) == pytest.approx(4 * 0.01)
    assert fz == pytest.approx(-3 * 4.01) == pytest.approx(-12.03)
    assert fz - f(**INPUTS) == pytest.approx(-0.03)
    assert f(2, -5, 4, 1.01) == f(**INPUTS)
    states(texts, "$2.01$", "$a = -2.99$", "$f = -11.96$", "$0.04 = 4 \\times 0.01$", "$4.01$",
           "$f = -3 \\times 4.01 = -12.03$", "$-0.03$")


def test_three_rules_and_the_fork():
    texts = both(steps_of("prose")[2])
    # add: 1 and 1; multiply: the other input; max: 1 for the winner, 0 for the loser
    u = np.array([3.0, -2.0])
    add = numerical_gradient(lambda: u[0] + u[1], u, 1e-6)
    mul = numerical_gradient(lambda: u[0] * u[1], u, 1e-6)
    mx = numerical_gradient(lambda: max(u[0], u[1]), u, 1e-6)
    np.testing.assert_allclose(add, [1, 1], atol=1e-8)
    np.testing.assert_allclose(mul, [-2, 3], atol=1e-8)
    np.testing.assert_allclose(mx, [1, 0], atol=1e-8)
    # g = x · x at 5: two branches of 5 add to 10 = 2x
    x = np.array([5.0])
    assert numerical_gradient(lambda: x[0] * x[0], x, 1e-6)[0] == pytest.approx(10)
    states(texts, "$x = 5$", "$5$", "$10 = 2x$", "dW = x^\\top \\delta")
    # ReLU is a router: the engine's ReLU passes the gradient where on, blocks it where off
    r = nn.ReLU()
    r.forward(np.array([[2.0, -1.0]]))
    np.testing.assert_array_equal(r.backward(np.array([[7.0, 7.0]])), [[7.0, 0.0]])


def test_cost_table_and_the_run_network():
    text_ko, text_en = both(steps_of("prose")[3])
    for text in (text_ko, text_en):
        rows = [r for r in table_rows(text, 3) if re.fullmatch(r"[\d,]+", r[0])]
        assert len(rows) == 2
        for p, evals, _ in rows:
            assert int(evals.replace(",", "")) == 2 * int(p.replace(",", ""))
    count = (4 * 6 + 6) + (6 * 6 + 6) + (6 * 3 + 3)
    assert count == 93
    states([text_ko, text_en], "$(4 \\cdot 6 + 6) + (6 \\cdot 6 + 6) + (6 \\cdot 3 + 3) = 93$")
    start = [e for e in REGISTRY["gradcheck"].run({"activation": "tanh"}) if e["event"] == "start"][0]
    assert start["num_params"] == 93


def test_derivation():
    deriv = derivation(lesson(), "deriv-04-graph-backward")
    g = grad_f()

    def general_rule():
        # u feeds two nodes v1 = 3u and v2 = u + 2; L = v1 · v2
        u = np.array([1.5])
        dL = numerical_gradient(lambda: (3 * u[0]) * (u[0] + 2), u, 1e-6)[0]
        v1, v2 = 3 * u[0], u[0] + 2
        assert dL == pytest.approx(v2 * 3 + v1 * 1, abs=1e-6)

    checks = {
        "\\frac{\\partial f}{\\partial f} = 1": lambda: None,
        "\\frac{\\partial f}{\\partial a} = m = 4, \\quad \\frac{\\partial f}{\\partial m} = a = -3":
            lambda: _eq([g["a"], g["m"]], [4, -3]),
        "\\frac{\\partial f}{\\partial x} = \\frac{\\partial f}{\\partial a} \\cdot \\frac{\\partial a}{\\partial x} = 4 \\cdot 1 = 4":
            lambda: _eq([g["x"], g["a"] * 1], [4, 4]),
        "\\frac{\\partial f}{\\partial y} = \\frac{\\partial f}{\\partial a} \\cdot \\frac{\\partial a}{\\partial y} = 4 \\cdot 1 = 4":
            lambda: _eq([g["y"], g["a"] * 1], [4, 4]),
        "\\frac{\\partial f}{\\partial z} = \\frac{\\partial f}{\\partial m} \\cdot \\frac{\\partial m}{\\partial z} = -3 \\cdot 1 = -3":
            lambda: _eq([g["z"], g["m"] * 1], [-3, -3]),
        "\\frac{\\partial f}{\\partial w} = \\frac{\\partial f}{\\partial m} \\cdot \\frac{\\partial m}{\\partial w} = -3 \\cdot 0 = 0":
            lambda: _eq([g["w"], g["m"] * 0], [0, 0]),
        "\\frac{\\partial L}{\\partial u} = \\sum_{v} \\frac{\\partial L}{\\partial v} \\cdot \\frac{\\partial v}{\\partial u}":
            general_rule,
    }
    run_checks(deriv, checks)
    states(both(deriv["conclusion"]), "= (4, 4, -3, 0)$")
    states(both(deriv["given"]), "$x = 2$", "$y = -5$", "$z = 4$", "$w = 1$", "$a = -3$", "$m = 4$")


def _eq(got, want):
    np.testing.assert_allclose(got, want, atol=1e-6)


def test_the_runs():
    runs = steps_of("run")
    assert [r["set"].get("bug", "none") for r in runs] == ["none", "wrong_sign_bias"]
    events = list(REGISTRY["gradcheck"].run(dict(runs[0]["set"])))
    finish = events[-1]["variants"]["main"]
    assert finish["max_layer_error"] < 1e-6  # the ask's threshold: they agree
    states(both(runs[0]["ask"]), "1e-6")
    rows = [e for e in REGISTRY["gradcheck"].run(dict(runs[1]["set"])) if e["event"] == "gradcheck"][0]["rows"]
    assert len(rows) == 3 and all(r[3] > 1e-3 for r in rows)  # every layer has a bias: every layer is off


# --------------------------------------------------------------------------- bank answers

def test_mul_chain():
    q = bank()["q04-graph-mul-chain"]
    v = np.array([2.0, -3.0, 4.0, 5.0])
    g = numerical_gradient(lambda: (v[0] * v[1] + v[2]) * v[3], v, 1e-6)
    assert round(g[0], 6) == q["answer"] == -15 and q["tolerance"] == 0
    assert (2 * -3 + 4) * 5 == -10 and (2.01 * -3 + 4) * 5 == pytest.approx(-10.15)
    states(both(q["q"]), "$x = 2$", "$y = -3$", "$z = 4$", "$w = 5$")
    states(both(q["explanation"]), "$f = -2 \\cdot 5 = -10$", "5 \\cdot (-3) = -15$",
           "(-6.03 + 4) \\cdot 5 = -10.15$", "$-0.15 = -15 \\times 0.01$")


def test_max_router():
    q = bank()["q04-graph-max-router"]
    v = np.array([3.0, 7.0, 2.0])
    g = numerical_gradient(lambda: max(v[0], v[1]) * v[2], v, 1e-6)
    want = f"$({round(g[0]):d}, {round(g[1]):d})$"
    assert q["choices"][q["answer"]]["en"] == want == "$(0, 2)$"
    assert len({c["en"] for c in q["choices"]}) == len(q["choices"])


def test_fanout():
    q = bank()["q04-graph-fanout"]
    x = np.array([5.0])
    g = numerical_gradient(lambda: x[0] * x[0], x, 1e-6)[0]
    assert q["choices"][q["answer"]]["en"].startswith(f"${round(g)}$")
    states(both(q["explanation"]), "$5 + 5 = 10$", "$2x = 10$")


def test_gradcheck_count():
    q = bank()["q04-gradcheck-count"]
    model = nn.Sequential(nn.Linear(10, 20), nn.ReLU(), nn.Linear(20, 1))
    p = int(model.flat_params.size)
    assert p == 241 == (10 * 20 + 20) + (20 * 1 + 1)
    assert q["answer"] == 2 * p == 482 and q["tolerance"] == 0
    states(both(q["explanation"]), "= 220 + 21 = 241$", "$2 \\cdot 241 = 482$")
