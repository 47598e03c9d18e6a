"""Chapter 8: how a CNN shrinks its feature maps — not at all, a stride-2 convolution, or max pooling.

Three small CNNs classify the 8×8 digits (``fitting.digits_splits``: training, validation for the
curves, a test set scored once at the end). Each has one 3×3 convolution with padding 1 and
``channels`` filters, a ReLU, then:

- ``no_downsampling``: the 8×8×C maps go to the classifier head as they are (8·8·C inputs);
- ``stride2``: the convolution itself moves 2 pixels at a time, so it only computes a 4×4 map;
- ``maxpool``: the convolution computes the full 8×8 map and a 2×2 max pooling keeps the largest
  value of each window (4×4 again, and pooling has no parameters).

The head is one Linear layer to the ten classes, so its size is where downsampling shows:
(H·W·C + 1)·10. The ``end`` of each variant carries ``num_params``, ``head_params``, ``map_size``
(the side of the map the head sees), ``test_accuracy`` and ``shift_accuracy`` (the accuracy on the
test images moved by one pixel up, down, left and right, averaged over the four moves: a 1-pixel
shift is what max pooling over 2×2 windows partly absorbs) and ``shift_drop`` (test − shift). A
``heatmap`` shows the first filter's map of one test digit as the head receives it.
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

VARIANTS = ["no_downsampling", "stride2", "maxpool"]
SIDE = 8   # the digits are 8×8


def build(variant: str, channels: int) -> nn.Sequential:
    """The variant's CNN (call ``nn.manual_seed`` first for a reproducible one)."""
    if variant == "no_downsampling":
        body, side = [nn.Conv2d(1, channels, 3, padding=1), nn.ReLU()], SIDE
    elif variant == "stride2":
        body, side = [nn.Conv2d(1, channels, 3, stride=2, padding=1), nn.ReLU()], SIDE // 2
    elif variant == "maxpool":
        body, side = [nn.Conv2d(1, channels, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)], SIDE // 2
    else:
        raise ValueError(variant)
    return nn.Sequential(*body, nn.Flatten(), nn.Linear(side * side * channels, 10))


