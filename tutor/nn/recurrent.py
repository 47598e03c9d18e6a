"""Recurrent layers — a plain (Elman) RNN and the LSTM — and backpropagation through time.

The same weights are applied at every time step; the hidden state h carries the memory:

    h_t = tanh(x_t W_x + h_{t-1} W_h + b),   h_0 = 0

Backpropagation through time (BPTT) is the chain rule along that chain: the gradient reaching
h_{t-1} is (dL/dh_t · tanh'(·)) W_hᵀ. Going k steps back multiplies k such factors; with |tanh'| ≤ 1
and small W_h it shrinks geometrically — the vanishing gradient through time. The LSTM adds a cell
c_t that is updated by addition and gated, so its gradient need not shrink (see ``LSTM``).
"""

from __future__ import annotations

import math

import numpy as np

from . import init as initializers
from .module import Module, ones

__all__ = ["RNN", "LSTM"]


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

    def forward(self, x, train=True, h0=None):
        n, t_len, _ = x.shape
        W_x, W_h, b = self.params["W_x"], self.params["W_h"], self.params["b"]
        self.x = x
        # the input part x_t W_x + b does not depend on h, so do it for all steps in one product
        xw = (x.reshape(n * t_len, -1) @ W_x + b).reshape(n, t_len, self.hidden_size)
        h = np.empty((n, t_len + 1, self.hidden_size), np.result_type(x, W_h))
        # h_0: zeros, or a given state (PyTorch's h0; a decoder starts from its encoder's last state)
        h[:, 0] = 0.0 if h0 is None else h0
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
        self.dh0 = dh_next  # dL/dh_0, for a given initial state
        if not self.needs_input_grad:
            return None
        # dx_t = da_t W_xᵀ
        return (da2 @ self.params["W_x"].T).reshape(self.x.shape)

    def __repr__(self) -> str:
        return f"RNN({self.input_size}, {self.hidden_size})"


