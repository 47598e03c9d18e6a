"""Benchmark of tutor.nn's sequence layers against PyTorch: training steps per second, side by side.

Three small sequence models, each trained with Adam through a learner's plain loop (model.forward,
loss.forward, model.backward(loss.backward()), opt.update(model.params, model.grads)):
    rnn          RNN(1, 32) → last step → Linear(32, 1), BCE with logits; remember_first, T = 20
    lstm         LSTM(1, 32) → last step → Linear(32, 1), the same task
    transformer  Embedding(10, 32) + positions → TransformerBlock(32, 4 heads, 64, post-LN) →
                 Linear(32, 10) on every position, softmax cross-entropy; copy_task reversed, T = 8
batch 64, the same batches and the same initial weights for torch.nn + torch.optim (torch.nn.RNN,
torch.nn.LSTM, torch.nn.TransformerEncoderLayer with dropout 0), interleaved run by run in this
process; the best of the repeats is kept for each and the ratio ours/torch printed.

Threads: ours with one BLAS thread (threadpoolctl), the setting the tutor uses; torch with 1 and
with 2 threads (torch.set_num_threads), and its better one is the one compared. As in
bench/engine.py, steps are timed in chunks and the fastest chunk gives the rate (other programs on
a shared machine can only slow a chunk down), and we sleep 0.3 s before each timed segment.

    python bench/sequence.py                   # ours only without torch
    ../bench-venv/bin/python bench/sequence.py --repeats 5 --json results.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

from tutor import nn  # noqa: E402
from tutor.nn import data, optim  # noqa: E402

try:  # optional: only in a bench venv, never a dependency of the app
    import torch
except ImportError:  # pragma: no cover
    torch = None

SETTLE = 0.3  # seconds of quiet before every timed segment
BATCH = 64
LR = 1e-3
TORCH_THREADS = (1, 2)

CASES = {
    # name: (sequence length, hidden size, steps, chunk)
    "rnn": (20, 32, 400, 40),
    "lstm": (20, 32, 300, 30),
    "transformer": (8, 32, 200, 20),
}
VOCAB, HEADS, FF_HIDDEN = 10, 4, 64


def dataset(case):
    t_len = CASES[case][0]
    if case == "transformer":
        s = data.copy_task(n=2000, length=t_len, vocab=VOCAB, reverse=True, test_ratio=0.0, seed=0)
    else:
        s = data.remember_first(n=2000, length=t_len, test_ratio=0.0, seed=0)
    return s.X_train, s.y_train


def batch_orders(n, steps, seed=0):
    """The index arrays of every step, as tutor.nn.train draws them (so torch sees the same batches)."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < steps:
        order = rng.permutation(n)
        out.extend(order[i:i + BATCH] for i in range(0, n - BATCH + 1, BATCH))
    return out[:steps]


def build_ours(case):
    _, hidden, *_ = CASES[case]
    nn.manual_seed(0)
    if case == "rnn":
        return nn.Sequential(nn.RNN(1, hidden), nn.LastStep(), nn.Linear(hidden, 1))
    if case == "lstm":
        return nn.Sequential(nn.LSTM(1, hidden), nn.LastStep(), nn.Linear(hidden, 1))
    return nn.Sequential(nn.Embedding(VOCAB, hidden), nn.PositionalEncoding(hidden),
                         nn.TransformerBlock(hidden, HEADS, FF_HIDDEN), nn.Linear(hidden, VOCAB))


def _t(a):
    return torch.from_numpy(np.ascontiguousarray(a))


