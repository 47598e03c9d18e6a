"""The transformer's other parts: where a token is (positional encoding), the per-position
feed-forward network, and the block that joins them to multi-head attention with residual
connections and layer normalisation.

    PE[t, 2k] = sin(t / 10000^(2k/D)),   PE[t, 2k+1] = cos(t / 10000^(2k/D))
    FFN(x) = act(x W_1 + b_1) W_2 + b_2                     (the same for every position)
    block (post-LN): u = LN_1(x + MHA(x)),   y = LN_2(u + FFN(u))
"""

from __future__ import annotations

import numpy as np

from .activations import GELU, ReLU
from .attention import MultiHeadAttention
from .layers import Linear
from .module import Module, Sequential, _Container
from .normalization import LayerNorm

__all__ = ["sinusoidal_positional_encoding", "PositionalEncoding", "FeedForward", "TransformerBlock"]


def sinusoidal_positional_encoding(length: int, dim: int, dtype=np.float64) -> np.ndarray:
    """The (length, dim) table of "Attention Is All You Need": row t encodes position t.

    Column pair (2k, 2k+1) is a sine and a cosine of angle t·ω_k, with ω_k = 10000^(-2k/D) going
    from 1 (wavelength 2π) down to ~1/10000: like the hands of a clock, fast ones tell nearby
    positions apart and slow ones far ones. And since sin/cos of (t + s)·ω are fixed linear
    combinations of those of t·ω, "s positions further" is the same linear map at every t, which
    attention can learn. For an odd ``dim`` the last column is a sine.
    """
    t = np.arange(length, dtype=np.float64)[:, None]
    omega = 10000.0 ** (-np.arange(0, dim, 2, dtype=np.float64) / dim)  # ω_k = 10000^(-2k/D)
    pe = np.empty((length, dim), np.float64)
    pe[:, 0::2] = np.sin(t * omega)
    pe[:, 1::2] = np.cos(t * omega[: dim // 2])
    return pe.astype(dtype)


class PositionalEncoding(Module):
    """Adds the sinusoidal table to (N, T, D) embeddings: y = x + PE[:T]. No parameters.

    Attention itself is blind to order (permute the tokens and the outputs permute with them), so
    where a token stands must be written into its vector. Backward: dL/dx = dout (PE is a constant).
    """

    def __init__(self, dim: int, max_len: int = 5000) -> None:
        super().__init__()
        self.dim, self.max_len = dim, max_len
        self.pe = sinusoidal_positional_encoding(max_len, dim)
        self._cast: dict[np.dtype, np.ndarray] = {}

    def forward(self, x, train=True):
        t_len = x.shape[1]
        if t_len > self.max_len:
            raise ValueError(f"sequence of {t_len} positions, PositionalEncoding(max_len={self.max_len})")
        pe = self._cast.get(x.dtype)
        if pe is None:
            pe = self._cast[x.dtype] = self.pe.astype(x.dtype)
        y = self.buffer("y", x.shape, x.dtype, train)
        # y = x + PE[:T]  (broadcast over the batch)
        np.add(x, pe[:t_len], out=y)
        return y

    def backward(self, dout):
        return dout

    def __repr__(self) -> str:
        return f"PositionalEncoding({self.dim}, max_len={self.max_len})"


class FeedForward(Sequential):
    """The position-wise feed-forward network: Linear(D, D_ff), activation, Linear(D_ff, D).

    Applied to every position separately (Linear treats the T axis as more rows): attention mixes
    information *between* positions, this part transforms each position's vector on its own.
    ``activation`` is "relu" (PyTorch's default) or "gelu" (tanh approximation).
    """

    def __init__(self, dim: int, hidden: int, activation: str = "relu", dtype=np.float32) -> None:
        acts = {"relu": ReLU, "gelu": GELU}
        if activation not in acts:
            raise ValueError(f"activation must be one of {sorted(acts)}, not {activation!r}")
        self.dim, self.hidden, self.activation = dim, hidden, activation
        super().__init__(Linear(dim, hidden, dtype=dtype), acts[activation](), Linear(hidden, dim, dtype=dtype))

    def __repr__(self) -> str:
        return f"FeedForward({self.dim}, {self.hidden}, activation={self.activation!r})"


class TransformerBlock(_Container):
    """One transformer encoder layer on (N, T, D): self-attention and a feed-forward network, each
    wrapped in a residual connection and a LayerNorm. Equal to ``torch.nn.TransformerEncoderLayer(D,
    heads, hidden, dropout=0, batch_first=True, norm_first=...)`` given the same weights (there is
    no dropout here).

    Post-LN (``norm_first=False``, the default — as in the original paper and PyTorch's default):

        u = LN_1(x + MHA(x)),    y = LN_2(u + FFN(u))

    Pre-LN (``norm_first=True``, as in GPT-2 and most large models since):

        u = x + MHA(LN_1(x)),    y = u + FFN(LN_2(u))

    Which one, and why: post-LN is the default because that is what PyTorch and the paper do, so a
    lesson's numbers match theirs. Pre-LN is there because it trains more easily when many blocks
    are stacked: its residual path x → u → y is never normalised, so dL/dx = dL/dy + (terms through
    the branches) — the gradient highway of ``Residual`` — while post-LN sends every gradient through
    each LayerNorm's Jacobian, which is why post-LN transformers need a learning-rate warm-up.

    ``causal=True`` masks the attention (a decoder-style block). Children: ``attn``
    (MultiHeadAttention), ``norm1``, ``norm2`` (LayerNorm), ``ff`` (FeedForward); param keys like
    ``"attn.W_q"``, ``"ff.0.W"``, ``"norm1.gamma"``. ``self.attn.weights`` holds the attention weights.
    """

    def __init__(self, dim: int, num_heads: int, hidden: int | None = None, causal: bool = False,
                 norm_first: bool = False, activation: str = "relu", eps: float = 1e-5,
                 dtype=np.float32) -> None:
        super().__init__()
        self.dim, self.num_heads, self.norm_first = dim, num_heads, norm_first
        self.hidden = 4 * dim if hidden is None else hidden
        self.attn = MultiHeadAttention(dim, num_heads, causal=causal, dtype=dtype)
        self.norm1 = LayerNorm(dim, eps=eps, dtype=dtype)
        self.ff = FeedForward(dim, self.hidden, activation=activation, dtype=dtype)
        self.norm2 = LayerNorm(dim, eps=eps, dtype=dtype)

    def children(self):
        return (("attn", self.attn), ("norm1", self.norm1), ("ff", self.ff), ("norm2", self.norm2))

    def forward(self, x, train=True):
        attn, ff, norm1, norm2 = self.attn, self.ff, self.norm1, self.norm2
        if self.norm_first:
            # u = x + MHA(LN_1(x)),  y = u + FFN(LN_2(u))
            u = x + attn.forward(norm1.forward(x, train), train)
            return u + ff.forward(norm2.forward(u, train), train)
        # u = LN_1(x + MHA(x)),  y = LN_2(u + FFN(u))
        u = norm1.forward(x + attn.forward(x, train), train)
        return norm2.forward(u + ff.forward(u, train), train)

    def backward(self, dout):
        attn, ff, norm1, norm2 = self.attn, self.ff, self.norm1, self.norm2
        # a residual y = u + branch(u) sends dL/dy both ways: du = dy + branch.backward(dy)
        if self.norm_first:
            du = dout + norm2.backward(ff.backward(dout))
            return du + norm1.backward(attn.backward(du))
        dv = norm2.backward(dout)  # v = u + FFN(u)
        du = dv + ff.backward(dv)
        dw = norm1.backward(du)  # w = x + MHA(x)
        return dw + attn.backward(dw)

    def __repr__(self) -> str:
        return (f"TransformerBlock({self.dim}, {self.num_heads}, hidden={self.hidden}, "
                f"causal={self.attn.causal}, norm_first={self.norm_first})")
