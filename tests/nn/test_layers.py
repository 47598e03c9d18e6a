"""Every layer's backward agrees with central differences (float64, relative error < 1e-6)."""

import numpy as np
import pytest

from tutor import nn
from tutor.nn.gradcheck import gradcheck

TOL = 1e-6


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def make_cases():
    nn.manual_seed(0)
    rng = np.random.default_rng(42)
    return {
        "Linear": (nn.Linear(5, 3), randn(4, 5)),
        "Linear-3d-input": (nn.Linear(3, 2, init="xavier_normal"), randn(2, 4, 3)),
        "Sigmoid": (nn.Sigmoid(), randn(4, 5)),
        "Tanh": (nn.Tanh(), randn(4, 5)),
        "ReLU": (nn.ReLU(), randn(4, 5)),
        "LeakyReLU": (nn.LeakyReLU(0.1), randn(4, 5)),
        "GELU": (nn.GELU(), randn(4, 5)),
        "Step": (nn.Step(), randn(4, 5)),
        "Softmax": (nn.Softmax(), randn(3, 6)),
        "Dropout": (nn.Dropout(0.3), randn(4, 5)),
        "BatchNorm1d": (nn.BatchNorm1d(5), randn(6, 5)),
        "Residual": (nn.Residual(nn.Sequential(nn.Linear(5, 5), nn.Tanh())), randn(4, 5)),
        "Conv2d": (nn.Conv2d(2, 3, 3), randn(2, 2, 5, 5)),
        "Conv2d-stride-padding": (nn.Conv2d(2, 3, 3, stride=2, padding=1), randn(2, 2, 7, 6)),
        "Conv2d-rect-kernel": (nn.Conv2d(1, 2, (2, 3), stride=1, padding=2), randn(2, 1, 4, 5)),
        "MaxPool2d": (nn.MaxPool2d(2), randn(2, 3, 6, 6)),
        "MaxPool2d-overlapping": (nn.MaxPool2d(3, stride=2), randn(2, 2, 7, 7)),
        "Flatten": (nn.Flatten(), randn(2, 2, 3, 3)),
        "RNN": (nn.RNN(3, 4), randn(2, 6, 3)),
        "Embedding": (nn.Embedding(7, 3), rng.integers(0, 7, (4, 5))),
        "Attention-self": (nn.ScaledDotProductAttention(), randn(2, 4, 3)),
        "Attention-causal-qkv": (nn.ScaledDotProductAttention(causal=True),
                                 (randn(2, 4, 3, seed=1), randn(2, 5, 3, seed=2), randn(2, 5, 2, seed=3))),
        # (a bias right before BatchNorm would get an exactly-zero gradient — BN subtracts the mean —
        # and a relative error of 0/0; so the Linear feeding BN has none, as in practice)
        "Sequential-CNN": (nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.Tanh(), nn.MaxPool2d(2),
                                         nn.Flatten(), nn.Linear(8, 4, bias=False), nn.BatchNorm1d(4),
                                         nn.ReLU(), nn.Dropout(0.2), nn.Linear(4, 3)), randn(5, 1, 4, 4)),
        "Sequential-MLP": (nn.Sequential(nn.Linear(3, 6), nn.GELU(), nn.Residual(nn.Linear(6, 6)),
                                         nn.Sigmoid(), nn.Linear(6, 2)), randn(4, 3)),
    }


@pytest.mark.parametrize("name", list(make_cases()))
def test_gradcheck(name):
    layer, x = make_cases()[name]
    errors = gradcheck(layer, x, details=True)
    expected = {"x"} if not isinstance(x, tuple) else {"x0", "x1", "x2"}
    if name == "Embedding":
        expected = set()  # integer token ids have no gradient
    assert expected | set(layer.params) == set(errors)
    assert max(errors.values()) < TOL, errors


def test_gradcheck_detects_a_wrong_backward():
    class Broken(nn.Tanh):
        def backward(self, dout):
            return dout * (1 - self.y)  # forgot to square

    assert gradcheck(Broken(), randn(3, 4)) > 1e-2


def test_linear_is_x_at_W_plus_b():
    layer = nn.Linear(3, 2)
    x = randn(4, 3).astype(np.float32)
    assert layer.params["W"].shape == (3, 2)
    np.testing.assert_allclose(layer(x), x @ layer.params["W"] + layer.params["b"], rtol=1e-6)


def test_float32_by_default_and_dtype_follows_input():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    assert net.flat_params.dtype == np.float32
    assert net(randn(2, 3).astype(np.float32)).dtype == np.float32
    net.to(np.float64)
    assert net.flat_params.dtype == np.float64 and net(randn(2, 3)).dtype == np.float64


def test_sequential_params_are_views_of_one_flat_vector():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Residual(nn.Sequential(nn.Linear(4, 4))),
                        nn.Linear(4, 2))
    assert list(net.params) == ["0.W", "0.b", "2.block.0.W", "2.block.0.b", "3.W", "3.b"]
    assert net.flat_params.size == sum(p.size for p in net.params.values())
    net.flat_params[:] = 7.0
    assert all((p == 7.0).all() for p in net.params.values())
    x = randn(5, 3).astype(np.float32)
    net.backward(net(x) * 0 + 1)
    assert np.shares_memory(net.grads["3.W"], net.flat_grads)
    assert np.abs(net.flat_grads).sum() > 0