def build_torch(case, ours):
    """The same model in torch.nn, with our initial weights copied in."""
    _, hidden, *_ = CASES[case]
    layers = ours.layers
    with torch.no_grad():
        if case in ("rnn", "lstm"):
            rnn = (torch.nn.RNN if case == "rnn" else torch.nn.LSTM)(1, hidden, batch_first=True)
            rnn.weight_ih_l0.copy_(_t(layers[0].params["W_x"].T))
            rnn.weight_hh_l0.copy_(_t(layers[0].params["W_h"].T))
            rnn.bias_ih_l0.copy_(_t(layers[0].params["b"]))
            rnn.bias_hh_l0.zero_()
            head = _linear(layers[2])

            class Model(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.rnn, self.head = rnn, head

                def forward(self, x):
                    return self.head(self.rnn(x)[0][:, -1])

            return Model()
        emb = torch.nn.Embedding(VOCAB, hidden)
        emb.weight.copy_(_t(layers[0].params["W"]))
        block = torch.nn.TransformerEncoderLayer(hidden, HEADS, FF_HIDDEN, dropout=0.0, batch_first=True)
        p = layers[2].params
        block.self_attn.in_proj_weight.copy_(_t(np.concatenate([p["attn.W_q"], p["attn.W_k"], p["attn.W_v"]], 1).T))
        block.self_attn.in_proj_bias.copy_(_t(np.concatenate([p["attn.b_q"], p["attn.b_k"], p["attn.b_v"]])))
        block.self_attn.out_proj.weight.copy_(_t(p["attn.W_o"].T))
        block.self_attn.out_proj.bias.copy_(_t(p["attn.b_o"]))
        block.linear1.weight.copy_(_t(p["ff.0.W"].T))
        block.linear1.bias.copy_(_t(p["ff.0.b"]))
        block.linear2.weight.copy_(_t(p["ff.2.W"].T))
        block.linear2.bias.copy_(_t(p["ff.2.b"]))
        head = _linear(layers[3])
        pe = _t(nn.sinusoidal_positional_encoding(CASES[case][0], hidden, np.float32))

    class Transformer(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb, self.block, self.head = emb, block, head

        def forward(self, x):
            return self.head(self.block(self.emb(x) + pe))

    return Transformer()


def _linear(layer):
    lin = torch.nn.Linear(layer.in_features, layer.out_features)
    lin.weight.copy_(_t(layer.params["W"].T))
    lin.bias.copy_(_t(layer.params["b"]))
    return lin


def _rates(stamps, chunk):
    """Best steps per second over the chunks (the first chunk warms up)."""
    return chunk / min(b - a for a, b in zip(stamps[1:-1], stamps[2:]))


def time_ours(case, X, y):
    _, _, steps, chunk = CASES[case]
    model = build_ours(case)
    model.needs_input_grad = False  # nobody needs dL/dX (as tutor.nn.train does)
    loss_fn = nn.SoftmaxCrossEntropyLoss() if case == "transformer" else nn.BCEWithLogitsLoss()
    opt = optim.Adam(LR)
    orders = batch_orders(len(X), steps)
    with threadpool_limits(limits=1, user_api="blas"):
        time.sleep(SETTLE)
        stamps = [time.perf_counter()]
        for step in range(steps):
            xb, yb = X[orders[step]], y[orders[step]]
            out = model.forward(xb)
            if case == "transformer":
                loss = loss_fn.forward(out.reshape(-1, VOCAB), yb.reshape(-1))
                model.backward(loss_fn.backward().reshape(out.shape))
            else:
                loss = loss_fn.forward(out, yb)
                model.backward(loss_fn.backward())
            opt.update(model.params, model.grads)
            if (step + 1) % chunk == 0:
                stamps.append(time.perf_counter())
    return _rates(stamps, chunk), loss


def time_torch(case, X, y, threads):
    _, _, steps, chunk = CASES[case]
    model = build_torch(case, build_ours(case))
    loss_fn = torch.nn.CrossEntropyLoss() if case == "transformer" else torch.nn.BCEWithLogitsLoss()
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    Xt = torch.from_numpy(X.astype(np.int64) if case == "transformer" else X)
    yt = torch.from_numpy(y.astype(np.int64) if case == "transformer" else y)
    batches = [torch.from_numpy(o) for o in batch_orders(len(X), steps)]
    saved = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with threadpool_limits(limits=threads, user_api="blas"):
            time.sleep(SETTLE)
            stamps = [time.perf_counter()]
            for step in range(steps):
                idx = batches[step]
                xb, yb = Xt[idx], yt[idx]
                opt.zero_grad()
                out = model(xb)
                loss = loss_fn(out.reshape(-1, VOCAB), yb.reshape(-1)) if case == "transformer" else loss_fn(out, yb)
                loss.backward()
                opt.step()
                last = loss.item()  # our loop reads the loss every step too
                if (step + 1) % chunk == 0:
                    stamps.append(time.perf_counter())
    finally:
        torch.set_num_threads(saved)
    return _rates(stamps, chunk), last


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement; the best is kept")
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--no-torch", action="store_true", help="time ours only")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args(argv)
    use_torch = torch is not None and not args.no_torch

    blas = ", ".join(f"{i['internal_api']} {i.get('version')} ({i['num_threads']} threads)"
                     for i in threadpool_info() if i["user_api"] == "blas")
    print(f"python {platform.python_version()}, numpy {np.__version__}, BLAS: {blas}, "
          f"cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}"
          + (f", torch {torch.__version__}" if use_torch else ", torch: not installed"))
    print(f"ours: 1 BLAS thread; torch: the better of {' and '.join(map(str, TORCH_THREADS))} threads; "
          f"batch {BATCH}, Adam, best chunk of steps\n")
    rows = []
    for case in args.cases.split(","):
        X, y = dataset(case)
        runs = {"ours": [], **{f"torch{k}": [] for k in TORCH_THREADS}}
        losses = {}
        for _ in range(args.repeats):  # interleaved: ours, torch 1, torch 2, ours, ...
            rate, losses["ours"] = time_ours(case, X, y)
            runs["ours"].append(rate)
            if use_torch:
                for k in TORCH_THREADS:
                    rate, losses[f"torch{k}"] = time_torch(case, X, y, k)
                    runs[f"torch{k}"].append(rate)
        t_len, hidden, steps, _ = CASES[case]
        row = {"case": case, "T": t_len, "hidden": hidden, "batch": BATCH, "steps": steps,
               "ours_steps_per_s": max(runs["ours"]), "ours_all": runs["ours"], "ours_last_loss": losses["ours"]}
        line = f"{case:>12} (T={t_len}, H={hidden}): ours {row['ours_steps_per_s']:7.0f} steps/s"
        if use_torch:
            for k in TORCH_THREADS:
                row[f"torch_{k}_threads_steps_per_s"] = max(runs[f"torch{k}"])
                row[f"torch_{k}_threads_all"] = runs[f"torch{k}"]
            best_k = max(TORCH_THREADS, key=lambda k: row[f"torch_{k}_threads_steps_per_s"])
            row["torch_steps_per_s"], row["torch_threads"] = row[f"torch_{best_k}_threads_steps_per_s"], best_k
            row["torch_last_loss"] = losses[f"torch{best_k}"]
            row["ratio"] = row["ours_steps_per_s"] / row["torch_steps_per_s"]
            line += ("   torch " + ", ".join(f"{row[f'torch_{k}_threads_steps_per_s']:6.0f} ({k} thr)" for k in TORCH_THREADS)
                     + f"   ours/torch {row['ratio']:5.2f}×   last loss ours {row['ours_last_loss']:.4f}, "
                       f"torch {row['torch_last_loss']:.4f}")
        print(line, flush=True)
        rows.append(row)

    print()
    head = "| model | T | hidden | ours steps/s |"
    sep = "|---|---|---|---|"
    if use_torch:
        head += " torch steps/s (threads) | ours/torch |"
        sep += "---|---|"
    lines = [head, sep]
    for r in rows:
        line = f"| {r['case']} | {r['T']} | {r['hidden']} | {r['ours_steps_per_s']:.0f} |"
        if use_torch:
            line += f" {r['torch_steps_per_s']:.0f} ({r['torch_threads']}) | {r['ratio']:.2f}× |"
        lines.append(line)
    print("\n".join(lines))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows}, f, indent=2)


if __name__ == "__main__":
    main()
