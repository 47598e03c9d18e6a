"""Chapter 9 (lesson 09-05): a tiny transformer learns to reverse a sequence — and fails without
positions.

The task (``data.copy_task`` with ``reverse=True``): sequences of ``length`` tokens from a vocabulary
of ``vocab``; the output at position t must be the input token at position T−1−t. 80 % of ``n``
sequences train, 20 % test. Two variants, the same everything else (seed, init, data, Adam):

- ``with_pe``: Embedding(vocab, D) → PositionalEncoding(D) → TransformerBlock(D, heads) → Linear(D, vocab)
  on every position;
- ``no_pe``: the same without the positional encoding. Self-attention and the position-wise
  feed-forward network are then blind to order (permute the inputs and the outputs permute the same
  way), so position t's output depends only on its own token and the set of tokens — it cannot know
  which token is at T−1−t.

Full-batch training with plain loops; the curve is the per-token accuracy on the test sequences
(``val_accuracy``). At the end each variant draws a ``heatmap`` of its attention weights on the first
test sequence (averaged over the heads): row t is where output position t looked, column s the
input position, drawn like a matrix (t = 0 in the top row: ``y_range`` [T−1, 0], the grid's rows
t = T−1 first). For reversal, a trained ``with_pe`` puts its weight on the anti-diagonal s = T−1−t
(top right to bottom left).

The ``end`` carries ``val_accuracy`` (per token), ``sequence_accuracy`` (whole sequences right),
``train_accuracy``, ``anti_diagonal`` (the mean attention weight on s = T−1−t over the test set, heads
averaged; 1/T for uniform attention) and ``num_params``.
"""

from __future__ import annotations

import numpy as np

from tutor import nn
from tutor.nn import data, optim

from .base import P, Experiment, register
from .events import Bilingual as Text

VARIANTS = ["with_pe", "no_pe"]


def make_model(vocab: int, dim: int, heads: int, positions: bool, max_len: int = 64):
    layers = [nn.Embedding(vocab, dim)]
    if positions:
        layers.append(nn.PositionalEncoding(dim, max_len=max_len))
    layers += [nn.TransformerBlock(dim, heads, 2 * dim), nn.Linear(dim, vocab)]
    return nn.Sequential(*layers)


def block_of(model) -> nn.TransformerBlock:
    return next(m for m in model.layers if isinstance(m, nn.TransformerBlock))


def accuracies(model, X, y) -> tuple[float, float]:
    pred = model.forward(X, train=False).argmax(-1)
    right = pred == y
    return float(right.mean()), float(right.all(axis=1).mean())


def anti_diagonal(weights: np.ndarray) -> float:
    """The mean weight on s = T−1−t of (N, heads, T, T) attention weights."""
    T = weights.shape[-1]
    return float(weights[..., np.arange(T), T - 1 - np.arange(T)].mean())


