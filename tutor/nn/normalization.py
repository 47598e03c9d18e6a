"""Layer normalisation: each example normalised over its own features (BatchNorm1d, in layers.py,
normalises each feature over the batch instead).

    x̂ = (x - μ) / sqrt(σ² + eps),   y = γ ⊙ x̂ + β      μ, σ² over the last dimension(s) of one row

Why transformers use it rather than batch norm: it needs no batch statistics, so it is the same in
training and evaluation, works with a batch of one, and treats every position of a sequence alike
(each (n, t) vector is a row of its own).
"""

from __future__ import annotations

import math

import numpy as np

from .module import Module, ones

__all__ = ["LayerNorm"]


class LayerNorm(Module):
    """``torch.nn.LayerNorm``: normalise over the last ``len(normalized_shape)`` dimensions.

    ``normalized_shape`` is an int (the last dimension, the usual case) or a tuple; params
    ``gamma`` (PyTorch's ``weight``) = 1 and ``beta`` (``bias``) = 0, of that shape. σ² is the biased
    variance (divided by D, not D - 1), as in PyTorch.
    """

    def __init__(self, normalized_shape, eps: float = 1e-5, dtype=np.float32) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape, self.eps = shape, eps
        self.add_param("gamma", np.ones(shape, dtype))
        self.add_param("beta", np.zeros(shape, dtype))

    def forward(self, x, train=True):
        shape = self.normalized_shape
        if x.shape[x.ndim - len(shape):] != shape:
            raise ValueError(f"LayerNorm{shape} got input of shape {x.shape}")
        gamma, beta = self.params["gamma"], self.params["beta"]
        self.shape = x.shape
        d = math.prod(shape)
        x2 = x.reshape(-1, d)  # every vector to normalise is a row
        dtype = np.result_type(x, gamma)
        # μ = (1/D) Σ_j x_j,  σ² = (1/D) Σ_j (x_j - μ)²   (a product with a vector of ones: one BLAS call)
        ones_d = ones(d, dtype)
        mu = (x2 @ ones_d) * (1.0 / d)
        xc = self.buffer("xhat", x2.shape, dtype, train)
        np.subtract(x2, mu[:, None], out=xc)
        var = ((xc * xc) @ ones_d) * (1.0 / d)
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        # x̂ = (x - μ) / sqrt(σ² + eps)
        xc *= self.inv_std[:, None]
        self.xhat = xc
        # y = γ x̂ + β
        y = self.buffer("y", x2.shape, dtype, train)
        np.multiply(xc, gamma.reshape(-1), out=y)
        y += beta.reshape(-1)
        return y.reshape(x.shape)

    def backward(self, dout):
        d2 = dout.reshape(self.xhat.shape)
        m, d = d2.shape
        xhat = self.xhat
        # dβ = Σ_rows dout,  dγ = Σ_rows dout ⊙ x̂   (1ᵀ · (...): one BLAS call each)
        rows = ones(m, d2.dtype)
        np.matmul(rows, d2, out=self.grads["beta"].reshape(-1))
        np.matmul(rows, d2 * xhat, out=self.grads["gamma"].reshape(-1))
        if not self.needs_input_grad:
            return None
        dxhat = d2 * self.params["gamma"].reshape(-1)
        # μ and σ² depend on every x_j of the row, hence the two correction terms:
        # dx = 1/sqrt(σ²+eps) · (dx̂ - mean_j(dx̂) - x̂ ⊙ mean_j(dx̂ ⊙ x̂))
        ones_d = ones(d, dxhat.dtype)
        mean_dxhat = (dxhat @ ones_d) * (1.0 / d)
        mean_dxhat_xhat = ((dxhat * xhat) @ ones_d) * (1.0 / d)
        dx = self.buffer("dx", d2.shape, dxhat.dtype)
        np.multiply(xhat, mean_dxhat_xhat[:, None], out=dx)
        np.subtract(dxhat, dx, out=dx)
        dx -= mean_dxhat[:, None]
        dx *= self.inv_std[:, None]
        return dx.reshape(self.shape)

    def __repr__(self) -> str:
        shape = self.normalized_shape
        return f"LayerNorm({shape[0] if len(shape) == 1 else shape})"
