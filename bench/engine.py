"""Benchmark of the tutor.nn engine (issue 4): training steps per second and matmul GFLOP/s.

Three MLPs and a CNN, each trained with SGD and with Adam for a fixed number of steps:
    tiny    2-8-8-1    tanh, BCE with logits, 200 points, full batch
    small   64-128-10  ReLU, softmax cross-entropy, the digits, batch 64
    medium  784-256-128-10 ReLU, softmax cross-entropy, 10,000 synthetic samples, batch 128
    cnn     the 8×8 digits as images: conv 3×3 (1→8, padding 1) + ReLU + maxpool 2×2 (8×8 → 4×4),
            conv 3×3 (8→16, padding 1) + ReLU + maxpool 2×2 (→ 2×2), Linear 64 → 10; batch 64
    rnn     a tanh RNN (1 → 32) over 20 steps of remember_first, its last hidden state → Linear 32 → 1,
            BCE with logits, 1,000 sequences, batch 64
each twice: through ``tutor.nn.train.train`` ("train") and through a learner's own loop on the
public contract only ("plain": model.forward, loss.forward, model.backward(loss.backward()),
opt.update(model.params, model.grads)). When PyTorch is importable, the same nets with the same
initial weights and the same batches are trained with torch.nn + torch.optim in this process,
interleaved run by run (best of the repeats is kept for each), and the ratios train/torch and
plain/torch are printed.

Two ceilings: numpy's float32 GEMM at 1024³ (the machine's peak, with the net's BLAS threads), and
the "GEMM floor" of each net: numpy's matmul alone on that net's own shapes and layouts at its batch
size, summed over one step. A percentage of the 1024³ rate is not what a step of small GEMMs can
reach; the floor is: no numpy engine takes a step faster.

Threads: tiny, small, cnn and rnn run ours with one BLAS thread (threadpoolctl), the setting the tutor
uses so a core stays free for the UI, and torch at the better of 1 and 2 threads
(torch.set_num_threads; each timed in every repeat); medium uses all cores for both.
Idle OpenBLAS worker threads of one library spin and slow the other, so we sleep 0.3 s before each
timed segment.

    python bench/engine.py            # make bench
    python bench/engine.py --repeats 5 --json results.json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

from tutor import nn  # noqa: E402
from tutor.nn import data, optim  # noqa: E402
from tutor.nn.train import train  # noqa: E402

try:  # optional: only in a bench venv, never a dependency of the app
    import torch
except ImportError:  # pragma: no cover
    torch = None

SETTLE = 0.3  # seconds of quiet before every timed segment

SIZES = {
    # name: (layer sizes, activation, loss, batch size or None for full batch, steps, BLAS threads)
    "tiny": ((2, 8, 8, 1), "tanh", "bce", None, 3000, 1),
    "small": ((64, 128, 10), "relu", "ce", 64, 1500, 1),
    "medium": ((784, 256, 128, 10), "relu", "ce", 128, 300, None),
    # a CNN's "layer sizes": ("conv", c1, c2) = the channels of its two conv layers (see build_ours)
    "cnn": (("conv", 8, 16), "relu", "ce", 64, 600, 1),
    # an RNN's: ("rnn", input size, hidden size, sequence length)
    "rnn": (("rnn", 1, 32, 20), "tanh", "bce", 64, 600, 1),
}
# Steps are timed in chunks of this many and the fastest chunk gives the rate (like timeit's min):
# other programs on a shared 2-core machine can only slow a chunk down, never speed it up.
CHUNK = {"tiny": 100, "small": 50, "medium": 20, "cnn": 25, "rnn": 25}
OPTIMIZERS = {"SGD": dict(lr=0.05), "Adam": dict(lr=1e-3)}


def dataset(size):
    if size == "tiny":
        s = data.playground("circle", n=200, noise=0.1, test_ratio=0.0, seed=0)
        return s.X_train, s.y_train
    if size == "rnn":
        s = data.remember_first(n=1000, length=SIZES["rnn"][0][3], test_ratio=0.0)
        return s.X_train, s.y_train
    if size in ("small", "cnn"):
        s = data.digits(test_ratio=0.0, images=size == "cnn")
        return s.X_train, s.y_train
    rng = np.random.default_rng(0)
    X = rng.standard_normal((10_000, 784)).astype(np.float32)
    teacher = rng.standard_normal((784, 10)).astype(np.float32)
    return X, (X @ teacher).argmax(axis=1)  # learnable labels from a random linear teacher


def is_cnn(sizes):
    return sizes[0] == "conv"


def is_rnn(sizes):
    return sizes[0] == "rnn"


def build_ours(sizes, activation):
    nn.manual_seed(0)
    act = {"tanh": nn.Tanh, "relu": nn.ReLU}[activation]
    if is_rnn(sizes):
        _, d, h, _ = sizes
        return nn.Sequential(nn.RNN(d, h), nn.LastStep(), nn.Linear(h, 1))
    if is_cnn(sizes):
        _, c1, c2 = sizes
        return nn.Sequential(
            nn.Conv2d(1, c1, 3, padding=1), act(), nn.MaxPool2d(2),   # c1 × 4 × 4
            nn.Conv2d(c1, c2, 3, padding=1), act(), nn.MaxPool2d(2),  # c2 × 2 × 2
            nn.Flatten(), nn.Linear(c2 * 2 * 2, 10),
        )
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(act())
    return nn.Sequential(*layers)


def batch_orders(n, batch_size, steps, seed=0):
    """The index arrays of every step, as tutor.nn.train draws them (so torch sees the same batches)."""
    if batch_size is None:
        return None
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < steps:
        order = rng.permutation(n)
        out.extend(order[i:i + batch_size] for i in range(0, n, batch_size))
    return out[:steps]


def gemm_layers(sizes, batch):
    """Each layer's product as (rows, inner, outputs): a Linear is (batch, in, out); a convolution is
    one GEMM of its patches, (N·H_out·W_out, C·kh·kw) × (C·kh·kw, F)."""
    if is_cnn(sizes):
        _, c1, c2 = sizes
        return [(batch * 8 * 8, 1 * 9, c1), (batch * 4 * 4, c1 * 9, c2), (batch, c2 * 2 * 2, 10)]
    if is_rnn(sizes):  # x W_x for all steps at once, then h W_h once per step
        _, d, h, t_len = sizes
        return [(batch * t_len, d, h)] + [(batch, h, h)] * t_len + [(batch, h, 1)]
    return [(batch, a, b) for a, b in zip(sizes[:-1], sizes[1:])]


def matmul_flops_per_step(sizes, batch):
    """Forward x@W, backward xᵀ@d and d@Wᵀ (the first layer skips the last: nobody needs dL/dX)."""
    per_layer = [2 * m * k * n for m, k, n in gemm_layers(sizes, batch)]
    return 3 * sum(per_layer) - per_layer[0]


def setup_ours(size, opt_name):
    sizes, act, loss_name, *_ = SIZES[size]
    model = build_ours(sizes, act)
    loss = nn.BCEWithLogitsLoss() if loss_name == "bce" else nn.SoftmaxCrossEntropyLoss()
    return model, loss, getattr(optim, opt_name)(**OPTIMIZERS[opt_name])


def time_ours(size, opt_name, X, y):
    """Through ``tutor.nn.train.train``, the loop the app uses."""
    _, _, _, bs, steps, threads = SIZES[size]
    model, loss, opt = setup_ours(size, opt_name)
    chunk = CHUNK[size]
    with threadpool_limits(limits=threads, user_api="blas") if threads else _nothing():
        time.sleep(SETTLE)
        stamps = [time.perf_counter()]
        for event in train(model, loss, opt, X, y, steps=steps, batch_size=bs, log_every=chunk):
            stamps.append(time.perf_counter())  # one step event every `chunk` steps (and the end)
    assert event["status"] == "done", event
    return _rates(stamps[:-1], chunk), event["loss"]


def time_plain(size, opt_name, X, y):
    """A learner's own loop, through the public contract only: the same batches as train() draws."""
    _, _, _, bs, steps, threads = SIZES[size]
    model, loss, opt = setup_ours(size, opt_name)
    orders = batch_orders(len(X), bs, steps)
    chunk = CHUNK[size]
    with threadpool_limits(limits=threads, user_api="blas") if threads else _nothing():
        time.sleep(SETTLE)
        stamps = [time.perf_counter()]
        for step in range(steps):
            if orders is None:
                xb, yb = X, y
            else:
                xb, yb = X[orders[step]], y[orders[step]]
            pred = model.forward(xb)
            last = loss.forward(pred, yb)
            model.backward(loss.backward())
            opt.update(model.params, model.grads)
            if (step + 1) % chunk == 0:
                stamps.append(time.perf_counter())
    return _rates(stamps, chunk), last


