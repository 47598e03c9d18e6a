"""Chapter 9 (lesson 09-02): a task that needs a long memory, an RNN against an LSTM of about the
same size.

The task: remember the first symbol. A sequence has ``length`` + 1 steps; at step 1 one of
``symbols`` symbols arrives (one-hot) together with a marker ("remember this"), then ``length``
steps of noise follow (N(0, ``noise``²) on every symbol channel, no marker). After the last step the network
must say which symbol came first (softmax cross-entropy on the last hidden state; chance is
1/``symbols``). Every step is a fresh random batch, so there is nothing to memorise but the rule.

Variants: ``rnn`` (``tutor.nn.RNN``) and ``lstm`` (``tutor.nn.LSTM`` with ``hidden`` units); the
RNN's hidden size is chosen so that its parameter count (readout included) is the closest to the
LSTM's. Both start with PyTorch's init; the engine's LSTM draws its forget-gate bias U(±1/√H) like
every other bias (no +1 trick), and this experiment then adds ``forget_bias`` to it (default 3:
f ≈ σ(3) ≈ 0.95 at the start, so the cell path carries a signal across the default 30 steps;
0 keeps the engine's init, 1 is Jozefowicz et al.'s +1). Both train with the same Adam, learning rate and gradient clipping (norm 1).

Steps report the training batch's ``loss`` and ``accuracy`` and, every few steps, ``val_accuracy``
on a fixed held-out set of 512 sequences; the curves draw the validation accuracy. The ``end``
event adds ``final_accuracy`` (the held-out accuracy at the end), ``hidden`` and ``num_params``.
"""

from __future__ import annotations

import numpy as np

from tutor import nn
from tutor.nn import clip_grad_norm, optim

from .base import P, Experiment, interleave, register

VARIANTS = ["rnn", "lstm"]


def make_task(n: int, length: int, symbols: int, rng, noise: float = 1.0):
    """x (n, length + 1, symbols + 1): the first step a one-hot symbol plus the marker (last
    channel), then ``length`` steps of Gaussian noise N(0, noise²) on the symbol channels (no
    marker); labels (n,) = the first symbol."""
    T, D = length + 1, symbols + 1
    first = rng.integers(0, symbols, size=n)
    x = np.zeros((n, T, D), np.float32)
    x[:, 1:, :symbols] = rng.normal(0.0, noise, size=(n, length, symbols))
    x[np.arange(n), 0, first] = 1.0
    x[:, 0, symbols] = 1.0
    return x, first


def count(kind: str, d: int, h: int, k: int) -> int:
    """Parameters of the recurrent layer plus the readout Linear(h, k)."""
    rec = 4 * (h * (d + h) + h) if kind == "lstm" else h * (d + h) + h
    return rec + h * k + k


def rnn_hidden_matching(d: int, h_lstm: int, k: int) -> int:
    """The RNN hidden size whose parameter count is the closest to the LSTM's."""
    target = count("lstm", d, h_lstm, k)
    return min(range(1, 8 * h_lstm + 2), key=lambda h: abs(count("rnn", d, h, k) - target))


