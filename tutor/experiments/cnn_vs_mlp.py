"""Chapter 8: an MLP and a CNN of about the same size on the 8×8 digits, then on shifted digits.

Both variants train on the same digits (``fitting.digits_splits``: 1,150 for training, 288 for
validation; the test part is not used here), from the same seed, with the same optimizer, and race
interleaved; the curve is the validation accuracy.

- ``mlp``: Flatten → Linear(64, hidden) → ReLU → Linear(hidden, 10). With hidden = 24 it has
  (64 + 1)·24 + (24 + 1)·10 = 1,810 parameters: one weight per pixel *position* per unit.
- ``cnn``: Conv2d(1, f, 3×3, padding 1) → ReLU → MaxPool 2 → Conv2d(f, 2f, 3×3, padding 1) → ReLU →
  MaxPool 2 → Flatten → Linear(2f·2·2, 10). With f = 8 it has 80 + 1,168 + 650 = 1,898 parameters:
  the same small filters slide over every position (parameter sharing).

After training, each model is scored on the validation images moved by ``shift`` pixels (zeros come
in at the edge), once in each of the four directions (right, left, down, up); ``shifted_accuracy``
is the mean of the four. The ``end`` of each variant carries ``num_params``, ``val_accuracy`` (on
the unmoved validation set), ``shifted_accuracy``, ``shift_drop`` (the difference, in accuracy) and
``shift``; the finish message says them all.

``permute=true`` scrambles the 64 pixels of every image with one fixed permutation (the same for
training and validation, drawn from the seed) before anything else: the MLP, which has one weight
per pixel position and no notion of neighbours, can learn the scrambled digits just as well; the
CNN's 3×3 windows now see pixels from all over the image. The shift test moves the digit first
and then scrambles the moved picture the same way (the digit moved, the camera is the same), so a
shift is no longer a shift of what the model sees.
"""

from __future__ import annotations

import numpy as np

from tutor import nn
from tutor.nn import optim
from tutor.nn.train import evaluate

from .base import P, Experiment, interleave, register, train_variant
from .events import Bilingual as Text
from .fitting import digits_splits
from .nets import batch_param, lr_param

VARIANTS = ["mlp", "cnn"]
DIRECTIONS = ((1, 0), (-1, 0), (0, 1), (0, -1))   # (dx, dy): right, left, down, up


def shift_images(X: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """(N, C, H, W) images moved dx pixels right and dy pixels down; zeros come in at the edge
    and what leaves the frame is lost."""
    out = np.zeros_like(X)
    H, W = X.shape[-2:]
    if abs(dx) >= W or abs(dy) >= H:
        return out
    out[..., max(dy, 0):H + min(dy, 0), max(dx, 0):W + min(dx, 0)] = \
        X[..., max(-dy, 0):H + min(-dy, 0), max(-dx, 0):W + min(-dx, 0)]
    return out


def make_mlp(hidden: int):
    return nn.Sequential(nn.Flatten(), nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))


