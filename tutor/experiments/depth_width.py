"""Chapter 6: depth vs width at an equal parameter budget, on the sawtooth of a composed tent map.

The target is the tent map T(u) = 2u for u ≤ ½, 2 − 2u for u ≥ ½, composed ``compositions`` = k times
on [0, 1]: a sawtooth with 2^k linear pieces. One tent is two ReLUs, T(u) = 2·ReLU(u) − 4·ReLU(u − ½),
so k hidden layers of 2 ReLUs represent T∘…∘T exactly, with 6k + 1 parameters. A net with one hidden
layer of N ReLUs is piecewise linear with at most N + 1 pieces, so it needs 2^k − 1 units for the same
function.

Three variants, each with the same 2k ReLUs and the same 6k + 1 parameters (printed in ``start`` as
``num_params`` and in ``end`` with ``units`` and ``hidden``):

- ``deep_built``: k hidden layers of 2, weights set by hand to the tent construction. It is not
  trained (plain SGD with learning rate 0, so its events come from the same loop): its loss is what
  the construction gives, about 0.
- ``deep``: the same architecture, from a random start, trained with Adam.
- ``wide``: one hidden layer of 2k units, from a random start, trained with Adam.

The network's input is x = 2u − 1 (centred on 0, which suits a random start; the built net folds the
rescaling into its first layer). ``end`` carries ``error`` (mean squared error on the data after
the last step); ``fit`` events draw each variant's curve over the target.
"""

from __future__ import annotations

import numpy as np

from tutor import nn
from tutor.nn import optim

from .base import P, Experiment, every, interleave, log_every_for, register, train_variant
from .events import Bilingual as Text
from .nets import lr_param, mlp, steps_param

VARIANTS = ["deep_built", "deep", "wide"]
N_POINTS = 512


def tent(u):
    """T(u) = 2u on [0, ½], 2 − 2u on [½, 1]."""
    return np.where(u < 0.5, 2.0 * u, 2.0 - 2.0 * u)


def sawtooth(u, k: int):
    """T composed k times: 2^k linear pieces on [0, 1]."""
    for _ in range(k):
        u = tent(u)
    return u


def params_deep(k: int) -> int:
    """[1, 2, …, 2, 1] with k hidden layers: 4 + 6(k − 1) + 3 = 6k + 1."""
    sizes = [1] + [2] * k + [1]
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


def params_wide(units: int) -> int:
    """[1, N, 1]: N weights and N biases in, N weights and 1 bias out: 3N + 1."""
    return 3 * units + 1


def built_deep(k: int):
    """k layers of 2 ReLUs computing T∘…∘T of u = (x + 1)/2, the weights set by hand.

    Layer 1: h = (ReLU(u), ReLU(u − ½)) with u = ½x + ½. Each next layer reads T = 2h₁ − 4h₂ (≥ 0,
    so ReLU(T) = T) and makes (ReLU(T), ReLU(T − ½)). The output is 2h₁ − 4h₂ of the last layer.
    """
    model = mlp([1] + [2] * k + [1], "relu", init="zeros")
    linears = [layer for layer in model.layers if isinstance(layer, nn.Linear)]
    linears[0].params["W"][...] = [[0.5, 0.5]]
    linears[0].params["b"][...] = [0.5, 0.0]
    for lin in linears[1:-1]:
        lin.params["W"][...] = [[2.0, 2.0], [-4.0, -4.0]]
        lin.params["b"][...] = [0.0, -0.5]
    linears[-1].params["W"][...] = [[2.0], [-4.0]]
    linears[-1].params["b"][...] = [0.0]
    return model


