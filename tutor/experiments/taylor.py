"""Chapter 1: Taylor polynomials of growing order, drawn over the function, with their error.

No training: each variant is one Taylor polynomial Tₙ of ``function`` around 0 (eˣ, sin x or
ln(1 + x)), of the order n listed in ``orders``. Per variant:

- a ``fit`` event draws Tₙ (the curve) over the function (the dots) on [-x_max, x_max] (for
  ln(1 + x) from -0.95 at the most, where it is defined); Tₙ is clipped to the band of the
  function's own values widened by half their range on each side, so a polynomial that shoots off
  does not squash the picture;
- ``step`` events draw the error |f(x) − Tₙ(x)| as the curve's ``loss``: step k is the point
  x = k · x_max / 40 to the right of the centre, k = 1 … 40 (an error below 1e-16, float64's
  rounding, is shown as 1e-16 so the log scale has a point);
- the ``end`` event reports, at the point ``x``: ``value`` = Tₙ(x), ``true`` = f(x),
  ``error`` = |f(x) − Tₙ(x)| (also its ``loss``), and ``order`` = n.

The coefficients are exact: eˣ has 1/k!, sin x has (−1)^((k−1)/2)/k! for odd k and 0 for even k,
ln(1 + x) has (−1)^(k+1)/k for k ≥ 1 (its series converges only for −1 < x ≤ 1).
"""

from __future__ import annotations

import math

import numpy as np

from .base import P, Experiment, int_list, parse_int_list, register

#: the error curve's points to the right of the centre
POINTS = 40
#: the picture's grid
GRID = 121
FLOOR = 1e-16
MAX_ORDER = 15


def coefficient(function: str, k: int) -> float:
    """The k-th Taylor coefficient around 0: f⁽ᵏ⁾(0) / k!."""
    if function == "exp":
        return 1.0 / math.factorial(k)
    if function == "sin":
        return 0.0 if k % 2 == 0 else (-1.0) ** ((k - 1) // 2) / math.factorial(k)
    if function == "ln1p":
        return 0.0 if k == 0 else (-1.0) ** (k + 1) / k
    raise ValueError(function)


def true_value(function: str, x):
    x = np.asarray(x, dtype=np.float64)
    return {"exp": np.exp, "sin": np.sin, "ln1p": np.log1p}[function](x)


def taylor_value(function: str, order: int, x):
    """Tₙ(x) = Σₖ₌₀ⁿ cₖ xᵏ."""
    x = np.asarray(x, dtype=np.float64)
    return sum(coefficient(function, k) * x ** k for k in range(order + 1))


def _orders(params) -> list[int]:
    return sorted(set(parse_int_list(params["orders"]))) or [1]


def _variants(params) -> list[str]:
    return [f"n{n}" for n in _orders(params)]


def _check_orders(text: str):
    if not text.strip():
        return {"en": "give at least one order, e.g. 1,2,3", "ko": "차수를 하나 이상 주세요. 예: 1,2,3"}
    return int_list(0, MAX_ORDER, 8)(text)


def _r(values) -> list:
    return [round(float(v), 6) for v in np.asarray(values).reshape(-1)]


def _taylor(params, seed, stop):
    fn, x_max, x0 = params["function"], params["x_max"], params["x"]
    lo = max(-x_max, -0.95) if fn == "ln1p" else -x_max
    grid = np.linspace(lo, x_max, GRID)
    truth = true_value(fn, grid)
    span = float(truth.max() - truth.min()) or 1.0
    band = (float(truth.min()) - span / 2, float(truth.max()) + span / 2)
    right = np.arange(1, POINTS + 1) * x_max / POINTS
    if fn == "ln1p" and x0 <= -1:
        x0 = -0.95
    for n in _orders(params):
        name = f"n{n}"
        yield {"event": "start", "variant": name, "total_steps": POINTS, "epochs": 0, "steps_per_epoch": 0,
               "seed": seed}
        yield {"event": "fit", "variant": name, "step": 0, "x": _r(grid),
               "y_pred": _r(np.clip(taylor_value(fn, n, grid), *band)), "y_true": _r(truth)}
        errors = np.abs(true_value(fn, right) - taylor_value(fn, n, right))
        for k, err in enumerate(errors, start=1):
            yield {"event": "step", "variant": name, "step": k, "epoch": 0, "loss": max(float(err), FLOOR)}
            if stop is not None and stop():
                return
        value, true = float(taylor_value(fn, n, x0)), float(true_value(fn, x0))
        error = abs(true - value)
        yield {"event": "end", "variant": name, "status": "done",
               "reason": f"T{n}({x0:g}) = {value:.6g}, f({x0:g}) = {true:.6g}",
               "step": POINTS, "epoch": 0, "loss": error, "val_loss": None, "val_accuracy": None,
               "best_step": None, "best_loss": None,
               "order": n, "x": x0, "value": value, "true": true, "error": error}


register(Experiment(
    name="taylor",
    title={"ko": "테일러 전개(Taylor expansion): 차수를 늘리면 얼마나 가까워질까",
           "en": "Taylor expansion: how close does a higher order get?"},
    description={
        "ko": "eˣ, sin x, ln(1 + x)를 0 근처에서 차수 n의 테일러 다항식 Tₙ으로 근사합니다. 그림에는 함수(점)와 Tₙ(곡선)을 "
              "겹쳐 그리고, 손실 곡선 자리에는 오차 |f(x) − Tₙ(x)|를 그립니다. 가로축 k는 중심에서 오른쪽으로 "
              "x = k · x_max / 40만큼 떨어진 점입니다.",
        "en": "Approximate eˣ, sin x or ln(1 + x) near 0 by its Taylor polynomial Tₙ of order n. The picture "
              "draws the function (dots) and Tₙ (curves); the loss chart draws the error |f(x) − Tₙ(x)|, "
              "where step k is the point x = k · x_max / 40 to the right of the centre."},
    params={
        "function": P("function", "choice", "exp", "근사할 함수: exp = eˣ, sin = sin x, ln1p = ln(1 + x)",
                      "the function: exp = eˣ, sin = sin x, ln1p = ln(1 + x)", choices=["exp", "sin", "ln1p"],
                      label={"ko": "함수(function)", "en": "function"}),
        "orders": P("orders", "str", "1,2,3,5", "비교할 테일러 다항식의 차수, 쉼표로 구분(0~15)",
                    "orders of the Taylor polynomials to compare, comma-separated (0–15)", check=_check_orders,
                    label={"ko": "차수(orders)", "en": "orders"}),
        "x": P("x", "float", 1.0, "오차를 보고할 점 x", "the point x where the error is reported", -0.95, 6.0,
               label={"ko": "보고할 점(x)", "en": "report at (x)"}),
        "x_max": P("x_max", "float", 2.0, "그림의 범위: -x_max부터 x_max까지", "the picture's range: -x_max to x_max",
                   0.5, 6.0, label={"ko": "범위(x_max)", "en": "range (x_max)"}),
    },
    variants_for=_variants,
    variant_labels={f"n{n}": {"ko": f"{n}차(n{n})", "en": f"n{n}"} for n in range(MAX_ORDER + 1)},
    body=_taylor,
    plot={"y": "loss", "log_y": True, "x": "step",
          "label": {"ko": "근사 오차(error)", "en": "approximation error"}},
))