def _rates(stamps, chunk):
    """(best, overall) steps per second from the times at which each chunk of steps ended."""
    best = min(b - a for a, b in zip(stamps[1:-1], stamps[2:]))  # the first chunk warms up
    return chunk / best, chunk * (len(stamps) - 1) / (stamps[-1] - stamps[0])


def torch_layer(layer):
    """The torch module equal to one of our layers, with the same weights."""
    if isinstance(layer, nn.Linear):
        lin = torch.nn.Linear(layer.in_features, layer.out_features)
        with torch.no_grad():  # ours is y = x W (W: in × out), torch's y = x Wᵀ
            lin.weight.copy_(torch.from_numpy(layer.params["W"].T.copy()))
            lin.bias.copy_(torch.from_numpy(layer.params["b"].copy()))
        return lin
    if isinstance(layer, nn.Conv2d):
        conv = torch.nn.Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size,
                               stride=layer.stride, padding=layer.padding)
        with torch.no_grad():  # the same (out, in, kh, kw) layout
            conv.weight.copy_(torch.from_numpy(layer.params["W"].copy()))
            conv.bias.copy_(torch.from_numpy(layer.params["b"].copy()))
        return conv
    if isinstance(layer, nn.RNN):
        rnn = torch.nn.RNN(layer.input_size, layer.hidden_size, nonlinearity="tanh", batch_first=True)
        with torch.no_grad():  # torch has two biases (b_ih + b_hh); ours is their sum
            rnn.weight_ih_l0.copy_(torch.from_numpy(layer.params["W_x"].T.copy()))
            rnn.weight_hh_l0.copy_(torch.from_numpy(layer.params["W_h"].T.copy()))
            rnn.bias_ih_l0.copy_(torch.from_numpy(layer.params["b"].copy()))
            rnn.bias_hh_l0.zero_()
        return _TorchLastStep(rnn)
    if isinstance(layer, nn.LastStep):
        return torch.nn.Identity()  # _TorchLastStep already took the last step
    if isinstance(layer, nn.MaxPool2d):
        return torch.nn.MaxPool2d(layer.kernel_size, stride=layer.stride)
    if isinstance(layer, nn.Flatten):
        return torch.nn.Flatten()
    return torch.nn.Tanh() if isinstance(layer, nn.Tanh) else torch.nn.ReLU()


