"""Chapter 9 (lesson 09-01): how far back does an RNN's gradient reach? The gradient of the last
output with respect to every input, by distance, at initialisation and after training.

A tanh RNN (``tutor.nn.RNN``, PyTorch's init U(±1/√H)) reads a sequence of ``length`` scalar inputs
x_1 … x_T ~ N(0, 1), and a Linear layer reads its last state: ŷ = h_T w + c. The short task: ŷ should
be the mean of the last ``window`` inputs (MSE, Adam), a task that needs only a short memory.

What the run shows: every few steps, on a fixed probe batch, the size of ∂ŷ/∂x_t (mean over the
batch of |∂ŷ/∂x_t|, the input is one number) for every distance d = T − t, as ``grad_norms`` with
``layers`` named by distance ("d=0" is x_T, the nearest; "d=T−1" is x_1, the farthest): the bars
are drawn on a log scale. Backpropagation through time multiplies one factor diag(1 − h²) W_h per
step back, so the bars shrink geometrically with the distance.

The ``end`` event carries ``init_grad_norms`` and ``trained_grad_norms`` (by distance, nearest
first), ``init_ratio`` and ``trained_ratio`` (nearest ÷ farthest), ``wh_norm_init`` /
``wh_norm_trained`` (the spectral norm ‖W_h‖₂ at the start and the end) and ``wh_radius_init`` /
``wh_radius_trained`` (its spectral radius, the largest |eigenvalue|: what a long product of W_h
grows or shrinks like).
"""

from __future__ import annotations

import math

import numpy as np

from tutor import nn
from tutor.nn import optim

from .base import P, Experiment, register


def make_task(n: int, length: int, window: int, rng):
    """x (n, T, 1) ~ N(0, 1) and y (n, 1) = the mean of the last ``window`` inputs."""
    x = rng.standard_normal((n, length, 1)).astype(np.float32)
    y = x[:, -window:, 0].mean(axis=1, keepdims=True)
    return x, y


def input_grads(model, x) -> list[float]:
    """mean over the batch of |∂ŷ/∂x_t|, by distance d = T − t (d = 0 first): one backward of
    dL/dŷ = 1 gives ∂ŷ_n/∂x_{n,t} for every example n, since example n's ŷ reads only its own x."""
    out = model.forward(x, train=True)
    dx = model.backward(np.ones_like(out))          # (N, T, 1)
    by_t = np.abs(dx[:, :, 0]).mean(axis=0)         # t = 1 … T
    return [float(v) for v in by_t[::-1]]           # d = 0 … T − 1


def spectral_norm(model) -> float:
    return float(np.linalg.norm(model.layers[0].params["W_h"].astype(np.float64), 2))


def spectral_radius(model) -> float:
    return float(np.abs(np.linalg.eigvals(model.layers[0].params["W_h"].astype(np.float64))).max())


def ratio(norms: list[float]) -> float | None:
    return norms[0] / norms[-1] if norms[-1] > 0 else None


