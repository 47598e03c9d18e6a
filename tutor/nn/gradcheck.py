"""Gradient checking: is my backward pass right? Compare it with the definition of a derivative.

    ∂L/∂θ ≈ (L(θ + ε) - L(θ - ε)) / (2ε)        (central difference: error O(ε²))

For a layer we need a scalar L, so we take a random projection of its output, L = Σ y ⊙ r; then
dL/dy = r is what we feed to backward. Every input element and every parameter element is nudged
in turn — slow (two forward passes per number), which is why it is a test, not a training method.

A gradient that is exactly zero in theory (e.g. the bias of a Linear layer right before BatchNorm,
which subtracts the mean) gives a meaningless relative error near 1: rounding noise over rounding
noise. Check such a tensor with the absolute error instead.

Everything runs in float64: in float32 the rounding error of L (~1e-7 · |L|) divided by 2ε would
swamp the comparison.
"""

from __future__ import annotations

import numpy as np

from .losses import Loss

__all__ = ["gradcheck", "numerical_gradient", "relative_error"]


def relative_error(analytic, numeric) -> float:
    """‖a - n‖ / (‖a‖ + ‖n‖), 0 when both are zero: scale-free, and robust to tiny entries."""
    a, n = np.ravel(analytic), np.ravel(numeric)
    denom = np.linalg.norm(a) + np.linalg.norm(n)
    return 0.0 if denom == 0.0 else float(np.linalg.norm(a - n) / denom)


def _rngs(obj):
    """Random generators inside a module (e.g. Dropout's), so every forward draws the same mask."""
    found = []
    leaves = obj.leaves() if hasattr(obj, "leaves") else []
    for _, m in leaves:
        if isinstance(getattr(m, "rng", None), np.random.Generator):
            found.append(m.rng)
    return found


def numerical_gradient(f, arr, eps, stop=None):
    """Central differences of the scalar function f() with respect to every element of arr.

    ∂f/∂θᵢ ≈ (f(θ + εeᵢ) − f(θ − εeᵢ)) / 2ε. ``stop()``, if given, is asked before every element
    (a live lesson may cancel a long check); elements not reached stay 0.
    """
    grad = np.zeros(arr.shape)
    it = np.nditer(arr, flags=["multi_index"])
    for _ in it:
        if stop is not None and stop():
            break
        i = it.multi_index
        old = arr[i]
        arr[i] = old + eps
        plus = f()
        arr[i] = old - eps
        minus = f()
        arr[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def gradcheck(layer_or_loss, x, target=None, *, eps: float = 1e-6, train: bool = True,
              seed: int = 12345, details: bool = False):
    """Largest relative error between analytic and numerical gradients.

    ``layer_or_loss``: a module (converted to float64 in place) or a loss (then ``target`` is its
    target). ``x``: the input — an array, or a tuple of arrays for attention; integer inputs (token
    ids) are not differentiated. With ``details=True`` returns a dict {name: error} instead.
    """
    is_loss = isinstance(layer_or_loss, Loss)
    obj = layer_or_loss
    as64 = lambda a: a.astype(np.float64) if np.issubdtype(np.asarray(a).dtype, np.floating) else np.asarray(a)
    xs = tuple(as64(a) for a in x) if isinstance(x, (tuple, list)) else as64(x)
    inputs = list(xs) if isinstance(xs, tuple) else [xs]
    if not is_loss:
        obj.to(np.float64)
        obj.needs_input_grad = True

    rngs = _rngs(obj)
    states = [g.bit_generator.state for g in rngs]

    def run_forward():
        for g, s in zip(rngs, states):  # replay the same random numbers every time
            g.bit_generator.state = s
        return obj.forward(xs, target) if is_loss else obj.forward(xs, train)

    # analytic gradients
    if is_loss:
        L = lambda: run_forward()
        run_forward()
        analytic = {"x": obj.backward()}
    else:
        out = run_forward()
        r = np.random.default_rng(seed).standard_normal(np.shape(out))
        L = lambda: float(np.sum(run_forward() * r))
        dx = obj.backward(r)
        dxs = list(dx) if isinstance(dx, tuple) else [dx]
        analytic = {f"x{i}" if len(inputs) > 1 else "x": np.array(d) for i, d in enumerate(dxs)}
        analytic.update({k: np.array(g) for k, g in obj.grads.items()})

    # numerical gradients, tensor by tensor
    targets = {}
    for i, a in enumerate(inputs):
        if np.issubdtype(a.dtype, np.floating):
            targets[f"x{i}" if len(inputs) > 1 else "x"] = a
    if not is_loss:
        targets.update(obj.params)
    errors = {}
    for name, arr in targets.items():
        errors[name] = relative_error(analytic[name], numerical_gradient(L, arr, eps))
    if is_loss:
        errors = {"pred": errors.pop("x")}
    return errors if details else max(errors.values())
