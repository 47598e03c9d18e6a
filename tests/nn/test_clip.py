"""Gradient clipping by norm (tutor.nn.clip): the direction is kept, the norm capped at c, the
total norm before clipping returned, exactly g ← g·c/‖g‖ when ‖g‖ > c."""

import math

import numpy as np
import pytest

from tutor import nn
from tutor.nn import clip_grad_norm
from tutor.nn.clip import grad_tensors


def test_the_worked_example_3_4_clipped_to_1():
    g = np.array([3.0, 4.0])
    total = clip_grad_norm(g, 1.0)
    assert total == 5.0                                  # the norm before clipping is returned
    assert np.allclose(g, [0.6, 0.8])                    # g · 1/5: same direction, length 1


def test_direction_kept_norm_capped_and_the_formula():
    rng = np.random.default_rng(0)
    grads = {"a.W": rng.normal(size=(4, 3)) * 10, "a.b": rng.normal(size=3) * 10, "c.W": rng.normal(size=(3, 1))}
    before = {k: v.copy() for k, v in grads.items()}
    flat = np.concatenate([v.ravel() for v in before.values()])
    norm = float(np.linalg.norm(flat))
    c = 0.5
    assert norm > c
    total = clip_grad_norm(grads, c)
    assert total == pytest.approx(norm)
    after = np.concatenate([v.ravel() for v in grads.values()])
    assert np.linalg.norm(after) == pytest.approx(c)                       # capped at exactly c
    assert np.allclose(after / np.linalg.norm(after), flat / norm)         # the same direction
    for k in grads:                                                        # g ← g · c/‖g‖, each tensor
        assert np.allclose(grads[k], before[k] * c / norm)


def test_a_short_gradient_is_left_alone():
    g = [np.array([0.3, -0.4]), np.array([[0.0]])]
    total = clip_grad_norm(g, 1.0)
    assert total == pytest.approx(0.5)
    assert np.array_equal(g[0], [0.3, -0.4])


def test_one_norm_over_the_whole_network_and_in_place_on_its_flat_vector():
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2))
    X = np.random.default_rng(1).normal(size=(8, 3)).astype(np.float32)
    loss_fn = nn.MSELoss()
    loss_fn.forward(model.forward(X), np.full((8, 2), 10.0, np.float32))
    model.backward(loss_fn.backward())
    norms = [float(np.linalg.norm(g)) for g in model.grads.values()]
    want = math.sqrt(sum(n * n for n in norms))
    assert clip_grad_norm(model, 0.1) == pytest.approx(want, rel=1e-6)     # a module is accepted
    # the module's grads are views into its flat vector: clipping one clipped the other
    assert float(np.linalg.norm(model.flat_grads)) == pytest.approx(0.1, rel=1e-5)
    assert len(grad_tensors(model)) == len(model.grads)


def test_non_finite_norm_is_returned_and_nothing_scaled():
    g = np.array([np.inf, 1.0])
    assert clip_grad_norm(g, 1.0) == math.inf and g[1] == 1.0
    with pytest.raises(ValueError):
        clip_grad_norm(np.ones(2), 0.0)
