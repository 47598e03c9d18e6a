"""Chapter 9 (lesson 09-06): is the difference real? The same small model, two widths, many seeds.

Two settings of one small network, Linear(2, width) → tanh → Linear(width, 1), trained with Adam
(full batch, BCE) on two moons (``data.two_moons``: ``n`` points with noise, 25 % held out for test):
variant ``narrow`` (``narrow`` hidden units) and variant ``wide`` (``wide`` hidden units). Each is
trained once per seed s = seed, seed + 1, …, seed + seeds − 1; the seed sets both the data (which
points are drawn and which are held out) and the initial weights, and the two settings get the same
seed, hence the same data, at the same index.

A step event per seed and variant: ``step`` = the seed's index (1, 2, …), ``test_accuracy`` (the
plotted curve) its final test accuracy.

The ``end`` of each variant carries ``accuracies`` (per seed), ``mean``, ``std`` (the sample
standard deviation, n − 1 in the denominator), ``se`` = std/√n (the standard error of the mean) and
``n_seeds``. The ``wide`` end also carries the comparison: ``diff`` = mean(wide) − mean(narrow),
``diff_se`` = √(se_narrow² + se_wide²) (the two means treated as independent), ``z`` = diff/diff_se,
and the paired version over the same seeds: ``paired_se`` (the standard error of the per-seed
differences) and ``paired_z`` = diff/paired_se; ``single_seed_diffs`` lists the per-seed
differences (what one run with that seed alone would have reported).
"""

from __future__ import annotations

import math

import numpy as np

from tutor import nn
from tutor.nn import data, optim

from .base import P, Experiment, register
from .events import Bilingual as Text

VARIANTS = ["narrow", "wide"]


def train_one(width: int, seed: int, params: dict) -> float:
    """The final test accuracy of one training run with this width and seed."""
    split = data.two_moons(n=params["n"], noise=params["noise"], seed=seed)
    nn.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, width), nn.Tanh(), nn.Linear(width, 1))
    model.needs_input_grad = False
    loss_fn, opt = nn.BCEWithLogitsLoss(), optim.Adam(params["lr"])
    for _ in range(params["steps"]):
        loss_fn.forward(model.forward(split.X_train), split.y_train)
        model.backward(loss_fn.backward())
        opt.update(model.params, model.grads)
    pred = model.forward(split.X_test, train=False) > 0
    return float((pred == (split.y_test > 0.5)).mean())


def mean_se(values) -> tuple[float, float, float]:
    """mean, sample standard deviation (n − 1) and standard error s/√n."""
    a = np.asarray(values, dtype=float)
    n = len(a)
    std = float(a.std(ddof=1)) if n > 1 else 0.0
    return float(a.mean()), std, std / math.sqrt(n)


