"""Layers with parameters or with a train/eval difference: Linear, Flatten, Dropout, BatchNorm1d,
Embedding.

Notation: x is the input batch (first axis = examples), dout = dL/dy arrives from the layer above,
and each backward returns dx = dL/dx.
"""

from __future__ import annotations

import math

import numpy as np

from . import init as initializers
from .module import Module, ones

__all__ = ["Linear", "Flatten", "Dropout", "BatchNorm1d", "Embedding"]


class Linear(Module):
    """A fully connected layer: each output is a weighted sum of all inputs plus a bias.

    ``init`` names the weight initialiser (see ``tutor.nn.init.NAMES``: "default" is PyTorch's,
    "zeros", "normal"/"small_random", "xavier_uniform", "xavier_normal", "he_uniform",
    "he_normal", ...) or is a callable ``f(shape, rng=None, dtype=...)``. The bias starts at zero,
    except with "default", where it is drawn like PyTorch's: U(±1/sqrt(in_features)).
    """

    def __init__(self, in_features: int, out_features: int, init="default", bias: bool = True,
                 rng=None, dtype=np.float32) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.add_param("W", initializers.get(init)((in_features, out_features), rng=rng, dtype=dtype))
        if bias:
            if init == "default":
                bound = 1.0 / math.sqrt(in_features)
                self.add_param("b", initializers.uniform((out_features,), -bound, bound, rng, dtype))
            else:
                self.add_param("b", np.zeros(out_features, dtype))

    def forward(self, x, train=True):
        self.x = x
        W = self.params["W"]
        x2 = x if x.ndim == 2 else x.reshape(-1, self.in_features)  # extra axes (e.g. time) = more rows
        y = self.buffer("y", (x2.shape[0], self.out_features), np.result_type(x, W), train)
        # y = x W + b
        np.matmul(x2, W, out=y)
        if "b" in self.params:
            y += self.params["b"]
        return y if x.ndim == 2 else y.reshape(*x.shape[:-1], self.out_features)

    def backward(self, dout):
        x2 = self.x if self.x.ndim == 2 else self.x.reshape(-1, self.in_features)
        d2 = dout if dout.ndim == 2 else dout.reshape(-1, self.out_features)
        # dL/dW = xᵀ · dout   (each weight's gradient sums over the batch)
        np.matmul(x2.T, d2, out=self.grads["W"])
        if "b" in self.params:
            # dL/db = Σ_n dout_n, written 1ᵀ · dout: one BLAS call beats sum(axis=0) on small batches
            np.matmul(ones(d2.shape[0], d2.dtype), d2, out=self.grads["b"])
        if not self.needs_input_grad:
            return None
        dx = self.buffer("dx", x2.shape, np.result_type(dout, self.params["W"]))
        # dL/dx = dout · Wᵀ
        np.matmul(d2, self.params["W"].T, out=dx)
        return dx if self.x.ndim == 2 else dx.reshape(self.x.shape)

    def __repr__(self) -> str:
        return f"Linear({self.in_features}, {self.out_features})"


class Flatten(Module):
    """Reshape (N, C, H, W) -> (N, C·H·W) so a Linear layer can follow a convolution."""

    def forward(self, x, train=True):
        self.shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout):
        return dout.reshape(self.shape)


class Dropout(Module):
    """Inverted dropout: during training zero each unit with probability p and scale the rest by
    1/(1-p), so the expected activation is unchanged and evaluation needs no rescaling.

    With ``train=False`` it is the identity.
    """

    def __init__(self, p: float = 0.5, rng=None) -> None:
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError("dropout probability must be in [0, 1)")
        self.p = p
        self.rng = initializers.default_rng() if rng is None else rng

    def forward(self, x, train=True):
        self.train = train
        if not train or self.p == 0.0:
            return x
        # mask = [u ≥ p] / (1 - p),  u ~ U(0, 1)
        self.mask = (self.rng.random(x.shape) >= self.p).astype(x.dtype)
        self.mask /= 1.0 - self.p
        return x * self.mask

    def backward(self, dout):
        if not self.train or self.p == 0.0:
            return dout
        # y = x · mask  ⇒  dL/dx = dout · mask (dropped units pass no gradient)
        return dout * self.mask

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"


