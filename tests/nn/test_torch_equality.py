"""The sequence layers equal PyTorch's, outputs AND gradients, to 1e-6 in float64, given the same
weights: LSTM = torch.nn.LSTM, LayerNorm = torch.nn.LayerNorm, MultiHeadAttention =
torch.nn.MultiheadAttention(batch_first=True), TransformerBlock = torch.nn.TransformerEncoderLayer
(dropout=0, batch_first=True), RNN = torch.nn.RNN, Conv2d = torch.nn.Conv2d, MaxPool2d =
torch.nn.MaxPool2d.

Skipped where torch is not installed (CI); ``make test-torch`` runs it in the bench venv."""

import numpy as np
import pytest

from tutor import nn

torch = pytest.importorskip("torch", reason="PyTorch is not installed: comparison with torch.nn skipped")

TOL = dict(rtol=1e-6, atol=1e-6)  # and the errors seen are ~1e-15


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def tensor(a, grad=False):
    return torch.tensor(np.array(a, dtype=np.float64), requires_grad=grad)


def close(ours, theirs, what):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else theirs
    np.testing.assert_allclose(ours, theirs, **TOL, err_msg=what)


def run_both(ours, theirs_fn, x, seed=1):
    """Forward both on x, backward both with the same random dL/dy; returns our dx and torch's x."""
    ours.to(np.float64)
    y = ours.forward(x)
    xt = tensor(x, grad=True)
    yt = theirs_fn(xt)
    close(y, yt, "output")
    dout = randn(*y.shape, seed=seed)
    dx = ours.backward(dout)
    yt.backward(torch.from_numpy(dout))
    close(dx, xt.grad, "dL/dx")
    return y


def biases(layer, seed=7):
    """Non-zero biases (and γ ≠ 1), so that a wrong bias gradient cannot hide behind zeros."""
    rng = np.random.default_rng(seed)
    for k, v in layer.params.items():
        name = k.split(".")[-1]
        if name.startswith("b") or name == "beta":
            v[...] = 0.3 * rng.standard_normal(v.shape)
        elif name == "gamma":
            v[...] = 1.0 + 0.3 * rng.standard_normal(v.shape)


def copy_mha(ours, theirs):
    p = ours.params
    with torch.no_grad():
        # torch computes x Wᵀ: its in_proj_weight is (3E, E) = concat(W_q, W_k, W_v, axis=1)ᵀ
        theirs.in_proj_weight.copy_(tensor(np.concatenate([p["W_q"], p["W_k"], p["W_v"]], axis=1).T))
        theirs.in_proj_bias.copy_(tensor(np.concatenate([p["b_q"], p["b_k"], p["b_v"]])))
        theirs.out_proj.weight.copy_(tensor(p["W_o"].T))
        theirs.out_proj.bias.copy_(tensor(p["b_o"]))


def check_mha_grads(grads, E, theirs, prefix=""):
    g = grads
    w, b = theirs.in_proj_weight.grad.numpy(), theirs.in_proj_bias.grad.numpy()
    for i, name in enumerate("qkv"):
        close(g[prefix + "W_" + name], w[i * E:(i + 1) * E].T, "dW_" + name)
        close(g[prefix + "b_" + name], b[i * E:(i + 1) * E], "db_" + name)
    close(g[prefix + "W_o"], theirs.out_proj.weight.grad.numpy().T, "dW_o")
    close(g[prefix + "b_o"], theirs.out_proj.bias.grad, "db_o")


def test_lstm_equals_torch():
    nn.manual_seed(0)
    ours = nn.LSTM(3, 5).to(np.float64)
    biases(ours)
    theirs = torch.nn.LSTM(3, 5, batch_first=True).double()
    p = ours.params
    with torch.no_grad():
        # gates in the same order (i, f, g, o); torch's weights are the transposes; its two biases add
        theirs.weight_ih_l0.copy_(tensor(p["W_x"].T))
        theirs.weight_hh_l0.copy_(tensor(p["W_h"].T))
        theirs.bias_ih_l0.copy_(tensor(p["b"]))
        theirs.bias_hh_l0.zero_()
    run_both(ours, lambda xt: theirs(xt)[0], randn(4, 7, 3))
    close(ours.grads["W_x"], theirs.weight_ih_l0.grad.numpy().T, "dW_x")
    close(ours.grads["W_h"], theirs.weight_hh_l0.grad.numpy().T, "dW_h")
    close(ours.grads["b"], theirs.bias_ih_l0.grad, "db")
    close(ours.grads["b"], theirs.bias_hh_l0.grad, "db (= d bias_hh)")


def test_rnn_equals_torch():
    nn.manual_seed(0)
    ours = nn.RNN(3, 5).to(np.float64)
    theirs = torch.nn.RNN(3, 5, batch_first=True, nonlinearity="tanh").double()
    p = ours.params
    with torch.no_grad():
        theirs.weight_ih_l0.copy_(tensor(p["W_x"].T))
        theirs.weight_hh_l0.copy_(tensor(p["W_h"].T))
        theirs.bias_ih_l0.copy_(tensor(p["b"]))
        theirs.bias_hh_l0.zero_()
    run_both(ours, lambda xt: theirs(xt)[0], randn(4, 7, 3))
    close(ours.grads["W_x"], theirs.weight_ih_l0.grad.numpy().T, "dW_x")
    close(ours.grads["W_h"], theirs.weight_hh_l0.grad.numpy().T, "dW_h")
    close(ours.grads["b"], theirs.bias_ih_l0.grad, "db")


