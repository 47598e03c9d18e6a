"""bench/engine.py's bookkeeping (no timing here): the GEMM floor times exactly the matmuls whose
FLOPs the GFLOP/s column counts, and the plain loop trains the net it says it does."""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
engine = pytest.importorskip("engine")  # needs threadpoolctl, as the benchmark does


@pytest.mark.parametrize("size", ["tiny", "small", "medium"])
def test_gemm_floor_counts_the_flops_of_a_step(size):
    sizes, _, _, batch, _, _ = engine.SIZES[size]
    batch = batch or 200
    gemms = engine.step_gemms(sizes, batch, np.random.default_rng(0))
    flops = sum(2 * a.shape[0] * a.shape[1] * b.shape[1] for a, b in gemms)
    assert flops == engine.matmul_flops_per_step(sizes, batch)
    # the layouts of the engine's backward: xᵀ@d and d@Wᵀ are transposed views
    assert [a.flags.c_contiguous for a, _ in gemms[:2]] == [True, False]
    assert all(a.shape[1] == b.shape[0] for a, b in gemms)


def test_plain_loop_learns_the_tiny_net(monkeypatch):
    monkeypatch.setattr(engine, "SETTLE", 0.0)
    X, y = engine.dataset("tiny")
    (best, overall), last_loss = engine.time_plain("tiny", "Adam", X, y)
    assert best >= overall > 0
    assert last_loss < 0.5  # from log 2 ≈ 0.69 at the start: the loop really trained
