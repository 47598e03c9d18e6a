"""Data sets for the lessons: small, seeded (same seed ⇒ same arrays, bit for bit) and ready to
train on. Inputs are float arrays (float32 unless ``dtype`` says otherwise); binary targets are
float columns (N, 1) of 0/1 for ``BCEWithLogitsLoss``; multi-class targets are integer labels (N,)
for ``SoftmaxCrossEntropyLoss``; regression targets are float columns (N, 1).

Split data sets return a ``Split(X_train, y_train, X_test, y_test)`` named tuple.

| function            | what                                                          |
| ------------------- | ------------------------------------------------------------- |
| logic_gate(name)    | AND, NAND, OR, XOR truth tables                               |
| noisy_line()        | y = a·x + b + noise, for linear regression                    |
| playground(name)    | TensorFlow Playground's circle, xor, gaussian, spiral         |
| two_moons()         | two interleaving half circles                                 |
| function_1d(name)   | sin or a bumpy function on a grid, for universal approximation|
| digits()            | the 8×8 handwritten digits (shipped with the package)         |
| remember_first()    | a sequence task whose answer is its first element (for RNNs)  |
| copy_task()         | copy or reverse a token sequence (for attention)              |
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np

__all__ = ["Split", "GATES", "logic_gate", "noisy_line", "PLAYGROUND", "playground", "two_moons",
           "FUNCTIONS", "function_1d", "digits", "remember_first", "copy_task", "train_test_split",
           "standardize"]

_DIGITS = Path(__file__).resolve().parent / "datasets" / "digits.npz"


class Split(NamedTuple):
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def train_test_split(X, y, test_ratio: float = 0.2, seed: int = 0) -> Split:
    """Shuffle the examples (seeded) and keep the last ``test_ratio`` of them for testing."""
    if not 0.0 <= test_ratio < 1.0:
        raise ValueError("test_ratio must be in [0, 1)")
    order = np.random.default_rng(seed).permutation(len(X))
    n_test = int(round(len(X) * test_ratio))
    train, test = order[: len(X) - n_test], order[len(X) - n_test:]
    return Split(X[train], y[train], X[test], y[test])


def standardize(X_train, *others, eps: float = 0.1, per_feature: bool = True):
    """Feature scaling: x' = (x - μ) / (σ + eps), with μ and σ measured on the *training* set only
    (using test statistics would leak information about the test set into training).

    Returns the scaled training set followed by every other array, scaled the same way.
    ``eps`` keeps constant features (σ = 0, like the digits' always-blank corner pixels) finite.
    """
    axis = 0 if per_feature else None
    mean = X_train.mean(axis=axis)
    std = X_train.std(axis=axis)
    scale = (1.0 / (std + eps)).astype(X_train.dtype)
    return tuple(((X - mean) * scale).astype(X_train.dtype) for X in (X_train, *others))


# -- logic gates ------------------------------------------------------------------------------------

GATES = {
    "AND": [0, 0, 0, 1],
    "NAND": [1, 1, 1, 0],
    "OR": [0, 1, 1, 1],
    "XOR": [0, 1, 1, 0],
}


def logic_gate(name: str, dtype=np.float32):
    """The truth table of a gate: X (4, 2) with rows 00, 01, 10, 11, and y (4, 1)."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype)
    y = np.array(GATES[name.upper()], dtype).reshape(4, 1)
    return X, y


# -- regression ---------------------------------------------------------------------------------------

def noisy_line(n: int = 50, slope: float = 2.0, intercept: float = 1.0, noise: float = 0.5,
               seed: int = 0, dtype=np.float32):
    """x ~ U(-1, 1), y = slope·x + intercept + N(0, noise²): X (n, 1), y (n, 1)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, (n, 1))
    y = slope * x + intercept + noise * rng.standard_normal((n, 1))
    return x.astype(dtype), y.astype(dtype)


FUNCTIONS = {
    "sin": lambda x: np.sin(x),
    # several bumps of different widths: harder for a few neurons, easy for many
    "bumpy": lambda x: np.sin(x) + 0.5 * np.sin(3 * x) + 0.8 * np.exp(-4 * (x - 1.0) ** 2),
}


def function_1d(name: str = "sin", n: int = 200, low: float = -np.pi, high: float = np.pi,
                noise: float = 0.0, seed: int = 0, dtype=np.float32):
    """n evenly spaced x in [low, high] and y = f(x) (+ optional noise): X (n, 1), y (n, 1)."""
    f = FUNCTIONS[name]
    x = np.linspace(low, high, n).reshape(n, 1)
    y = f(x) + noise * np.random.default_rng(seed).standard_normal((n, 1))
    return x.astype(dtype), y.astype(dtype)


# -- TensorFlow Playground ----------------------------------------------------------------------------
# The generators of playground.tensorflow.org (dataset.ts), with labels 1/0 instead of +1/-1 and the
# noise slider as a fraction (its 0..50 % is noise 0.0..0.5 here).

def _circle(n, noise, rng):
    radius = 5.0
    pts, labels = [], []
    for label, (r_lo, r_hi) in ((1, (0.0, radius * 0.5)), (0, (radius * 0.7, radius))):
        for _ in range(n // 2 if label else n - n // 2):
            r = rng.uniform(r_lo, r_hi)
            angle = rng.uniform(0.0, 2 * np.pi)
            x, y = r * np.sin(angle), r * np.cos(angle)
            nx, ny = rng.uniform(-radius, radius) * noise, rng.uniform(-radius, radius) * noise
            # the label is decided by the *noisy* point: noise moves points across the boundary
            inside = np.hypot(x + nx, y + ny) < radius * 0.5
            pts.append((x, y))
            labels.append(1 if inside else 0)
    return np.array(pts), np.array(labels)


def _xor(n, noise, rng):
    padding = 0.3
    x = rng.uniform(-5, 5, n)
    y = rng.uniform(-5, 5, n)
    x += np.where(x > 0, padding, -padding)  # keep points off the axes
    y += np.where(y > 0, padding, -padding)
    nx, ny = rng.uniform(-5, 5, n) * noise, rng.uniform(-5, 5, n) * noise
    labels = ((x + nx) * (y + ny) >= 0).astype(int)
    return np.stack([x, y], axis=1), labels


def _gaussian(n, noise, rng):
    variance = 0.5 + noise / 0.5 * 3.5  # the playground maps noise 0..0.5 to variance 0.5..4
    half = n // 2
    pos = rng.normal(2.0, np.sqrt(variance), (half, 2))
    neg = rng.normal(-2.0, np.sqrt(variance), (n - half, 2))
    return np.concatenate([pos, neg]), np.concatenate([np.ones(half, int), np.zeros(n - half, int)])


def _spiral(n, noise, rng):
    pts, labels = [], []
    half = n // 2
    for delta, label, count in ((0.0, 1, half), (np.pi, 0, n - half)):
        i = np.arange(count)
        r = i / count * 5
        t = 1.75 * i / count * 2 * np.pi + delta
        x = r * np.sin(t) + rng.uniform(-1, 1, count) * noise
        y = r * np.cos(t) + rng.uniform(-1, 1, count) * noise
        pts.append(np.stack([x, y], axis=1))
        labels.append(np.full(count, label))
    return np.concatenate(pts), np.concatenate(labels)


PLAYGROUND = {"circle": _circle, "xor": _xor, "gaussian": _gaussian, "spiral": _spiral}


def playground(name: str = "circle", n: int = 500, noise: float = 0.0, test_ratio: float = 0.5,
               seed: int = 0, dtype=np.float32) -> Split:
    """One of TensorFlow Playground's 2-D classification sets (coordinates in about [-6, 6]).

    Returns Split(X_train (·, 2), y_train (·, 1) of 0/1, X_test, y_test).
    """
    rng = np.random.default_rng(seed)
    X, labels = PLAYGROUND[name](n, noise, rng)
    return train_test_split(X.astype(dtype), labels.astype(dtype).reshape(-1, 1), test_ratio, seed)


def two_moons(n: int = 200, noise: float = 0.1, test_ratio: float = 0.25, seed: int = 0,
              dtype=np.float32) -> Split:
    """Two interleaving half circles (like scikit-learn's make_moons), Gaussian noise of std ``noise``."""
    rng = np.random.default_rng(seed)
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    outer = np.stack([np.cos(t_out), np.sin(t_out)], axis=1)
    inner = np.stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5], axis=1)
    X = np.concatenate([outer, inner]) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)]).reshape(-1, 1)
    return train_test_split(X.astype(dtype), y.astype(dtype), test_ratio, seed)


