"""Chapter 8: VGG's idea on the digits — one 5×5 convolution vs two stacked 3×3 convolutions.

Both CNNs share a stem (a 3×3 convolution from the 1 input channel to ``channels`` maps, ReLU) and a
head (2×2 max pooling, Flatten, Linear to ten classes). Between them sits the block compared:

- ``one_5x5``: one 5×5 convolution, C → C channels, padding 2: 25·C² weights + C biases;
- ``two_3x3``: two 3×3 convolutions, C → C → C, padding 1, a ReLU in between: 2·9·C² weights + 2·C
  biases — and one more non-linearity.

Both blocks see a 5×5 window of their input. The run does not take that on trust: it measures it.
``receptive_field`` is the side of the square of block-input pixels that one block-output pixel
depends on, found by backpropagating a gradient of 1 from the centre output pixel and counting the
rows with a non-zero gradient (the block's weights are random, so a zero means no dependence).

The ``end`` of each variant carries ``block_params``, ``num_params``, ``receptive_field`` and
``test_accuracy`` (training on training data, curves on validation, the test set scored once). A
toy run on 8×8 digits cannot show VGG's advantage at ImageNet scale; it shows what the derivation
says: the same window, fewer parameters, and an accuracy of the same order.
"""

from __future__ import annotations

import numpy as np

from tutor import nn
from tutor.nn import optim
from tutor.nn.train import evaluate

from .base import P, Experiment, interleave, log_every_for, register, train_variant
from .events import Bilingual as Text
from .fitting import digits_splits
from .nets import batch_param, lr_param

VARIANTS = ["one_5x5", "two_3x3"]
SIDE = 8


def block(variant: str, c: int) -> list:
    if variant == "one_5x5":
        return [nn.Conv2d(c, c, 5, padding=2)]
    if variant == "two_3x3":
        return [nn.Conv2d(c, c, 3, padding=1), nn.ReLU(), nn.Conv2d(c, c, 3, padding=1)]
    raise ValueError(variant)


def build(variant: str, c: int) -> tuple[nn.Sequential, list]:
    """(the whole CNN, the layers of its compared block: the model's own layers)."""
    stem = [nn.Conv2d(1, c, 3, padding=1), nn.ReLU()]
    mid = block(variant, c)
    head = [nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear((SIDE // 2) ** 2 * c, 10)]
    return nn.Sequential(*stem, *mid, *head), mid


def receptive_field(layers: list, c: int, side: int = 15) -> int:
    """How many input rows (= columns) one output pixel of the block ``layers`` depends on,
    measured by backpropagation.

    A ``side``×``side`` input of random positive-leaning values (so ReLUs pass somewhere), a
    gradient of 1 on the centre output pixel of every channel, and the span of the input rows
    whose gradient is not zero."""
    x = np.random.default_rng(0).standard_normal((1, c, side, side)).astype(np.float32) + 1.0
    for layer in layers:
        x = layer.forward(x, train=False)
    dout = np.zeros_like(x)
    dout[0, :, x.shape[2] // 2, x.shape[3] // 2] = 1.0
    layers[0].needs_input_grad = True
    for layer in reversed(layers):
        dout = layer.backward(dout)
    rows = np.flatnonzero(np.abs(dout[0]).sum(axis=(0, 2)) > 0)
    return int(rows.max() - rows.min() + 1)


def _vgg(params, seed, stop):
    fit, (X_test, y_test) = digits_splits(seed)
    X_train, y_train, X_val, y_val = fit
    shape = (-1, 1, SIDE, SIDE)
    X_train, X_val, X_test = (a.reshape(shape) for a in (X_train, X_val, X_test))
    c, epochs, bs = params["channels"], params["epochs"], params["batch_size"]
    steps_per_epoch = -(-len(X_train) // bs)
    gens = []
    for name in VARIANTS:
        nn.manual_seed(seed)
        model, blk = build(name, c)
        loss_fn = nn.SoftmaxCrossEntropyLoss()

        def on_end(e, model=model, blk=blk, loss_fn=loss_fn):
            _, e["test_accuracy"] = evaluate(model, loss_fn, X_test, y_test)
            e["num_params"] = int(model.num_params())
            e["block_params"] = int(sum(layer.num_params() for layer in blk))
            e["receptive_field"] = receptive_field(blk, c)
            return []

        gens.append(train_variant(name, model, loss_fn, optim.Adam(params["lr"]), X_train, y_train,
                                  X_val=X_val, y_val=y_val, epochs=epochs, batch_size=bs, seed=seed,
                                  stop=stop, log_every=log_every_for(epochs * steps_per_epoch, 100),
                                  eval_every=max(1, steps_per_epoch // 2), on_end=on_end))
    yield from interleave(gens)


def _report(variants: dict) -> Text | None:
    keys = ("block_params", "receptive_field", "test_accuracy")
    if not all(isinstance(variants.get(n, {}).get(k), (int, float)) for n in VARIANTS for k in keys):
        return None
    parts_ko, parts_en = [], []
    for n in VARIANTS:
        v = variants[n]
        rf, acc = v["receptive_field"], f"{100 * v['test_accuracy']:.1f}%"
        parts_ko.append(f"{n}: 블록 파라미터 {v['block_params']}개, 수용 영역 {rf}×{rf}, 테스트 {acc}")
        parts_en.append(f"{n}: block {v['block_params']} parameters, receptive field {rf}×{rf}, test {acc}")
    return {"ko": "완료했습니다(done). " + "; ".join(parts_ko) + ".", "en": "done. " + "; ".join(parts_en) + "."}


register(Experiment(
    name="vgg_stack",
    report=_report,
    title={"ko": "VGG의 아이디어: 5×5 합성곱 하나 vs 3×3 합성곱 둘", "en": "VGG's idea: one 5×5 convolution vs two 3×3"},
    description={
        "ko": "같은 줄기(3×3 합성곱)와 같은 머리(최대 풀링, 선형 층) 사이에 5×5 합성곱(convolution) 하나(one_5x5) 또는 "
              "3×3 합성곱 둘(two_3x3)을 넣고 손글씨 숫자를 분류합니다. 끝에 비교한 블록의 파라미터 수, 역전파로 잰 "
              "수용 영역(receptive field), 테스트 정확도를 알려 줍니다.",
        "en": "The same stem (a 3×3 convolution) and the same head (max pooling, a linear layer) with either one "
              "5×5 convolution (one_5x5) or two 3×3 convolutions (two_3x3) in between, on the handwritten digits. "
              "At the end: the compared block's parameter count, its receptive field measured by backpropagation, "
              "and the test accuracy."},
    params={
        "channels": P("channels", "int", 8, "채널 수 C (블록의 입력과 출력)", "channels C (in and out of the block)", 1, 32,
                      label={"ko": "채널 수", "en": "channels"}),
        "epochs": P("epochs", "int", 4, "에포크(epoch) 수", "epochs", 1, 50),
        "lr": lr_param(0.01, high=1.0),
        "batch_size": batch_param(32),
    },
    variants=VARIANTS,
    variant_labels={"one_5x5": {"ko": "5×5 하나(one_5x5)", "en": "one_5x5"},
                    "two_3x3": {"ko": "3×3 둘(two_3x3)", "en": "two_3x3"}},
    plot={"y": "val_accuracy", "log_y": False, "x": "step",
          "label": {"ko": "검증 정확도(validation accuracy)", "en": "validation accuracy"}},
    body=_vgg,
    diverge_cause={"ko": "학습률(learning rate)이 너무 큽니다", "en": "the learning rate is too large"},
))
