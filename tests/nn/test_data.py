"""Data sets: shapes, dtypes, seeding, and the shipped digits file."""

import numpy as np
import pytest

from tutor.nn import data


def test_logic_gates():
    X, y = data.logic_gate("XOR")
    assert X.dtype == np.float32 and X.shape == (4, 2) and y.shape == (4, 1)
    assert y.ravel().tolist() == [0, 1, 1, 0]
    assert data.logic_gate("nand")[1].ravel().tolist() == [1, 1, 1, 0]


@pytest.mark.parametrize("name", list(data.PLAYGROUND))
def test_playground_sets_are_seeded_and_split(name):
    a = data.playground(name, n=400, noise=0.2, test_ratio=0.25, seed=3)
    b = data.playground(name, n=400, noise=0.2, test_ratio=0.25, seed=3)
    c = data.playground(name, n=400, noise=0.2, test_ratio=0.25, seed=4)
    assert a.X_train.shape == (300, 2) and a.X_test.shape == (100, 2) and a.y_train.shape == (300, 1)
    assert a.X_train.dtype == np.float32
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a.X_train, c.X_train)
    assert set(np.unique(a.y_train)) == {0.0, 1.0}
    assert 0.3 < a.y_train.mean() < 0.7


def test_playground_noise_free_labels_follow_the_geometry():
    circle = data.playground("circle", n=300, noise=0.0, test_ratio=0.0)
    r = np.hypot(*circle.X_train.T)
    assert ((r < 2.5) == (circle.y_train.ravel() == 1)).all()
    xor = data.playground("xor", n=300, noise=0.0, test_ratio=0.0)
    assert ((xor.X_train.prod(axis=1) >= 0) == (xor.y_train.ravel() == 1)).all()


def test_other_sets():
    moons = data.two_moons(n=200, noise=0.1)
    assert moons.X_train.shape == (150, 2) and moons.X_test.shape == (50, 2)
    X, y = data.noisy_line(n=80, slope=3.0, intercept=-1.0, noise=0.1)
    slope, intercept = np.polyfit(X.ravel(), y.ravel(), 1)
    assert abs(slope - 3.0) < 0.1 and abs(intercept + 1.0) < 0.1
    for name in data.FUNCTIONS:
        X, y = data.function_1d(name, n=50)
        assert X.shape == y.shape == (50, 1) and np.isfinite(y).all()
    seq = data.remember_first(n=100, length=15)
    assert seq.X_train.shape == (80, 15, 1)
    np.testing.assert_array_equal(seq.y_train.ravel(), seq.X_train[:, 0, 0] > 0)
    copy = data.copy_task(n=50, length=6, vocab=5, reverse=True)
    np.testing.assert_array_equal(copy.y_train, copy.X_train[:, ::-1])
    assert copy.X_train.max() < 5


def test_digits_are_shipped_and_split_stratified():
    s = data.digits(test_ratio=0.2)
    assert len(s.X_train) + len(s.X_test) == 1797
    assert s.X_train.shape[1] == 64 and s.X_train.dtype == np.float32
    assert s.X_train.min() == 0.0 and s.X_train.max() == 1.0
    assert s.y_train.dtype.kind == "i" and set(np.unique(s.y_test)) == set(range(10))
    counts = np.bincount(s.y_test)
    assert counts.min() >= 34 and counts.max() <= 37  # ≈ 20 % of each class (174…183 images)
    images = data.digits(images=True)
    assert images.X_train.shape[1:] == (1, 8, 8)
    np.testing.assert_array_equal(images.X_train.reshape(-1, 64), s.X_train)


def test_standardize_uses_training_statistics():
    s = data.digits()
    Xt, Xv = data.standardize(s.X_train, s.X_test)
    assert abs(Xt.mean()) < 1e-5 and Xt.dtype == np.float32
    assert abs(Xv.mean()) > abs(Xt.mean())  # the test set is scaled with the training set's μ, σ