@pytest.mark.parametrize("shape", [6, (3, 6)])
def test_layernorm_equals_torch(shape):
    ours = nn.LayerNorm(shape).to(np.float64)
    biases(ours)
    theirs = torch.nn.LayerNorm(shape).double()
    with torch.no_grad():
        theirs.weight.copy_(tensor(ours.params["gamma"]))
        theirs.bias.copy_(tensor(ours.params["beta"]))
    run_both(ours, theirs, 3.0 * randn(2, 4, 3, 6) + 1.0)
    close(ours.grads["gamma"], theirs.weight.grad, "dγ")
    close(ours.grads["beta"], theirs.bias.grad, "dβ")


@pytest.mark.parametrize("causal", [False, True])
def test_multihead_attention_equals_torch(causal):
    nn.manual_seed(0)
    E, heads, T = 8, 2, 5
    ours = nn.MultiHeadAttention(E, heads, causal=causal).to(np.float64)
    biases(ours)
    theirs = torch.nn.MultiheadAttention(E, heads, batch_first=True).double()
    copy_mha(ours, theirs)
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1) if causal else None  # True = masked
    weights = {}

    def forward(xt):
        out, w = theirs(xt, xt, xt, attn_mask=mask, need_weights=True, average_attn_weights=False)
        weights["torch"] = w
        return out

    run_both(ours, forward, randn(3, T, E))
    check_mha_grads(ours.grads, E, theirs)
    assert ours.weights.shape == (3, heads, T, T)
    close(ours.weights, weights["torch"], "attention weights")


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_block_equals_torch_encoder_layer(norm_first):
    nn.manual_seed(0)
    D, heads, hidden = 8, 2, 16
    ours = nn.TransformerBlock(D, heads, hidden, norm_first=norm_first).to(np.float64)
    biases(ours)
    theirs = torch.nn.TransformerEncoderLayer(D, heads, hidden, dropout=0.0, batch_first=True,
                                              norm_first=norm_first).double()
    p = ours.params
    copy_mha(ours.attn, theirs.self_attn)
    with torch.no_grad():
        theirs.linear1.weight.copy_(tensor(p["ff.0.W"].T))
        theirs.linear1.bias.copy_(tensor(p["ff.0.b"]))
        theirs.linear2.weight.copy_(tensor(p["ff.2.W"].T))
        theirs.linear2.bias.copy_(tensor(p["ff.2.b"]))
        for i in (1, 2):
            getattr(theirs, f"norm{i}").weight.copy_(tensor(p[f"norm{i}.gamma"]))
            getattr(theirs, f"norm{i}").bias.copy_(tensor(p[f"norm{i}.beta"]))
    run_both(ours, theirs, randn(3, 5, D))
    check_mha_grads(ours.grads, D, theirs.self_attn, prefix="attn.")
    g = ours.grads
    close(g["ff.0.W"], theirs.linear1.weight.grad.numpy().T, "dW_1")
    close(g["ff.0.b"], theirs.linear1.bias.grad, "db_1")
    close(g["ff.2.W"], theirs.linear2.weight.grad.numpy().T, "dW_2")
    close(g["ff.2.b"], theirs.linear2.bias.grad, "db_2")
    for i in (1, 2):
        close(g[f"norm{i}.gamma"], getattr(theirs, f"norm{i}").weight.grad, f"dγ_{i}")
        close(g[f"norm{i}.beta"], getattr(theirs, f"norm{i}").bias.grad, f"dβ_{i}")


@pytest.mark.parametrize("kernel, stride, padding", [(3, 1, 0), (3, 2, 1), ((2, 3), 1, 2)])
def test_conv2d_equals_torch(kernel, stride, padding):
    nn.manual_seed(0)
    ours = nn.Conv2d(2, 3, kernel, stride=stride, padding=padding).to(np.float64)
    theirs = torch.nn.Conv2d(2, 3, kernel, stride=stride, padding=padding).double()
    with torch.no_grad():  # the same layout (out, in, kh, kw): no transpose
        theirs.weight.copy_(tensor(ours.params["W"]))
        theirs.bias.copy_(tensor(ours.params["b"]))
    run_both(ours, theirs, randn(2, 2, 7, 6))
    close(ours.grads["W"], theirs.weight.grad, "dW")
    close(ours.grads["b"], theirs.bias.grad, "db")


@pytest.mark.parametrize("kernel, stride", [(2, None), (3, 2)])
def test_maxpool2d_equals_torch(kernel, stride):
    run_both(nn.MaxPool2d(kernel, stride=stride), torch.nn.MaxPool2d(kernel, stride=stride), randn(2, 3, 7, 7))


def test_float32_forward_is_close_to_torch():
    nn.manual_seed(0)
    ours = nn.LSTM(3, 5)
    theirs = torch.nn.LSTM(3, 5, batch_first=True)
    p = ours.params
    with torch.no_grad():
        theirs.weight_ih_l0.copy_(torch.from_numpy(p["W_x"].T.copy()))
        theirs.weight_hh_l0.copy_(torch.from_numpy(p["W_h"].T.copy()))
        theirs.bias_ih_l0.copy_(torch.from_numpy(p["b"].copy()))
        theirs.bias_hh_l0.zero_()
    x = randn(4, 7, 3).astype(np.float32)
    y = ours(x)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, theirs(torch.from_numpy(x))[0].detach().numpy(), rtol=1e-5, atol=1e-6)
