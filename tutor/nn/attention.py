"""Scaled dot-product attention, the core of the transformer.

    Attention(Q, K, V) = softmax(Q Kᵀ / sqrt(d)) V

Each query asks "which keys look like me?" (the dot product as similarity), the softmax turns the
scores into weights that sum to 1, and the output is the weighted average of the values. Dividing
by sqrt(d) keeps the scores' variance near 1 so the softmax does not saturate.

``MultiHeadAttention`` learns the queries, keys and values (projections of x) and runs several such
attentions side by side, one per head.
"""

from __future__ import annotations

import math

import numpy as np

from . import init as initializers
from .module import Module, ones

__all__ = ["ScaledDotProductAttention", "MultiHeadAttention"]


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


class MultiHeadAttention(Module):
    """Multi-head self-attention on (N, T, E), equal to ``torch.nn.MultiheadAttention(E, heads,
    batch_first=True)`` called as ``mha(x, x, x)`` given the same weights.

        Q = x W_q + b_q,  K = x W_k + b_k,  V = x W_v + b_v          (N, T, E) each
        split E into ``num_heads`` heads of d = E / heads:            (N, heads, T, d)
        head_h = softmax(Q_h K_hᵀ / sqrt(d)) V_h                       (ScaledDotProductAttention)
        y = concat_h(head_h) W_o + b_o

    Why several heads: one softmax gives each position one weighted average; with h heads it can
    attend to h different places at once (say, the previous token and the subject), each head
    comparing queries and keys in its own d-dimensional subspace, for the same cost as one head of E.

    params ``W_q``, ``W_k``, ``W_v``, ``W_o`` (E, E), applied as x @ W (PyTorch stores the transpose:
    ``in_proj_weight`` = concat(W_q, W_k, W_v, axis=1)ᵀ, ``out_proj.weight`` = W_oᵀ) and ``b_q``,
    ``b_k``, ``b_v``, ``b_o`` (E,). Initialised like PyTorch: W_q, W_k, W_v are Xavier-uniform slices
    of one (3E, E) matrix, U(±sqrt(6 / 4E)); W_o is U(±1/sqrt(E)); the biases are 0.
    ``b_k``'s gradient is always 0: it adds q·b_k to a whole row of scores, and softmax ignores a
    shift of its row. PyTorch keeps it anyway (one in_proj_bias), and so do we.
    With ``causal=True`` position t attends to positions ≤ t only (the upper triangle of the scores
    is masked), as in a decoder. After a forward pass ``self.weights`` (N, heads, T, T) holds every
    head's attention weights (row t: where position t looked), for display as heatmaps.
    """

    def __init__(self, embed_dim: int, num_heads: int, causal: bool = False, rng=None,
                 dtype=np.float32) -> None:
        super().__init__()
        if embed_dim % num_heads:
            raise ValueError(f"embed_dim {embed_dim} is not divisible by num_heads {num_heads}")
        self.embed_dim, self.num_heads, self.causal = embed_dim, num_heads, causal
        self.head_dim = embed_dim // num_heads
        E = embed_dim
        bound = math.sqrt(6.0 / (E + 3 * E))
        for name in ("W_q", "W_k", "W_v"):
            self.add_param(name, initializers.uniform((E, E), -bound, bound, rng, dtype))
        k = 1.0 / math.sqrt(E)
        self.add_param("W_o", initializers.uniform((E, E), -k, k, rng, dtype))
        for name in ("b_q", "b_k", "b_v", "b_o"):
            self.add_param(name, np.zeros(E, dtype))
        self.attention = ScaledDotProductAttention(causal=causal)
        self.weights = None

    def _split_heads(self, a, n, t_len):
        # (N·T, E) -> (N, T, heads, d) -> (N, heads, T, d)
        return a.reshape(n, t_len, self.num_heads, self.head_dim).transpose(0, 2, 1, 3)

    def _merge_heads(self, a):
        # (N, heads, T, d) -> (N, T, heads, d) -> (N·T, E)
        n, _, t_len, _ = a.shape
        return a.transpose(0, 2, 1, 3).reshape(n * t_len, self.embed_dim)

    def forward(self, x, train=True):
        n, t_len, E = x.shape
        p = self.params
        x2 = x.reshape(n * t_len, E)
        self.x2 = x2
        # the three projections, then every head attends on its own slice of E
        q = self._split_heads(x2 @ p["W_q"] + p["b_q"], n, t_len)
        k = self._split_heads(x2 @ p["W_k"] + p["b_k"], n, t_len)
        v = self._split_heads(x2 @ p["W_v"] + p["b_v"], n, t_len)
        heads = self.attention.forward((q, k, v), train)
        self.weights = self.attention.weights
        # concat the heads and mix them: y = concat(head_1..head_h) W_o + b_o
        self.concat = self._merge_heads(heads)
        y = self.concat @ p["W_o"] + p["b_o"]
        return y.reshape(n, t_len, E)

    def backward(self, dout):
        n, t_len, E = dout.shape
        p, g = self.params, self.grads
        d2 = dout.reshape(n * t_len, E)
        rows = ones(n * t_len, d2.dtype)
        # y = C W_o + b_o  ⇒  dW_o = Cᵀ dout,  db_o = Σ_rows dout,  dC = dout W_oᵀ
        np.matmul(self.concat.T, d2, out=g["W_o"])
        np.matmul(rows, d2, out=g["b_o"])
        dheads = (d2 @ p["W_o"].T).reshape(n, t_len, self.num_heads, self.head_dim).transpose(0, 2, 1, 3)
        dq, dk, dv = self.attention.backward(dheads)
        # each projection P = x W + b  ⇒  dW = xᵀ dP,  db = Σ_rows dP,  and dx collects all three
        dx = None
        for name, dp in (("q", dq), ("k", dk), ("v", dv)):
            dp2 = self._merge_heads(dp)
            np.matmul(self.x2.T, dp2, out=g["W_" + name])
            np.matmul(rows, dp2, out=g["b_" + name])
            if self.needs_input_grad:
                part = dp2 @ p["W_" + name].T
                dx = part if dx is None else dx + part
        return None if dx is None else dx.reshape(n, t_len, E)

    def __repr__(self) -> str:
        return f"MultiHeadAttention({self.embed_dim}, {self.num_heads}, causal={self.causal})"