if torch is not None:
    class _TorchLastStep(torch.nn.Module):
        def __init__(self, rnn):
            super().__init__()
            self.rnn = rnn

        def forward(self, x):
            return self.rnn(x)[0][:, -1]


def torch_thread_settings(threads):
    """torch's thread counts to try: with one BLAS thread for ours, torch gets the better of 1 and 2."""
    return (1, 2) if threads == 1 else (threads,)


def time_torch(size, opt_name, X, y, threads=None):
    sizes, act, loss_name, bs, steps, default_threads = SIZES[size]
    threads = threads or default_threads
    ours = build_ours(sizes, act)  # the same initial weights
    modules = [torch_layer(layer) for layer in ours.layers]
    model = torch.nn.Sequential(*modules)
    loss_fn = torch.nn.BCEWithLogitsLoss() if loss_name == "bce" else torch.nn.CrossEntropyLoss()
    opt = getattr(torch.optim, opt_name)(model.parameters(), **OPTIMIZERS[opt_name])
    Xt = torch.from_numpy(X)
    yt = torch.from_numpy(y.astype(np.float32) if loss_name == "bce" else y.astype(np.int64))
    orders = batch_orders(len(X), bs, steps)
    batches = None if orders is None else [torch.from_numpy(o) for o in orders]
    saved_threads = torch.get_num_threads()
    torch.set_num_threads(threads or saved_threads)
    try:
        with threadpool_limits(limits=threads, user_api="blas") if threads else _nothing():
            chunk = CHUNK[size]
            time.sleep(SETTLE)
            stamps = [time.perf_counter()]
            for step in range(steps):
                if batches is None:
                    xb, yb = Xt, yt
                else:
                    idx = batches[step]
                    xb, yb = Xt[idx], yt[idx]
                opt.zero_grad()
                loss = loss_fn(model(xb), yb)
                loss.backward()
                opt.step()
                last = loss.item()  # our loop reads the loss every step too (divergence check)
                if (step + 1) % chunk == 0:
                    stamps.append(time.perf_counter())
    finally:
        torch.set_num_threads(saved_threads)
    return _rates(stamps, chunk), last


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def gemm_peak(threads=None, n=1024, repeats=20):
    """float32 GEMM GFLOP/s of numpy on this machine (best of ``repeats``), with ``threads`` BLAS
    threads (None: all). On a shared machine a multi-threaded GEMM waits for its slowest thread."""
    with threadpool_limits(limits=threads, user_api="blas") if threads else _nothing():
        return _gemm_rate(n, repeats)


