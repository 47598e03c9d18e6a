"""Gradient clipping by norm: the usual guard against an exploding gradient.

    total = clip_grad_norm(model, max_norm=1.0)    # between backward and the optimizer's update

With g all of the gradients written as one long vector and c = ``max_norm``::

    ‖g‖ = sqrt(Σ_i ‖g_i‖²)           over every tensor g_i (one norm for the whole network)
    g ← g · c / ‖g‖   if ‖g‖ > c     (else g is left as it is)

Why it keeps the direction: the update multiplies every entry by the same positive number
c/‖g‖, so g/‖g‖ is unchanged; only the length changes, to exactly c (‖g · c/‖g‖‖ = c). A step of
plain SGD is then at most η·c long, however large the raw gradient was. Clipping never makes a
gradient longer: a vanishing gradient stays as small as it was.

This is PyTorch's ``torch.nn.utils.clip_grad_norm_`` (the trailing underscore there means "in
place"; here the name has none, as the module's other functions): it returns the total norm
*before* clipping, which is worth logging. PyTorch divides by ``total + 1e-6``, so its clipped
norm is a hair under c; here the formula is the one above, exactly. Clipping each entry to
[-c, c] instead (``clip_grad_value_``) would change the direction, which is why clipping by norm
is the usual choice.

Imports NumPy only.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["clip_grad_norm", "grad_tensors"]


def grad_tensors(grads) -> list[np.ndarray]:
    """The gradient arrays of ``grads``: a module (its ``grads``), a dict of arrays, a list or
    tuple of arrays, or one array (e.g. a network's ``flat_grads``)."""
    if hasattr(grads, "grads") and not isinstance(grads, (dict, np.ndarray)):
        grads = grads.grads
    if isinstance(grads, np.ndarray):
        return [grads]
    if isinstance(grads, dict):
        return list(grads.values())
    return list(grads)


def clip_grad_norm(grads, max_norm: float) -> float:
    """Scale the gradients in place so that their total norm is at most ``max_norm``; returns
    the total norm before clipping, ‖g‖ = sqrt(Σ ‖g_i‖²).

    ``grads``: a module, a dict of arrays (``model.grads``), a list of arrays or one array. When
    ‖g‖ > ``max_norm`` every array is multiplied by ``max_norm / ‖g‖`` (the direction is kept,
    the length becomes ``max_norm``); otherwise nothing changes. A total norm that is not finite
    (inf or NaN: the run has already diverged) is returned and nothing is scaled.
    """
    if not max_norm > 0:
        raise ValueError("max_norm must be > 0")
    tensors = grad_tensors(grads)
    total = math.sqrt(sum(float(np.vdot(g, g)) for g in tensors))
    if math.isfinite(total) and total > max_norm:
        scale = max_norm / total
        for g in tensors:
            g *= scale
    return total
