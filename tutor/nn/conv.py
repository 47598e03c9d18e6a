"""Convolution and pooling on NCHW images (batch, channels, height, width).

A convolution is a Linear layer applied to every small patch of the image with the *same* weights
(parameter sharing) — so we literally do that: ``im2col`` cuts the image into patches, one patch per
row, and one matrix product applies the filters to all patches at once.

Output size: H_out = (H + 2·padding - kernel) // stride + 1 (same for W).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import init as initializers
from .module import Module, ones

__all__ = ["Conv2d", "MaxPool2d", "im2col", "col2im"]


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def im2col(x, kh, kw, stride):
    """(N, C, H, W) -> (N·H_out·W_out, C·kh·kw): one row per patch, patches read left-to-right."""
    n, c = x.shape[:2]
    # a strided view (no copy) of every kh×kw window: (N, C, H-kh+1, W-kw+1, kh, kw)
    windows = sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    oh, ow = windows.shape[2:4]
    # rows = patches (n, i, j), columns = (channel, ki, kj) — the layout of W.reshape(out, -1)
    return windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, c * kh * kw), oh, ow


def col2im(cols, x_shape, kh, kw, stride, oh, ow):
    """The adjoint of im2col: add every patch's gradient back where the patch came from."""
    n, c, h, w = x_shape
    cols = cols.reshape(n, oh, ow, c, kh, kw)
    dx = np.zeros(x_shape, cols.dtype)
    # patches overlap when stride < kernel, so contributions are summed, one kernel offset at a time
    for i in range(kh):
        for j in range(kw):
            dx[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride] += cols[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    return dx


def _layout(x):
    """The order of x's axes in memory, outermost first: (0, 1, 2, 3) for a C-contiguous array."""
    return tuple(sorted(range(x.ndim), key=lambda axis: -x.strides[axis]))


def _scratch(module, name, shape, layout, dtype, train=True):
    """A reusable array of ``shape`` whose axes lie in memory in the order ``layout``."""
    stored = module.buffer(name, [shape[axis] for axis in layout], dtype, train)
    return stored.transpose([layout.index(axis) for axis in range(len(layout))])


class Conv2d(Module):
    """2-D convolution (cross-correlation, as in every DL library):

    y[n, f, i, j] = b[f] + Σ_{c, ki, kj} W[f, c, ki, kj] · x_pad[n, c, i·s + ki, j·s + kj]

    params ``W`` (out_channels, in_channels, kh, kw) and ``b`` (out_channels,); PyTorch's default
    initialisation, or ``init`` as for ``Linear``.

    It computes exactly ``im2col`` and one matrix product, with the batch axis last in memory: the
    padded image is stored as (C, H, W, N) and the patches as (C·kh·kw, H_out·W_out·N), one
    column per patch. Then each of the kh·kw kernel offsets is a single slice copy whose rows are
    long and contiguous (no loop over pixels), W.reshape(F, -1) multiplies the patches as it is,
    and the output (F, H_out·W_out·N) is handed on as an (N, F, H_out, W_out) view, without a copy.
    (NumPy is fast on long contiguous runs and slow on short strided ones: that is all this is.)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride: int = 1,
                 padding: int = 0, init="default", rng=None, dtype=np.float32) -> None:
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _pair(kernel_size)
        self.stride, self.padding = stride, padding
        shape = (out_channels, in_channels, *self.kernel_size)
        self.add_param("W", initializers.get(init)(shape, rng=rng, dtype=dtype))
        fan_in = in_channels * math.prod(self.kernel_size)
        bound = 1.0 / math.sqrt(fan_in) if init == "default" else 0.0
        self.add_param("b", initializers.uniform((out_channels,), -bound, bound, rng, dtype))

    def _padded(self, x, train):
        """x (N, C, H, W) zero-padded and stored as (C, H+2p, W+2p, N); the zero border is written
        once, when the buffer is made: each step only copies the image into its middle."""
        n, c, h, w = x.shape
        p = self.padding
        shape = (c, h + 2 * p, w + 2 * p, n)
        xp = self._buffers.get("xp")
        if not train or xp is None or xp.shape != shape or xp.dtype != x.dtype:
            xp = np.zeros(shape, x.dtype)
            if train:
                self._buffers["xp"] = xp
        xp[:, p:p + h, p:p + w, :] = x.transpose(1, 2, 3, 0)
        return xp

    def forward(self, x, train=True):
        kh, kw = self.kernel_size
        s, p = self.stride, self.padding
        n, c, h, w = x.shape
        oh, ow = (h + 2 * p - kh) // s + 1, (w + 2 * p - kw) // s + 1
        self.x_shape, self.out_hw = x.shape, (oh, ow)
        xp = self._padded(x, train)
        # im2col with one column per patch (i, j, n) and rows (c, ki, kj), W's own order: the
        # kernel offset (ki, kj) of every patch at once is one strided slice of the padded image
        cols = self.buffer("cols", (c, kh, kw, oh, ow, n), x.dtype, train)
        for ki in range(kh):
            for kj in range(kw):
                cols[:, ki, kj] = xp[:, ki:ki + s * oh:s, kj:kj + s * ow:s, :]
        self.cols = cols.reshape(c * kh * kw, oh * ow * n)
        W = self.params["W"]
        # every filter times every patch, in one product: (F, C·kh·kw) @ (C·kh·kw, patches)
        y = self.buffer("y", (self.out_channels, oh * ow * n), np.result_type(x, W), train)
        np.matmul(W.reshape(self.out_channels, -1), self.cols, out=y)
        y += self.params["b"][:, None]
        # (F, H_out·W_out·N) seen as (N, F, H_out, W_out): a view
        return y.reshape(self.out_channels, oh, ow, n).transpose(3, 0, 1, 2)

    def backward(self, dout):
        kh, kw = self.kernel_size
        s, p = self.stride, self.padding
        oh, ow = self.out_hw
        n, c, h, w = self.x_shape
        f = self.out_channels
        # dout in the output's layout, (F, patches); a copy only if it arrives in another layout
        d = dout.transpose(1, 2, 3, 0)
        if not d.flags.c_contiguous:
            d_copy = self.buffer("dout", d.shape, d.dtype)
            np.copyto(d_copy, d)
            d = d_copy
        d2 = d.reshape(f, oh * ow * n)
        # dL/dW = Σ_patches dout ⊗ patch ;  dL/db = Σ_patches dout  (· 1: one BLAS call)
        np.matmul(d2, self.cols.T, out=self.grads["W"].reshape(f, -1))
        np.matmul(d2, ones(d2.shape[1], d2.dtype), out=self.grads["b"])
        if not self.needs_input_grad:
            return None
        # dL/dpatch = Wᵀ · dout, then scatter the patches back onto the (padded) image (col2im)
        W2 = self.params["W"].reshape(f, -1)
        dcols = self.buffer("dcols", (c * kh * kw, oh * ow * n), np.result_type(d2, W2))
        np.matmul(W2.T, d2, out=dcols)
        dcols = dcols.reshape(c, kh, kw, oh, ow, n)
        dxp = self.buffer("dxp", (c, h + 2 * p, w + 2 * p, n), dcols.dtype)
        dxp.fill(0)
        # patches overlap when stride < kernel, so contributions are summed, one kernel offset at a time
        for ki in range(kh):
            for kj in range(kw):
                dxp[:, ki:ki + s * oh:s, kj:kj + s * ow:s, :] += dcols[:, ki, kj]
        # the middle of the padded image, seen as (N, C, H, W)
        return dxp[:, p:p + h, p:p + w, :].transpose(3, 0, 1, 2)

    def __repr__(self) -> str:
        k = self.kernel_size
        return (f"Conv2d({self.in_channels}, {self.out_channels}, kernel_size={k[0]}x{k[1]}, "
                f"stride={self.stride}, padding={self.padding})")


class MaxPool2d(Module):
    """Max pooling: each output is the largest value of its kernel×kernel window.

    Backward routes the whole gradient to the position that was the maximum (the others had no
    effect on the output, so their gradient is 0). Ties go to the first maximum in the window (row
    by row), as in PyTorch.

    The common 2×2, stride 2 case has a fast path: the windows do not overlap, so each window's
    four values a b / c d are four strided slices of the image (views), and three elementwise
    maxima and three comparisons replace the general argmax. Its arrays keep the memory layout of
    the input (a Conv2d's output has the batch axis last), so every operation runs over long rows.
    """

    def __init__(self, kernel_size, stride=None) -> None:
        super().__init__()
        self.kernel_size = _pair(kernel_size)
        self.stride = self.kernel_size[0] if stride is None else stride

    @property
    def _fast(self):
        return self.kernel_size == (2, 2) and self.stride == 2

    def forward(self, x, train=True):
        self.x_shape = x.shape
        if self._fast:
            return self._forward_2x2(x, train)
        kh, kw = self.kernel_size
        s = self.stride
        windows = sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::s, ::s]
        n, c, oh, ow = windows.shape[:4]
        flat = windows.reshape(n, c, oh, ow, kh * kw)
        # remember which position in each window won
        self.argmax = flat.argmax(axis=-1)
        return np.take_along_axis(flat, self.argmax[..., None], axis=-1)[..., 0]

    def backward(self, dout):
        if self._fast:
            return self._backward_2x2(dout)
        kh, kw = self.kernel_size
        s = self.stride
        oh, ow = dout.shape[2:]
        dx = np.zeros(self.x_shape, dout.dtype)
        # window offset (i, j) receives dout wherever it was the argmax
        for i in range(kh):
            for j in range(kw):
                dx[:, :, i:i + s * oh:s, j:j + s * ow:s] += dout * (self.argmax == i * kw + j)
        return dx

    @staticmethod
    def _corners(x, oh, ow):
        """Each window's four values a b / c d, as four (N, C, H_out, W_out) views of x (a trailing
        odd row or column belongs to no window and is left out)."""
        rows, cols = slice(0, 2 * oh, 2), slice(0, 2 * ow, 2)
        rows1, cols1 = slice(1, 2 * oh, 2), slice(1, 2 * ow, 2)
        return x[:, :, rows, cols], x[:, :, rows, cols1], x[:, :, rows1, cols], x[:, :, rows1, cols1]

    def _forward_2x2(self, x, train):
        n, c, h, w = x.shape
        oh, ow = h // 2, w // 2
        a, b, c_, d = self._corners(x, oh, ow)
        shape, layout = (n, c, oh, ow), _layout(x)
        self.x_layout = layout
        top = _scratch(self, "top", shape, layout, x.dtype, train)
        bottom = _scratch(self, "bottom", shape, layout, x.dtype, train)
        out = _scratch(self, "y", shape, layout, x.dtype, train)
        np.maximum(a, b, out=top)
        np.maximum(c_, d, out=bottom)
        np.maximum(top, bottom, out=out)
        # which value won, ties to the first (a before b, the top row before the bottom one):
        self.from_top = np.greater_equal(top, bottom, out=_scratch(self, "from_top", shape, layout, bool, train))
        self.a_won = np.greater_equal(a, b, out=_scratch(self, "a_won", shape, layout, bool, train))
        self.c_won = np.greater_equal(c_, d, out=_scratch(self, "c_won", shape, layout, bool, train))
        return out

    def _backward_2x2(self, dout):
        n, c, oh, ow = dout.shape
        dx = _scratch(self, "dx", self.x_shape, self.x_layout, dout.dtype)
        if dx.shape[2] != 2 * oh or dx.shape[3] != 2 * ow:
            dx.fill(0)  # the odd row/column left out gets no gradient
        da, db, dc, dd = self._corners(dx, oh, ow)
        # the gradient goes to the top row or the bottom one, then to its left or right value
        g_top = np.multiply(dout, self.from_top, out=_scratch(self, "g_top", dout.shape, self.x_layout, dout.dtype))
        g_bottom = np.subtract(dout, g_top, out=_scratch(self, "g_bottom", dout.shape, self.x_layout, dout.dtype))
        np.multiply(g_top, self.a_won, out=da)
        np.subtract(g_top, da, out=db)
        np.multiply(g_bottom, self.c_won, out=dc)
        np.subtract(g_bottom, dc, out=dd)
        return dx

    def __repr__(self) -> str:
        return f"MaxPool2d({self.kernel_size[0]}, stride={self.stride})"