def make_cnn(filters: int):
    return nn.Sequential(
        nn.Conv2d(1, filters, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),           # 8×8 → 4×4
        nn.Conv2d(filters, 2 * filters, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 4×4 → 2×2
        nn.Flatten(), nn.Linear(2 * filters * 2 * 2, 10))


def images(params: dict, seed: int):
    """(X_train, y_train, X_val, y_val) as (N, 1, 8, 8), and the pixel order every image is seen
    in: the identity, or with ``permute`` one fixed scramble drawn from the seed."""
    (X, y, Xv, yv), _ = digits_splits(seed)
    order = np.random.default_rng(seed).permutation(64) if params.get("permute") else np.arange(64)
    return X.reshape(-1, 1, 8, 8), y, Xv.reshape(-1, 1, 8, 8), yv, order


def scrambled(X: np.ndarray, order: np.ndarray) -> np.ndarray:
    """(N, 1, 8, 8) images with their 64 pixels put in ``order``."""
    return X.reshape(len(X), -1)[:, order].reshape(X.shape)


def shifted_accuracy(model, X, y, shift: int, order: np.ndarray | None = None) -> float:
    """Mean accuracy over the four one-direction shifts of ``shift`` pixels: the digit moves, then
    (with a pixel ``order``) the moved picture is scrambled the way the model was trained on."""
    loss_fn = nn.SoftmaxCrossEntropyLoss()
    order = np.arange(X[0].size) if order is None else order
    return float(np.mean([evaluate(model, loss_fn, scrambled(shift_images(X, dx * shift, dy * shift), order), y)[1]
                          for dx, dy in DIRECTIONS]))


def _cnn_vs_mlp(params, seed, stop):
    X0, y, Xv0, yv, order = images(params, seed)
    X, Xv = scrambled(X0, order), scrambled(Xv0, order)
    epochs, batch = params["epochs"], params["batch_size"]
    steps_per_epoch = -(-len(X) // batch)
    gens = []
    for name in VARIANTS:
        nn.manual_seed(seed)
        model = make_mlp(params["hidden"]) if name == "mlp" else make_cnn(params["filters"])
        loss_fn = nn.SoftmaxCrossEntropyLoss()

        def on_end(e, model=model, loss_fn=loss_fn):
            _, e["val_accuracy"] = evaluate(model, loss_fn, Xv, yv)
            e["shifted_accuracy"] = shifted_accuracy(model, Xv0, yv, params["shift"], order)
            e["shift_drop"] = e["val_accuracy"] - e["shifted_accuracy"]
            e["shift"] = params["shift"]
            e["num_params"] = int(model.flat_params.size)

        events = train_variant(name, model, loss_fn, optim.Adam(params["lr"]), X, y, X_val=Xv, y_val=yv,
                               epochs=epochs, batch_size=batch, seed=seed, stop=stop,
                               log_every=max(1, steps_per_epoch // 4), eval_every=max(1, steps_per_epoch // 2),
                               on_end=on_end)
        gens.append(events)
    yield from interleave(gens)


def _report(variants: dict) -> Text | None:
    """The finish message: each model's parameters, validation accuracy and shifted accuracy."""
    if not all(isinstance(variants.get(n, {}).get("shifted_accuracy"), (int, float)) for n in VARIANTS):
        return None
    m, c = variants["mlp"], variants["cnn"]
    k = m.get("shift")
    return {"ko": f"완료했습니다(done). 파라미터 mlp {m['num_params']}개, cnn {c['num_params']}개. "
                  f"검증 정확도 mlp {m['val_accuracy']:.1%}, cnn {c['val_accuracy']:.1%}. "
                  f"{k}픽셀 옮긴 숫자에서는 mlp {m['shifted_accuracy']:.1%}, cnn {c['shifted_accuracy']:.1%}.",
            "en": f"done. Parameters: mlp {m['num_params']}, cnn {c['num_params']}. Validation accuracy: "
                  f"mlp {m['val_accuracy']:.1%}, cnn {c['val_accuracy']:.1%}. On digits shifted by {k} "
                  f"pixel(s): mlp {m['shifted_accuracy']:.1%}, cnn {c['shifted_accuracy']:.1%}."}


register(Experiment(
    name="cnn_vs_mlp",
    report=_report,
    title={"ko": "MLP와 CNN: 손글씨 숫자, 그리고 옮긴 숫자", "en": "MLP vs CNN: the digits, then shifted digits"},
    description={
        "ko": "파라미터 수가 비슷한 완전 연결 신경망(mlp)과 합성곱 신경망(cnn)을 8×8 손글씨 숫자로 같은 조건에서 "
              "학습시키고 검증 정확도를 비교합니다. 학습이 끝나면 검증 숫자를 shift픽셀만큼 상하좌우로 옮겨 "
              "다시 채점합니다. 끝에 각자의 파라미터 수, 검증 정확도, 옮긴 숫자에서의 정확도를 알려 줍니다.",
        "en": "A fully connected net (mlp) and a convolutional net (cnn) with about the same number of "
              "parameters train on the 8×8 digits under the same conditions; the curves are validation "
              "accuracy. After training, the validation digits are moved by shift pixels (right, left, "
              "down, up) and scored again. Each reports its parameter count, validation accuracy and "
              "accuracy on the shifted digits at the end."},
    params={
        "shift": P("shift", "int", 1, "학습 후 검증 숫자를 옮길 픽셀 수(상하좌우 각각)",
                   "pixels the validation digits are moved after training (each of four directions)", 0, 3,
                   label={"ko": "옮길 픽셀 수", "en": "shift (pixels)"}),
        "permute": P("permute", "bool", False, "모든 이미지의 64픽셀을 같은 순서로 뒤섞기(학습과 검증 모두)",
                     "scramble the 64 pixels of every image in one fixed order (training and validation)",
                     label={"ko": "픽셀 뒤섞기", "en": "permute pixels"}),
        "hidden": P("hidden", "int", 24, "mlp의 은닉 뉴런 수", "hidden units of mlp", 1, 256,
                    label={"ko": "mlp 은닉 뉴런 수", "en": "mlp hidden width"}),
        "filters": P("filters", "int", 8, "cnn 첫 합성곱 층의 필터 수(둘째 층은 2배)",
                     "filters of cnn's first convolution layer (the second has twice as many)", 1, 32,
                     label={"ko": "cnn 필터 수", "en": "cnn filters"}),
        "lr": lr_param(0.01, high=1.0),
        "epochs": P("epochs", "int", 20, "에포크(epoch) 수", "epochs", 1, 100),
        "batch_size": batch_param(64),
    },
    variants=VARIANTS,
    variant_labels={"mlp": {"ko": "작은 신경망(mlp)", "en": "mlp"},
                    "cnn": {"ko": "합성곱 신경망(cnn)", "en": "cnn"}},
    plot={"y": "val_accuracy", "log_y": False, "x": "step",
          "label": {"ko": "검증 정확도", "en": "validation accuracy"}},
    body=_cnn_vs_mlp,
    diverge_cause={"ko": "학습률(learning rate)이 너무 큽니다", "en": "the learning rate is too large"},
))