def _depth_width(params, seed, stop):
    k = params["compositions"]
    steps = params["steps"]
    u = np.linspace(0.0, 1.0, N_POINTS).reshape(-1, 1)
    X = (2.0 * u - 1.0).astype(np.float32)
    y = sawtooth(u, k).astype(np.float32)
    us, ys = [round(float(v), 4) for v in u[:, 0]], [round(float(v), 4) for v in y[:, 0]]
    gens = []
    for name in VARIANTS:
        nn.manual_seed(seed)
        if name == "deep_built":
            model, opt, hidden = built_deep(k), optim.SGD(0.0), [2] * k
        elif name == "deep":
            model, opt, hidden = mlp([1] + [2] * k + [1], "relu", init="default"), optim.Adam(params["lr"]), [2] * k
        else:
            model, opt, hidden = mlp([1, 2 * k, 1], "relu", init="default"), optim.Adam(params["lr"]), [2 * k]

        def fit(step, model=model):
            pred = model.forward(X, train=False)
            return {"event": "fit", "step": step, "x": us, "y_pred": [round(float(v), 4) for v in pred[:, 0]],
                    "y_true": ys}

        def on_step(e, fit=fit, due=every(steps, 20)):
            return [fit(e["step"])] if due(e["step"]) else None

        def on_end(e, fit=fit, model=model, hidden=hidden):
            pred = model.forward(X, train=False)
            e["error"] = float(np.mean((pred - y) ** 2))
            e["num_params"] = int(model.flat_params.size)
            e["units"] = int(sum(hidden))
            e["hidden"] = ",".join(map(str, hidden))
            return [fit(e["step"])]

        gens.append(train_variant(name, model, nn.MSELoss(), opt, X, y, steps=steps, seed=seed, stop=stop,
                                  log_every=log_every_for(steps), on_step=on_step, on_end=on_end))
    yield from interleave(gens)


def _report(variants: dict) -> Text | None:
    """The three errors and the one parameter count, which the status lines do not show side by side."""
    if not all(isinstance(variants.get(n, {}).get("error"), (int, float)) for n in VARIANTS):
        return None
    err = [f"{variants[n]['error']:.2g}" for n in VARIANTS]
    size = variants["wide"].get("num_params")
    return {"ko": f"완료했습니다(done). 평균 제곱 오차(MSE): 손으로 만든 깊은 신경망 {err[0]}, 학습한 깊은 신경망 {err[1]}, "
                  f"넓은 신경망 {err[2]} (셋 다 파라미터 {size}개).",
            "en": f"done. Mean squared error: deep, built by hand {err[0]}; deep, trained {err[1]}; "
                  f"wide, trained {err[2]} ({size} parameters each)."}


register(Experiment(
    name="depth_width",
    report=_report,
    title={"ko": "같은 파라미터 수에서 깊이 vs 폭: 톱니 함수", "en": "Depth vs width at an equal parameter budget: a sawtooth"},
    description={
        "ko": "텐트 함수를 k번 합성한 톱니 함수(조각 2^k개)를 세 신경망이 맞춥니다. 셋 다 ReLU가 2k개, 파라미터가 6k + 1개로 "
              "같습니다. deep_built는 2개씩 k층으로 쌓고 가중치를 손으로 정했으며(학습하지 않음), deep은 같은 구조를 무작위에서 "
              "학습하고, wide는 은닉층 하나에 2k개를 나란히 놓고 학습합니다.",
        "en": "Three nets fit the sawtooth made by composing the tent map k times (2^k pieces). All three have "
              "2k ReLUs and 6k + 1 parameters. deep_built stacks them 2 per layer in k layers with weights set "
              "by hand (not trained); deep trains the same architecture from a random start; wide puts all 2k "
              "side by side in one hidden layer and trains it."},
    params={
        "compositions": P("compositions", "int", 4, "텐트 함수를 합성하는 횟수 k (조각 2^k개, 은닉층 k개)",
                          "times the tent map is composed, k (2^k pieces, k hidden layers)", 1, 6,
                          label={"ko": "합성 횟수 k", "en": "compositions k"}),
        "lr": lr_param(0.01, high=1.0),
        "steps": steps_param(3000, high=20000),
    },
    variants=VARIANTS,
    variant_labels={"deep_built": {"ko": "손으로 만든 깊은 신경망(deep_built)", "en": "deep_built"},
                    "deep": {"ko": "학습한 깊은 신경망(deep)", "en": "deep"},
                    "wide": {"ko": "넓은 신경망(wide)", "en": "wide"}},
    body=_depth_width,
))
