"""Chapter 8: what a convolution layer sees in one digit — hand-made edge filters beside learned ones.

A small CNN, Conv2d(1, filters, 3×3, padding 1) → ReLU → MaxPool 2 → Flatten → Linear(filters·4·4,
10), trains on the 8×8 digits (``fitting.digits_splits``: 1,150 for training, 288 for validation)
for a few seconds; the curve is the validation accuracy. One validation digit (the first of class
``digit``) is then looked at through two kinds of 3×3 filter, both applied with ``nn.Conv2d``
(padding 1, so every map is 8×8 like the digit):

- hand-made: ``vertical`` = [[-1, 0, 1]] × 3 rows (bright to the right of dark: a vertical edge)
  and ``horizontal``, its transpose (bright below dark: a horizontal edge);
- learned: the first layer's own filters, as training left them.

Pictures (``heatmap`` events of variant ``main``, at most 8 names): ``digit`` (the input),
``hand_vertical`` and ``hand_horizontal`` (their maps of the digit), ``filters`` (the first four
learned 3×3 filters side by side, one blank column between them) and ``map_1`` … ``map_4`` (their
maps of the digit). The learned ones are sent again a few times during training, so the pictures
change from the random start to the trained filters. Maps are the convolution's output before the
ReLU (negative where the filter's pattern is reversed). Every grid's rows run from the bottom of
the picture to its top (``y_range`` [7, 0]: image row 7 first), as the contract's grids do.

The ``end`` carries ``val_accuracy``, ``digit`` (its class) and ``digit_index`` (its place in the
validation set), ``hand_response`` (mean |value| of each hand-made map), ``strongest_hand_filter``
("vertical" or "horizontal"), ``learned_response`` (mean |value| of each learned filter's map) and
``num_params``.
"""

from __future__ import annotations

import numpy as np

from tutor import nn
from tutor.nn import optim
from tutor.nn.train import evaluate

from .base import P, Experiment, every, register, train_variant
from .events import Bilingual as Text
from .fitting import digits_splits
from .nets import batch_param, lr_param

#: the hand-made filters (rows top to bottom): [-1, 0, 1] along x, and its transpose along y
VERTICAL = np.array([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], dtype=np.float32)
HORIZONTAL = VERTICAL.T.copy()
HAND = {"vertical": VERTICAL, "horizontal": HORIZONTAL}
SHOWN = 4   # learned filters drawn (the rest are trained but not drawn: 8 pictures at most)


def apply_filters(image: np.ndarray, filters: np.ndarray, bias=None) -> np.ndarray:
    """(8, 8) image, (K, 3, 3) filters → (K, 8, 8) maps: ``nn.Conv2d`` with padding 1 and these
    weights, i.e. the sliding dot product of every 3×3 window with every filter (plus bias)."""
    k = len(filters)
    conv = nn.Conv2d(1, k, 3, padding=1)
    conv.params["W"][...] = np.asarray(filters, np.float32).reshape(k, 1, 3, 3)
    conv.params["b"][...] = 0.0 if bias is None else bias
    return conv.forward(image.reshape(1, 1, *image.shape).astype(np.float32), train=False)[0]