def _gemm_rate(n, repeats):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n)).astype(np.float32)
    b = rng.standard_normal((n, n)).astype(np.float32)
    c = np.empty_like(a)
    np.matmul(a, b, out=c)
    time.sleep(SETTLE)
    best = 0.0
    for _ in range(repeats):
        t0 = time.perf_counter()
        np.matmul(a, b, out=c)
        best = max(best, 2 * n**3 / (time.perf_counter() - t0) / 1e9)
    return best


def step_gemms(sizes, batch, rng):
    """The (A, B) operand pairs of one training step's GEMMs, in the layouts the engine uses:
    forward x@W, backward xᵀ@d and d@Wᵀ (transposed views; not for the first layer: nobody needs
    dL/dX)."""
    gemms = []
    for i, (m, a, b) in enumerate(gemm_layers(sizes, batch)):
        x, W, d = (rng.standard_normal(shape).astype(np.float32) for shape in ((m, a), (a, b), (m, b)))
        gemms += [(x, W), (x.T, d)]
        if i > 0:
            gemms.append((d, W.T))
    return gemms


def gemm_floor(sizes, batch, threads, repeats=20):
    """Seconds per step that numpy's matmul alone needs for this net's own shapes (each GEMM's best
    of ``repeats``, summed): no engine written on numpy can take a step faster than this."""
    gemms = step_gemms(sizes, batch, np.random.default_rng(0))
    outs = [np.empty((a.shape[0], b.shape[1]), np.float32) for a, b in gemms]
    best = [math.inf] * len(gemms)
    with threadpool_limits(limits=threads, user_api="blas") if threads else _nothing():
        time.sleep(SETTLE)
        for _ in range(repeats):  # round after round, so a busy moment spoils one round, not one GEMM
            for i, ((a, b), out) in enumerate(zip(gemms, outs)):
                t0 = time.perf_counter()
                np.matmul(a, b, out=out)
                best[i] = min(best[i], time.perf_counter() - t0)
    return sum(best)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement; the best is kept")
    parser.add_argument("--sizes", default="tiny,small,medium,cnn")
    parser.add_argument("--no-torch", action="store_true", help="time ours only")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args(argv)
    use_torch = torch is not None and not args.no_torch

    blas = ", ".join(f"{i['internal_api']} {i.get('version')} ({i['num_threads']} threads)"
                     for i in threadpool_info() if i["user_api"] == "blas")
    print(f"python {platform.python_version()}, numpy {np.__version__}, BLAS: {blas}, "
          f"cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}" + (f", torch {torch.__version__}" if use_torch else ", torch: not installed"))
    # the 1024³ peak for each thread setting the nets use; a busy machine lowers it, so it is
    # re-measured before every net and the best one seen is the ceiling
    peaks = {threads: [gemm_peak(threads)] for threads in sorted({SIZES[s][5] or 0 for s in SIZES})}
    print("numpy float32 GEMM 1024³: " + ", ".join(f"{v[0]:.1f} GFLOP/s with {_threads(t)} BLAS threads"
                                               for t, v in peaks.items()) + " (re-measured before every net)")
    print("'train' = through tutor.nn.train.train; 'plain' = a learner's loop: model.forward, loss.forward,\n"
          "model.backward(loss.backward()), opt.update(model.params, model.grads)\n")

    rows = []
    for size in args.sizes.split(","):
        sizes, _, _, bs, steps, threads = SIZES[size]
        peaks[threads or 0].append(gemm_peak(threads))
        X, y = dataset(size)
        batch = bs or len(X)
        flops = matmul_flops_per_step(sizes, batch)
        floor = gemm_floor(sizes, batch, threads)
        for opt_name in OPTIMIZERS:
            torch_names = [f"torch{t or ''}" for t in torch_thread_settings(threads)] if use_torch else []
            runs = {name: [] for name in ["train", "plain", *torch_names]}
            whole = {name: [] for name in runs}
            timers = [("train", time_ours), ("plain", time_plain)]
            timers += [(name, lambda *a, t=t: time_torch(*a, threads=t))
                       for name, t in zip(torch_names, torch_thread_settings(threads))]
            for _ in range(args.repeats):  # interleaved: train, plain, torch, train, plain, torch, ...
                for name, timer in timers:
                    (best, overall), _ = timer(size, opt_name, X, y)
                    runs[name].append(best)
                    whole[name].append(overall)
            if use_torch:  # torch at its better thread setting
                best_torch = max(torch_names, key=lambda name: max(runs[name]))
                runs["torch"], whole["torch"] = runs[best_torch], whole[best_torch]
                torch_threads = best_torch[len("torch"):] or "all"
            ours = max(runs["train"])
            row = {"size": size, "optimizer": opt_name, "steps": steps, "batch": batch,
                   "threads": threads or "all", "ours_steps_per_s": ours,
                   "ours_us_per_step": 1e6 / ours, "ours_gflops": ours * flops / 1e9,
                   "ours_whole_run_steps_per_s": max(whole["train"]),
                   "plain_steps_per_s": max(runs["plain"]), "plain_us_per_step": 1e6 / max(runs["plain"]),
                   "plain_all_steps_per_s": runs["plain"], "train_all_steps_per_s": runs["train"],
                   "gemm_floor_us_per_step": 1e6 * floor, "gemm_floor_gflops": flops / floor / 1e9}
            row["pct_of_floor"] = 100 * row["gemm_floor_us_per_step"] / row["ours_us_per_step"]
            if use_torch:
                row["torch_steps_per_s"] = max(runs["torch"])
                row["torch_all_steps_per_s"] = runs["torch"]
                row["torch_whole_run_steps_per_s"] = max(whole["torch"])
                row["torch_threads"] = torch_threads
                row["torch_by_threads"] = {name[len("torch"):] or "all": max(runs[name]) for name in torch_names}
                row["ratio"] = ours / max(runs["torch"])
                row["plain_ratio"] = max(runs["plain"]) / max(runs["torch"])
            rows.append(row)
            row["pct_of_peak"] = 100 * row["ours_gflops"] / max(peaks[threads or 0])
            print(_format_row(row, use_torch), flush=True)

    for threads in peaks:
        peaks[threads].append(gemm_peak(threads or None))
    peak = {_threads(t): max(v) for t, v in peaks.items()}
    for row in rows:
        row["pct_of_peak"] = 100 * row["ours_gflops"] / peak[str(row["threads"])]
    print()
    print(_markdown(rows, use_torch, peak))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"gemm_peak_gflops": peak, "gemm_measurements": {_threads(t): v for t, v in peaks.items()},
                       "rows": rows}, f, indent=2)


