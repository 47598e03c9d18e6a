"""Chapter 8: a YOLO-style grid detector in miniature, trained in seconds on synthetic images.

Each image is 16×16 pixels of faint noise with one or two bright squares (sides 2 to 5 pixels, never
overlapping, their centres in different cells). The image is cut into an S×S grid of 4×4-pixel
cells (S = 4). As in YOLO v1, the cell that holds an object's centre is responsible for it and
predicts, for its one box (B = 1, C = 0 classes: only "object or not"):

    objectness (a logit), x and y (the centre within the cell, 0…1), w and h (the side / 16)

so the network's output is S×S×5 (YOLO v1's is 7×7×30). The network is fully convolutional:
conv 3×3 (8) → ReLU → max pool 2 → conv 3×3 (16) → ReLU → max pool 2 → conv 1×1 (5), one forward
pass for every cell at once; each output cell sees a 10×10 window of the image.

The loss is YOLO v1's shape with two simplifications: binary cross-entropy for objectness (YOLO
used squared error) weighted ``λ_noobj`` = 0.5 on the cells without an object, plus
``λ_coord`` = 5 times the squared error of x, y, w, h on the cells with one (YOLO also took square
roots of w and h). Detection on the validation images: keep the cells with p(object) > ``threshold`` (0.5), turn
them into boxes, apply non-maximum suppression (IoU > 0.5 suppresses the less confident box) and
match them to the true squares. The ``end`` carries ``found`` (the fraction of true objects a kept
box covers with IoU > 0.5), ``false_positives`` (kept boxes that match nothing, per image),
``mean_iou`` (over the found objects), ``boxes_before_nms`` and ``boxes_after_nms`` (over the
validation set) and ``n_objects``. Two heatmaps show one validation image and its p(object) grid.
"""

from __future__ import annotations

import numpy as np

from tutor import nn
from tutor.nn import optim

from .base import P, Experiment, log_every_for, register, train_variant
from .events import Bilingual as Text
from .nets import batch_param, lr_param

SIZE, CELL = 16, 4
S = SIZE // CELL
LAMBDA_COORD, LAMBDA_NOOBJ = 5.0, 0.5


# -- boxes ------------------------------------------------------------------------------------------

def iou(a, b) -> float:
    """Intersection over union of two boxes (x1, y1, x2, y2)."""
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def nms(boxes: list, scores: list, threshold: float = 0.5) -> list[int]:
    """Non-maximum suppression: the indices kept, most confident first. Take the most confident box,
    drop every remaining box whose IoU with it is above ``threshold``, repeat with what is left."""
    order = sorted(range(len(boxes)), key=lambda i: -scores[i])
    keep = []
    while order:
        best = order.pop(0)
        keep.append(best)
        order = [i for i in order if iou(boxes[best], boxes[i]) <= threshold]
    return keep


# -- data -------------------------------------------------------------------------------------------

