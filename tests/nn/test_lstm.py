"""LSTM: backward agrees with central differences, it follows PyTorch's recurrence (gates i, f, g,
o), and the forget gate does what its name says."""

import numpy as np

from tutor import nn
from tutor.nn.gradcheck import gradcheck

TOL = 1e-6


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def lstm(d=3, h=4, seed=0):
    nn.manual_seed(seed)
    return nn.LSTM(d, h)


def test_gradcheck():
    layer = lstm()
    errors = gradcheck(layer, randn(2, 6, 3), details=True)
    assert set(errors) == {"x", "W_x", "W_h", "b"}
    assert max(errors.values()) < TOL, errors


def test_gradcheck_one_step_and_saturated_gates():
    layer = lstm(2, 3)
    layer.params["b"][...] = 3.0 * randn(12, seed=4)  # gates near 0 and 1
    assert gradcheck(layer, randn(3, 1, 2)) < TOL
    assert gradcheck(layer, 2.0 * randn(3, 5, 2)) < TOL


def test_shapes_params_and_dtypes():
    layer = lstm(3, 5)
    assert {k: v.shape for k, v in layer.params.items()} == {"W_x": (3, 20), "W_h": (5, 20), "b": (20,)}
    bound = 1 / np.sqrt(5)
    assert all(np.abs(p).max() <= bound for p in layer.params.values())
    x = randn(2, 7, 3).astype(np.float32)
    y = layer(x)
    assert y.shape == (2, 7, 5) and y.dtype == np.float32
    dx = layer.backward(np.ones_like(y))
    assert dx.shape == x.shape and dx.dtype == np.float32
    assert layer.grads["W_h"].dtype == np.float32
    layer.to(np.float64)
    assert layer(x.astype(np.float64)).dtype == np.float64


def test_follows_pytorchs_recurrence():
    layer = lstm(2, 3).to(np.float64)
    layer.params["b"][...] = randn(12, seed=3)
    x = randn(2, 5, 2)
    hs = layer(x)
    W_x, W_h, b = layer.params["W_x"], layer.params["W_h"], layer.params["b"]
    h, c = np.zeros((2, 3)), np.zeros((2, 3))
    for t in range(5):
        a = x[:, t] @ W_x + h @ W_h + b
        i, f, g, o = sigmoid(a[:, 0:3]), sigmoid(a[:, 3:6]), np.tanh(a[:, 6:9]), sigmoid(a[:, 9:12])
        c = f * c + i * g
        h = o * np.tanh(c)
        np.testing.assert_allclose(hs[:, t], h, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(layer.c[:, t + 1], c, rtol=1e-12, atol=1e-15)
    assert not layer.c[:, 0].any()


def memory_of_first_input(forget_bias):
    """‖dh_T/dx_1‖ / ‖dh_T/dx_T‖: how much of the first input still reaches the last state."""
    layer = lstm(1, 8).to(np.float64)
    layer.params["b"][8:16] = forget_bias  # columns H:2H are the forget gate
    x = randn(16, 30, 1)
    h = layer(x)
    dout = np.zeros_like(h)
    dout[:, -1] = 1.0  # L = Σ h_T
    dx = np.linalg.norm(layer.backward(dout)[:, :, 0], axis=0)
    return dx[0] / dx[-1]


def test_forget_gate_bias_decides_how_long_it_remembers():
    # f = σ(6) ≈ 0.998: the cell carries x_1's contribution through 29 steps almost intact;
    # f = σ(-6) ≈ 0.002: gone after a step or two
    keep, forget = memory_of_first_input(6.0), memory_of_first_input(-6.0)
    assert keep > 0.1
    assert forget < 1e-12
    # and with the bias at 0 (f ≈ ½) the memory lasts a few steps: in between
    assert forget < memory_of_first_input(0.0) < keep


def test_cell_is_a_running_sum_when_forget_gate_is_open():
    # i = f = o ≈ 1 and g = tanh(x W): c_t ≈ Σ_s g_s, the cell counts
    layer = nn.LSTM(1, 1).to(np.float64)
    layer.params["W_h"][...] = 0.0
    layer.params["W_x"][...] = [[0.0, 0.0, 10.0, 0.0]]
    layer.params["b"][...] = [30.0, 30.0, 0.0, 30.0]
    x = np.ones((1, 6, 1))
    layer(x)
    np.testing.assert_allclose(layer.c[0, 1:, 0], np.tanh(10.0) * np.arange(1, 7), rtol=1e-9)


def test_followed_by_linear_on_every_position():
    nn.manual_seed(0)
    net = nn.Sequential(nn.LSTM(3, 4), nn.Linear(4, 2))
    assert gradcheck(net, randn(2, 5, 3)) < TOL
    assert net(randn(2, 5, 3)).shape == (2, 5, 2)


def test_first_layer_skips_its_input_gradient():
    layer = lstm().to(np.float64)
    x = randn(2, 4, 3)
    layer(x)
    layer.backward(np.ones((2, 4, 4)))
    full = {k: g.copy() for k, g in layer.grads.items()}
    layer.needs_input_grad = False
    layer(x)
    assert layer.backward(np.ones((2, 4, 4))) is None
    for k in full:
        np.testing.assert_array_equal(layer.grads[k], full[k])


def test_eval_outputs_are_not_overwritten():
    layer = lstm()
    a = layer(randn(2, 4, 3), train=False)
    keep = a.copy()
    layer(randn(2, 4, 3, seed=9), train=False)
    np.testing.assert_array_equal(a, keep)


def test_rnn_from_a_given_state_and_its_gradient():
    """RNN(h0=...) starts there (a decoder from its encoder's state) and backward gives dL/dh0."""
    from tutor.nn import RNN  # noqa: PLC0415

    rng = np.random.default_rng(0)
    rnn = RNN(2, 3, rng=rng, dtype=np.float64)
    x = rng.normal(size=(4, 5, 2))
    h0 = rng.normal(size=(4, 3))
    out = rnn.forward(x, h0=h0).copy()
    W_x, W_h, b = rnn.params["W_x"], rnn.params["W_h"], rnn.params["b"]
    assert np.allclose(out[:, 0], np.tanh(x[:, 0] @ W_x + h0 @ W_h + b))
    dout = rng.normal(size=out.shape)
    rnn.backward(dout)
    eps = 1e-6
    num = np.zeros_like(h0)
    for i in np.ndindex(h0.shape):
        hp, hm = h0.copy(), h0.copy()
        hp[i] += eps
        hm[i] -= eps
        num[i] = ((rnn.forward(x, h0=hp) * dout).sum() - (rnn.forward(x, h0=hm) * dout).sum()) / (2 * eps)
    assert np.allclose(rnn.dh0, num, atol=1e-8)