def make_model(filters: int):
    return nn.Sequential(nn.Conv2d(1, filters, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(filters * 4 * 4, 10))


def _grid(values: np.ndarray) -> list[list[float | None]]:
    """An image-like array (row 0 at the top) as a contract grid (bottom row first)."""
    return [[None if not np.isfinite(v) else round(float(v), 4) for v in row] for row in values[::-1]]


def heatmap(name: str, ko: str, en: str, values: np.ndarray) -> dict:
    h, w = values.shape
    return {"event": "heatmap", "name": name, "title": {"ko": ko, "en": en}, "grid": _grid(values),
            "x_range": [0.0, float(w - 1)], "y_range": [float(h - 1), 0.0]}


def tiled(filters: np.ndarray) -> np.ndarray:
    """(K, 3, 3) → one (3, 4K − 1) picture, a blank (NaN) column between two filters."""
    k = len(filters)
    out = np.full((3, 4 * k - 1), np.nan)
    for i, f in enumerate(filters):
        out[:, 4 * i:4 * i + 3] = f
    return out


def learned_pictures(model, image: np.ndarray) -> list[dict]:
    conv = model.layers[0]
    W = conv.params["W"][:SHOWN, 0]
    maps = apply_filters(image, W, conv.params["b"][:SHOWN])
    events = [heatmap("filters", f"학습된 필터 1–{len(W)}", f"learned 1–{len(W)}", tiled(W))]
    for i, m in enumerate(maps):
        events.append(heatmap(f"map_{i + 1}", f"필터 {i + 1}의 특성 맵", f"filter {i + 1}'s map", m))
    return events


def _feature_maps(params, seed, stop):
    nn.manual_seed(seed)
    (X, y, Xv, yv), _ = digits_splits(seed)
    X, Xv = X.reshape(-1, 1, 8, 8), Xv.reshape(-1, 1, 8, 8)
    index = int(np.flatnonzero(yv == params["digit"])[0])
    image = Xv[index, 0]
    model = make_model(params["filters"])
    loss_fn = nn.SoftmaxCrossEntropyLoss()
    epochs, batch = params["epochs"], params["batch_size"]
    steps_per_epoch = -(-len(X) // batch)
    total = epochs * steps_per_epoch
    due = every(total, 4)
    hand_maps = apply_filters(image, np.stack([VERTICAL, HORIZONTAL]))
    response = {name: float(np.abs(m).mean()) for name, m in zip(HAND, hand_maps)}

    def on_step(e):
        # the last step's pictures come with the end
        return learned_pictures(model, image) if due(e["step"]) and e["step"] < total else None

    def on_end(e):
        _, e["val_accuracy"] = evaluate(model, loss_fn, Xv, yv)
        conv = model.layers[0]
        maps = apply_filters(image, conv.params["W"][:, 0], conv.params["b"])
        e["digit"], e["digit_index"] = int(params["digit"]), index
        e["hand_response"] = response
        e["strongest_hand_filter"] = max(response, key=response.get)
        e["learned_response"] = [float(np.abs(m).mean()) for m in maps]
        e["num_params"] = int(model.flat_params.size)
        return learned_pictures(model, image)

    for e in train_variant("main", model, loss_fn, optim.Adam(params["lr"]), X, y, X_val=Xv, y_val=yv,
                           epochs=epochs, batch_size=batch, seed=seed, stop=stop,
                           log_every=max(1, steps_per_epoch // 4), eval_every=max(1, steps_per_epoch // 2),
                           on_step=on_step, on_end=on_end):
        yield e
        if e["event"] == "start":
            # the digit and the hand-made filters' maps do not change: drawn once, at the start
            pictures = [heatmap("digit", f"입력: 숫자 {params['digit']}", f"input: digit {params['digit']}", image),
                        heatmap("hand_vertical", "세로 경계 필터", "vertical edge",
                                hand_maps[0]),
                        heatmap("hand_horizontal", "가로 경계 필터", "horizontal edge",
                                hand_maps[1]),
                        *learned_pictures(model, image)]
            for p in pictures:
                p["variant"] = "main"
                yield p


def _report(variants: dict) -> Text | None:
    v = variants.get("main", {})
    if not isinstance(v.get("val_accuracy"), (int, float)) or "hand_response" not in v:
        return None
    r = v["hand_response"]
    ko_name = {"vertical": "세로 경계", "horizontal": "가로 경계"}[v["strongest_hand_filter"]]
    return {"ko": f"완료했습니다(done). 검증 정확도 {v['val_accuracy']:.1%}. 숫자 {v['digit']}에서 손으로 만든 필터의 "
                  f"평균 반응 |값|: 세로 경계 {r['vertical']:.3f}, 가로 경계 {r['horizontal']:.3f} "
                  f"(더 강한 쪽: {ko_name}).",
            "en": f"done. Validation accuracy {v['val_accuracy']:.1%}. On digit {v['digit']}, mean |response| of "
                  f"the hand-made filters: vertical edge {r['vertical']:.3f}, horizontal edge "
                  f"{r['horizontal']:.3f} (stronger: {v['strongest_hand_filter']})."}


register(Experiment(
    name="feature_maps",
    report=_report,
    title={"ko": "합성곱이 숫자에서 보는 것: 손으로 만든 필터와 학습된 필터",
           "en": "What a convolution sees in a digit: hand-made and learned filters"},
    description={
        "ko": "합성곱 층 하나짜리 작은 CNN을 8×8 손글씨 숫자로 몇 초 동안 학습시킵니다. 검증 숫자 하나를 골라 "
              "손으로 만든 세로·가로 경계 필터의 특성 맵(feature map)과, 학습된 3×3 필터 네 개와 그 특성 맵을 "
              "나란히 그립니다. 학습 중에도 학습된 필터의 그림이 몇 번 바뀝니다.",
        "en": "A small CNN with one convolution layer trains on the 8×8 digits for a few seconds. One "
              "validation digit is drawn beside its feature maps under the hand-made vertical- and "
              "horizontal-edge filters, and under four learned 3×3 filters (drawn too); the learned "
              "pictures are redrawn a few times during training."},
    params={
        "digit": P("digit", "int", 1, "그림으로 볼 숫자(검증 세트에서 그 숫자의 첫 이미지)",
                   "the digit to look at (the first validation image of that class)", 0, 9,
                   label={"ko": "볼 숫자", "en": "digit shown"}),
        "filters": P("filters", "int", 4, "합성곱 층의 필터 수(그림은 앞의 4개까지)",
                     "filters of the convolution layer (the first 4 are drawn)", 1, 16,
                     label={"ko": "필터 수", "en": "filters"}),
        "lr": lr_param(0.01, high=1.0),
        "epochs": P("epochs", "int", 20, "에포크(epoch) 수", "epochs", 1, 100),
        "batch_size": batch_param(64),
    },
    plot={"y": "val_accuracy", "log_y": False, "x": "step",
          "label": {"ko": "검증 정확도", "en": "validation accuracy"}},
    body=_feature_maps,
    diverge_cause={"ko": "학습률(learning rate)이 너무 큽니다", "en": "the learning rate is too large"},
))
