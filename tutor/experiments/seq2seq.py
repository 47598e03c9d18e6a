"""Chapter 9 (lessons 09-03, 09-04): seq2seq's bottleneck, and attention removing it. An
encoder–decoder learns to reverse a sequence of digits (3 1 4 → 4 1 3); per-token accuracy by length.

The model (``Seq2Seq``, forward and backward written out here, gradchecked in
tests/experiments/test_outcomes.py):

    encoder   e_s = Embedding(x_s),  h_s = tanh(e_s W_x + h_{s−1} W_h + b),  h_0 = 0       s = 1 … L
    decoder   d_t = P[t] (a learned embedding of the output position t, nothing else),
              z_t = tanh(d_t U_x + z_{t−1} U_h + c),  z_0 = h_L                             t = 1 … L
    plain     logits_t = z_t W_o + b_o
    attention α_{t,·} = softmax(z_t · h_s / √H over s),  c_t = Σ_s α_{t,s} h_s,
              logits_t = [z_t ; c_t] W_o + b_o

So without attention the decoder learns the input only through z_0 = h_L: H numbers, whatever L
(the bottleneck). With attention every output step reads every encoder state directly. The decoder
reads no tokens (not even its own previous outputs), so training and evaluation are the same
computation: the per-token accuracy measured is the model's, with no teacher forcing to discount.

Training mixes lengths: every step draws one length L from 2 … ``length`` and a batch of that
length (no padding needed). The curve is the per-token accuracy on a fixed validation set (every
length 2 … ``length``, 200 sequences each); ``end`` carries ``lengths`` and ``length_accuracy``
(per-token validation accuracy at each length, in the same order), and ``longest_accuracy`` (at
the longest); the attention variant's also ``anti_diagonal``: its mean attention weight on the
mirrored input s = L + 1 − t at the longest length (uniform would be 1/L). It draws its attention
weights on one validation sequence of the longest length as a ``heatmap`` (rows: output steps,
output 1 on top, so grid[0] is output L and y_range is [L, 1]; columns: input steps), at every
evaluation.
"""

from __future__ import annotations

import numpy as np

from tutor import nn
from tutor.nn import optim
from tutor.nn.module import _Container

from .base import P, Experiment, register, variant_label

VOCAB = 10          # the digits 0 … 9
MIN_LEN = 2
VARIANTS = ["plain", "attention"]
N_VAL = 200         # validation sequences per length


class DecoderRNN(nn.RNN):
    """A tanh RNN that starts from a given state: ``forward((x, h0))``, ``backward`` → (dx, dh0)."""

    def forward(self, x, train=True):
        x, h0 = x
        return super().forward(x, train, h0=h0)   # z_0 = h_L: the encoder's last state

    def backward(self, dout):
        return super().backward(dout), self.dh0


class Seq2Seq(_Container):
    """Encoder RNN → decoder RNN (fed output positions), optionally with dot-product attention.

    ``forward(x)``: x (N, L) integer tokens → logits (N, L, V). ``backward(dlogits)`` fills every
    gradient and returns None (token ids have no gradient). ``self.weights`` (N, L, L) holds the
    attention weights after a forward pass with attention.
    """

    def __init__(self, vocab: int, max_len: int, embed: int, hidden: int, attention: bool,
                 rng=None, dtype=np.float32) -> None:
        super().__init__()
        self.attention = attention
        self.embed = nn.Embedding(vocab, embed, rng=rng, dtype=dtype)
        self.encoder = nn.RNN(embed, hidden, rng=rng, dtype=dtype)
        self.position = nn.Embedding(max_len, embed, rng=rng, dtype=dtype)
        self.decoder = DecoderRNN(embed, hidden, rng=rng, dtype=dtype)
        self.attend = nn.ScaledDotProductAttention()
        self.out = nn.Linear(2 * hidden if attention else hidden, vocab, rng=rng, dtype=dtype)
        self.weights = None

    def children(self):
        return (("embed", self.embed), ("encoder", self.encoder), ("position", self.position),
                ("decoder", self.decoder), ("out", self.out))

    def forward(self, x, train=True):
        x = np.asarray(x)
        n, length = x.shape
        idx = np.broadcast_to(np.arange(length), (n, length))
        enc = self.encoder.forward(self.embed.forward(x, train), train)          # h_1 … h_L
        pos = self.position.forward(idx, train)
        dec = self.decoder.forward((pos, enc[:, -1]), train)                   # z_1 … z_L, z_0 = h_L
        if self.attention:
            ctx = self.attend.forward((dec, enc, enc), train)                  # c_t = Σ_s α_ts h_s
            self.weights = self.attend.weights
            feats = np.concatenate([dec, ctx], axis=-1)
        else:
            feats = dec
        return self.out.forward(feats, train)

    def backward(self, dout):
        H = self.encoder.hidden_size
        dfeats = self.out.backward(dout)
        if self.attention:
            ddec, dctx = dfeats[..., :H], dfeats[..., H:]
            dq, dk, dv = self.attend.backward(dctx)
            ddec = ddec + dq
            denc = dk + dv
        else:
            ddec, denc = dfeats, None
        dpos, dz0 = self.decoder.backward(ddec)
        self.position.backward(dpos)
        denc = np.zeros(self.encoder.h[:, 1:].shape, dz0.dtype) if denc is None else np.array(denc)
        denc[:, -1] += dz0                                                     # z_0 = h_L
        self.embed.backward(self.encoder.backward(denc))
        return None

    def __repr__(self) -> str:
        return f"Seq2Seq(attention={self.attention})"