# -- digits -------------------------------------------------------------------------------------------

def digits(test_ratio: float = 0.2, seed: int = 0, images: bool = False, dtype=np.float32) -> Split:
    """The 8×8 handwritten digits (1,797 images; UCI optdigits via scikit-learn, CC BY 4.0).

    Pixels are scaled from 0..16 to 0..1. X is (N, 64), or (N, 1, 8, 8) with ``images=True`` (for
    Conv2d); y holds integer labels 0..9. The split is stratified: every class is divided in the
    same ratio, so a small test set still has all ten digits in proportion.
    """
    with np.load(_DIGITS) as f:
        pixels, labels = f["images"], f["labels"].astype(np.int64)
    X = pixels.astype(dtype) / 16
    X = X.reshape(-1, 1, 8, 8) if images else X.reshape(-1, 64)
    rng = np.random.default_rng(seed)
    train_idx, test_idx = [], []
    for c in range(10):
        idx = rng.permutation(np.flatnonzero(labels == c))
        n_test = int(round(len(idx) * test_ratio))
        test_idx.append(idx[:n_test])
        train_idx.append(idx[n_test:])
    train_idx = rng.permutation(np.concatenate(train_idx))
    test_idx = rng.permutation(np.concatenate(test_idx))
    return Split(X[train_idx], labels[train_idx], X[test_idx], labels[test_idx])


# -- sequences ------------------------------------------------------------------------------------------

def remember_first(n: int = 1000, length: int = 20, test_ratio: float = 0.2, seed: int = 0,
                   dtype=np.float32) -> Split:
    """A sequence of ``length`` random ±1 values; the target is 1 if the *first* value was +1.

    Everything after the first step is noise, so the net must carry one bit across ``length``
    steps: easy for short sequences, hard for a plain RNN on long ones (its memory fades).
    X (n, length, 1), y (n, 1).
    """
    rng = np.random.default_rng(seed)
    X = rng.choice([-1.0, 1.0], size=(n, length, 1))
    y = (X[:, 0] > 0).astype(float)
    return train_test_split(X.astype(dtype), y.astype(dtype), test_ratio, seed)


def copy_task(n: int = 1000, length: int = 8, vocab: int = 10, reverse: bool = False,
              test_ratio: float = 0.2, seed: int = 0) -> Split:
    """Token sequences and the same tokens copied (or reversed): X, y both (n, length) integers
    in [0, vocab). Position t of the output must look at position t (or length-1-t) of the input —
    exactly what attention's weights show."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, vocab, (n, length))
    y = X[:, ::-1].copy() if reverse else X.copy()
    return train_test_split(X, y, test_ratio, seed)
