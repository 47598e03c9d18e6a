"""Conv2d and MaxPool2d's fast paths compute what the textbook versions compute.

Conv2d keeps its patches with the batch axis last and MaxPool2d(2) compares four strided slices;
these tests pin them to the definitions: gradcheck (float64, central differences), the textbook
``im2col``/``col2im`` product, the general argmax pooling, PyTorch's tie rule, and float32 kept
float32 through a whole CNN.
"""

import numpy as np
import pytest

from tutor import nn
from tutor.nn.conv import col2im, im2col
from tutor.nn.gradcheck import gradcheck

TOL = 1e-6


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


class GeneralMaxPool2d(nn.MaxPool2d):
    """MaxPool2d forced onto its general (argmax) path, whatever the kernel."""

    _fast = False


@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("padding", [0, 1])
def test_conv_gradcheck(stride, padding):
    nn.manual_seed(0)
    conv = nn.Conv2d(2, 3, 3, stride=stride, padding=padding)
    errors = gradcheck(conv, randn(2, 2, 6, 7), details=True)
    assert set(errors) == {"x", "W", "b"}
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("kernel, stride, shape", [(2, None, (2, 3, 6, 6)), (2, None, (2, 2, 5, 7)),
                                                   (3, 2, (2, 2, 7, 7))])
def test_maxpool_gradcheck(kernel, stride, shape):
    pool = nn.MaxPool2d(kernel, stride=stride)
    assert gradcheck(pool, randn(*shape)) < TOL


def textbook_conv(conv, x):
    """y = im2col(x_pad) @ W.reshape(F, -1)ᵀ + b, as (N, F, H_out, W_out)."""
    p, (kh, kw) = conv.padding, conv.kernel_size
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    cols, oh, ow = im2col(xp, kh, kw, conv.stride)
    W2 = conv.params["W"].reshape(conv.out_channels, -1)
    y = (cols @ W2.T + conv.params["b"]).reshape(len(x), oh, ow, -1).transpose(0, 3, 1, 2)
    return y, cols, xp.shape, (oh, ow)


@pytest.mark.parametrize("stride, padding, kernel", [(1, 1, 3), (2, 0, 3), (2, 1, 3), (1, 2, (2, 3))])
def test_conv_equals_im2col_product_and_col2im(stride, padding, kernel):
    nn.manual_seed(1)
    conv = nn.Conv2d(3, 4, kernel, stride=stride, padding=padding).to(np.float64)
    x = randn(5, 3, 7, 6)
    y = conv(x)
    want, cols, xp_shape, (oh, ow) = textbook_conv(conv, x)
    np.testing.assert_allclose(y, want, rtol=1e-12, atol=1e-12)
    dout = randn(*y.shape, seed=1)
    dx = conv.backward(dout)
    # the textbook backward: dW = doutᵀ · cols, db = Σ dout, dx = col2im(dout · W)
    d2 = dout.transpose(0, 2, 3, 1).reshape(-1, conv.out_channels)
    W2 = conv.params["W"].reshape(conv.out_channels, -1)
    np.testing.assert_allclose(conv.grads["W"].reshape(conv.out_channels, -1), d2.T @ cols, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(conv.grads["b"], d2.sum(0), rtol=1e-12, atol=1e-12)
    kh, kw = conv.kernel_size
    dxp = col2im(d2 @ W2, xp_shape, kh, kw, stride, oh, ow)
    p = padding
    np.testing.assert_allclose(dx, dxp[:, :, p:xp_shape[2] - p, p:xp_shape[3] - p], rtol=1e-12, atol=1e-12)


def pooled_both_ways(x, kernel=2, stride=None):
    fast, general = nn.MaxPool2d(kernel, stride), GeneralMaxPool2d(kernel, stride)
    assert fast._fast == (kernel == 2 and stride in (None, 2))
    y_fast, y_general = fast(x), general(x)
    dout = randn(*y_fast.shape, seed=3).astype(x.dtype)
    return (y_fast, fast.backward(dout)), (y_general, general.backward(dout))


@pytest.mark.parametrize("shape", [(3, 4, 8, 8), (2, 3, 5, 7), (1, 1, 2, 2)])
def test_fast_and_general_pooling_agree(shape):
    rng = np.random.default_rng(0)
    # small integers after a ReLU: many ties (whole windows of zeros), as in a real CNN
    x = np.maximum(rng.integers(-3, 3, shape), 0).astype(np.float32)
    (y_fast, dx_fast), (y_general, dx_general) = pooled_both_ways(x)
    np.testing.assert_array_equal(y_fast, y_general)
    np.testing.assert_array_equal(dx_fast, dx_general)
    # also on a conv's output, which is a transposed view (batch axis last in memory)
    nn.manual_seed(0)
    z = nn.ReLU()(nn.Conv2d(shape[1], 3, 3, padding=1)(x))
    assert z.flags.c_contiguous == (shape[0] == 1)  # a batch of one is the same memory either way
    (y_fast, dx_fast), (y_general, dx_general) = pooled_both_ways(z)
    np.testing.assert_array_equal(y_fast, y_general)
    np.testing.assert_array_equal(dx_fast, dx_general)


def test_pooling_ties_go_to_the_first_maximum_as_in_pytorch():
    # PyTorch's max_pool2d keeps the first maximum in row-major order of the window
    x = np.array([[[[1, 1, 0, 2],
                    [1, 1, 2, 2],
                    [0, 0, 3, 1],
                    [3, 0, 3, 3]]]], np.float32)
    pool = nn.MaxPool2d(2)
    np.testing.assert_array_equal(pool(x), [[[[1, 2], [3, 3]]]])
    dx = pool.backward(np.ones((1, 1, 2, 2), np.float32))
    np.testing.assert_array_equal(dx, [[[[1, 0, 0, 1],
                                         [0, 0, 0, 0],
                                         [0, 0, 1, 0],
                                         [1, 0, 0, 0]]]])


def test_cnn_stays_float32_and_evaluation_outputs_are_kept():
    nn.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(64, 10))
    x = randn(4, 1, 8, 8).astype(np.float32)
    h = x
    for layer in model.layers:
        h = layer(h)
        assert h.dtype == np.float32, layer
    d = np.ones_like(h)
    for layer in reversed(model.layers):
        d = layer.backward(d)
        assert d.dtype == np.float32, layer
    assert model.flat_grads.dtype == np.float32
    kept = model.forward(x, train=False)
    copy = kept.copy()
    model.forward(randn(4, 1, 8, 8, seed=5).astype(np.float32), train=False)
    model.forward(randn(4, 1, 8, 8, seed=6).astype(np.float32))
    np.testing.assert_array_equal(kept, copy)


def test_bench_cnn_floor_counts_its_flops():
    engine = _bench_engine()
    sizes, _, _, batch, _, _ = engine.SIZES["cnn"]
    gemms = engine.step_gemms(sizes, batch, np.random.default_rng(0))
    assert sum(2 * a.shape[0] * a.shape[1] * b.shape[1] for a, b in gemms) == engine.matmul_flops_per_step(sizes, batch)
    model = engine.build_ours(sizes, "relu")
    assert model(np.zeros((2, 1, 8, 8), np.float32)).shape == (2, 10)


def _bench_engine():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    return pytest.importorskip("engine")  # needs threadpoolctl, as the benchmark does
