"""LayerNorm: backward agrees with central differences; every row comes out with mean 0 and
variance 1 (before γ, β), whatever the batch, in training and evaluation alike."""

import numpy as np
import pytest

from tutor import nn
from tutor.nn.gradcheck import gradcheck

TOL = 1e-6


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def with_affine(layer, seed=3):
    rng = np.random.default_rng(seed)
    layer.params["gamma"][...] = 1.0 + 0.5 * rng.standard_normal(layer.params["gamma"].shape)
    layer.params["beta"][...] = rng.standard_normal(layer.params["beta"].shape)
    return layer


@pytest.mark.parametrize("shape, x_shape", [(5, (4, 5)), (5, (2, 3, 5)), ((3, 4), (2, 3, 4))])
def test_gradcheck(shape, x_shape):
    layer = with_affine(nn.LayerNorm(shape))
    errors = gradcheck(layer, 2.0 * randn(*x_shape) + 1.0, details=True)
    assert set(errors) == {"x", "gamma", "beta"}
    assert max(errors.values()) < TOL, errors


def test_every_row_has_mean_0_and_variance_1():
    layer = nn.LayerNorm(6).to(np.float64)
    x = 5.0 * randn(3, 4, 6) + np.arange(4.0)[:, None]  # rows with different means and scales
    y = layer(x)
    np.testing.assert_allclose(y.mean(-1), 0.0, atol=1e-12)
    # biased variance, and eps in the denominator: var(y) = σ² / (σ² + eps)
    var = x.var(-1)
    np.testing.assert_allclose(y.var(-1), var / (var + 1e-5), rtol=1e-10)
    np.testing.assert_allclose(y.var(-1), 1.0, rtol=1e-5)


def test_gamma_and_beta_rescale_and_shift_each_feature():
    layer = with_affine(nn.LayerNorm(4).to(np.float64))
    x = randn(5, 4)
    xhat = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(layer(x), layer.params["gamma"] * xhat + layer.params["beta"], rtol=1e-12)


def test_each_row_on_its_own_and_the_same_in_evaluation():
    layer = nn.LayerNorm(4).to(np.float64)
    x = randn(6, 4)
    y = layer(x, train=True)
    # a row's output depends on that row only: a batch of one gives the same row (unlike BatchNorm)
    np.testing.assert_allclose(layer(x[2:3]), y[2:3], rtol=1e-14)
    np.testing.assert_allclose(layer(x, train=False), y, rtol=1e-14)


def test_constant_row_gives_beta_not_nan():
    layer = with_affine(nn.LayerNorm(3))
    y = layer(np.full((2, 3), 7.0, np.float32))
    np.testing.assert_allclose(y, np.broadcast_to(layer.params["beta"], (2, 3)), atol=1e-6)


def test_dtype_follows_input_and_params():
    layer = nn.LayerNorm(4)
    assert layer.params["gamma"].dtype == np.float32
    x = randn(2, 3, 4).astype(np.float32)
    y = layer(x)
    assert y.dtype == np.float32 and y.shape == x.shape
    dx = layer.backward(np.ones_like(y))
    assert dx.dtype == np.float32 and dx.shape == x.shape
    layer.to(np.float64)
    assert layer(randn(2, 4)).dtype == np.float64


def test_wrong_last_dimension_is_an_error():
    with pytest.raises(ValueError):
        nn.LayerNorm(4)(randn(2, 5))


def test_inside_sequential_shares_the_flat_vector():
    net = nn.Sequential(nn.Linear(3, 4), nn.LayerNorm(4), nn.Linear(4, 2))
    assert list(net.params) == ["0.W", "0.b", "1.gamma", "1.beta", "2.W", "2.b"]
    assert np.shares_memory(net.params["1.gamma"], net.flat_params)
    assert gradcheck(net, randn(5, 3)) < TOL