def _variant(name: str, params: dict, seed: int, stop):
    V, T, D, H, steps = params["vocab"], params["length"], params["dim"], params["heads"], params["steps"]
    split = data.copy_task(n=params["n"], length=T, vocab=V, reverse=True, seed=seed)
    X, y, Xt, yt = split.X_train, split.y_train, split.X_test, split.y_test
    nn.manual_seed(seed)
    model = make_model(V, D, H, positions=(name == "with_pe"), max_len=max(T, 8))
    model.needs_input_grad = False
    loss_fn, opt = nn.SoftmaxCrossEntropyLoss(), optim.Adam(params["lr"])
    yield {"event": "start", "variant": name, "total_steps": steps, "epochs": steps, "steps_per_epoch": 1,
           "batch_size": len(X), "n_train": len(X), "n_val": len(Xt), "num_params": model.num_params(),
           "seed": seed}
    every = max(1, steps // 40)
    loss = None
    for step in range(1, steps + 1):
        logits = model.forward(X)
        loss = float(loss_fn.forward(logits.reshape(-1, V), y.reshape(-1)))
        model.backward(loss_fn.backward().reshape(logits.shape))
        opt.update(model.params, model.grads)
        if step % every == 0 or step == steps:
            acc, _ = accuracies(model, Xt, yt)
            yield {"event": "step", "variant": name, "step": step, "epoch": step, "loss": loss,
                   "val_accuracy": acc}
        if stop is not None and stop():
            break
    val_acc, seq_acc = accuracies(model, Xt, yt)
    train_acc, _ = accuracies(model, X, y)
    model.forward(Xt, train=False)
    w = block_of(model).attn.weights                       # (N, heads, T, T)
    grid = w[0].mean(axis=0)                                 # the first test sequence, heads averaged
    tokens = " ".join(str(int(t)) for t in Xt[0])
    # drawn like a matrix: output position 0 in the top row (the contract's grids run from
    # y_range[0] to y_range[1], so the rows go t = T−1 … 0 with y_range [T−1, 0])
    yield {"event": "heatmap", "variant": name, "name": "attention",
           "title": {"ko": f"어텐션: 입력 {tokens}", "en": f"attention on {tokens}"},
           "grid": [[round(float(a), 4) for a in row] for row in grid[::-1]],
           "x_range": [0.0, float(T - 1)], "y_range": [float(T - 1), 0.0]}
    yield {"event": "end", "variant": name, "status": "done", "reason": f"{step} steps done", "step": step,
           "epoch": step, "loss": loss, "val_loss": None, "val_accuracy": val_acc, "best_step": None,
           "best_loss": None, "sequence_accuracy": seq_acc, "train_accuracy": train_acc,
           "anti_diagonal": anti_diagonal(w), "num_params": model.num_params()}


def _body(params, seed, stop):
    for name in VARIANTS:
        yield from _variant(name, params, seed, stop)
        if stop is not None and stop():
            return


def _report(variants: dict) -> Text | None:
    a, b = variants.get("with_pe") or {}, variants.get("no_pe") or {}
    if "sequence_accuracy" not in a or "sequence_accuracy" not in b:
        return None
    return {"ko": f"완료했습니다(done). 시험 토큰 정확도: 위치 인코딩 있음 {a['val_accuracy']:.1%}, 없음 {b['val_accuracy']:.1%}. "
                  f"뒤집힌 자리(s = T−1−t)에 둔 어텐션 가중치의 평균: {a['anti_diagonal']:.2f} 대 {b['anti_diagonal']:.2f}.",
            "en": f"done. Test token accuracy: {a['val_accuracy']:.1%} with positional encoding, {b['val_accuracy']:.1%} "
                  f"without. Mean attention weight on the mirrored position (s = T−1−t): "
                  f"{a['anti_diagonal']:.2f} vs {b['anti_diagonal']:.2f}."}


register(Experiment(
    name="tiny_transformer",
    report=_report,
    variant_labels={"with_pe": {"ko": "위치 인코딩 있음(with_pe)", "en": "with_pe"},
                    "no_pe": {"ko": "위치 인코딩 없음(no_pe)", "en": "no_pe"}},
    title={"ko": "작은 트랜스포머가 수열 뒤집기를 배운다: 위치 인코딩이 있을 때와 없을 때",
           "en": "A tiny transformer learns to reverse sequences, with and without positional encoding"},
    description={
        "ko": "임베딩, 트랜스포머 블록 하나, 선형 층으로 된 작은 트랜스포머가 토큰 수열을 거꾸로 뒤집는 법을 배웁니다. "
              "위치 인코딩(positional encoding)을 더한 모델과 뺀 모델을 같은 조건으로 학습시킵니다. 곡선은 시험 수열의 "
              "토큰 정확도이고, 끝나면 시험 수열 하나에 대한 어텐션 가중치를 그림으로 보여 줍니다(행: 출력 위치, 열: 입력 위치).",
        "en": "A tiny transformer (an embedding, one transformer block, a linear layer) learns to reverse "
              "token sequences, once with a positional encoding added and once without, everything else the "
              "same. The curve is the per-token accuracy on test sequences; at the end the attention weights "
              "on one test sequence are drawn (rows: output position, columns: input position)."},
    params={
        "steps": P("steps", "int", 150, "학습 걸음 수(전체 배치)", "training steps (full batch)", 1, 2000),
        "lr": P("lr", "float", 0.02, "학습률(learning rate, Adam)", "learning rate (Adam)", 1e-4, 0.5),
        "length": P("length", "int", 6, "수열 길이 T", "sequence length T", 2, 16,
                    label={"ko": "수열 길이", "en": "length"}),
        "vocab": P("vocab", "int", 8, "토큰 종류의 수", "vocabulary size", 2, 32,
                   label={"ko": "어휘 크기", "en": "vocabulary"}),
        "dim": P("dim", "int", 16, "임베딩 차원 D", "embedding width D", 4, 64,
                 label={"ko": "임베딩 차원", "en": "width D"}),
        "heads": P("heads", "int", 2, "어텐션 헤드 수(D를 나누어야 함)", "attention heads (must divide D)", 1, 8,
                   label={"ko": "헤드 수", "en": "heads"}),
        "n": P("n", "int", 200, "수열 개수(80 %는 학습, 20 %는 시험)", "sequences (80 % train, 20 % test)", 20, 2000,
               label={"ko": "수열 개수", "en": "sequences"}),
    },
    variants=VARIANTS,
    plot={"y": "val_accuracy", "log_y": False, "x": "step",
          "label": {"ko": "시험 토큰 정확도", "en": "test token accuracy"}},
    body=_body,
))
