"""Recompute every number and identity in lesson 06-03 (any differentiable function can be a layer:
the chain rule for y = g(x; θ), the damped-oscillation layer's derivatives, PReLU's slope) and in its
bank questions (quizzes/ch06-universal-approximation.yaml, q06-layer-*, q06-why-any-layer,
q06-why-learn-by-itself). The experiment's layer is gradchecked with tutor.nn.gradcheck; the run's
figures are pinned in the lesson's ``figures:`` (tests/content/test_pinned_figures.py)."""

from __future__ import annotations

import math

import numpy as np

from claims_kit import (all_formulas, both, check_bank_shape, check_written_arithmetic, derivation, load,  # noqa: E402
                        run_checks, states)
from tutor import nn
from tutor.nn import optim
from tutor.experiments.learnable_layer import T_TRAIN, TRUE, DampedOscillation, damped
from tutor.experiments.nets import mlp
from tutor.nn.gradcheck import gradcheck

LESSON = load("lessons/06-universal-approximation/03-any-function-a-layer.yaml")
BANK = {q["id"]: q for q in load("quizzes/ch06-universal-approximation.yaml")["questions"]}
OWN = {k: q for k, q in BANK.items()
       if k.startswith("q06-layer-") or k in ("q06-why-any-layer", "q06-why-learn-by-itself")}
EPS = 1e-6


def prose(marker_en: str) -> dict:
    found = [s["prose"] for s in LESSON["steps"] if "prose" in s and marker_en in s["prose"]["en"]]
    assert len(found) == 1, marker_en
    return found[0]


def y_of(t, A, g, w, p):
    return A * np.exp(-g * t) * np.cos(w * t + p)


def d(f, x, eps=EPS):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


def prelu(x, a):
    return np.where(x > 0, x, a * x)


# --------------------------------------------------------------------------- the layer itself

def test_the_experiment_layer_passes_gradcheck():
    layer = DampedOscillation(A=1.3, gamma=0.2, omega=1.7, phi=0.4)
    t = np.linspace(0, 6, 25).reshape(-1, 1)
    errors = gradcheck(layer, t, details=True)
    assert set(errors) == {"x", "A", "gamma", "omega", "phi"}
    assert max(errors.values()) < 1e-7, errors
    # it is an ordinary tutor.nn Module: a Sequential flattens its 4 parameters
    assert nn.Sequential(DampedOscillation()).flat_params.size == 4


def test_hand_numbers():
    text = prose("## Intuition: what a layer must hand back")
    states(both(text), "A = 2", "1.5", "0.25", "= 1", "a = 0.25", "y = -0.5", "= -2")
    A, g, w, p, t, target = 2.0, 0.3, 2.0, 0.0, 0.0, 1.5     # γ and ω are arbitrary: t = 0
    y = y_of(t, A, g, w, p)
    assert y == 2 and (y - target) ** 2 == 0.25 and 2 * (y - target) == 1
    L = lambda **kw: (y_of(t, **{"A": A, "g": g, "w": w, "p": p, **kw}) - target) ** 2
    assert math.isclose(d(lambda a: L(A=a), A), 1.0, rel_tol=1e-6)
    for name, val in (("p", p), ("g", g), ("w", w)):
        assert abs(d(lambda v, name=name: L(**{name: v}), val)) < 1e-8        # 0 at t = 0
    assert prelu(-2.0, 0.25) == -0.5 and math.isclose(d(lambda a: prelu(-2.0, a), 0.25), -2.0)