def shifted(X: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Images (N, 1, H, W) moved by (dy, dx) pixels; what moves in from the edge is blank (0)."""
    out = np.zeros_like(X)
    h, w = X.shape[2:]
    out[:, :, max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
        X[:, :, max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)]
    return out


SHIFTS = [(-1, 0), (1, 0), (0, -1), (0, 1)]   # up, down, left, right


def _pooling(params, seed, stop):
    fit, (X_test, y_test) = digits_splits(seed)
    X_train, y_train, X_val, y_val = fit
    shape = (-1, 1, SIDE, SIDE)
    X_train, X_val, X_test = (a.reshape(shape) for a in (X_train, X_val, X_test))
    c, epochs, bs = params["channels"], params["epochs"], params["batch_size"]
    steps_per_epoch = -(-len(X_train) // bs)
    gens = []
    for name in VARIANTS:
        nn.manual_seed(seed)
        model = build(name, c)
        loss_fn = nn.SoftmaxCrossEntropyLoss()

        def on_end(e, model=model, loss_fn=loss_fn):
            head = model[len(model) - 1]
            _, e["test_accuracy"] = evaluate(model, loss_fn, X_test, y_test)
            e["shift_accuracy"] = float(np.mean([evaluate(model, loss_fn, shifted(X_test, dy, dx), y_test)[1]
                                                 for dy, dx in SHIFTS]))
            e["shift_drop"] = e["test_accuracy"] - e["shift_accuracy"]
            e["num_params"] = int(model.num_params())
            e["head_params"] = int(head.num_params())
            # what the head sees: the map after the last layer before Flatten
            x = X_test[:1]
            for layer in list(model)[:-2]:
                x = layer.forward(x, train=False)
            e["map_size"] = int(x.shape[-1])
            grid = x[0, 0].astype(float)
            n = grid.shape[0]
            return [{"event": "heatmap", "name": "feature map",
                     "title": {"ko": f"첫 필터의 특성 맵(feature map), {n}×{n}",
                               "en": f"first filter's feature map, {n}×{n}"},
                     "grid": grid[::-1].tolist(), "x_range": [0.0, float(n)], "y_range": [0.0, float(n)]}]

        gens.append(train_variant(name, model, loss_fn, optim.Adam(params["lr"]), X_train, y_train,
                                  X_val=X_val, y_val=y_val, epochs=epochs, batch_size=bs, seed=seed,
                                  stop=stop, log_every=log_every_for(epochs * steps_per_epoch, 100),
                                  eval_every=max(1, steps_per_epoch // 2), on_end=on_end))
    yield from interleave(gens)


def _report(variants: dict) -> Text | None:
    """Each variant's head size, test accuracy and accuracy on 1-pixel shifts."""
    keys = ("head_params", "test_accuracy", "shift_accuracy")
    if not all(isinstance(variants.get(n, {}).get(k), (int, float)) for n in VARIANTS for k in keys):
        return None
    names_ko = {"no_downsampling": "줄이지 않음", "stride2": "스트라이드 2", "maxpool": "최대 풀링"}
    parts_ko, parts_en = [], []
    for n in VARIANTS:
        v = variants[n]
        acc, sh = f"{100 * v['test_accuracy']:.1f}%", f"{100 * v['shift_accuracy']:.1f}%"
        parts_ko.append(f"{names_ko[n]}: 헤드 파라미터 {v['head_params']}개, 테스트 {acc}, 1픽셀 이동 {sh}")
        parts_en.append(f"{n}: head {v['head_params']} parameters, test {acc}, 1-pixel shifts {sh}")
    return {"ko": "완료했습니다(done). " + "; ".join(parts_ko) + ".",
            "en": "done. " + "; ".join(parts_en) + "."}


register(Experiment(
    name="pooling",
    report=_report,
    title={"ko": "특성 맵 줄이기: 그대로, 스트라이드 2, 최대 풀링", "en": "Shrinking the feature map: none, stride 2, max pooling"},
    description={
        "ko": "3×3 합성곱(convolution) 하나와 ReLU 뒤에 특성 맵(feature map)을 그대로 두거나(no_downsampling), "
              "스트라이드(stride) 2로 계산하거나(stride2), 2×2 최대 풀링(max pooling)으로 줄인(maxpool) 뒤 선형 층 하나로 "
              "숫자 10개를 분류합니다. 끝에 헤드(선형 층)의 파라미터 수, 테스트 정확도, 한 픽셀 움직인 테스트 이미지의 정확도를 알려 줍니다.",
        "en": "One 3×3 convolution and a ReLU, then the feature map is kept as it is (no_downsampling), computed "
              "with stride 2 (stride2) or shrunk by 2×2 max pooling (maxpool), and one linear layer classifies the "
              "ten digits. At the end: the head's parameter count, the test accuracy and the accuracy on test "
              "images moved by one pixel."},
    params={
        "channels": P("channels", "int", 8, "합성곱 필터(출력 채널) 수", "convolution filters (output channels)", 1, 32,
                      label={"ko": "필터 수", "en": "filters"}),
        "epochs": P("epochs", "int", 6, "에포크(epoch) 수", "epochs", 1, 50),
        "lr": lr_param(0.01, high=1.0),
        "batch_size": batch_param(32),
    },
    variants=VARIANTS,
    variant_labels={"no_downsampling": {"ko": "줄이지 않음(no_downsampling)", "en": "no_downsampling"},
                    "stride2": {"ko": "스트라이드 2(stride2)", "en": "stride2"},
                    "maxpool": {"ko": "최대 풀링(maxpool)", "en": "maxpool"}},
    plot={"y": "val_accuracy", "log_y": False, "x": "step",
          "label": {"ko": "검증 정확도(validation accuracy)", "en": "validation accuracy"}},
    body=_pooling,
    diverge_cause={"ko": "학습률(learning rate)이 너무 큽니다", "en": "the learning rate is too large"},
))
