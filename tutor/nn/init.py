"""Weight initialisers, with PyTorch's formulas (``torch.nn.init``) for fan-in, fan-out and gain.

Why initialisation matters: the scale of the weights decides whether the signal (forward) and the
gradient (backward) keep their size from layer to layer, or shrink/explode geometrically with depth.

* zeros: every neuron of a layer computes the same thing and gets the same gradient — the symmetry
  is never broken, so a layer of zeros learns like a single neuron.
* Xavier/Glorot: Var(W) = 2 / (fan_in + fan_out) keeps the variance of activations and of
  gradients roughly constant for tanh/sigmoid-like (linear near 0) activations.
* He/Kaiming: Var(W) = 2 / fan_in compensates ReLU zeroing half of its inputs.

Shapes: a ``Linear`` weight is (in, out) here (``y = x @ W + b``), so for 2-D shapes fan_in is
shape[0] and fan_out shape[1]. For a convolution weight (out, in, kh, kw) we follow PyTorch:
fan_in = in·kh·kw, fan_out = out·kh·kw.

Randomness comes from ``rng`` (a ``numpy.random.Generator``) or, when it is None, from this module's
generator, which ``manual_seed(seed)`` resets: build a network after ``manual_seed(0)`` and you
get the same weights bit for bit every time.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "manual_seed", "default_rng", "fans", "calculate_gain", "zeros", "normal", "uniform",
    "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal", "get",
]

_rng = np.random.default_rng(0)


def manual_seed(seed: int) -> None:
    """Reset the generator used by every initialiser and layer that is not given its own ``rng``."""
    global _rng
    _rng = np.random.default_rng(seed)


def default_rng() -> np.random.Generator:
    return _rng


def _gen(rng):
    return _rng if rng is None else rng


def fans(shape) -> tuple[int, int]:
    """(fan_in, fan_out): how many inputs feed one output unit, and how many outputs one input feeds."""
    if len(shape) < 2:
        raise ValueError("fan-in and fan-out need a weight of at least 2 dimensions")
    if len(shape) == 2:  # our Linear layout: (in_features, out_features)
        return int(shape[0]), int(shape[1])
    receptive = math.prod(shape[2:])  # conv layout (out, in, kh, kw), as in PyTorch
    return int(shape[1] * receptive), int(shape[0] * receptive)


def calculate_gain(nonlinearity: str = "linear", param: float | None = None) -> float:
    """The factor by which an activation shrinks the standard deviation (torch.nn.init.calculate_gain)."""
    if nonlinearity in ("linear", "identity", "sigmoid", "conv2d"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4.0
    raise ValueError(f"unknown nonlinearity {nonlinearity!r}")


def zeros(shape, rng=None, dtype=np.float32) -> np.ndarray:
    """W = 0 (fine for biases; for weights it is the symmetry trap described above)."""
    return np.zeros(shape, dtype)


def normal(shape, std: float = 0.01, mean: float = 0.0, rng=None, dtype=np.float32) -> np.ndarray:
    """W ~ N(mean, std²); with the default std=0.01 this is the classic "small random" init."""
    return (mean + std * _gen(rng).standard_normal(shape)).astype(dtype)


def uniform(shape, low: float = 0.0, high: float = 1.0, rng=None, dtype=np.float32) -> np.ndarray:
    """W ~ U(low, high)."""
    return _gen(rng).uniform(low, high, shape).astype(dtype)


def xavier_uniform(shape, gain: float = 1.0, rng=None, dtype=np.float32) -> np.ndarray:
    """W ~ U(-a, a) with a = gain · sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(shape)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform(shape, -a, a, rng, dtype)


def xavier_normal(shape, gain: float = 1.0, rng=None, dtype=np.float32) -> np.ndarray:
    """W ~ N(0, std²) with std = gain · sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(shape)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return normal(shape, std, 0.0, rng, dtype)


def _kaiming_std(shape, a, mode, nonlinearity) -> float:
    fan_in, fan_out = fans(shape)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform(shape, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    rng=None, dtype=np.float32) -> np.ndarray:
    """W ~ U(-bound, bound) with bound = gain · sqrt(3 / fan)  (gain = sqrt(2) for ReLU)."""
    bound = math.sqrt(3.0) * _kaiming_std(shape, a, mode, nonlinearity)
    return uniform(shape, -bound, bound, rng, dtype)


def kaiming_normal(shape, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                   rng=None, dtype=np.float32) -> np.ndarray:
    """W ~ N(0, std²) with std = gain / sqrt(fan)  (= sqrt(2 / fan_in) for ReLU)."""
    return normal(shape, _kaiming_std(shape, a, mode, nonlinearity), 0.0, rng, dtype)


def torch_default(shape, rng=None, dtype=np.float32) -> np.ndarray:
    """PyTorch's default for Linear/Conv2d weights: kaiming_uniform(a=√5) = U(±1/sqrt(fan_in))."""
    return kaiming_uniform(shape, a=math.sqrt(5.0), rng=rng, dtype=dtype)


# Names accepted by ``Linear(init=...)`` / ``Conv2d(init=...)``.
_BY_NAME = {
    "zeros": zeros,
    "normal": normal,
    "small_random": normal,
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "xavier": xavier_uniform,
    "glorot_uniform": xavier_uniform,
    "glorot_normal": xavier_normal,
    "kaiming_uniform": lambda shape, rng=None, dtype=np.float32: kaiming_uniform(shape, nonlinearity="relu", rng=rng, dtype=dtype),
    "kaiming_normal": lambda shape, rng=None, dtype=np.float32: kaiming_normal(shape, nonlinearity="relu", rng=rng, dtype=dtype),
    "default": torch_default,
}
_BY_NAME["he_uniform"] = _BY_NAME["kaiming_uniform"]
_BY_NAME["he_normal"] = _BY_NAME["kaiming_normal"]
_BY_NAME["he"] = _BY_NAME["kaiming_normal"]

NAMES = tuple(_BY_NAME)


def get(init):
    """An initialiser ``f(shape, rng=None, dtype=...)`` from a name in ``NAMES`` or a callable."""
    if callable(init):
        return init
    try:
        return _BY_NAME[init]
    except KeyError:
        raise ValueError(f"unknown init {init!r}; choose one of {', '.join(NAMES)}") from None
