"""Chapter 2: why compute matters. One n×n matrix product, C = AB, done two ways on this machine.

- ``loops``: Python's own scalar loops, one multiply-add at a time (C[i][j] += A[i][k]·B[k][j]),
  like one very clever worker doing every sum by hand.
- ``numpy``: ``A @ B``, handed to compiled, vectorised code (BLAS) that works on many numbers at
  once, and on several cores: the thousand schoolchildren each doing a small part.

Both compute the same n³ multiply-adds (2n³ floating-point operations, FLOPs) on the same float64
matrices. Times are wall-clock, measured where the run runs: they depend on the machine, so no
lesson quotes them. The ``end`` of each variant carries ``seconds`` (loops: one pass; numpy: the shortest
of ``repeats`` timed products), ``multiply_adds`` (n³),
``flops`` (2n³) and ``gflops_per_second``; numpy's also ``speedup`` (loops' seconds / numpy's) and
``max_abs_difference`` (the largest |C_loops − C_numpy|: the same product, up to rounding). The
finish message says the two times and their ratio.
"""

from __future__ import annotations

import time

import numpy as np

from .base import P, Experiment, register
from .events import Bilingual as Text

VARIANTS = ["loops", "numpy"]


def row_loops(a: list[float], B: list[list[float]]) -> list[float]:
    """One row of C = AB with scalar loops: C[i][j] = Σ_k a[k]·B[k][j], one multiply-add at a time."""
    row = []
    for j in range(len(B[0])):
        s = 0.0
        for k in range(len(B)):
            s += a[k] * B[k][j]
        row.append(s)
    return row


def matmul_loops(A: list[list[float]], B: list[list[float]]) -> list[list[float]]:
    """C = AB with scalar Python loops, row by row."""
    return [row_loops(a, B) for a in A]


def time_numpy(A: np.ndarray, B: np.ndarray, repeats: int) -> float:
    """Seconds per product A @ B: the shortest of ``repeats`` timed products (as timeit advises: the
    other programs on the machine only ever make a timing longer, so the minimum is the cleanest)."""
    A @ B   # a first product wakes the library's threads up: not timed
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        A @ B
        best = min(best, time.perf_counter() - t0)
    return best


def _start(variant: str, n: int, seed: int, total: int) -> dict:
    return {"event": "start", "variant": variant, "total_steps": total, "epochs": 0, "steps_per_epoch": 0,
            "batch_size": 0, "n_train": 0, "n_val": 0, "num_params": 0, "seed": seed}


def _end(variant: str, n: int, seconds: float, step: int, status: str = "done", **extra) -> dict:
    flops = 2 * n ** 3
    return {"event": "end", "variant": variant, "status": status,
            "reason": f"one {n}×{n} matrix product: {n ** 3} multiply-adds",
            "step": step, "epoch": 0, "loss": None, "val_loss": None, "val_accuracy": None,
            "best_step": None, "best_loss": None, "n": n, "seconds": seconds, "multiply_adds": n ** 3,
            "flops": flops, "gflops_per_second": flops / seconds / 1e9 if seconds > 0 else None, **extra}


def _compute(params, seed, stop):
    n = params["n"]
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, n))
    B = rng.standard_normal((n, n))
    # loops: the rows done so far are the steps (about 20 progress events over the product);
    # only the arithmetic is timed, not the handing over of events
    yield _start("loops", n, seed, n)
    every = max(1, n // 20)
    A_list, B_list = A.tolist(), B.tolist()
    C_loops: list = []
    loops_seconds = 0.0
    for i in range(n):
        t0 = time.perf_counter()
        C_loops.append(row_loops(A_list[i], B_list))
        loops_seconds += time.perf_counter() - t0
        if (i + 1) % every == 0 or i + 1 == n:
            yield {"event": "step", "variant": "loops", "step": i + 1, "epoch": 0}
        if stop is not None and stop():
            break
    if len(C_loops) < n:   # stopped before the last row
        yield _end("loops", n, loops_seconds, len(C_loops), status="stopped")
        return
    yield _end("loops", n, loops_seconds, n)
    if stop is not None and stop():
        return
    yield _start("numpy", n, seed, 1)
    seconds = time_numpy(A, B, params["repeats"])
    C = A @ B
    yield {"event": "step", "variant": "numpy", "step": 1, "epoch": 0}
    yield _end("numpy", n, seconds, 1, speedup=loops_seconds / seconds if seconds > 0 else None,
               max_abs_difference=float(np.max(np.abs(np.array(C_loops) - C))))


def _seconds(s) -> str:
    return f"{s:.3g}" if isinstance(s, (int, float)) else "—"


def _report(variants: dict) -> Text | None:
    """The finish message says what was measured: the two times and their ratio."""
    loops = variants.get("loops", {}).get("seconds")
    fast = variants.get("numpy", {}).get("seconds")
    ratio = variants.get("numpy", {}).get("speedup")
    if not isinstance(ratio, (int, float)):
        return None
    return {"ko": f"완료했습니다(done). 이 컴퓨터에서 loops {_seconds(loops)}초, numpy {_seconds(fast)}초: "
                  f"numpy가 약 {ratio:.0f}배 빠릅니다.",
            "en": f"done. On this machine: loops {_seconds(loops)} s, numpy {_seconds(fast)} s: "
                  f"numpy is about {ratio:.0f} times faster."}


register(Experiment(
    name="compute",
    report=_report,
    title={"ko": "행렬 곱(matrix product): 스칼라 반복문 vs 벡터화(vectorization)",
           "en": "A matrix product: scalar loops vs vectorised"},
    description={
        "ko": "같은 n×n 행렬 곱 C = AB를 두 번 계산하고 이 컴퓨터에서 걸린 시간을 잽니다. loops는 파이썬 반복문으로 "
              "곱셈-덧셈을 하나씩 n³번 하고, numpy는 A @ B 한 줄로 여러 수를 한꺼번에 처리하는 컴파일된 코드(BLAS)에 "
              "맡깁니다. 끝에 두 시간(seconds)과 그 비(speedup)를 알려 줍니다. 시간은 컴퓨터마다 다릅니다.",
        "en": "The same n×n matrix product C = AB computed twice, timed on this machine: loops does the n³ "
              "multiply-adds one at a time in Python, numpy hands A @ B to compiled code (BLAS) that works "
              "on many numbers at once. It reports both times (seconds) and their ratio (speedup) at the "
              "end. The times depend on the machine."},
    params={
        "n": P("n", "int", 120, "행렬 크기 n (n×n 행렬)", "matrix size n (n×n matrices)", 2, 300,
               label={"ko": "행렬 크기(n)", "en": "matrix size (n)"}),
        "repeats": P("repeats", "int", 50, "numpy 곱을 몇 번 재서 가장 짧은 시간을 쓸지",
                     "numpy products timed: the shortest time is reported", 1, 1000,
                     label={"ko": "반복 측정(repeats)", "en": "timing repeats"}),
    },
    variants=VARIANTS,
    variant_labels={"loops": {"ko": "반복문(loops)", "en": "loops"}, "numpy": {"ko": "넘파이(numpy)", "en": "numpy"}},
    plot={"y": "loss", "log_y": False, "x": "step"},
    body=_compute,
))
