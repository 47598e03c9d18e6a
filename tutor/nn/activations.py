"""Activation functions: the non-linearities that make a stack of layers more than one linear map.

Each is elementwise (except Softmax), so backward is dL/dx = dout · f'(x).
"""

from __future__ import annotations

import math

import numpy as np

from .module import Module

__all__ = ["Sigmoid", "Tanh", "ReLU", "LeakyReLU", "GELU", "Step", "Softmax"]


class Sigmoid(Module):
    """σ(x) = 1 / (1 + e^(-x)): squashes to (0, 1); its slope is at most 1/4, which is why deep
    sigmoid nets suffer vanishing gradients."""

    def forward(self, x, train=True):
        y = self.buffer("y", x.shape, x.dtype, train)
        # σ(x) = (1 + tanh(x/2)) / 2 — the same function, but never overflows for x = ±1000
        np.multiply(x, 0.5, out=y)
        np.tanh(y, out=y)
        y += 1.0
        y *= 0.5
        self.y = y
        return y

    def backward(self, dout):
        dx = self.buffer("dx", dout.shape, dout.dtype)
        # σ'(x) = σ(x) (1 - σ(x))
        np.subtract(1.0, self.y, out=dx)
        dx *= self.y
        dx *= dout
        return dx


class Tanh(Module):
    """tanh(x) = (e^x - e^-x) / (e^x + e^-x): zero-centred, in (-1, 1); the RNN's activation."""

    def forward(self, x, train=True):
        y = self.buffer("y", x.shape, x.dtype, train)
        np.tanh(x, out=y)
        self.y = y
        return y

    def backward(self, dout):
        dx = self.buffer("dx", dout.shape, dout.dtype)
        # tanh'(x) = 1 - tanh²(x)
        np.multiply(self.y, self.y, out=dx)
        np.subtract(1.0, dx, out=dx)
        dx *= dout
        return dx


class ReLU(Module):
    """ReLU(x) = max(0, x): slope exactly 1 where active, so gradients pass undiminished.

    Its output has the memory layout of its input (``np.empty_like``), so after a Conv2d, whose
    output is a transposed view, it runs over contiguous memory instead of transposing it.
    """

    def _like(self, name, a, train=True):
        """A reusable array with a's shape, dtype and memory layout."""
        buf = self._buffers.get(name)
        if not train or buf is None or buf.shape != a.shape or buf.dtype != a.dtype or buf.strides != a.strides:
            buf = np.empty_like(a)
            if train:
                self._buffers[name] = buf
        return buf

    def forward(self, x, train=True):
        y = self._like("y", x, train)
        np.maximum(x, 0.0, out=y)
        self.y = y
        return y

    def backward(self, dout):
        dx = self._like("dx", self.y)
        # ReLU'(x) = 1 if x > 0 else 0  (and y > 0 exactly when x > 0)
        np.greater(self.y, 0.0, out=dx)
        dx *= dout
        return dx


class LeakyReLU(Module):
    """LeakyReLU(x) = x if x > 0 else a·x: a small slope keeps "dead" units learning."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x, train=True):
        self.slope = np.where(x > 0, 1.0, self.negative_slope).astype(x.dtype)
        return x * self.slope

    def backward(self, dout):
        # f'(x) = 1 if x > 0 else a
        return dout * self.slope

    def __repr__(self) -> str:
        return f"LeakyReLU({self.negative_slope})"


class GELU(Module):
    """GELU, tanh approximation (PyTorch's ``GELU(approximate="tanh")``):

    GELU(x) ≈ x/2 · (1 + tanh(u)),  u = sqrt(2/π) (x + 0.044715 x³)
    """

    approximate = "tanh"
    _C = math.sqrt(2.0 / math.pi)

    def forward(self, x, train=True):
        self.x = x
        # u = sqrt(2/π) (x + 0.044715 x³) ; t = tanh(u)
        self.t = np.tanh(self._C * (x + 0.044715 * x**3))
        return 0.5 * x * (1.0 + self.t)

    def backward(self, dout):
        x, t = self.x, self.t
        # d/dx = (1 + t)/2 + x/2 · (1 - t²) · sqrt(2/π) (1 + 3·0.044715 x²)
        du = self._C * (1.0 + 3 * 0.044715 * x**2)
        return dout * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du)

    def __repr__(self) -> str:
        return 'GELU(approximate="tanh")'


class Step(Module):
    """The perceptron's step function: 1 if x > 0 else 0.

    Its derivative is 0 everywhere (and undefined at 0), so backward returns zeros: no gradient
    reaches the weights and gradient descent cannot learn through it. That is why it was replaced
    by sigmoid.
    """

    def forward(self, x, train=True):
        return (x > 0).astype(x.dtype)

    def backward(self, dout):
        # step'(x) = 0 (almost everywhere)
        return np.zeros_like(dout)


class Softmax(Module):
    """softmax(x)_i = e^(x_i) / Σ_j e^(x_j) along the last axis: turns logits into probabilities.

    For training a classifier prefer ``SoftmaxCrossEntropyLoss`` on logits (fused, more stable).
    """

    def forward(self, x, train=True):
        # subtract the max first: same result (the factor e^(-max) cancels), but e^(...) ≤ 1 never overflows
        z = x - x.max(axis=-1, keepdims=True)
        e = np.exp(z)
        self.y = e / e.sum(axis=-1, keepdims=True)
        return self.y

    def backward(self, dout):
        y = self.y
        # Jacobian-vector product: dx_i = y_i (dout_i - Σ_j dout_j y_j)
        return y * (dout - (dout * y).sum(axis=-1, keepdims=True))