def test_derivation_chain_rule():
    deriv = derivation(LESSON, "deriv-06-layer-chain")
    rng = np.random.default_rng(0)
    t = rng.uniform(0, 6, 7)
    target = rng.standard_normal(7)
    th = {"A": 1.2, "g": 0.25, "w": 1.9, "p": 0.6}
    loss = lambda y: float(np.mean((y - target) ** 2))
    dL_dy = lambda y: 2 * (y - target) / y.size
    y0 = y_of(t, **th)

    def param_grad():
        for name in th:
            numeric = d(lambda v, name=name: loss(y_of(t, **{**th, name: v})), th[name])
            local = d(lambda v, name=name: y_of(t, **{**th, name: v}), th[name])    # ∂y_n/∂θ for every n
            assert math.isclose(float(np.sum(dL_dy(y0) * local)), numeric, rel_tol=1e-6, abs_tol=1e-9)

    def input_grad():
        for n in range(t.size):
            e = np.zeros_like(t)
            e[n] = EPS
            numeric = (loss(y_of(t + e, **th)) - loss(y_of(t - e, **th))) / (2 * EPS)
            local = d(lambda s: y_of(s, **th), t[n])
            assert math.isclose(dL_dy(y0)[n] * local, numeric, rel_tol=1e-6, abs_tol=1e-9)

    def dA():
        assert np.allclose(d(lambda v: y_of(t, **{**th, "A": v}), th["A"]), np.exp(-th["g"] * t) * np.cos(th["w"] * t + th["p"]))

    def dgamma():
        got = d(lambda v: y_of(t, **{**th, "g": v}), th["g"])
        assert np.allclose(got, -t * th["A"] * np.exp(-th["g"] * t) * np.cos(th["w"] * t + th["p"]), atol=1e-8)
        assert np.allclose(got, -t * y0, atol=1e-8)

    def domega():
        got = d(lambda v: y_of(t, **{**th, "w": v}), th["w"])
        assert np.allclose(got, -t * th["A"] * np.exp(-th["g"] * t) * np.sin(th["w"] * t + th["p"]), atol=1e-8)

    def dphi():
        got = d(lambda v: y_of(t, **{**th, "p": v}), th["p"])
        assert np.allclose(got, -th["A"] * np.exp(-th["g"] * t) * np.sin(th["w"] * t + th["p"]), atol=1e-8)

    def dt():
        got = d(lambda s: y_of(s, **th), t)
        want = -th["A"] * np.exp(-th["g"] * t) * (th["g"] * np.cos(th["w"] * t + th["p"]) + th["w"] * np.sin(th["w"] * t + th["p"]))
        assert np.allclose(got, want, atol=1e-8)
        # the experiment's layer hands back the same ∂L/∂t
        layer = DampedOscillation(A=th["A"], gamma=th["g"], omega=th["w"], phi=th["p"]).to(np.float64)
        layer.forward(t.reshape(-1, 1))
        assert np.allclose(layer.backward(np.ones((t.size, 1)))[:, 0], want, atol=1e-10)

    def update():
        layer = DampedOscillation(A=0.5, gamma=0.0, omega=1.8, phi=0.0).to(np.float64)
        tt = np.linspace(0, 6, 60).reshape(-1, 1)
        yy = damped(tt, **TRUE)
        lossfn, opt = nn.MSELoss(), optim.SGD(0.05)
        before = lossfn.forward(layer.forward(tt), yy)
        old = {k: v.copy() for k, v in layer.params.items()}
        layer.backward(lossfn.backward())
        grads = {k: v.copy() for k, v in layer.grads.items()}
        opt.update(layer.params, layer.grads)
        for k in old:   # θ ← θ − η ∂L/∂θ, exactly as for a weight
            assert np.allclose(layer.params[k], old[k] - 0.05 * grads[k])
        assert lossfn.forward(layer.forward(tt), yy) < before

    run_checks(deriv, {
        "\\frac{\\partial L}{\\partial \\theta} = \\sum_{n} \\frac{\\partial L}{\\partial y_n} \\frac{\\partial y_n}{\\partial \\theta}": param_grad,
        "\\frac{\\partial L}{\\partial x_n} = \\frac{\\partial L}{\\partial y_n} \\frac{\\partial y_n}{\\partial x_n}": input_grad,
        "\\frac{\\partial y}{\\partial A} = e^{-\\gamma t} \\cos(\\omega t + \\phi)": dA,
        "\\frac{\\partial y}{\\partial \\gamma} = -t \\, A e^{-\\gamma t} \\cos(\\omega t + \\phi) = -t \\, y": dgamma,
        "\\frac{\\partial y}{\\partial \\omega} = -t \\, A e^{-\\gamma t} \\sin(\\omega t + \\phi)": domega,
        "\\frac{\\partial y}{\\partial \\phi} = -A e^{-\\gamma t} \\sin(\\omega t + \\phi)": dphi,
        "\\frac{\\partial y}{\\partial t} = -A e^{-\\gamma t} (\\gamma \\cos(\\omega t + \\phi) + \\omega \\sin(\\omega t + \\phi))": dt,
        "\\theta \\leftarrow \\theta - \\eta \\, \\frac{\\partial L}{\\partial \\theta}": update,
    })


# --------------------------------------------------------------------------- the run

def test_run_text():
    from tutor.experiments import REGISTRY
    p = REGISTRY["learnable_layer"].params
    assert p["n"].default == 60 and p["lr"].default == 0.02 and p["steps"].default == 2000
    assert TRUE == {"A": 1.0, "gamma": 0.3, "omega": 2.0, "phi": 0.5} and T_TRAIN == 6.0
    text = prose("## What the run showed")
    states(both(text), "1, 0.3, 2", "0.5", "60", "t > 6", "[0, 6]", "1153", "4")
    assert mlp([1, 32, 32, 1], "tanh").flat_params.size == 1 * 32 + 32 + 32 * 32 + 32 + 32 + 1 == 1153
    run = next(s["run"] for s in LESSON["steps"] if "run" in s)
    assert run["experiment"] == "learnable_layer" and run["set"] == {}
    states(both(run["ask"]), "[0, 6]", "t = 6")


# --------------------------------------------------------------------------- the bank

def test_bank_answers():
    q = BANK["q06-layer-grad-a"]
    t, A, g, w, p = 1.0, 2.0, 0.0, 0.0, 0.0
    L = lambda a: (y_of(t, a, g, w, p) - 1) ** 2
    assert round(d(L, A), 6) == q["answer"] == 2
    q = BANK["q06-layer-gamma-grad"]
    # any constants with y = 0.3 at t = 2 give −t·y
    A = 0.3 / (np.exp(-0.1 * 2) * np.cos(0.2 * 2 + 0.1))
    assert math.isclose(y_of(2.0, A, 0.1, 0.2, 0.1), 0.3)
    assert round(d(lambda v: y_of(2.0, A, v, 0.2, 0.1), 0.1), 6) == q["answer"] == -0.6
    q = BANK["q06-layer-prelu-grad"]
    x, up = np.array([-2.0, 1.0, -0.5]), np.array([1.0, 1.0, 2.0])
    assert round(d(lambda a: float(np.sum(up * prelu(x, a))), 0.25), 6) == q["answer"] == -3
    assert BANK["q06-layer-what-needed"]["answers"] == [0, 1, 2]
    assert len(BANK["q06-layer-step-order"]["items"]) == 5


def test_bank_shape_and_arithmetic():
    check_bank_shape(OWN, "q06-", 6, 5, 2)
    refs = [s["quiz"]["ref"] for s in LESSON["steps"] if "quiz" in s]
    assert len(refs) >= 3 and all(r in OWN for r in refs)
    check_written_arithmetic(all_formulas(list(OWN.values())))
    check_written_arithmetic(all_formulas(LESSON))