def _variant(kind: str, params: dict, seed: int, stop):
    K, L = params["symbols"], params["length"]
    D = K + 1
    H = params["hidden"] if kind == "lstm" else rnn_hidden_matching(D, params["hidden"], K)
    nn.manual_seed(seed)
    layer = nn.LSTM(D, H) if kind == "lstm" else nn.RNN(D, H)
    model = nn.Sequential(layer, nn.LastStep(), nn.Linear(H, K))
    if kind == "lstm":
        layer.params["b"][H:2 * H] += params["forget_bias"]   # columns H:2H are the forget gate
    model.needs_input_grad = False
    loss_fn, opt = nn.SoftmaxCrossEntropyLoss(), optim.Adam(params["lr"])
    rng = np.random.default_rng(seed)
    Xv, yv = make_task(512, L, K, np.random.default_rng(seed + 10_000), params["noise"])
    steps, batch = params["steps"], params["batch_size"]
    yield {"event": "start", "variant": kind, "total_steps": steps, "epochs": 1, "steps_per_epoch": steps,
           "batch_size": batch, "n_train": steps * batch, "n_val": len(Xv), "num_params": model.num_params(),
           "layers": [f"{kind}({D}, {H})", f"Linear({H}, {K})"], "seed": seed}
    eval_every = max(1, steps // 30)

    def val_accuracy() -> float:
        logits = model.forward(Xv, train=False)
        return float(np.mean(logits.argmax(axis=1) == yv))

    loss = acc = va = None
    step = 0
    for step in range(1, steps + 1):
        x, y = make_task(batch, L, K, rng, params["noise"])
        logits = model.forward(x)
        loss = float(loss_fn.forward(logits, y))
        acc = float(np.mean(logits.argmax(axis=1) == y))
        model.backward(loss_fn.backward())
        clip_grad_norm(model.grads, 1.0)
        opt.update(model.params, model.grads)
        if step % eval_every == 0 or step == steps:
            va = val_accuracy()
            yield {"event": "step", "variant": kind, "step": step, "epoch": 1, "loss": loss, "accuracy": acc,
                   "val_accuracy": va}
        if stop is not None and stop():
            break
    yield {"event": "end", "variant": kind, "status": "done", "reason": f"{step} steps done", "step": step,
           "epoch": 1, "loss": loss, "val_loss": None, "val_accuracy": va, "best_step": None, "best_loss": None,
           "final_accuracy": va, "hidden": H, "num_params": model.num_params()}


def _body(params, seed, stop):
    yield from interleave([_variant(kind, params, seed, stop) for kind in VARIANTS])


def _report(variants: dict) -> dict | None:
    r, s = variants.get("rnn") or {}, variants.get("lstm") or {}
    if r.get("final_accuracy") is None or s.get("final_accuracy") is None:
        return None
    return {"ko": f"완료했습니다(done). 검증 정확도: RNN {r['final_accuracy']:.3f}(파라미터 {r['num_params']}개), "
                  f"LSTM {s['final_accuracy']:.3f}(파라미터 {s['num_params']}개).",
            "en": f"done. Validation accuracy: RNN {r['final_accuracy']:.3f} ({r['num_params']} parameters), "
                  f"LSTM {s['final_accuracy']:.3f} ({s['num_params']} parameters)."}


register(Experiment(
    name="lstm_vs_rnn",
    title={"ko": "긴 기억이 필요한 과제: RNN 대 LSTM", "en": "A task that needs a long memory: RNN vs LSTM"},
    description={
        "ko": "첫 단계에 나온 기호를, 그 뒤에 잡음 단계가 length개 지나간 다음에 맞힙니다(우연히 맞힐 확률 1/기호 수). "
              "파라미터 수가 비슷한 RNN과 LSTM을 같은 Adam, 같은 학습률, 같은 클리핑으로 학습하고, 따로 떼어 둔 수열에서의 "
              "검증 정확도를 그립니다.",
        "en": "Say which symbol came first, after length steps of noise have gone by (chance: "
              "1/symbols). An RNN and an LSTM with about the same number of parameters train with the same Adam, "
              "learning rate and clipping; the curves are the validation accuracy on held-out sequences."},
    params={
        "length": P("length", "int", 30, "첫 기호 뒤에 오는 잡음 단계의 수 T", "noise steps T after the first symbol",
                    1, 100, label={"ko": "잡음 길이", "en": "length"}),
        "symbols": P("symbols", "int", 4, "기호의 종류 수", "number of distinct symbols", 2, 10,
                     label={"ko": "기호 수", "en": "symbols"}),
        "hidden": P("hidden", "int", 16, "LSTM의 은닉 크기(RNN은 파라미터 수가 비슷해지게 고릅니다)",
                    "the LSTM's hidden size (the RNN's is chosen to match the parameter count)", 2, 64,
                    label={"ko": "은닉 크기", "en": "hidden"}),
        "noise": P("noise", "float", 1.0, "잡음 단계의 표준편차", "standard deviation of the noise steps", 0.0, 5.0,
                   label={"ko": "잡음", "en": "noise"}),
        "forget_bias": P("forget_bias", "float", 3.0, "LSTM 망각 게이트 편향에 더할 값(0이면 엔진의 초기화 그대로)",
                         "added to the LSTM's forget-gate bias (0: the engine's init as it is)", -5.0, 5.0,
                         label={"ko": "망각 편향", "en": "forget bias"}),
        "steps": P("steps", "int", 600, "학습 걸음 수", "training steps", 1, 5000),
        "lr": P("lr", "float", 0.01, "학습률(learning rate, Adam)", "learning rate (Adam)", 1e-4, 0.5),
        "batch_size": P("batch_size", "int", 32, "미니배치 크기", "mini-batch size", 1, 512),
    },
    variants=VARIANTS,
    body=_body,
    plot={"y": "val_accuracy", "log_y": False, "x": "step",
          "label": {"ko": "검증 정확도(validation accuracy)", "en": "validation accuracy"}},
    report=_report,
    variant_labels={"rnn": {"ko": "순환 신경망(rnn)", "en": "rnn"}, "lstm": {"ko": "장단기 메모리(lstm)", "en": "lstm"}},
))
