"""Optimizers follow the published update rules (torch.optim's documentation) to 1e-12."""

import math

import numpy as np
import pytest

from tutor.nn import optim

STEPS = 25


def grad_fn(p):
    """Gradient of a bumpy, ill-conditioned function, so trajectories are not trivial."""
    scales = np.linspace(0.5, 5.0, p.size).reshape(p.shape)
    return scales * p + np.sin(3 * p)


def start():
    return np.random.default_rng(0).standard_normal((3, 4))


# -- hand-written references, written straight from the documented formulas --------------------

def ref_sgd(p, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    b = None
    out = []
    for t in range(1, STEPS + 1):
        g = grad_fn(p) + weight_decay * p
        if momentum:
            b = g.copy() if t == 1 else momentum * b + (1 - dampening) * g
            g = g + momentum * b if nesterov else b
        p = p - lr * g
        out.append(p)
    return out


def ref_adagrad(p, lr, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
    s = np.full_like(p, initial_accumulator_value)
    out = []
    for t in range(1, STEPS + 1):
        g = grad_fn(p) + weight_decay * p
        lr_t = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g
        p = p - lr_t * g / (np.sqrt(s) + eps)
        out.append(p)
    return out


def ref_rmsprop(p, lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    v = np.zeros_like(p)
    gbar = np.zeros_like(p)
    b = np.zeros_like(p)
    out = []
    for _ in range(STEPS):
        g = grad_fn(p) + weight_decay * p
        v = alpha * v + (1 - alpha) * g * g
        vt = v
        if centered:
            gbar = alpha * gbar + (1 - alpha) * g
            vt = v - gbar * gbar
        if momentum:
            b = momentum * b + g / (np.sqrt(vt) + eps)
            p = p - lr * b
        else:
            p = p - lr * g / (np.sqrt(vt) + eps)
        out.append(p)
    return out


def ref_adam(p, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled=False):
    b1, b2 = betas
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    out = []
    for t in range(1, STEPS + 1):
        g = grad_fn(p)
        if decoupled:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(p)
    return out


CASES = [
    ("SGD", dict(lr=0.05), ref_sgd),
    ("SGD", dict(lr=0.05, momentum=0.9), ref_sgd),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01), ref_sgd),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1), ref_sgd),
    ("Adagrad", dict(lr=0.1), ref_adagrad),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5), ref_adagrad),
    ("RMSprop", dict(lr=0.01), ref_rmsprop),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.8, weight_decay=0.1), ref_rmsprop),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5), ref_rmsprop),
    ("Adam", dict(lr=0.05), ref_adam),
    ("Adam", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1), ref_adam),
    ("AdamW", dict(lr=0.05), lambda p, **kw: ref_adam(p, **kw, weight_decay=0.01, decoupled=True)),
    ("AdamW", dict(lr=0.05, weight_decay=0.3, betas=(0.5, 0.9)),
     lambda p, weight_decay, **kw: ref_adam(p, weight_decay=weight_decay, decoupled=True, **kw)),
]


@pytest.mark.parametrize("name,kwargs,reference", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_trajectory_matches_published_rule(name, kwargs, reference):
    opt = getattr(optim, name)(**kwargs)
    p = start()
    for expected in reference(start(), **kwargs):
        g = grad_fn(p)
        g_before = g.copy()
        opt.update({"W": p}, {"W": g})
        np.testing.assert_allclose(p, expected, rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(g, g_before)  # the caller's gradient is never modified
    assert not np.allclose(p, start())


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"])
def test_flat_vector_update_equals_per_tensor_update(name):
    """Updating one flat vector (what Sequential provides) is the same as layer by layer."""
    kwargs = {"lr": 0.01}
    if name in ("SGD", "RMSprop"):
        kwargs["momentum"] = 0.9
    flat = np.random.default_rng(1).standard_normal(20)
    params = {"W": flat[:12].reshape(3, 4), "b": flat[12:]}
    per_tensor = {k: v.copy() for k, v in params.items()}
    opt_flat, opt_dict = getattr(optim, name)(**kwargs), getattr(optim, name)(**kwargs)
    elementwise_grad = lambda p: 2 * p + np.sin(3 * p)
    for _ in range(5):
        opt_flat.update(flat, elementwise_grad(flat))
        opt_dict.update(per_tensor, {k: elementwise_grad(v) for k, v in per_tensor.items()})
    np.testing.assert_array_equal(np.concatenate([v.ravel() for v in per_tensor.values()]), flat)


def test_adam_first_step_is_lr_sized():
    """Bias correction: Adam's very first step is ±lr whatever the gradient's scale."""
    p = np.array([1.0, -2.0, 3.0])
    optim.Adam(lr=0.1).update(p, np.array([1e-3, -50.0, 7.0]))
    np.testing.assert_allclose(p, [0.9, -1.9, 2.9], rtol=1e-4)


def test_penalties():
    params = {"0.W": np.array([[1.0, -2.0]]), "0.b": np.array([5.0])}
    grads = {"0.W": np.zeros((1, 2)), "0.b": np.zeros(1)}
    l2 = optim.L2(0.1)
    assert l2.loss(params) == pytest.approx(0.05 * 5)  # (λ/2) Σ w², biases excluded
    l2.add_grad(params, grads)
    np.testing.assert_allclose(grads["0.W"], [[0.1, -0.2]])
    assert grads["0.b"][0] == 0.0
    l1 = optim.L1(0.5, only_weights=False)
    assert l1.loss(params) == pytest.approx(0.5 * 8)
    l1.add_grad(params, grads)
    np.testing.assert_allclose(grads["0.W"], [[0.6, -0.7]])
    np.testing.assert_allclose(grads["0.b"], [0.5])


def test_sgd_with_weight_decay_equals_sgd_with_l2_penalty():
    p1 = start()
    p2 = start()
    sgd_wd, sgd = optim.SGD(lr=0.1, weight_decay=0.05), optim.SGD(lr=0.1)
    l2 = optim.L2(0.05, only_weights=False)
    for _ in range(10):
        sgd_wd.update({"W": p1}, {"W": grad_fn(p1)})
        g = {"W": grad_fn(p2)}
        l2.add_grad({"W": p2}, g)
        sgd.update({"W": p2}, g)
    np.testing.assert_allclose(p1, p2, rtol=1e-13)


def test_against_torch_optim():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: comparison with torch.optim skipped")
    settings = [
        ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
        ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.2)),
        ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.1, eps=1e-10)),
        ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-8, momentum=0.8, centered=True, weight_decay=0.1)),
        ("Adam", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
        ("AdamW", dict(lr=0.05, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.3)),
    ]
    for name, kwargs in settings:
        ours = start()
        theirs = torch.tensor(start(), requires_grad=True)
        opt_ours = getattr(optim, name)(**kwargs)
        opt_torch = getattr(torch.optim, name)([theirs], **kwargs)
        for _ in range(STEPS):
            opt_ours.update({"W": ours}, {"W": grad_fn(ours)})
            theirs.grad = torch.from_numpy(grad_fn(theirs.detach().numpy()))
            opt_torch.step()
        np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-10, atol=1e-12, err_msg=name)