def _body(params, seed, stop):
    widths = {"narrow": params["narrow"], "wide": params["wide"]}
    n_seeds = params["seeds"]
    for v in VARIANTS:
        yield {"event": "start", "variant": v, "total_steps": n_seeds, "epochs": 1, "steps_per_epoch": n_seeds,
               "n_train": params["n"] - params["n"] // 4, "n_val": params["n"] // 4, "seed": seed}
    acc = {v: [] for v in VARIANTS}
    for i in range(n_seeds):
        for v in VARIANTS:
            a = train_one(widths[v], seed + i, params)
            acc[v].append(a)
            yield {"event": "step", "variant": v, "step": i + 1, "epoch": 1, "loss": None, "test_accuracy": a}
        if stop is not None and stop():
            break
    stats = {v: mean_se(acc[v]) for v in VARIANTS}
    diffs = [b - a for a, b in zip(acc["narrow"], acc["wide"])]
    diff = stats["wide"][0] - stats["narrow"][0]
    diff_se = math.hypot(stats["narrow"][2], stats["wide"][2])
    _, _, paired_se = mean_se(diffs)
    for v in VARIANTS:
        m, s, se = stats[v]
        end = {"event": "end", "variant": v, "status": "done", "reason": f"{len(acc[v])} seeds trained",
               "step": len(acc[v]), "epoch": 1, "loss": None, "val_loss": None, "val_accuracy": None,
               "best_step": None, "best_loss": None, "width": widths[v], "n_seeds": len(acc[v]),
               "accuracies": acc[v], "mean": m, "std": s, "se": se}
        if v == "wide":
            end.update(diff=diff, diff_se=diff_se, z=diff / diff_se if diff_se > 0 else None,
                       paired_se=paired_se, paired_z=diff / paired_se if paired_se > 0 else None,
                       single_seed_diffs=diffs)
        yield end


def _report(variants: dict) -> Text | None:
    a, b = variants.get("narrow") or {}, variants.get("wide") or {}
    if "mean" not in a or "diff" not in b:
        return None
    z = "—" if b.get("z") is None else f"{b['z']:.2f}"
    return {"ko": f"완료했습니다(done). 시드 {a['n_seeds']}개의 시험 정확도 평균 ± 표준 오차: 좁은 쪽 {a['mean']:.3f} ± {a['se']:.3f}, "
                  f"넓은 쪽 {b['mean']:.3f} ± {b['se']:.3f}. 차이 {b['diff']:.3f} ± {b['diff_se']:.3f} (z = {z}).",
            "en": f"done. Test accuracy over {a['n_seeds']} seeds, mean ± standard error: narrow {a['mean']:.3f} ± "
                  f"{a['se']:.3f}, wide {b['mean']:.3f} ± {b['se']:.3f}. Difference {b['diff']:.3f} ± "
                  f"{b['diff_se']:.3f} (z = {z})."}


register(Experiment(
    name="seeds",
    report=_report,
    variant_labels={"narrow": {"ko": "좁은 망(narrow)", "en": "narrow"},
                    "wide": {"ko": "넓은 망(wide)", "en": "wide"}},
    title={"ko": "그 차이는 진짜일까: 두 너비를 시드 여러 개로",
           "en": "Is the difference real? Two widths over many seeds"},
    description={
        "ko": "은닉층 하나짜리 작은 신경망을 두 너비로, 시드(seed)마다 한 번씩 두 개의 달(two moons) 데이터에 학습시킵니다. "
              "시드는 데이터(어느 점이 뽑히고 어느 점이 시험용인지)와 초기 가중치를 정하고, 두 설정은 같은 번호에서 같은 시드를 씁니다. "
              "가로축은 시드 번호, 곡선은 각 실행의 최종 시험 정확도입니다. 평균 ± 표준 오차와 두 평균의 차이는 끝 요약에 있습니다.",
        "en": "A small one-hidden-layer network, at two widths, trains once per seed on two moons. The seed "
              "sets the data (which points are drawn and which are held out) and the initial weights, and both "
              "settings use the same seed at the same index. The x axis is the seed's index; the curve is each "
              "run's final test accuracy. Mean ± standard error and the difference of the means are in the end "
              "summary."},
    params={
        "seeds": P("seeds", "int", 8, "설정마다 학습시킬 시드 수", "seeds trained per setting", 1, 64,
                   label={"ko": "시드 수", "en": "seeds"}),
        "narrow": P("narrow", "int", 4, "좁은 망의 은닉 뉴런 수", "hidden units of the narrow network", 1, 64,
                    label={"ko": "좁은 너비", "en": "narrow width"}),
        "wide": P("wide", "int", 8, "넓은 망의 은닉 뉴런 수", "hidden units of the wide network", 1, 64,
                  label={"ko": "넓은 너비", "en": "wide width"}),
        "steps": P("steps", "int", 300, "실행마다 학습 걸음 수(전체 배치)", "training steps per run (full batch)", 1, 3000),
        "lr": P("lr", "float", 0.03, "학습률(learning rate, Adam)", "learning rate (Adam)", 1e-4, 0.5),
        "n": P("n", "int", 200, "데이터 점 개수(25 %는 시험용)", "data points (25 % held out for test)", 20, 2000),
        "noise": P("noise", "float", 0.3, "점에 더한 잡음의 표준편차", "standard deviation of the noise on the points",
                   0.0, 1.0),
    },
    variants=VARIANTS,
    plot={"y": "test_accuracy", "log_y": False, "x": "step",
          "label": {"ko": "시드별 시험 정확도", "en": "test accuracy by seed"}},
    body=_body,
))
