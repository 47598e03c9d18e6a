"""tutor.nn — a small deep-learning engine written from scratch in NumPy, to be read.

Layers (``forward(x, train=True)``, ``backward(dout) -> dx``, ``params``/``grads`` dicts):
    Linear, Sigmoid, Tanh, ReLU, LeakyReLU, GELU, Step, Softmax, Dropout, BatchNorm1d, Residual,
    Conv2d, MaxPool2d, Flatten, RNN, Embedding, ScaledDotProductAttention, Sequential,
    LSTM, LayerNorm, MultiHeadAttention, PositionalEncoding, FeedForward, TransformerBlock
    (``sinusoidal_positional_encoding(T, D)`` is PositionalEncoding's table)
Losses (``forward(pred, target) -> float``, ``backward() -> dpred``):
    MSELoss, BCEWithLogitsLoss, SoftmaxCrossEntropyLoss
Submodules: ``init`` (initialisers), ``optim`` (optimizers and L1/L2 penalties), ``data`` (data
sets), ``gradcheck`` (numerical gradient check), ``train`` (the training loop, yielding events).

Training runs in float32 by default; a layer computes in the dtype of its input, and
``model.to(np.float64)`` switches a network to float64 (what gradcheck uses).
``manual_seed(seed)`` makes every initialisation and dropout mask reproducible.

A whole training run:

    from tutor import nn
    from tutor.nn import data, optim
    from tutor.nn.train import train

    nn.manual_seed(0)
    X, y = data.logic_gate("XOR")
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
    for event in train(model, nn.BCEWithLogitsLoss(), optim.Adam(0.05), X, y, steps=500, log_every=100):
        print(event)    # {"event": "step", "step": 100, "epoch": 100, "loss": ..., "accuracy": ...}

The same steps in your own loop, just as fast (a Sequential's params/grads dicts are views into one
flat vector, and the optimizer updates that vector at once):

    loss_fn, opt = nn.BCEWithLogitsLoss(), optim.Adam(0.05)
    for step in range(500):
        loss = loss_fn.forward(model.forward(X), y)     # forward → loss
        model.backward(loss_fn.backward())              # backward: every layer's grads
        opt.update(model.params, model.grads)           # update

(``train`` also skips dL/dX of the data, which ``model.backward`` returns and nobody uses; in your
loop ``model.needs_input_grad = False`` does the same, and then backward returns None.)

Imports NumPy only.
"""

from .activations import GELU, LeakyReLU, ReLU, Sigmoid, Softmax, Step, Tanh
from .attention import MultiHeadAttention, ScaledDotProductAttention
from .conv import Conv2d, MaxPool2d
from .init import manual_seed
from .layers import BatchNorm1d, Dropout, Embedding, Flatten, Linear
from .losses import BCEWithLogitsLoss, Loss, MSELoss, SoftmaxCrossEntropyLoss
from .module import Module, Residual, Sequential
from .normalization import LayerNorm
from .recurrent import LSTM, RNN, LastStep
from .transformer import FeedForward, PositionalEncoding, TransformerBlock, sinusoidal_positional_encoding
from .clip import clip_grad_norm  # noqa: F401  (gradient clipping by norm, tutor.nn.clip)

__all__ = [
    "Module", "Linear", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "GELU", "Step", "Softmax",
    "Dropout", "BatchNorm1d", "Residual", "Conv2d", "MaxPool2d", "Flatten", "RNN", "Embedding",
    "ScaledDotProductAttention", "Sequential", "Loss", "MSELoss", "BCEWithLogitsLoss",
    "SoftmaxCrossEntropyLoss", "manual_seed",
    "LSTM", "LayerNorm", "MultiHeadAttention", "PositionalEncoding", "FeedForward", "TransformerBlock",
    "sinusoidal_positional_encoding", "clip_grad_norm", "LastStep",
]