def _body(params, seed, stop):
    T, H, steps, window = params["length"], params["hidden"], params["steps"], params["window"]
    window = min(window, T)
    rng = np.random.default_rng(seed)
    nn.manual_seed(seed)
    model = nn.Sequential(nn.RNN(1, H), nn.LastStep(), nn.Linear(H, 1))
    probe, _ = make_task(256, T, window, np.random.default_rng(seed + 1))
    layers = [f"d={d}" for d in range(T)]
    yield {"event": "start", "variant": "main", "total_steps": steps, "epochs": 1, "steps_per_epoch": steps,
           "batch_size": params["batch_size"], "n_train": steps * params["batch_size"], "n_val": 0,
           "num_params": model.num_params(), "layers": layers, "seed": seed}
    init = input_grads(model, probe)
    wh0, rho0 = spectral_norm(model), spectral_radius(model)
    loss_fn, opt = nn.MSELoss(), optim.Adam(params["lr"])
    every = max(1, steps // 30)
    yield {"event": "step", "variant": "main", "step": 0, "epoch": 1, "loss": None, "grad_norms": init}
    total, count, last = 0.0, 0, None
    for step in range(1, steps + 1):
        x, y = make_task(params["batch_size"], T, window, rng)
        loss = float(loss_fn.forward(model.forward(x), y))
        model.backward(loss_fn.backward())
        opt.update(model.params, model.grads)
        total, count = total + loss, count + 1
        if step % every == 0 or step == steps:
            last = total / count
            total, count = 0.0, 0
            yield {"event": "step", "variant": "main", "step": step, "epoch": 1, "loss": last,
                   "grad_norms": input_grads(model, probe)}
        if stop is not None and stop():
            break
    trained = input_grads(model, probe)
    yield {"event": "end", "variant": "main", "status": "done", "reason": f"{steps} steps done",
           "step": step, "epoch": 1, "loss": last, "val_loss": None, "val_accuracy": None,
           "best_step": None, "best_loss": None,
           "init_grad_norms": init, "trained_grad_norms": trained,
           "init_ratio": ratio(init), "trained_ratio": ratio(trained),
           "wh_norm_init": wh0, "wh_norm_trained": spectral_norm(model),
           "wh_radius_init": rho0, "wh_radius_trained": spectral_radius(model)}


def _g(x) -> str:
    return "—" if x is None else f"{x:.2g}"


def _report(variants: dict) -> dict | None:
    s = variants.get("main") or {}
    if s.get("init_ratio") is None:
        return None
    return {"ko": f"완료했습니다(done). 가장 가까운 입력 ÷ 가장 먼 입력의 그라디언트 크기: 학습 전 {_g(s['init_ratio'])}, "
                  f"학습 후 {_g(s.get('trained_ratio'))}. ‖W_h‖₂: 학습 전 {_g(s.get('wh_norm_init'))}, "
                  f"학습 후 {_g(s.get('wh_norm_trained'))}.",
            "en": f"done. Gradient size on the nearest ÷ the farthest input: {_g(s['init_ratio'])} at init, "
                  f"{_g(s.get('trained_ratio'))} after training. ‖W_h‖₂: {_g(s.get('wh_norm_init'))} at init, "
                  f"{_g(s.get('wh_norm_trained'))} after training."}


register(Experiment(
    name="rnn_memory",
    title={"ko": "RNN의 그라디언트는 얼마나 멀리 닿을까: 거리별 ∂ŷ/∂x_t",
           "en": "How far back does an RNN's gradient reach? ∂ŷ/∂x_t by distance"},
    description={
        "ko": "tanh RNN이 수열을 읽고 마지막 은닉 상태로 마지막 몇 입력의 평균을 맞힙니다. 막대는 마지막 출력의 각 입력에 대한 "
              "그라디언트 크기 |∂ŷ/∂x_t|를 거리 d = T − t별로(위가 가장 가까운 입력) 로그 눈금으로 보여 줍니다. 학습 전과 후의 "
              "가장 가까운 ÷ 가장 먼 비율은 끝 요약(init_ratio, trained_ratio)에 있습니다.",
        "en": "A tanh RNN reads a sequence and, from its last hidden state, predicts the mean of the last few "
              "inputs. The bars show the size of the last output's gradient with respect to each input, "
              "|∂ŷ/∂x_t|, by distance d = T − t (nearest on top), on a log scale. The nearest ÷ farthest ratio "
              "before and after training is in the end summary (init_ratio, trained_ratio)."},
    params={
        "length": P("length", "int", 20, "수열 길이 T", "sequence length T", 2, 60,
                    label={"ko": "수열 길이", "en": "length"}),
        "hidden": P("hidden", "int", 16, "은닉 상태의 크기 H", "hidden state size H", 1, 64,
                    label={"ko": "은닉 크기", "en": "hidden"}),
        "window": P("window", "int", 3, "과제: 마지막 몇 개 입력의 평균을 맞힐지", "the task: predict the mean of the last this many inputs",
                    1, 60, label={"ko": "평균 창", "en": "window"}),
        "steps": P("steps", "int", 400, "학습 걸음 수", "training steps", 1, 5000),
        "lr": P("lr", "float", 0.01, "학습률(learning rate, Adam)", "learning rate (Adam)", 1e-4, 0.5),
        "batch_size": P("batch_size", "int", 64, "미니배치 크기", "mini-batch size", 1, 512),
    },
    body=_body,
    report=_report,
))
