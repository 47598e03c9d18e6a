"""The run contract (tutor/experiments/events.py) and its one fold (tutor/experiments/state.py)."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from tutor.experiments import REGISTRY
from tutor.experiments.events import KINDS, finite, to_json, write_lines
from tutor.experiments.state import CURVES, PICTURES, STATUS, RunState, fold

#: Short runs that between them emit every kind of event.
SHORT = {"perceptron_gates": {"steps": 30}, "optimizers": {"steps": 10}, "activations": {"steps": 10},
         "uat": {"steps": 10, "widths": "2"}, "softmax_digits": {"epochs": 1}, "gradcheck": {},
         "learning_rate": {"steps": 40}, "playground": {"steps": 20}, "mse_vs_ce": {"steps": 5},
         "init": {"steps": 20}, "overfitting": {"steps": 20}, "landscape": {"steps": 10, "res": 5},
         "regularization": {"steps": 50}}
#: Kinds whose events carry only the keys their TypedDict declares (an end may add figures of
#: its experiment; they land in the finish summary).
CLOSED = ("begin", "start", "step", "boundary", "fit", "trajectory", "confusion", "gradcheck", "heatmap",
          "histogram", "finish")


@pytest.fixture(scope="module")
def runs() -> dict[str, list[dict]]:
    return {name: list(REGISTRY[name].run(params, seed=0)) for name, params in SHORT.items()}


def test_every_event_is_a_declared_kind_with_declared_keys(runs):
    seen = set()
    for name, events in runs.items():
        assert events[0]["event"] == "begin" and events[-1]["event"] == "finish", name
        for ev in events:
            kind = ev["event"]
            assert kind in KINDS, (name, kind)
            seen.add(kind)
            if kind in CLOSED:
                declared = set(KINDS[kind].__annotations__)
                assert set(ev) <= declared, (name, kind, sorted(set(ev) - declared))
    assert seen == set(KINDS)


def test_every_number_is_finite_and_each_line_is_json(runs):
    for events in runs.values():
        for ev in events:
            assert json.loads(to_json(ev)) == ev     # already finite: the line is the event


def test_to_json_and_finite_turn_nan_and_inf_into_null():
    ev = {"event": "step", "step": 1, "loss": math.nan, "grad_norms": [1.0, math.inf, -math.inf]}
    assert json.loads(to_json(ev)) == {"event": "step", "step": 1, "loss": None,
                                       "grad_norms": [1.0, None, None]}
    assert finite({"a": [{"b": math.nan}]}) == {"a": [{"b": None}]}


def test_write_lines_writes_one_flushed_line_per_event(tmp_path):
    path = tmp_path / "out.jsonl"
    with path.open("w", encoding="utf-8") as out:
        kept = write_lines(iter([{"event": "begin"}, {"event": "finish", "message": {"ko": "완료", "en": "done"}}]), out)
    assert [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] == kept
    assert "완료" in path.read_text(encoding="utf-8")   # not \\u escapes


def test_the_fold_says_what_changed_and_keeps_the_series():
    state = RunState()
    assert state.consume({"event": "begin", "variants": ["a", "b"], "plot": {"y": "loss", "log_y": False}}) \
        == {CURVES, STATUS}
    assert [v.index for v in state.variants.values()] == [0, 1]
    assert state.consume({"event": "start", "variant": "b", "total_steps": 5, "layers": ["l1"]}) == {STATUS}
    assert state.consume({"event": "step", "variant": "b", "step": 1, "loss": 2.0}) == {CURVES}
    assert state.consume({"event": "step", "variant": "b", "step": 2, "loss": None, "grad_norms": [0.1]}) \
        == {CURVES, PICTURES}
    assert state.consume({"event": "fit", "variant": "a", "x": [0], "y_pred": [1], "y_true": [1]}) == {PICTURES}
    assert state.consume({"event": "mystery"}) == set()
    b = state.variants["b"]
    assert b.curve("loss").points() == [(1, 2.0)] and b.last == {"step": 2, "loss": 2.0}
    assert b.reported == {"loss": None} and b.total == 5 and state.layers == ["l1"]
    assert state.plot["log_y"] is False and state.last_step == 2 and state.events == 6


def test_the_summary_fills_what_the_end_left_empty_and_marks_the_unfinished_stopped():
    state = fold([
        {"event": "begin", "variants": ["a", "b"]},
        {"event": "step", "variant": "a", "step": 3, "loss": 0.5, "accuracy": 0.75},
        {"event": "end", "variant": "a", "status": "diverged", "step": 3, "loss": None},
        {"event": "step", "variant": "b", "step": 1, "loss": 0.9},
    ])
    assert state.summary() == {
        "a": {"status": "diverged", "step": 3, "loss": 0.5, "accuracy": 0.75},
        "b": {"status": "stopped", "reason": "stopped by request", "step": None, "loss": 0.9}}
    assert [v.name for v in state.diverged] == ["a"]


def test_the_finish_event_is_the_folds_summary(runs):
    for name, events in runs.items():
        assert events[-1]["variants"] == fold(events[:-1]).summary(), name


def test_the_child_streams_the_contract_and_refuses_bad_values_in_one_line():
    out = subprocess.run([sys.executable, "-m", "tutor.experiments", "linreg_gd", "--json", "--seed", "4",
                          "--set", "steps=3"], capture_output=True, text=True, timeout=60, check=True)
    events = [json.loads(line) for line in out.stdout.splitlines()]
    assert events[0]["params"]["seed"] == 4 and events[0]["seed"] == 4
    assert [e["event"] for e in events][-2:] == ["end", "finish"]
    # tutor run --json is the same stream
    cli = subprocess.run([sys.executable, "-m", "tutor", "run", "linreg_gd", "--json", "--seed", "4",
                          "--set", "steps=3"], capture_output=True, text=True, timeout=60, check=True)
    strip = [json.loads(line) for line in cli.stdout.splitlines()]
    assert [e["event"] for e in strip] == [e["event"] for e in events]
    assert strip[-1]["variants"] == events[-1]["variants"]
    bad = subprocess.run([sys.executable, "-m", "tutor.experiments", "linreg_gd", "--json", "--set", "lr=x",
                          "--lang", "ko"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.splitlines() == ["tutor.experiments: lr은(는) 숫자여야 합니다. 입력값: 'x' (허용 범위: 1e-05…1000)"]
    usage = subprocess.run([sys.executable, "-m", "tutor.experiments", "linreg_gd"], capture_output=True,
                           text=True, timeout=60)
    assert usage.returncode == 2
    assert usage.stderr.splitlines() == ["tutor.experiments: the following arguments are required: --json"]
