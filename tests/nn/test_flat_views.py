"""A learner's own loop gets the flat-vector update too: ``opt.update(net.params, net.grads)``.

A Sequential's ``params``/``grads`` dicts are FlatViews that know their flat vector; the optimizer
updates that vector at once only while the dict still holds exactly its views.
"""

import numpy as np
import pytest

from tutor import nn
from tutor.nn import data, optim
from tutor.nn.module import FlatViews
from tutor.nn.train import train

OPTIMIZERS = [("SGD", dict(lr=0.05, momentum=0.9)), ("Adagrad", dict(lr=0.05)),
              ("RMSprop", dict(lr=0.01, momentum=0.5)), ("Adam", dict(lr=0.01)), ("AdamW", dict(lr=0.01))]


def net(seed=0):
    nn.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 1))


def problem():
    s = data.playground("circle", n=200, noise=0.1, test_ratio=0.0, seed=0)
    return s.X_train, s.y_train


def plain_loop(model, loss, opt, X, y, steps):
    for _ in range(steps):
        pred = model.forward(X)
        loss.forward(pred, y)
        model.backward(loss.backward())
        opt.update(model.params, model.grads)


class TestPlainLoopUpdate:
    def test_params_and_grads_know_their_flat_vector(self):
        model = net()
        assert isinstance(model.params, FlatViews) and isinstance(model.grads, FlatViews)
        assert model.params.flat_vector() is model.flat_params
        assert model.grads.flat_vector() is model.flat_grads

    @pytest.mark.parametrize("name,kwargs", OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
    def test_dict_update_equals_flat_update_and_tensor_by_tensor(self, name, kwargs):
        X, y = problem()
        by_dict, by_flat, by_tensor = net(), net(), net()
        opts = [getattr(optim, name)(**kwargs) for _ in range(3)]
        loss = nn.BCEWithLogitsLoss()
        for _ in range(20):
            for model, opt in zip((by_dict, by_flat, by_tensor), opts):
                loss.forward(model.forward(X), y)
                model.backward(loss.backward())
            opts[0].update(by_dict.params, by_dict.grads)
            opts[1].update(by_flat.flat_params, by_flat.flat_grads)
            opts[2].update(dict(by_tensor.params), dict(by_tensor.grads))  # plain dicts: one by one
        np.testing.assert_array_equal(by_dict.flat_params, by_flat.flat_params)
        np.testing.assert_allclose(by_dict.flat_params, by_tensor.flat_params, rtol=1e-6, atol=1e-7)
        assert list(opts[0].state) == [""]  # the flat vector's key, as with update(flat_params, ...)
        assert list(opts[2].state) == ["0.W", "0.b", "2.W", "2.b", "4.W", "4.b"]
        assert not np.array_equal(by_dict.flat_params, net().flat_params)

    def test_plain_loop_ends_with_the_weights_train_ends_with(self):
        X, y = problem()
        ours, theirs = net(), net()
        plain_loop(ours, nn.BCEWithLogitsLoss(), optim.Adam(0.01), X, y, steps=50)
        for _ in train(theirs, nn.BCEWithLogitsLoss(), optim.Adam(0.01), X, y, steps=50):
            pass
        np.testing.assert_array_equal(ours.flat_params, theirs.flat_params)


class TestChangedDictsAreNotFlat:
    def test_removed_entry_is_left_alone(self):
        model = net()
        model.flat_grads[:] = 1.0
        params, grads = model.params, model.grads
        del params["4.b"], grads["4.b"]
        assert params.flat_vector() is None
        bias_before = model.layers[4].params["b"].copy()
        weight_before = model.layers[4].params["W"].copy()
        optim.SGD(lr=0.1).update(params, grads)
        np.testing.assert_array_equal(model.layers[4].params["b"], bias_before)
        np.testing.assert_allclose(model.layers[4].params["W"], weight_before - 0.1)

    def test_replaced_entry_is_updated_and_the_flat_vector_is_not(self):
        model = net()
        model.flat_grads[:] = 1.0
        params = model.params
        mine = np.zeros((2, 8), np.float32)
        params["0.W"] = mine
        flat_before = model.flat_params.copy()
        optim.SGD(lr=0.1).update(params, model.grads)
        np.testing.assert_allclose(mine, -0.1)
        np.testing.assert_array_equal(model.layers[0].params["W"], flat_before[:16].reshape(2, 8))

    def test_a_tensor_given_to_a_layer_is_the_one_in_net_params(self):
        model = net()
        new_W = np.ones((8, 8), np.float32)
        model.layers[2].params["W"] = new_W
        assert model.params["2.W"] is new_W
        assert model.params.flat_vector() is None

    def test_layers_added_after_construction_are_listed(self):
        model = net()
        model.layers += [nn.Tanh(), nn.Linear(1, 1)]
        assert list(model.params) == ["0.W", "0.b", "2.W", "2.b", "4.W", "4.b", "6.W", "6.b"]
        assert not isinstance(model.params, FlatViews)

    def test_nested_sequential_dicts_are_plain(self):
        inner = nn.Sequential(nn.Linear(2, 2))
        outer = nn.Sequential(inner, nn.Tanh(), nn.Linear(2, 1))
        assert not isinstance(inner.params, FlatViews)  # the outer network owns the memory
        assert outer.params.flat_vector() is outer.flat_params
        assert list(outer.params) == ["0.0.W", "0.0.b", "2.W", "2.b"]