def make_batch(n: int, length: int, rng):
    """x (n, L) random digits and y = x reversed."""
    x = rng.integers(0, VOCAB, size=(n, length))
    return x, x[:, ::-1].copy()


def token_accuracy(model, x, y) -> float:
    logits = model.forward(x, train=False)
    return float((logits.argmax(axis=-1) == y).mean())


def anti_diagonal(weights) -> float:
    """The mean attention weight on the mirrored input s = L + 1 − t (what reversing needs), over
    the output steps and the sequences of ``weights`` (N, L, L); uniform attention gives 1/L."""
    L = weights.shape[-1]
    return float(weights[:, np.arange(L), np.arange(L)[::-1]].mean())


def _heatmap(variant: str, model, x) -> dict:
    model.forward(x[:1], train=False)
    weights = model.weights[0].astype(float)           # row t − 1: output step t; column s − 1: input s
    L = weights.shape[0]
    # The views draw grid[0] at the bottom; listing the rows from output L down to output 1 puts
    # output 1 on top, as a matrix is read: reversing then lights the anti-diagonal (top right to
    # bottom left).
    return {"event": "heatmap", "variant": variant, "name": "attention",
            "title": {"ko": f"어텐션 가중치 α(행: 출력 t, 위가 1 · 열: 입력 s · 길이 {L})",
                      "en": f"attention weights α (rows: output t, 1 on top · columns: input s · length {L})"},
            "grid": [[round(float(v), 4) for v in row] for row in weights[::-1]],
            "x_range": [1, L], "y_range": [L, 1]}


