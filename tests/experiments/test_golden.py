"""Golden runs: `tutor run NAME --json` pinned for the run-pipeline redesign.

For every registered experiment, tests/experiments/golden/NAME.json holds what one run printed,
with seed 0 and the settings recorded in the file (``sets``: long runs shortened with --set):

- ``kinds``: the order of the event kinds, as ``kind`` or ``kind:variant``, run-length encoded
  (``"step:main*20"`` is twenty step events of the variant main in a row). ``boundary`` events are left out: they are throttled by wall-clock time
  (at most one per ~0.2 s of training, see base.Clock), so their number depends on the machine.
- ``finish``: the finish event's status and per-variant figures. Numbers must match to a relative
  tolerance of ``RTOL`` (or ``ATOL`` near zero); text and statuses exactly (a divergence's
  reason quotes its loss to 3 digits, well inside the tolerance).

Regenerate (after a deliberate change, saying why in the commit):
    TUTOR_UPDATE_GOLDEN=1 python -m pytest -q tests/experiments/test_golden.py
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tutor.experiments import REGISTRY

GOLDEN = Path(__file__).with_name("golden")
RTOL, ATOL = 1e-4, 1e-7
SEED = 0
UNTIMED = ("boundary",)   # wall-clock throttled: not pinned
#: figures that are wall-clock measurements (they depend on the machine): pinned as "measured" only
WALL_CLOCK = {"compute": ("seconds", "gflops_per_second", "speedup")}
SHORT = {   # the default settings, shortened where a run is long
    "qlearning": [],
    "perceptron_gates": ["steps=300"], "linreg_gd": [], "learning_rate": [], "optimizers": ["steps=60"],
    "init": ["steps=40"], "activations": ["steps=40"], "batchnorm": ["steps=40"],
    "skip_connections": ["steps=40"], "uat": ["steps=100", "widths=2,8"], "overfitting": ["steps=100"],
    "mse_vs_ce": ["steps=60"], "softmax_digits": ["epochs=1"], "gradcheck": [],
    "playground": ["steps=200"], "batch_size": [], "accuracy_vs_loss": [], "entropy": [], "validation": [],
    "steepest": [],
    "similarity": [],
    "taylor": [],
    "features": ["steps=60"], "compute": ["n=16"],
    "mle_map": ["flips=200"],
    "depth_width": ["steps=200"], "learnable_layer": ["steps=200"],
    "bn_eval": ["steps=40"], "landscape": ["steps=40", "res=7"],
    "vanishing": ["steps=40"], "cures": ["steps=40"],
    "cnn_vs_mlp": ["epochs=1"], "feature_maps": ["epochs=1"],
    "remedies": ["steps=100"], "regularization": ["steps=300"],
    "pooling": ["epochs=1"], "vgg_stack": ["epochs=1", "channels=4"], "grid_detector": ["epochs=2", "n=100"],
    "rnn_memory": ["steps=40"], "lstm_vs_rnn": ["steps=30", "length=10"],
    "attention_scaling": ["max_dim=64", "queries=50"], "tiny_transformer": ["steps=10", "n=40"], "seq2seq": ["steps=20", "length=4"], "seeds": ["seeds=2", "steps=40"],
}


def run_events(name: str) -> list[dict]:
    argv = [sys.executable, "-m", "tutor", "run", name, "--json", "--seed", str(SEED)]
    for s in SHORT[name]:
        argv += ["--set", s]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    out = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env, check=True)
    return [json.loads(line) for line in out.stdout.splitlines()]


def summary(name: str, events: list[dict]) -> dict:
    runs: list[list] = []
    for e in events:
        kind = e["event"]
        if kind in UNTIMED:
            continue
        key = f"{kind}:{e['variant']}" if "variant" in e else kind
        if runs and runs[-1][0] == key:
            runs[-1][1] += 1
        else:
            runs.append([key, 1])
    kinds = [key if n == 1 else f"{key}*{n}" for key, n in runs]
    fin = events[-1]
    return {"experiment": name, "seed": SEED, "sets": SHORT[name], "rtol": RTOL, "atol": ATOL,
            "kinds": kinds, "finish": {"status": fin["status"], "variants": {
                v: {k: "measured" if k in WALL_CLOCK.get(name, ()) and isinstance(x, (int, float)) else x
                    for k, x in figures.items()} for v, figures in fin["variants"].items()}}}


def close(got, want, where: str) -> None:
    if isinstance(want, dict):
        assert isinstance(got, dict) and set(got) == set(want), where
        for k in want:
            close(got[k], want[k], f"{where}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want)):
            close(g, w, f"{where}[{i}]")
    elif isinstance(want, float) and not isinstance(want, bool):
        assert isinstance(got, (int, float)) and math.isclose(got, want, rel_tol=RTOL, abs_tol=ATOL), \
            f"{where}: {got} vs {want}"
    else:
        assert got == want, f"{where}: {got!r} vs {want!r}"


def test_every_experiment_has_a_golden_file():
    assert set(SHORT) == set(REGISTRY)
    if not os.environ.get("TUTOR_UPDATE_GOLDEN"):
        assert {p.stem for p in GOLDEN.glob("*.json")} == set(REGISTRY)


@pytest.mark.parametrize("name", sorted(SHORT))
def test_run_matches_its_golden_file(name):
    got = summary(name, run_events(name))
    path = GOLDEN / f"{name}.json"
    if os.environ.get("TUTOR_UPDATE_GOLDEN"):
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    want = json.loads(path.read_text(encoding="utf-8"))
    assert got["kinds"] == want["kinds"]      # kinds and their order: exactly
    close(got["finish"], want["finish"], name)
