"""Positional encoding (values computed by hand), the feed-forward block and the transformer
block (post-LN and pre-LN): gradients, shapes, and what each part is for."""

import contextlib
import math

import numpy as np
import pytest

from tutor import nn
from tutor.nn.gradcheck import gradcheck

TOL = 1e-6


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


# -- positional encoding -------------------------------------------------------------------------

def test_positional_encoding_values_by_hand():
    pe = nn.sinusoidal_positional_encoding(3, 4)
    # D = 4: ω_0 = 10000^0 = 1, ω_1 = 10000^(-2/4) = 1/100
    np.testing.assert_allclose(pe[0], [0.0, 1.0, 0.0, 1.0])  # sin 0, cos 0, sin 0, cos 0
    np.testing.assert_allclose(pe[1], [math.sin(1), math.cos(1), math.sin(0.01), math.cos(0.01)], rtol=1e-15)
    np.testing.assert_allclose(pe[2], [math.sin(2), math.cos(2), math.sin(0.02), math.cos(0.02)], rtol=1e-15)
    # D = 6, t = 5: ω = 1, 10000^(-1/3) ≈ 0.046416, 10000^(-2/3) ≈ 0.0021544
    w1, w2 = 10000 ** (-1 / 3), 10000 ** (-2 / 3)
    row = nn.sinusoidal_positional_encoding(6, 6)[5]
    np.testing.assert_allclose(row, [math.sin(5), math.cos(5), math.sin(5 * w1), math.cos(5 * w1),
                                     math.sin(5 * w2), math.cos(5 * w2)], rtol=1e-14)
    np.testing.assert_allclose(row[:3], [-0.958924, 0.283662, 0.230002], atol=1e-6)


def test_positional_encoding_odd_width_and_range():
    pe = nn.sinusoidal_positional_encoding(50, 5, dtype=np.float32)
    assert pe.shape == (50, 5) and pe.dtype == np.float32
    np.testing.assert_allclose(pe[7, 4], math.sin(7 * 10000 ** (-4 / 5)), rtol=1e-6)  # the last column: a sine
    assert np.abs(pe).max() <= 1.0
    # every position gets a different code
    assert len({row.tobytes() for row in pe}) == 50


def test_positional_encoding_layer_adds_the_table():
    layer = nn.PositionalEncoding(4, max_len=10)
    x = randn(2, 3, 4).astype(np.float32)
    y = layer(x)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, x + nn.sinusoidal_positional_encoding(3, 4), rtol=1e-6)
    dout = randn(2, 3, 4)
    assert layer.backward(dout) is dout  # a constant was added: the gradient passes unchanged
    assert gradcheck(nn.PositionalEncoding(4), randn(2, 3, 4)) < TOL
    with pytest.raises(ValueError):
        layer(randn(1, 11, 4))


def test_positions_break_attentions_order_blindness():
    nn.manual_seed(0)
    net = nn.Sequential(nn.PositionalEncoding(4), nn.MultiHeadAttention(4, 2)).to(np.float64)
    x = randn(1, 5, 4)
    perm = [3, 0, 4, 1, 2]
    assert not np.allclose(net(x[:, perm]), net(x)[:, perm])


# -- feed-forward ----------------------------------------------------------------------------------

@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_feed_forward_gradcheck_and_works_position_by_position(activation):
    nn.manual_seed(0)
    ff = nn.FeedForward(4, 8, activation=activation)
    assert list(ff.params) == ["0.W", "0.b", "2.W", "2.b"]
    assert gradcheck(ff, randn(2, 5, 4)) < TOL
    x = randn(2, 5, 4)
    y = ff(x)
    np.testing.assert_allclose(ff(x[:, 2:3]), y[:, 2:3], rtol=1e-12)  # position 2 alone: the same
    with pytest.raises(ValueError):
        nn.FeedForward(4, 8, activation="tanh")


# -- the block -------------------------------------------------------------------------------------

def block(norm_first=False, causal=False, seed=0):
    nn.manual_seed(seed)
    b = nn.TransformerBlock(4, 2, 8, causal=causal, norm_first=norm_first)
    rng = np.random.default_rng(seed + 1)
    for k, v in b.params.items():
        if k.split(".")[-1] in ("b_q", "b_k", "b_v", "b_o", "beta"):
            v[...] = 0.3 * rng.standard_normal(v.shape)
        elif k.endswith("gamma"):
            v[...] = 1.0 + 0.3 * rng.standard_normal(v.shape)
    return b


