"""Scaled dot-product attention, the core of the transformer.

    Attention(Q, K, V) = softmax(Q Kᵀ / sqrt(d)) V

Each query asks "which keys look like me?" (the dot product as similarity), the softmax turns the
scores into weights that sum to 1, and the output is the weighted average of the values. Dividing
by sqrt(d) keeps the scores' variance near 1 so the softmax does not saturate.
"""

from __future__ import annotations

import math

import numpy as np

from .module import Module

__all__ = ["ScaledDotProductAttention"]


class ScaledDotProductAttention(Module):
    """Parameter-free attention on (N, T, d) arrays.

    ``forward(x)`` with one array is self-attention (Q = K = V = x) and ``backward`` returns dx;
    ``forward((q, k, v))`` takes the three separately and ``backward`` returns (dq, dk, dv).
    With ``causal=True`` position i may only look at positions j ≤ i (for generating sequences).
    After a forward pass ``self.weights`` (N, T_q, T_k) holds the attention weights, for display.
    """

    def __init__(self, causal: bool = False) -> None:
        super().__init__()
        self.causal = causal

    def forward(self, x, train=True):
        self.self_attention = not isinstance(x, (tuple, list))
        q, k, v = (x, x, x) if self.self_attention else x
        self.q, self.k, self.v = q, k, v
        self.scale = 1.0 / math.sqrt(q.shape[-1])
        # scores S = Q Kᵀ / sqrt(d)
        s = (q @ k.swapaxes(-1, -2)) * self.scale
        if self.causal:
            # a future position gets score -inf, hence weight e^(-inf) = 0
            t_q, t_k = s.shape[-2:]
            future = np.triu(np.ones((t_q, t_k), bool), k=1 + t_k - t_q)
            s = np.where(future, -np.inf, s)
        # A = softmax(S) row by row (max subtracted first so e^(...) never overflows)
        s = s - s.max(axis=-1, keepdims=True)
        e = np.exp(s)
        self.weights = e / e.sum(axis=-1, keepdims=True)
        # output = A V
        return self.weights @ v

    def backward(self, dout):
        a = self.weights
        # out = A V  ⇒  dV = Aᵀ dout,  dA = dout Vᵀ
        dv = a.swapaxes(-1, -2) @ dout
        da = dout @ self.v.swapaxes(-1, -2)
        # through the softmax: dS = A ⊙ (dA - Σ_j dA_j A_j)   (masked entries have A = 0, so dS = 0)
        ds = a * (da - (da * a).sum(axis=-1, keepdims=True))
        ds *= self.scale
        # S = Q Kᵀ · scale  ⇒  dQ = dS K,  dK = dSᵀ Q
        dq = ds @ self.k
        dk = ds.swapaxes(-1, -2) @ self.q
        if self.self_attention:
            return dq + dk + dv  # x was used three times: its gradients add
        return dq, dk, dv

    def __repr__(self) -> str:
        return f"ScaledDotProductAttention(causal={self.causal})"
