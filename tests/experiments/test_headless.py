"""`tutor run` as a child process: the JSON stream, divergence, PNGs, bad parameters, SIGTERM."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tutor.experiments import REGISTRY

SMALL = {
    "qlearning": ["episodes=50"],
    "perceptron_gates": ["steps=100"], "linreg_gd": ["steps=20"], "learning_rate": ["steps=40"],
    "optimizers": ["steps=40"], "init": ["steps=30"], "activations": ["steps=30"], "batchnorm": ["steps=30"],
    "skip_connections": ["steps=30"], "uat": ["steps=50", "widths=2,8"], "overfitting": ["steps=60"],
    "mse_vs_ce": ["steps=30"], "softmax_digits": ["epochs=1"], "gradcheck": [], "playground": ["steps=100"],
    "batch_size": ["epochs=2"], "accuracy_vs_loss": ["steps=40"], "entropy": ["steps=40"], "validation": [],
    "steepest": ["steps=20"],
    "similarity": [],
    "taylor": [],
    "features": ["steps=40"], "compute": ["n=12"],
    "mle_map": ["flips=100"],
    "depth_width": ["steps=100"], "learnable_layer": ["steps=100"],
    "bn_eval": ["steps=30"], "landscape": ["steps=30", "res=5"],
    "vanishing": ["steps=30"], "cures": ["steps=30"],
    "cnn_vs_mlp": ["epochs=1"], "feature_maps": ["epochs=1"],
    "remedies": ["steps=60"], "regularization": ["steps=60"],
    "pooling": ["epochs=1"], "vgg_stack": ["epochs=1", "channels=4"], "grid_detector": ["epochs=1", "n=60"],
    "rnn_memory": ["steps=20"], "lstm_vs_rnn": ["steps=20", "length=10"],
    "attention_scaling": ["max_dim=16", "queries=20"], "tiny_transformer": ["steps=5", "n=20"], "seq2seq": ["steps=10", "length=4"], "seeds": ["seeds=2", "steps=20"],
}


def tutor(*args, timeout=60):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run([sys.executable, "-m", "tutor", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def sets(name):
    return [a for s in SMALL[name] for a in ("--set", s)]


def test_small_settings_cover_every_experiment():
    assert set(SMALL) == set(REGISTRY)


@pytest.mark.parametrize("name", sorted(SMALL))
def test_json_lines(name):
    r = tutor("run", name, "--json", "--seed", "1", *sets(name))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    events = [json.loads(line) for line in lines]  # every line is JSON, nothing else on stdout
    assert events[0]["event"] == "begin" and events[0]["seed"] == 1
    assert events[-1]["event"] == "finish" and events[-1]["status"] in ("done", "diverged", "stopped")
    assert "NaN" not in r.stdout and "Infinity" not in r.stdout


def test_linreg_lr_1000_diverges():
    r = tutor("run", "linreg_gd", "--set", "lr=1000", "--json")
    assert r.returncode == 0
    fin = json.loads(r.stdout.splitlines()[-1])
    assert fin["event"] == "finish" and fin["status"] == "diverged"
    assert fin["variants"]["main"]["status"] == "diverged"


@pytest.mark.parametrize("name, args", [
    ("optimizers", ["--set", "steps=40"]),       # curves + trajectories
    ("perceptron_gates", ["--set", "steps=50"]),  # decision boundary
    ("softmax_digits", ["--set", "epochs=1"]),    # confusion matrix
])
def test_save_png(tmp_path, name, args):
    out = tmp_path / "x.png"
    r = tutor("run", name, *args, "--save", str(out), "--lang", "en")
    assert r.returncode == 0, r.stderr
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.image
    img = matplotlib.image.imread(out)
    assert img.shape[0] > 100 and img.shape[1] > 100


def test_rich_output_has_plot_and_summary():
    r = tutor("run", "learning_rate", "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert any(0x2800 <= ord(c) <= 0x28FF for c in r.stdout)  # the braille curve
    assert "too_large" in r.stdout and "diverged" in r.stdout
    assert "diverged at step" in r.stdout
    r = tutor("run", "learning_rate", "--lang", "ko")
    assert "발산" in r.stdout


@pytest.mark.parametrize("args, expected", [
    (["linreg_gd", "--set", "lrr=1"], "unknown parameter 'lrr'"),
    (["linreg_gd", "--set", "lr=abc"], "lr must be a number, got 'abc'"),
    (["linreg_gd", "--set", "lr=1e9"], "above the maximum"),
    (["linreg_gd", "--set", "lr"], "expected key=value"),
    (["nope"], "unknown experiment 'nope'"),
])
def test_bad_parameters_exit_2_with_one_line(args, expected):
    r = tutor("run", *args, "--json")
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0]


def test_no_name_lists_experiments():
    r = tutor("run", "--lang", "en")
    assert r.returncode == 0
    for name in REGISTRY:
        assert name in r.stdout
    assert "lr=" in r.stdout


def test_sigterm_stops_promptly():
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    p = subprocess.Popen([sys.executable, "-m", "tutor", "run", "playground", "--json", "--set", "steps=200000"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        first = p.stdout.readline()
        assert json.loads(first)["event"] == "begin"
        p.stdout.readline()
        t = time.monotonic()
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=5)
        assert time.monotonic() - t < 1.0
        assert p.returncode != 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
