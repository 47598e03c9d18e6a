"""Loss functions, with PyTorch's definitions and ``reduction="mean"``.

``forward(pred, target) -> float`` and ``backward() -> dL/dpred``. MSE and BCE average over all
elements; cross-entropy averages over the batch (rows).

Why two classification losses take *logits* (the raw scores before sigmoid/softmax): fusing the
activation into the loss lets us use identities that never overflow, and the gradient becomes the
famously simple (prediction - target).
"""

from __future__ import annotations

import numpy as np

__all__ = ["Loss", "MSELoss", "BCEWithLogitsLoss", "SoftmaxCrossEntropyLoss"]


class Loss:
    """A scalar function of the predictions; remembers what backward needs."""

    def forward(self, pred, target) -> float:
        raise NotImplementedError

    def backward(self):
        raise NotImplementedError

    def __call__(self, pred, target) -> float:
        return self.forward(pred, target)

    def __repr__(self) -> str:
        return type(self).__name__ + "()"


class MSELoss(Loss):
    """Mean squared error, L = mean((pred - y)²): the negative log-likelihood of Gaussian noise."""

    def forward(self, pred, target):
        target = np.asarray(target, pred.dtype).reshape(pred.shape)
        self.diff = pred - target
        # L = (1/M) Σ (pred - y)²
        return float(np.vdot(self.diff, self.diff)) / self.diff.size

    def backward(self):
        # dL/dpred = 2 (pred - y) / M
        return self.diff * (2.0 / self.diff.size)


class BCEWithLogitsLoss(Loss):
    """Binary cross-entropy on logits z, targets y ∈ [0, 1]:  L = mean(-y log σ(z) - (1-y) log(1-σ(z))).

    Written stably as  L = mean(max(z, 0) - z·y + log(1 + e^(-|z|))),  which is finite for z = ±1000.
    """

    def forward(self, pred, target):
        z = pred
        self.y = np.asarray(target, z.dtype).reshape(z.shape)
        self.z = z
        # max(z, 0) - z y + log1p(e^{-|z|})   (e^{-|z|} ≤ 1: nothing overflows)
        loss = np.maximum(z, 0.0) - z * self.y + np.log1p(np.exp(-np.abs(z)))
        return float(loss.sum()) / loss.size  # (sum/size: np.mean costs more Python overhead)

    def backward(self):
        # dL/dz = (σ(z) - y) / M, with σ(z) = (1 + tanh(z/2)) / 2 (stable for any z)
        d = np.tanh(self.z * 0.5)
        d += 1.0
        d *= 0.5
        d -= self.y
        d *= 1.0 / d.size
        return d


class SoftmaxCrossEntropyLoss(Loss):
    """Softmax followed by cross-entropy, fused, on logits z (N, C):

    L = -(1/N) Σ_n Σ_c y_nc log softmax(z_n)_c

    ``target`` is integer class labels (N,) or one-hot / probability rows (N, C).
    After ``forward``, ``self.probs`` holds the softmax probabilities.
    """

    def forward(self, pred, target):
        z = pred
        target = np.asarray(target)
        n = z.shape[0]
        # subtracting each row's max changes nothing (softmax is shift-invariant) but keeps e^(...) ≤ 1
        shifted = z - z.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        sum_exp = exp.sum(axis=1, keepdims=True)
        self.probs = exp / sum_exp
        # log softmax(z)_c = shifted_c - log Σ_j e^(shifted_j)
        log_sum = np.log(sum_exp)
        if target.ndim == 1:  # integer labels: L = (1/N) Σ_n (log Σ_j e^(shifted_nj) - shifted_n,label)
            self.labels, self.onehot = target.astype(np.intp, copy=False), None
            picked = shifted[np.arange(n), self.labels]
            return float(log_sum.sum() - picked.sum()) / n
        # one-hot or probability rows: L = (1/N) Σ_n Σ_c y_nc (log Σ_j e^(shifted_nj) - shifted_nc)
        self.labels, self.onehot = None, target.astype(z.dtype, copy=False)
        return float(np.vdot(self.onehot.sum(axis=1), log_sum) - np.vdot(self.onehot, shifted)) / n

    def backward(self):
        n = self.probs.shape[0]
        # dL/dz = (softmax(z) - y) / N
        d = self.probs.copy()
        if self.onehot is None:
            d[np.arange(n), self.labels] -= 1.0
        else:
            d -= self.onehot
        d *= 1.0 / n
        return d