class LSTM(Module):
    """Long short-term memory on (N, T, D) input; returns all hidden states (N, T, H), h_0 = c_0 = 0.

    Four gates read [x_t, h_{t-1}], in PyTorch's order i, f, g, o (columns 0:H, H:2H, 2H:3H, 3H:4H
    of the weights):

        [a_i a_f a_g a_o] = x_t W_x + h_{t-1} W_h + b                 (one product for all four)
        i = σ(a_i)    input gate: how much of the candidate to write
        f = σ(a_f)    forget gate: how much of the old cell to keep
        g = tanh(a_g) the candidate
        o = σ(a_o)    output gate: how much of the cell to show
        c_t = f ⊙ c_{t-1} + i ⊙ g,     h_t = o ⊙ tanh(c_t)

    Why it remembers: the cell is updated by *adding*, and dL/dc_{t-1} = dL/dc_t ⊙ f_t (plus what
    arrives through h) — along the cell the gradient is multiplied by the forget gate only, not by
    W_h and a tanh' as in the RNN. With f ≈ 1 it crosses many steps undiminished.

    params ``W_x`` (D, 4H), ``W_h`` (H, 4H), ``b`` (4H,), initialised like PyTorch: U(±1/sqrt(H)).
    PyTorch has two biases, ``bias_ih`` and ``bias_hh``; only their sum matters, and that is ``b``.
    After a forward pass ``self.c`` (N, T+1, H) holds the cell states (c_0 = 0 first) and
    ``self.gates`` (N, T, 4H) the gate values i, f, g, o, for display.

    Speed: inside, time and the gates come first — gate values are stored as (T, 4, N, H), states
    as (T, N, H) — so that each step works on whole contiguous blocks; NumPy is several times slower
    on a (N, H) slice of a wider row, because it loops over the rows one by one.
    """

    def __init__(self, input_size: int, hidden_size: int, rng=None, dtype=np.float32) -> None:
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        k = 1.0 / math.sqrt(hidden_size)
        self.add_param("W_x", initializers.uniform((input_size, 4 * hidden_size), -k, k, rng, dtype))
        self.add_param("W_h", initializers.uniform((hidden_size, 4 * hidden_size), -k, k, rng, dtype))
        self.add_param("b", initializers.uniform((4 * hidden_size,), -k, k, rng, dtype))

    @staticmethod
    def _sigmoid_as_tanh(dtype):
        """(s, a), each (4, 1, 1): σ(z) = ½ tanh(z/2) + ½, so all four gates are s ⊙ tanh(s ⊙ z) + a
        with s = a = ½ for i, f, o and s = 1, a = 0 for g: one tanh call per step instead of four."""
        s = np.array([0.5, 0.5, 1.0, 0.5], dtype).reshape(4, 1, 1)
        a = np.array([0.5, 0.5, 0.0, 0.5], dtype).reshape(4, 1, 1)
        return s, a

    def _by_gate(self, w):
        """(rows, 4H) -> (4, rows, H): gate g's block of columns is w_by_gate[g]."""
        return w.reshape(w.shape[0], 4, self.hidden_size).transpose(1, 0, 2)

    def forward(self, x, train=True):
        n, t_len, _ = x.shape
        H = self.hidden_size
        W_x, W_h, b = self.params["W_x"], self.params["W_h"], self.params["b"]
        dtype = np.result_type(x, W_h)
        s, a = self._sigmoid_as_tanh(dtype)
        # The input part x_t W_x + b does not depend on h: one product for all T steps, on rows
        # (t, n), gate by gate: xw[g] = x W_x[:, gate g] + b_g, (4, T·N, H). Both products are
        # taken with the weights already multiplied by s (so the pre-activations arrive halved).
        self.x_tm = x.transpose(1, 0, 2).reshape(t_len * n, -1)
        W_xs = self._by_gate(W_x) * s  # (4, D, H)
        W_hs = np.ascontiguousarray(self._by_gate(W_h) * s)  # (4, H, H)
        xw = self.buffer("xw", (4, t_len * n, H), dtype)
        if W_x.shape[0] == 1:  # one input feature: an outer product, which OpenBLAS is slow at
            np.multiply(self.x_tm, W_xs, out=xw)
        else:
            np.matmul(self.x_tm, W_xs, out=xw)
        xw += self._by_gate(b[None, :]) * s
        z = self.buffer("gates", (t_len, 4, n, H), dtype, train)
        h = self.buffer("h", (t_len, n, H), dtype, train)
        c = self.buffer("c", (t_len + 1, n, H), dtype, train)
        tc = self.buffer("tanh_c", (t_len, n, H), dtype, train)
        ig = self.buffer("ig", (n, H), dtype)
        c[0] = 0.0  # c_0 (and h_0 = 0, so the first step has no h W_h term)
        for t in range(t_len):
            zt = z[t]
            xw_t = xw[:, t * n:(t + 1) * n]
            if t == 0:
                zt[...] = xw_t
            else:
                np.matmul(h[t - 1], W_hs, out=zt)
                zt += xw_t
            # i, f, o = σ(·) and g = tanh(·), all four in one tanh
            np.tanh(zt, out=zt)
            zt *= s
            zt += a
            i, f, g, o = zt
            # c_t = f ⊙ c_{t-1} + i ⊙ g
            np.multiply(f, c[t], out=c[t + 1])
            np.multiply(i, g, out=ig)
            c[t + 1] += ig
            # h_t = o ⊙ tanh(c_t)
            np.tanh(c[t + 1], out=tc[t])
            np.multiply(o, tc[t], out=h[t])
        self.z, self.h_tm, self.c_tm, self.tanh_c = z, h, c, tc
        out = self.buffer("out", (n, t_len, H), dtype, train)
        out[...] = h.transpose(1, 0, 2)
        return out

    @property
    def c(self):
        return self.c_tm.transpose(1, 0, 2)

    @property
    def gates(self):
        t_len, _, n, H = self.z.shape
        return self.z.transpose(2, 0, 1, 3).reshape(n, t_len, 4 * H)

    def backward(self, dout):
        n, t_len, H = dout.shape
        z, c, tc = self.z, self.c_tm, self.tanh_c
        dtype = z.dtype
        i, f, g, o = z.transpose(1, 0, 2, 3)  # each (T, N, H)
        # The local derivatives, for all steps at once (they need only the forward's values):
        #   dc_t receives  dh_t ⊙ o ⊙ (1 - tanh²c_t)                          (h_t = o ⊙ tanh c_t)
        #   da_i = dc ⊙ g ⊙ i(1-i),  da_f = dc ⊙ c_{t-1} ⊙ f(1-f),  da_g = dc ⊙ i ⊙ (1-g²)
        #   da_o = dh ⊙ tanh c_t ⊙ o(1-o)
        # so each step only computes  da = [dc, dc, dc, dh] ⊙ k,  with k the four factors below.
        k = self.buffer("k", z.shape, dtype)
        np.multiply(i, 1.0 - i, out=k[:, 0])
        k[:, 0] *= g
        np.multiply(f, 1.0 - f, out=k[:, 1])
        k[:, 1] *= c[:-1]
        np.multiply(g, g, out=k[:, 2])
        np.subtract(1.0, k[:, 2], out=k[:, 2])
        k[:, 2] *= i
        np.multiply(o, 1.0 - o, out=k[:, 3])
        k[:, 3] *= tc
        dh_to_dc = o * (1.0 - tc * tc)

        dout_tm = self.buffer("dout_tm", (t_len, n, H), dtype)
        dout_tm[...] = dout.transpose(1, 0, 2)
        da = self.buffer("da", z.shape, dtype)  # dL/d(pre-activations), (T, 4, N, H)
        W_hT = np.ascontiguousarray(self._by_gate(self.params["W_h"]).transpose(0, 2, 1))  # (4, H, H)
        dh, dc = np.zeros((n, H), dtype), np.zeros((n, H), dtype)
        tmp, dh_by_gate = np.empty((n, H), dtype), np.empty((4, n, H), dtype)
        for t in reversed(range(t_len)):
            # h_t feeds the output at t and step t+1: both gradients add up (dh holds the second)
            dh += dout_tm[t]
            # c_t feeds h_t and c_{t+1} (dc holds dc_{t+1} ⊙ f_{t+1})
            np.multiply(dh, dh_to_dc[t], out=tmp)
            dc += tmp
            np.multiply(dc, k[t, :3], out=da[t, :3])
            np.multiply(dh, k[t, 3], out=da[t, 3])
            if t > 0:
                # to the previous step: dh_{t-1} = da_t W_hᵀ (summed over the gates), dc_{t-1} = dc_t ⊙ f_t
                np.matmul(da[t], W_hT, out=dh_by_gate)
                np.sum(dh_by_gate, axis=0, out=dh)
                dc *= f[t]
        # back to rows (t, n) with the four gates side by side: (T·N, 4H)
        da2 = self.buffer("da2", (t_len * n, 4 * H), dtype)
        da2.reshape(t_len, n, 4, H)[...] = da.transpose(0, 2, 1, 3)
        # the same weights were used at every step, so their gradients sum over time:
        # dW_x = Σ_t x_tᵀ da_t ;  dW_h = Σ_t h_{t-1}ᵀ da_t (h_0 = 0 adds nothing) ;  db = Σ_t Σ_n da_t
        np.matmul(self.x_tm.T, da2, out=self.grads["W_x"])
        np.matmul(self.h_tm[:-1].reshape(-1, H).T, da2[n:], out=self.grads["W_h"])
        np.matmul(ones(t_len * n, dtype), da2, out=self.grads["b"])
        if not self.needs_input_grad:
            return None
        # dx_t = da_t W_xᵀ
        dx = da2 @ self.params["W_x"].T
        return dx.reshape(t_len, n, -1).transpose(1, 0, 2)

    def __repr__(self) -> str:
        return f"LSTM({self.input_size}, {self.hidden_size})"


class LastStep(Module):
    """(N, T, H) → (N, H): the last time step only, so a classifier can sit on top of a recurrent
    layer (a many-to-one model; PyTorch code writes ``out[:, -1]``). Its backward puts the whole
    gradient at the last step: the earlier states get theirs through the recurrence alone."""

    def forward(self, x, train=True):
        self.shape = x.shape
        return x[:, -1]

    def backward(self, dout):
        dx = np.zeros(self.shape, dout.dtype)
        dx[:, -1] = dout
        return dx