class BatchNorm1d(Module):
    """Batch normalisation over the batch axis of (N, C) data, with PyTorch's conventions.

    Training:   x̂ = (x - μ_B) / sqrt(σ²_B + eps),  y = γ x̂ + β   (σ²_B is the biased batch variance)
    Running:    r_μ ← (1-m) r_μ + m μ_B,   r_σ² ← (1-m) r_σ² + m σ²_B · N/(N-1)  (unbiased)
    Evaluation: x̂ uses the running statistics instead of the batch's.
    """

    def __init__(self, num_features: int, momentum: float = 0.1, eps: float = 1e-5,
                 dtype=np.float32) -> None:
        super().__init__()
        self.num_features, self.momentum, self.eps = num_features, momentum, eps
        self.add_param("gamma", np.ones(num_features, dtype))
        self.add_param("beta", np.zeros(num_features, dtype))
        self.running_mean = np.zeros(num_features, dtype)
        self.running_var = np.ones(num_features, dtype)

    def to(self, dtype):
        super().to(dtype)
        self.running_mean = self.running_mean.astype(dtype)
        self.running_var = self.running_var.astype(dtype)
        return self

    def forward(self, x, train=True):
        gamma, beta = self.params["gamma"], self.params["beta"]
        if train:
            n = x.shape[0]
            mean = x.mean(axis=0)
            var = x.var(axis=0)  # biased: divides by N, as the normalisation itself does
            # r_μ ← (1-m) r_μ + m μ_B ;  r_σ² ← (1-m) r_σ² + m σ²_B N/(N-1)
            self.running_mean *= 1.0 - self.momentum
            self.running_mean += self.momentum * mean
            self.running_var *= 1.0 - self.momentum
            self.running_var += self.momentum * var * (n / max(n - 1, 1))
        else:
            mean, var = self.running_mean, self.running_var
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        # x̂ = (x - μ) / sqrt(σ² + eps)
        self.xhat = (x - mean) * self.inv_std
        # y = γ x̂ + β
        return self.xhat * gamma + beta

    def backward(self, dout):
        n = dout.shape[0]
        # dL/dβ = Σ dout ;  dL/dγ = Σ dout · x̂
        np.sum(dout, axis=0, out=self.grads["beta"])
        np.sum(dout * self.xhat, axis=0, out=self.grads["gamma"])
        dxhat = dout * self.params["gamma"]
        # dL/dx = (1/N) / sqrt(σ²+eps) · (N dx̂ - Σ dx̂ - x̂ Σ(dx̂ · x̂))  — μ and σ² depend on every x
        return (self.inv_std / n) * (
            n * dxhat - dxhat.sum(axis=0) - self.xhat * (dxhat * self.xhat).sum(axis=0)
        )

    def __repr__(self) -> str:
        return f"BatchNorm1d({self.num_features})"


class Embedding(Module):
    """A lookup table: token i is represented by row i of W (num, dim), W ~ N(0, 1) as in PyTorch.

    It is a Linear layer applied to one-hot vectors, without building them: y = onehot(i) W = W[i].
    """

    def __init__(self, num: int, dim: int, rng=None, dtype=np.float32) -> None:
        super().__init__()
        self.num, self.dim = num, dim
        self.add_param("W", initializers.normal((num, dim), std=1.0, rng=rng, dtype=dtype))

    def forward(self, x, train=True):
        self.idx = np.asarray(x)
        # y = W[i]
        return self.params["W"][self.idx]

    def backward(self, dout):
        dW = self.grads["W"]
        dW.fill(0)
        # dL/dW[i] = Σ of dout over every position where token i appears (np.add.at handles repeats)
        np.add.at(dW, self.idx.reshape(-1), dout.reshape(-1, self.dim))
        return None  # token ids are integers: there is no gradient to pass below

    def __repr__(self) -> str:
        return f"Embedding({self.num}, {self.dim})"
