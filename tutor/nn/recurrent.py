"""A plain (Elman) recurrent layer and backpropagation through time.

The same weights are applied at every time step; the hidden state h carries the memory:

    h_t = tanh(x_t W_x + h_{t-1} W_h + b),   h_0 = 0

Backpropagation through time (BPTT) is the chain rule along that chain: the gradient reaching
h_{t-1} is (dL/dh_t · tanh'(·)) W_hᵀ. Going k steps back multiplies k such factors; with |tanh'| ≤ 1
and small W_h it shrinks geometrically — the vanishing gradient through time.
"""

from __future__ import annotations

import math

import numpy as np

from . import init as initializers
from .module import Module

__all__ = ["RNN"]


class RNN(Module):
    """tanh RNN on (N, T, D) input; returns all hidden states (N, T, H).

    params ``W_x`` (D, H), ``W_h`` (H, H), ``b`` (H,), initialised like PyTorch: U(±1/sqrt(H)).
    """

    def __init__(self, input_size: int, hidden_size: int, rng=None, dtype=np.float32) -> None:
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        k = 1.0 / math.sqrt(hidden_size)
        self.add_param("W_x", initializers.uniform((input_size, hidden_size), -k, k, rng, dtype))
        self.add_param("W_h", initializers.uniform((hidden_size, hidden_size), -k, k, rng, dtype))
        self.add_param("b", initializers.uniform((hidden_size,), -k, k, rng, dtype))

    def forward(self, x, train=True):
        n, t_len, _ = x.shape
        W_x, W_h, b = self.params["W_x"], self.params["W_h"], self.params["b"]
        self.x = x
        # the input part x_t W_x + b does not depend on h, so do it for all steps in one product
        xw = (x.reshape(n * t_len, -1) @ W_x + b).reshape(n, t_len, self.hidden_size)
        h = np.empty((n, t_len + 1, self.hidden_size), np.result_type(x, W_h))
        h[:, 0] = 0.0  # h_0
        for t in range(t_len):
            # h_t = tanh(x_t W_x + h_{t-1} W_h + b)
            h[:, t + 1] = np.tanh(xw[:, t] + h[:, t] @ W_h)
        self.h = h
        return h[:, 1:]

    def backward(self, dout):
        n, t_len, _ = dout.shape
        W_h = self.params["W_h"]
        h = self.h
        da = np.empty_like(dout)  # dL/d(pre-activation) at every step
        dh_next = np.zeros((n, self.hidden_size), dout.dtype)
        for t in reversed(range(t_len)):
            # h_t feeds the output at t and the next step: both gradients add up
            dh = dout[:, t] + dh_next
            # through tanh: da_t = dh_t (1 - h_t²)
            da[:, t] = dh * (1.0 - h[:, t + 1] ** 2)
            # to the previous state: dh_{t-1} = da_t W_hᵀ
            dh_next = da[:, t] @ W_h.T
        da2 = da.reshape(n * t_len, -1)
        # the same weights were used at every step, so their gradients sum over time:
        # dW_x = Σ_t x_tᵀ da_t ;  dW_h = Σ_t h_{t-1}ᵀ da_t ;  db = Σ_t Σ_n da_t
        np.matmul(self.x.reshape(n * t_len, -1).T, da2, out=self.grads["W_x"])
        np.matmul(h[:, :-1].reshape(n * t_len, -1).T, da2, out=self.grads["W_h"])
        np.sum(da2, axis=0, out=self.grads["b"])
        if not self.needs_input_grad:
            return None
        # dx_t = da_t W_xᵀ
        return (da2 @ self.params["W_x"].T).reshape(self.x.shape)

    def __repr__(self) -> str:
        return f"RNN({self.input_size}, {self.hidden_size})"