def test_first_layer_can_skip_its_input_gradient():
    net = nn.Sequential(nn.Flatten(), nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 1))
    x = randn(2, 2, 2).astype(np.float32)
    out = net(x)
    dx = net.backward(np.ones_like(out))
    assert dx.shape == x.shape
    full = net.flat_grads.copy()
    net.needs_input_grad = False
    net(x)
    assert net.backward(np.ones_like(out)) is None
    np.testing.assert_array_equal(net.flat_grads, full)  # parameter gradients unchanged


def test_eval_outputs_are_not_overwritten_by_later_steps():
    net = nn.Sequential(nn.Linear(2, 3), nn.Tanh())
    a = net(randn(4, 2), train=False)
    keep = a.copy()
    net(randn(4, 2, seed=5), train=False)
    np.testing.assert_array_equal(a, keep)


def test_step_cannot_learn():
    layer = nn.Step()
    y = layer(np.array([[-1.0, 0.5, 2.0]]))
    np.testing.assert_array_equal(y, [[0.0, 1.0, 1.0]])
    assert not layer.backward(np.ones((1, 3))).any()


def test_dropout_is_inverted_and_identity_in_eval():
    layer = nn.Dropout(0.25, rng=np.random.default_rng(0))
    x = np.ones((2000, 50), np.float32)
    y = layer(x, train=True)
    assert set(np.unique(y)) == {0.0, np.float32(1 / 0.75)}
    assert abs(y.mean() - 1.0) < 0.01
    assert abs((y == 0).mean() - 0.25) < 0.01
    assert layer(x, train=False) is x


def test_batchnorm_running_statistics_follow_pytorch():
    bn = nn.BatchNorm1d(3, momentum=0.1).to(np.float64)
    x = randn(8, 3) * 2 + 5
    bn(x, train=True)
    np.testing.assert_allclose(bn.running_mean, 0.9 * 0 + 0.1 * x.mean(0))
    np.testing.assert_allclose(bn.running_var, 0.9 * 1 + 0.1 * x.var(0, ddof=1))  # unbiased
    y = bn(x, train=True)
    np.testing.assert_allclose(y.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(0), 1 / (1 + 1e-5 / x.var(0)), rtol=1e-9)
    y_eval = bn(x, train=False)
    np.testing.assert_allclose(y_eval, (x - bn.running_mean) / np.sqrt(bn.running_var + 1e-5))


def test_conv_output_shape_and_matches_direct_loop():
    conv = nn.Conv2d(2, 3, 3, stride=2, padding=1).to(np.float64)
    x = randn(2, 2, 7, 6)
    y = conv(x)
    assert y.shape == (2, 3, 4, 3)
    W, b = conv.params["W"], conv.params["b"]
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    direct = np.zeros_like(y)
    for i in range(4):
        for j in range(3):
            patch = xp[:, :, 2 * i:2 * i + 3, 2 * j:2 * j + 3]
            direct[:, :, i, j] = np.einsum("nchw,fchw->nf", patch, W) + b
    np.testing.assert_allclose(y, direct, rtol=1e-12, atol=1e-12)


def test_maxpool_forward():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    np.testing.assert_array_equal(nn.MaxPool2d(2)(x), [[[[5, 7], [13, 15]]]])


def test_rnn_follows_its_recurrence():
    rnn = nn.RNN(2, 3).to(np.float64)
    x = randn(2, 4, 2)
    hs = rnn(x)
    h = np.zeros((2, 3))
    for t in range(4):
        h = np.tanh(x[:, t] @ rnn.params["W_x"] + h @ rnn.params["W_h"] + rnn.params["b"])
        np.testing.assert_allclose(hs[:, t], h, rtol=1e-12)


def test_causal_attention_never_looks_ahead():
    att = nn.ScaledDotProductAttention(causal=True)
    x = randn(2, 5, 4)
    y = att(x)
    w = att.weights
    assert np.allclose(w.sum(-1), 1.0) and np.all(np.triu(w[0], 1) == 0)
    x2 = x.copy()
    x2[:, -1] += 10.0  # changing the last position cannot change earlier outputs
    np.testing.assert_allclose(att(x2)[:, :-1], y[:, :-1])


def test_initialisers_follow_pytorch_formulas():
    from tutor.nn import init

    rng = np.random.default_rng(0)
    assert init.fans((20, 30)) == (20, 30)
    assert init.fans((8, 3, 5, 5)) == (75, 200)
    w = init.xavier_uniform((300, 500), rng=rng, dtype=np.float64)
    bound = np.sqrt(6 / 800)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert abs(init.xavier_normal((400, 600), rng=rng).std() - np.sqrt(2 / 1000)) < 1e-3
    assert abs(init.kaiming_normal((500, 400), nonlinearity="relu", rng=rng).std() - np.sqrt(2 / 500)) < 1e-3
    k = init.kaiming_uniform((500, 400), nonlinearity="relu", rng=rng)
    assert abs(np.abs(k).max() - np.sqrt(6 / 500)) < 1e-3
    assert init.calculate_gain("tanh") == 5 / 3
    assert init.calculate_gain("leaky_relu", 0.2) == np.sqrt(2 / 1.04)
    assert not init.zeros((3, 3)).any()
    assert nn.Linear(4, 3, init="he_normal").params["W"].dtype == np.float32
    with pytest.raises(ValueError):
        nn.Linear(2, 2, init="nonsense")


def test_manual_seed_makes_networks_reproducible():
    def build():
        nn.manual_seed(123)
        return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 2))

    a, b = build(), build()
    np.testing.assert_array_equal(a.flat_params, b.flat_params)
    x = randn(3, 4).astype(np.float32)
    np.testing.assert_array_equal(a(x), b(x))