def _variant(variant: str, params: dict, seed: int, stop):
    longest, steps, H = params["length"], params["steps"], params["hidden"]
    lengths = list(range(MIN_LEN, longest + 1))
    nn.manual_seed(seed)
    model = Seq2Seq(VOCAB, longest, params["embed"], H, attention=(variant == "attention"))
    val_rng = np.random.default_rng(seed + 1)
    val = {L: make_batch(N_VAL, L, val_rng) for L in lengths}
    rng = np.random.default_rng(seed)
    loss_fn, opt = nn.SoftmaxCrossEntropyLoss(), optim.Adam(params["lr"])
    every = max(1, steps // 25)
    yield {"event": "start", "variant": variant, "total_steps": steps, "epochs": 1, "steps_per_epoch": steps,
           "batch_size": params["batch_size"], "n_train": steps * params["batch_size"],
           "n_val": N_VAL * len(lengths), "num_params": model.num_params(), "seed": seed}

    def by_length() -> list[float]:
        return [token_accuracy(model, *val[L]) for L in lengths]

    total, count, loss_avg, step = 0.0, 0, None, 0
    for step in range(1, steps + 1):
        x, y = make_batch(params["batch_size"], int(rng.choice(lengths)), rng)
        logits = model.forward(x)
        loss = loss_fn.forward(logits.reshape(-1, VOCAB), y.reshape(-1))
        model.zero_grad()
        model.backward(loss_fn.backward().reshape(logits.shape))
        nn.clip_grad_norm(model.grads, 5.0)
        opt.update(model.params, model.grads)
        total, count = total + loss, count + 1
        if step % every == 0 or step == steps:
            loss_avg, total, count = total / count, 0.0, 0
            accs = by_length()
            yield {"event": "step", "variant": variant, "step": step, "epoch": 1, "loss": loss_avg,
                   "val_accuracy": float(np.mean(accs))}
            if model.attention:
                yield _heatmap(variant, model, val[longest][0])
        if stop is not None and stop():
            break
    accs = by_length()
    extra = {}
    if model.attention:
        model.forward(val[longest][0], train=False)
        extra["anti_diagonal"] = round(anti_diagonal(model.weights), 4)
    yield {"event": "end", "variant": variant, "status": "done", "reason": f"{steps} steps done",
           "step": step, "epoch": 1, "loss": loss_avg, "val_loss": None,
           "val_accuracy": float(np.mean(accs)), "best_step": None, "best_loss": None,
           "lengths": lengths, "length_accuracy": [round(a, 4) for a in accs],
           "longest_accuracy": round(accs[-1], 4), **extra}


def _body(params, seed, stop):
    for variant in VARIANTS:
        yield from _variant(variant, params, seed, stop)
        if stop is not None and stop():
            return


def _pct(a) -> str:
    return "—" if a is None else f"{100 * a:.0f}%"


def _report(variants: dict) -> dict | None:
    parts_ko, parts_en = [], []
    for v in VARIANTS:
        s = variants.get(v) or {}
        if not s.get("lengths"):
            return None
        row = ", ".join(f"{L}: {_pct(a)}" for L, a in zip(s["lengths"], s["length_accuracy"]))
        parts_ko.append(f"{variant_label(v, 'ko')} — {row}")
        parts_en.append(f"{variant_label(v, 'en')} — {row}")
    return {"ko": "완료했습니다(done). 길이별 토큰 정확도: " + "; ".join(parts_ko) + ".",
            "en": "done. Per-token accuracy by length: " + "; ".join(parts_en) + "."}


register(Experiment(
    name="seq2seq",
    title={"ko": "seq2seq로 숫자열 뒤집기: 어텐션 없이 vs 어텐션과 함께",
           "en": "Reversing digit sequences with seq2seq: without vs with attention"},
    description={
        "ko": "인코더 RNN이 숫자열(예: 3 1 4)을 읽고, 디코더 RNN이 그것을 뒤집어(4 1 3) 씁니다. 기본 망(plain)에서는 디코더가 인코더의 "
              "마지막 은닉 상태 하나로만 입력을 알고, 어텐션(attention)에서는 출력 위치마다 인코더의 모든 은닉 상태를 내적(dot product) 어텐션으로 "
              "읽습니다. 어텐션 가중치는 그림으로 그립니다. 곡선은 검증 수열의 토큰 정확도이고, 길이별 정확도는 끝 요약(length_accuracy)에 있습니다.",
        "en": "An encoder RNN reads a digit sequence (e.g. 3 1 4) and a decoder RNN writes it reversed (4 1 3). "
              "In plain the decoder knows the input only through the encoder's last hidden state; with "
              "attention every output step reads all the encoder's hidden states by dot-product attention. "
              "The curve is the per-token accuracy on validation sequences; the accuracy by length is in the "
              "end summary (length_accuracy)."},
    params={
        "length": P("length", "int", 8, "가장 긴 수열 길이(학습은 2부터 이 길이까지 섞어서)",
                    "the longest sequence length (training mixes lengths 2 up to it)", 3, 12,
                    label={"ko": "최대 길이", "en": "longest"}),
        "hidden": P("hidden", "int", 16, "은닉 상태의 크기 H(병목의 크기)", "hidden state size H (the bottleneck's size)",
                    2, 64, label={"ko": "은닉 크기", "en": "hidden"}),
        "embed": P("embed", "int", 8, "토큰과 위치 임베딩의 크기", "size of the token and position embeddings", 2, 32,
                   label={"ko": "임베딩 크기", "en": "embedding"}),
        "steps": P("steps", "int", 2000, "학습 걸음 수", "training steps", 1, 10000),
        "lr": P("lr", "float", 0.02, "학습률(learning rate, Adam)", "learning rate (Adam)", 1e-4, 0.5),
        "batch_size": P("batch_size", "int", 64, "미니배치 크기", "mini-batch size", 1, 512),
    },
    body=_body,
    variants=VARIANTS,
    plot={"y": "val_accuracy", "log_y": False, "x": "step",
          "label": {"ko": "검증 토큰 정확도", "en": "validation token accuracy"}},
    # "plain" is already in the shared table: 기본 망(plain)
    variant_labels={"attention": {"ko": "어텐션(attention)", "en": "attention"}},
    report=_report,
))
