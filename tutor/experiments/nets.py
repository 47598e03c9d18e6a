"""Small shared pieces: building MLPs, optimizers by name, standard parameters."""

from __future__ import annotations

from tutor import nn
from tutor.nn import optim

from .base import P, int_list

ACTIVATIONS = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU, "linear": None}
#: the initialiser that suits each activation (Xavier for the S-shaped ones, He for ReLU)
MATCHED_INIT = {"sigmoid": "xavier_normal", "tanh": "xavier_normal", "relu": "he_normal", "linear": "xavier_normal"}
INIT_NAMES = {"zeros": "zeros", "small": "small_random", "xavier": "xavier_normal", "he": "he_normal",
              "default": "default"}


def mlp(sizes: list[int], activation: str = "relu", init: str = "auto", batchnorm: bool = False,
        dropout: float = 0.0, residual: bool = False):
    """Linear → [BatchNorm] → activation → [Dropout] per hidden layer, then a last Linear.

    ``residual``: hidden layers of equal width are wrapped as x + f(x) blocks.
    """
    act = ACTIVATIONS[activation]
    w_init = MATCHED_INIT[activation] if init == "auto" else INIT_NAMES.get(init, init)
    layers = []
    for i in range(len(sizes) - 2):
        block = [nn.Linear(sizes[i], sizes[i + 1], init=w_init)]
        if batchnorm:
            block.append(nn.BatchNorm1d(sizes[i + 1]))
        if act is not None:
            block.append(act())
        if dropout:
            block.append(nn.Dropout(dropout))
        if residual and sizes[i] == sizes[i + 1]:
            layers.append(nn.Residual(nn.Sequential(*block)))
        else:
            layers.extend(block)
    layers.append(nn.Linear(sizes[-2], sizes[-1], init=w_init))
    return nn.Sequential(*layers)


def make_optimizer(name: str, lr: float, momentum: float = 0.9, weight_decay: float = 0.0):
    if name == "sgd":
        return optim.SGD(lr, weight_decay=weight_decay)
    if name == "momentum":
        return optim.SGD(lr, momentum=momentum, weight_decay=weight_decay)
    if name == "rmsprop":
        return optim.RMSprop(lr, weight_decay=weight_decay)
    if name == "adam":
        return optim.Adam(lr, weight_decay=weight_decay)
    raise ValueError(name)


OPTIMIZERS = ["sgd", "momentum", "rmsprop", "adam"]


def lr_param(default, high=10.0, ko="학습률(learning rate)", en="learning rate"):
    return P("lr", "float", default, ko, en, 1e-5, high)


def steps_param(default, high=20000):
    return P("steps", "int", default, "학습 걸음 수(steps)", "training steps (updates)", 1, high)


def batch_param(default, high=1024):
    return P("batch_size", "int", default, "미니배치 크기(batch size)", "mini-batch size", 1, high)


def activation_param(default="relu", choices=("relu", "tanh", "sigmoid")):
    return P("activation", "choice", default, "활성화 함수(activation function)", "activation function",
             choices=list(choices))


def hidden_param(default: str, max_layers: int = 8, max_width: int = 256):
    return P("hidden", "str", default, "은닉층 뉴런 수, 쉼표로 구분 (예: 16,16)",
             "neurons per hidden layer, comma-separated (e.g. 16,16)", check=int_list(1, max_width, max_layers))