@pytest.mark.parametrize("norm_first, causal", [(False, False), (True, False), (False, True), (True, True)])
def test_block_gradcheck(norm_first, causal):
    b = block(norm_first, causal)
    errors = gradcheck(b, randn(2, 5, 4), details=True)
    assert {"x", "attn.W_q", "norm1.gamma", "ff.0.W", "ff.2.b", "norm2.beta"} <= set(errors)
    assert np.abs(b.grads["attn.b_k"]).max() < 1e-12  # exactly 0 in theory (see MultiHeadAttention)
    del errors["attn.b_k"]
    assert max(errors.values()) < TOL, errors


def test_block_equations():
    for norm_first in (False, True):
        b = block(norm_first).to(np.float64)
        x = randn(2, 5, 4)
        y = b(x)
        attn, ff, n1, n2 = b.attn, b.ff, b.norm1, b.norm2
        f = lambda m, a: m.forward(a, train=False)
        if norm_first:
            u = x + f(attn, f(n1, x))
            expected = u + f(ff, f(n2, u))
        else:
            u = f(n1, x + f(attn, x))
            expected = f(n2, u + f(ff, u))
        np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-14)


def test_post_ln_output_rows_are_normalised_pre_ln_are_not():
    x = 3.0 * randn(2, 5, 4) + 2.0
    post = nn.TransformerBlock(4, 2, 8).to(np.float64)  # γ = 1, β = 0 at the start
    np.testing.assert_allclose(post(x).mean(-1), 0.0, atol=1e-12)
    pre = nn.TransformerBlock(4, 2, 8, norm_first=True).to(np.float64)
    assert np.abs(pre(x).mean(-1)).min() > 0.1  # the residual stream keeps the input's scale


def test_causal_block_output_at_t_ignores_later_inputs():
    b = block(causal=True).to(np.float64)
    x = randn(2, 6, 4)
    y = b(x).copy()
    x2 = x.copy()
    x2[:, 3:] += 5.0
    np.testing.assert_allclose(b(x2)[:, :3], y[:, :3], rtol=1e-12, atol=1e-14)


def test_block_shapes_dtypes_and_defaults():
    b = nn.TransformerBlock(8, 2)
    assert b.hidden == 32 and b.ff.layers[0].params["W"].shape == (8, 32)
    x = randn(3, 4, 8).astype(np.float32)
    y = b(x)
    assert y.shape == x.shape and y.dtype == np.float32
    assert b.attn.weights.shape == (3, 2, 4, 4)
    dx = b.backward(np.ones_like(y))
    assert dx.shape == x.shape and dx.dtype == np.float32
    assert all(g.dtype == np.float32 for g in b.grads.values())


def one_blas_thread():
    """The tutor trains with one BLAS thread; two on a busy machine make these tiny products 5× slower."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        return contextlib.nullcontext()
    return threadpool_limits(1, "blas")


def test_a_small_transformer_learns_to_reverse():
    """Embedding → positions → block → Linear on every position, trained with the plain loop: it
    learns to reverse sequences, which needs attention to look at position T-1-t (and the positional
    encoding to know which that is). Seeds 0, 1, 2 all reach a loss below 1e-3 in 150 steps."""
    from tutor.nn import data, optim

    split = data.copy_task(n=200, length=6, vocab=8, reverse=True, seed=0)
    nn.manual_seed(0)
    net = nn.Sequential(nn.Embedding(8, 16), nn.PositionalEncoding(16), nn.TransformerBlock(16, 2, 32),
                        nn.Linear(16, 8))
    loss_fn, opt = nn.SoftmaxCrossEntropyLoss(), optim.Adam(0.02)
    X, y = split.X_train, split.y_train
    with one_blas_thread():
        for step in range(150):
            logits = net(X)
            loss = loss_fn(logits.reshape(-1, 8), y.reshape(-1))
            first = loss if step == 0 else first
            net.backward(loss_fn.backward().reshape(logits.shape))
            opt.update(net.params, net.grads)
    assert first > 2.0 and loss < 0.01  # from ≈ log 8 ≈ 2.08
    pred = net(split.X_test, train=False).argmax(-1)
    assert (pred == split.y_test).mean() > 0.95
