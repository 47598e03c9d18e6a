"""The engine's public names, and that it imports NumPy only."""

import json
import subprocess
import sys
from pathlib import Path

import tutor.nn

PUBLIC = ["Linear", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "GELU", "Step", "Softmax", "Dropout",
          "BatchNorm1d", "Residual", "Conv2d", "MaxPool2d", "Flatten", "RNN", "Embedding",
          "ScaledDotProductAttention", "Sequential", "MSELoss", "BCEWithLogitsLoss",
          "SoftmaxCrossEntropyLoss", "LastStep", "LSTM", "LayerNorm", "MultiHeadAttention", "PositionalEncoding",
          "FeedForward", "TransformerBlock", "sinusoidal_positional_encoding", "clip_grad_norm"]


def test_public_names():
    for name in PUBLIC:
        assert hasattr(tutor.nn, name), name
    from tutor.nn import init, optim
    from tutor.nn.gradcheck import gradcheck  # noqa: F401
    from tutor.nn.train import train  # noqa: F401

    for name in ["zeros", "normal", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal"]:
        assert callable(getattr(init, name))
    for name in ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "L1", "L2"]:
        assert callable(getattr(optim, name))


def test_imports_numpy_only():
    code = (
        "import sys, json\n"
        "import tutor.nn, tutor.nn.data, tutor.nn.optim, tutor.nn.train, tutor.nn.gradcheck, tutor.nn.init\n"
        "tutor.nn.data.digits()\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(tutor.nn.__file__).parents[2])
    loaded = set(json.loads(out.stdout))
    forbidden = {"textual", "rich", "matplotlib", "sklearn", "scipy", "torch", "threadpoolctl", "pydantic", "yaml"}
    assert not loaded & forbidden, loaded & forbidden


def test_digits_ship_inside_the_package_with_their_licence():
    folder = Path(tutor.nn.__file__).parent / "datasets"
    assert (folder / "digits.npz").stat().st_size < 100_000
    readme = (folder / "README.md").read_text()
    assert "CC BY 4.0" in readme and "UCI" in readme