def _threads(threads):
    return str(threads) if threads else "all"


def _format_row(r, use_torch):
    s = (f"{r['size']:>6} {r['optimizer']:>4}: train {r['ours_steps_per_s']:7.0f} steps/s "
         f"({r['ours_us_per_step']:6.1f} µs/step, {r['ours_gflops']:6.2f} GFLOP/s = {r['pct_of_peak']:4.1f}% of 1024³ peak; "
         f"GEMM floor of its shapes {r['gemm_floor_us_per_step']:6.1f} µs = {r['gemm_floor_gflops']:5.1f} GFLOP/s)"
         f"   plain {r['plain_steps_per_s']:7.0f} steps/s")
    if use_torch:
        s += (f"   torch {r['torch_steps_per_s']:7.0f} steps/s ({r['torch_threads']} threads; "
              + ", ".join(f"{v:.0f} with {t}" for t, v in r["torch_by_threads"].items())
              + f")   train/torch {r['ratio']:5.2f}×"
              f"   plain/torch {r['plain_ratio']:5.2f}×")
    return s


def _markdown(rows, use_torch, peak):
    head = ("| net | optimizer | batch | BLAS threads | train steps/s | µs/step | plain steps/s | "
            "matmul GFLOP/s | % of 1024³ peak | GEMM floor of its shapes µs (GFLOP/s) | floor/step |")
    sep = "|---|---|---|---|---|---|---|---|---|---|---|"
    if use_torch:
        head += " torch steps/s (threads) | train/torch | plain/torch |"
        sep += "---|---|---|"
    lines = [head, sep]
    for r in rows:
        line = (f"| {r['size']} | {r['optimizer']} | {r['batch']} | {r['threads']} | "
                f"{r['ours_steps_per_s']:.0f} | {r['ours_us_per_step']:.1f} | {r['plain_steps_per_s']:.0f} | "
                f"{r['ours_gflops']:.2f} | {r['pct_of_peak']:.1f} | "
                f"{r['gemm_floor_us_per_step']:.1f} ({r['gemm_floor_gflops']:.1f}) | {r['pct_of_floor']:.0f}% |")
        if use_torch:
            line += f" {r['torch_steps_per_s']:.0f} ({r['torch_threads']}) | {r['ratio']:.2f}× | {r['plain_ratio']:.2f}× |"
        lines.append(line)
    peaks = ", ".join(f"{v:.1f} GFLOP/s with {t} BLAS threads" for t, v in peak.items())
    lines.append(f"\nnumpy float32 GEMM peak (1024³, best seen): {peaks}. The GEMM floor is numpy's matmul "
                 "alone on the net's own shapes at its batch size, summed over a step: what a step could reach.")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
