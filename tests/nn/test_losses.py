"""Losses: PyTorch's definitions, correct gradients, finite for extreme logits."""

import numpy as np
import pytest

from tutor import nn
from tutor.nn.gradcheck import gradcheck


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def test_mse_value_and_gradcheck():
    pred, y = randn(4, 3), randn(4, 3, seed=1)
    assert nn.MSELoss()(pred, y) == pytest.approx(((pred - y) ** 2).mean(), rel=1e-12)
    assert gradcheck(nn.MSELoss(), pred, y) < 1e-6


def test_bce_with_logits_value_and_gradcheck():
    z, y = randn(6, 2), (randn(6, 2, seed=1) > 0).astype(float)
    p = 1 / (1 + np.exp(-z))
    expected = -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean()
    assert nn.BCEWithLogitsLoss()(z, y) == pytest.approx(expected, rel=1e-12)
    assert gradcheck(nn.BCEWithLogitsLoss(), z, y) < 1e-6
    assert gradcheck(nn.BCEWithLogitsLoss(), z, np.random.default_rng(3).random((6, 2))) < 1e-6


@pytest.mark.parametrize("one_hot", [False, True])
def test_softmax_cross_entropy_value_and_gradcheck(one_hot):
    z = randn(5, 4)
    labels = np.array([0, 3, 1, 1, 2])
    target = np.eye(4)[labels] if one_hot else labels
    logp = z - np.log(np.exp(z).sum(1, keepdims=True))
    expected = -logp[np.arange(5), labels].mean()  # averaged over the batch, not over classes
    assert nn.SoftmaxCrossEntropyLoss()(z, target) == pytest.approx(expected, rel=1e-12)
    assert gradcheck(nn.SoftmaxCrossEntropyLoss(), z, target) < 1e-6


def test_extreme_logits_stay_finite():
    z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 3.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # not even a warning
        ce = nn.SoftmaxCrossEntropyLoss()
        loss = ce(z, np.array([1, 1]))
        d = ce.backward()
        assert np.isfinite(loss) and loss == pytest.approx(1000.0)  # first row: 2000/2
        assert np.isfinite(d).all()
        bce = nn.BCEWithLogitsLoss()
        zz = np.array([[1000.0], [-1000.0], [1000.0], [-1000.0]])
        loss = bce(zz, np.array([[1.0], [0.0], [0.0], [1.0]]))
        assert loss == pytest.approx(500.0)  # two right (≈0), two wrong (1000 each)
        assert np.isfinite(bce.backward()).all()
        sm = nn.Softmax()
        assert np.isfinite(sm(z)).all() and np.isfinite(sm.backward(np.ones_like(z))).all()
        sig = nn.Sigmoid()
        np.testing.assert_array_equal(sig(np.array([[1000.0, -1000.0]])), [[1.0, 0.0]])
    for dtype in (np.float32, np.float64):
        assert np.isfinite(nn.SoftmaxCrossEntropyLoss()(z.astype(dtype), np.array([0, 2])))