def make_images(n: int, rng: np.random.Generator, noise: float):
    """(images (n, 1, 16, 16), targets (n, 5, S, S), the true boxes of each image)."""
    X = (noise * rng.standard_normal((n, 1, SIZE, SIZE))).astype(np.float32)
    T = np.zeros((n, 5, S, S), np.float32)
    truth = []
    for i in range(n):
        boxes, cells = [], set()
        count = 1 + int(rng.random() < 0.5)
        while len(boxes) < count:
            side = int(rng.integers(2, 6))
            x0, y0 = (int(v) for v in rng.integers(0, SIZE - side + 1, size=2))
            box = (float(x0), float(y0), float(x0 + side), float(y0 + side))
            cx, cy = x0 + side / 2, y0 + side / 2
            cell = (min(int(cy // CELL), S - 1), min(int(cx // CELL), S - 1))
            # apart: no overlap (with a pixel of space) and one object per cell
            if cell in cells or any(not (box[2] + 1 <= b[0] or b[2] + 1 <= box[0] or box[3] + 1 <= b[1]
                                         or b[3] + 1 <= box[1]) for b in boxes):
                continue
            cells.add(cell)
            boxes.append(box)
            X[i, 0, y0:y0 + side, x0:x0 + side] += 1.0
            r, c = cell
            T[i, :, r, c] = (1.0, cx / CELL - c, cy / CELL - r, side / SIZE, side / SIZE)
        truth.append(boxes)
    return X, T, truth


# -- the loss ---------------------------------------------------------------------------------------

class GridLoss(nn.Loss):
    """Per image, summed over cells: λ_noobj·BCE(objectness) on empty cells, BCE on object cells,
    λ_coord·Σ(x, y, w, h errors²) on object cells; the mean over the batch."""

    def forward(self, pred, target):
        obj, z = target[:, 0], pred[:, 0]
        weight = np.where(obj > 0.5, 1.0, LAMBDA_NOOBJ)
        # BCE with logits, stable: max(z, 0) − z·y + log(1 + e^−|z|)
        bce = np.maximum(z, 0) - z * obj + np.log1p(np.exp(-np.abs(z)))
        diff = (pred[:, 1:] - target[:, 1:]) * obj[:, None]
        self.cache = (pred, target, obj, weight, diff)
        n = len(pred)
        return float(((weight * bce).sum() + LAMBDA_COORD * (diff ** 2).sum()) / n)

    def backward(self):
        pred, target, obj, weight, diff = self.cache
        n = len(pred)
        d = np.empty_like(pred)
        d[:, 0] = weight * (1 / (1 + np.exp(-pred[:, 0])) - obj) / n
        d[:, 1:] = 2 * LAMBDA_COORD * diff / n
        return d


# -- the network and detection ------------------------------------------------------------------------

def build() -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 5, 1))


def decode(out: np.ndarray, threshold: float = 0.5):
    """One image's output (5, S, S) → (boxes, scores) of the cells with p(object) > threshold."""
    p = 1 / (1 + np.exp(-out[0].astype(float)))
    boxes, scores = [], []
    for r in range(S):
        for c in range(S):
            if p[r, c] > threshold:
                cx, cy = (c + out[1, r, c]) * CELL, (r + out[2, r, c]) * CELL
                w, h = abs(out[3, r, c]) * SIZE, abs(out[4, r, c]) * SIZE
                boxes.append((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
                scores.append(float(p[r, c]))
    return boxes, scores


def detect(model, X, truth, threshold: float = 0.5, iou_threshold: float = 0.5) -> dict:
    """Detection figures on images X with true boxes ``truth`` (see the module docstring); a cell
    predicts a box when its p(object) is above ``threshold``."""
    out = model.forward(X, train=False)
    found = fp = before = after = 0
    ious = []
    for i, true_boxes in enumerate(truth):
        boxes, scores = decode(out[i], threshold)
        keep = nms(boxes, scores, iou_threshold)
        before, after = before + len(boxes), after + len(keep)
        unmatched = set(keep)
        for t in true_boxes:
            best = max(unmatched, key=lambda k: iou(boxes[k], t), default=None)
            if best is not None and iou(boxes[best], t) > 0.5:
                found += 1
                ious.append(iou(boxes[best], t))
                unmatched.discard(best)
        fp += len(unmatched)
    n_obj = sum(len(t) for t in truth)
    return {"found": found / n_obj, "false_positives": fp / len(truth),
            "mean_iou": float(np.mean(ious)) if ious else 0.0,
            "boxes_before_nms": before, "boxes_after_nms": after, "n_objects": n_obj}


def _grid_detector(params, seed, stop):
    rng = np.random.default_rng(seed)
    X, T, _ = make_images(params["n"], rng, params["noise"])
    Xv, Tv, truth_v = make_images(200, rng, params["noise"])
    nn.manual_seed(seed)
    model = build()
    loss_fn = GridLoss()
    epochs, bs = params["epochs"], params["batch_size"]
    steps_per_epoch = -(-len(X) // bs)

    def on_end(e):
        e.update(detect(model, Xv, truth_v, params["threshold"]))
        p = 1 / (1 + np.exp(-model.forward(Xv[:1], train=False)[0, 0].astype(float)))
        image = Xv[0, 0].astype(float)
        return [{"event": "heatmap", "name": "image",
                 "title": {"ko": "검증 이미지 하나(16×16)", "en": "one validation image (16×16)"},
                 "grid": image[::-1].tolist(), "x_range": [0.0, 16.0], "y_range": [0.0, 16.0]},
                {"event": "heatmap", "name": "objectness",
                 "title": {"ko": "칸마다 p(물체), 4×4 격자", "en": "p(object) per cell, 4×4 grid"},
                 "grid": p[::-1].tolist(), "x_range": [0.0, 16.0], "y_range": [0.0, 16.0]}]

    yield from train_variant("main", model, loss_fn, optim.Adam(params["lr"]), X, T,
                             X_val=Xv, y_val=Tv, epochs=epochs, batch_size=bs, seed=seed, stop=stop,
                             log_every=log_every_for(epochs * steps_per_epoch, 100),
                             eval_every=max(1, steps_per_epoch), on_end=on_end)


def _report(variants: dict) -> Text | None:
    v = variants.get("main", {})
    if not all(isinstance(v.get(k), (int, float)) for k in ("found", "false_positives", "boxes_before_nms")):
        return None
    found, fp = f"{100 * v['found']:.1f}%", f"{v['false_positives']:.2f}"
    b, a = v["boxes_before_nms"], v["boxes_after_nms"]
    return {"ko": f"완료했습니다(done). 검증 이미지의 물체 {v['n_objects']}개 중 {found}를 찾았습니다(IoU > 0.5). "
                  f"이미지당 오탐(false positive) {fp}개, NMS 전 상자 {b}개 → 후 {a}개.",
            "en": f"done. Found {found} of the {v['n_objects']} objects in the validation images (IoU > 0.5); "
                  f"{fp} false positives per image; {b} boxes before NMS, {a} after."}


register(Experiment(
    name="grid_detector",
    report=_report,
    title={"ko": "YOLO를 축소한 격자 검출기", "en": "A YOLO-style grid detector in miniature"},
    description={
        "ko": "16×16 이미지에 밝은 정사각형이 한두 개 있습니다. 이미지를 4×4 격자로 나누고, 물체의 중심이 들어 있는 칸이 "
              "'물체가 있다'는 확률과 상자의 위치·크기(x, y, w, h)를 예측합니다. 합성곱만으로 된 작은 망이 한 번의 순전파로 "
              "모든 칸을 예측합니다. 끝에 검증 이미지에서 찾은 물체의 비율(IoU > 0.5), 오탐, NMS 전후의 상자 수를 알려 줍니다.",
        "en": "16×16 images with one or two bright squares. The image is cut into a 4×4 grid; the cell holding an "
              "object's centre predicts the probability that an object is there and the box's position and size "
              "(x, y, w, h). A small all-convolutional net predicts every cell in one forward pass. At the end: the "
              "fraction of objects found in validation images (IoU > 0.5), false positives, and boxes before and "
              "after NMS."},
    params={
        "epochs": P("epochs", "int", 30, "에포크(epoch) 수", "epochs", 1, 200),
        "n": P("n", "int", 800, "학습 이미지 수", "training images", 50, 5000),
        "noise": P("noise", "float", 0.1, "픽셀 잡음(noise)의 표준편차", "standard deviation of the pixel noise", 0.0, 0.5),
        "threshold": P("threshold", "float", 0.5, "상자를 내는 p(물체)의 문턱값", "p(object) above which a cell gives a box",
                       0.01, 0.99, label={"ko": "p(물체) 문턱값", "en": "p(object) threshold"}),
        "lr": lr_param(0.01, high=1.0),
        "batch_size": batch_param(32),
    },
    body=_grid_detector,
    diverge_cause={"ko": "학습률(learning rate)이 너무 큽니다", "en": "the learning rate is too large"},
))
