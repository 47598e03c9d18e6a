"""MultiHeadAttention: backward agrees with central differences; heads are independent attentions
on slices of E; a causal mask means the output at t ignores every input after t."""

import numpy as np
import pytest

from tutor import nn
from tutor.nn.gradcheck import gradcheck

TOL = 1e-6


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def mha(E=6, heads=2, causal=False, seed=0):
    nn.manual_seed(seed)
    layer = nn.MultiHeadAttention(E, heads, causal=causal)
    rng = np.random.default_rng(seed + 1)
    for name in ("b_q", "b_k", "b_v", "b_o"):
        layer.params[name][...] = 0.3 * rng.standard_normal(E)  # non-zero, so bias gradients are tested
    return layer


@pytest.mark.parametrize("heads, causal", [(1, False), (2, False), (3, True)])
def test_gradcheck(heads, causal):
    layer = mha(6, heads, causal)
    errors = gradcheck(layer, randn(2, 4, 6), details=True)
    assert set(errors) == {"x", "W_q", "W_k", "W_v", "W_o", "b_q", "b_k", "b_v", "b_o"}
    # b_k's true gradient is exactly 0 (softmax ignores a shift of its row): the relative error
    # compares rounding noise with rounding noise, so check that the analytic gradient is 0 instead
    assert np.abs(layer.grads["b_k"]).max() < 1e-12
    del errors["b_k"]
    assert max(errors.values()) < TOL, errors


def test_shapes_weights_and_dtypes():
    layer = mha(8, 4)
    x = randn(3, 5, 8).astype(np.float32)
    y = layer(x)
    assert y.shape == (3, 5, 8) and y.dtype == np.float32
    w = layer.weights
    assert w.shape == (3, 4, 5, 5) and w.dtype == np.float32  # (N, heads, T, T)
    np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-6)
    dx = layer.backward(np.ones_like(y))
    assert dx.shape == x.shape and dx.dtype == np.float32
    assert all(g.dtype == np.float32 for g in layer.grads.values())
    layer.to(np.float64)
    assert layer(randn(3, 5, 8)).dtype == np.float64


def test_initialised_like_pytorch():
    layer = nn.MultiHeadAttention(64, 4)
    bound_in = np.sqrt(6 / (64 + 3 * 64))  # Xavier on the (3E, E) in_proj_weight
    for name in ("W_q", "W_k", "W_v"):
        w = layer.params[name]
        assert w.shape == (64, 64) and bound_in * 0.98 < np.abs(w).max() <= bound_in
    assert np.abs(layer.params["W_o"]).max() <= 1 / 8
    assert not any(layer.params[b].any() for b in ("b_q", "b_k", "b_v", "b_o"))


def test_each_head_is_attention_on_its_slice():
    layer = mha(6, 3).to(np.float64)
    x = randn(2, 4, 6)
    y = layer(x)
    p = layer.params
    q, k, v = (x @ p["W_" + n] + p["b_" + n] for n in "qkv")
    heads = []
    for h in range(3):
        sl = slice(2 * h, 2 * h + 2)  # head_dim = 6 / 3
        s = q[..., sl] @ k[..., sl].swapaxes(1, 2) / np.sqrt(2)
        a = np.exp(s - s.max(-1, keepdims=True))
        a /= a.sum(-1, keepdims=True)
        np.testing.assert_allclose(layer.weights[:, h], a, rtol=1e-12)
        heads.append(a @ v[..., sl])
    np.testing.assert_allclose(y, np.concatenate(heads, -1) @ p["W_o"] + p["b_o"], rtol=1e-12, atol=1e-14)


def test_causal_output_at_t_ignores_later_inputs():
    layer = mha(6, 2, causal=True).to(np.float64)
    x = randn(2, 6, 6)
    y = layer(x).copy()
    w = layer.weights
    assert np.all(np.triu(w, 1) == 0)  # every head, every example: nothing above the diagonal
    np.testing.assert_allclose(w[..., 0, 0], 1.0)  # the first position can only look at itself
    for t in range(5):
        x2 = x.copy()
        x2[:, t + 1:] += 10.0 * randn(2, 5 - t, 6, seed=t)
        y2 = layer(x2)
        np.testing.assert_allclose(y2[:, :t + 1], y[:, :t + 1], rtol=1e-12, atol=1e-14)
        assert not np.allclose(y2[:, t + 1:], y[:, t + 1:])
    # and without the mask the first output does change
    full = mha(6, 2, causal=False).to(np.float64)
    x2 = x.copy()
    x2[:, -1] += 10.0
    assert not np.allclose(full(x2)[:, 0], full(x)[:, 0])


def test_order_blind_without_positions():
    # permuting the positions permutes the outputs: attention alone does not know where a token is
    layer = mha(6, 2).to(np.float64)
    x = randn(2, 5, 6)
    perm = [3, 0, 4, 1, 2]
    np.testing.assert_allclose(layer(x[:, perm]), layer(x)[:, perm], rtol=1e-12, atol=1e-14)


def test_embed_dim_must_split_into_heads():
    with pytest.raises(ValueError):
        nn.MultiHeadAttention(6, 4)


def test_followed_by_linear_and_first_layer_skips_dx():
    nn.manual_seed(0)
    net = nn.Sequential(nn.MultiHeadAttention(4, 2), nn.Linear(4, 3))
    assert net(randn(2, 5, 4).astype(np.float32)).shape == (2, 5, 3)
    net.to(np.float64)
    x = randn(2, 5, 4)
    net.backward(np.ones_like(net(x)))
    full = net.flat_grads.copy()
    net.needs_input_grad = False
    net(x)
    assert net.backward(np.ones((2, 5, 3))) is None
    np.testing.assert_allclose(net.flat_grads, full, rtol=1e-14)
