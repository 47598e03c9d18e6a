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
from .module import Module

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


class Conv2d(Module):
    """2-D convolution (cross-correlation, as in every DL library):

    y[n, f, i, j] = b[f] + Σ_{c, ki, kj} W[f, c, ki, kj] · x_pad[n, c, i·s + ki, j·s + kj]

    params ``W`` (out_channels, in_channels, kh, kw) and ``b`` (out_channels,); PyTorch's default
    initialisation, or ``init`` as for ``Linear``.
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

    def forward(self, x, train=True):
        kh, kw = self.kernel_size
        p = self.padding
        self.x_shape = x.shape
        xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))) if p else x
        self.xp_shape = xp.shape
        self.cols, oh, ow = im2col(xp, kh, kw, self.stride)
        self.out_hw = (oh, ow)
        W2 = self.params["W"].reshape(self.out_channels, -1)
        # every patch times every filter, in one product: (patches, C·kh·kw) @ (C·kh·kw, F)
        y = self.cols @ W2.T + self.params["b"]
        return y.reshape(x.shape[0], oh, ow, self.out_channels).transpose(0, 3, 1, 2)

    def backward(self, dout):
        kh, kw = self.kernel_size
        oh, ow = self.out_hw
        # back to one row per patch: (N·H_out·W_out, F)
        d2 = dout.transpose(0, 2, 3, 1).reshape(-1, self.out_channels)
        # dL/dW = Σ_patches dout ⊗ patch ;  dL/db = Σ_patches dout
        np.matmul(d2.T, self.cols, out=self.grads["W"].reshape(self.out_channels, -1))
        np.sum(d2, axis=0, out=self.grads["b"])
        if not self.needs_input_grad:
            return None
        # dL/dpatch = dout · W, then scatter the patches back onto the (padded) image
        dcols = d2 @ self.params["W"].reshape(self.out_channels, -1)
        dxp = col2im(dcols, self.xp_shape, kh, kw, self.stride, oh, ow)
        p = self.padding
        return dxp[:, :, p:dxp.shape[2] - p, p:dxp.shape[3] - p] if p else dxp

    def __repr__(self) -> str:
        k = self.kernel_size
        return (f"Conv2d({self.in_channels}, {self.out_channels}, kernel_size={k[0]}x{k[1]}, "
                f"stride={self.stride}, padding={self.padding})")


class MaxPool2d(Module):
    """Max pooling: each output is the largest value of its kernel×kernel window.

    Backward routes the whole gradient to the position that was the maximum (the others had no
    effect on the output, so their gradient is 0). Ties go to the first maximum, as in PyTorch.
    """

    def __init__(self, kernel_size, stride=None) -> None:
        super().__init__()
        self.kernel_size = _pair(kernel_size)
        self.stride = self.kernel_size[0] if stride is None else stride

    def forward(self, x, train=True):
        kh, kw = self.kernel_size
        s = self.stride
        windows = sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::s, ::s]
        n, c, oh, ow = windows.shape[:4]
        flat = windows.reshape(n, c, oh, ow, kh * kw)
        self.x_shape = x.shape
        # remember which position in each window won
        self.argmax = flat.argmax(axis=-1)
        return np.take_along_axis(flat, self.argmax[..., None], axis=-1)[..., 0]

    def backward(self, dout):
        kh, kw = self.kernel_size
        s = self.stride
        oh, ow = dout.shape[2:]
        dx = np.zeros(self.x_shape, dout.dtype)
        # window offset (i, j) receives dout wherever it was the argmax
        for i in range(kh):
            for j in range(kw):
                dx[:, :, i:i + s * oh:s, j:j + s * ow:s] += dout * (self.argmax == i * kw + j)
        return dx

    def __repr__(self) -> str:
        return f"MaxPool2d({self.kernel_size[0]}, stride={self.stride})"
