"""Live runs in the TUI: the run panel, the playground, and no process left behind.

Most tests point the runner at tests/ui/fake_run.py (contract events with small sleeps: fast and
deterministic); the divergence, the playground at 80×24 and the real-app tests run the real
`python -m tutor.experiments NAME --json`.
"""

from __future__ import annotations

import asyncio
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from textual.app import App
from textual.widgets import Input, Select

from tutor.ui.run import panel as runpanel
from tutor.ui.run import process as runner
from tutor.ui.run.panel import RunPanel
from tutor.ui.styles import APP_STYLES, STEP_STYLES
from tutor.ui.run.step import RunCard
from tutor.ui.widgets.heatmap import Heatmap, Mark
from tutor.ui.widgets.plots import LogFormatter, bars_text, nice_ticks, short_number

FAKE = [sys.executable, str(Path(__file__).with_name("fake_run.py"))]
REAL = [sys.executable, "-m", "tutor.experiments"]


@pytest.fixture
def fake(monkeypatch):
    """The stand-in child, drawn at once: these tests are about drawing, not pacing. The fake
    takes parameters of its own (``delay``), so the panel does not check them against the real
    registry (the panel of an experiment it does not know)."""
    monkeypatch.setattr(runner, "COMMAND_PREFIX", list(FAKE))
    monkeypatch.setattr(runner, "PACE_SECONDS", 0.0)
    monkeypatch.setattr(runpanel, "registry", dict)


@pytest.fixture
def fake_registered(monkeypatch):
    """The stand-in child behind a panel that knows the real registry (its fields, its checks)."""
    monkeypatch.setattr(runner, "COMMAND_PREFIX", list(FAKE))
    monkeypatch.setattr(runner, "PACE_SECONDS", 0.0)


@pytest.fixture
def real(monkeypatch):
    monkeypatch.setattr(runner, "COMMAND_PREFIX", list(REAL))
    monkeypatch.setattr(runner, "PACE_SECONDS", 0.0)


@pytest.fixture
def paced(monkeypatch):
    """The real child, paced as in a lesson (the default 5 s at 1×)."""
    monkeypatch.setattr(runner, "COMMAND_PREFIX", list(REAL))


class PanelApp(App):
    CSS_PATH = [*APP_STYLES, *STEP_STYLES]

    def __init__(self, *args, ascii_only: bool = False, **kwargs):
        super().__init__()
        self.args, self.kwargs = args, kwargs
        self.ascii_only = ascii_only
        self.lang = kwargs.get("lang", "en")

    def compose(self):
        yield RunPanel(*self.args, id="panel", **self.kwargs)

    def on_mount(self):
        if self.ascii_only:
            self.add_class("ascii")


class PlaygroundApp(App):
    CSS_PATH = [*APP_STYLES, *STEP_STYLES]
    lang = "en"

    def on_mount(self):
        from tutor.ui.screens.playground import PlaygroundScreen  # noqa: PLC0415
        self.push_screen(PlaygroundScreen())


async def wait_for(pilot, condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        await pilot.pause(0.05)


def gone(pid: int, proc, within: float = 2.0) -> bool:
    """Exited and reaped within ``within`` seconds: no zombie either (a zombie keeps its /proc
    entry). Stopping no longer blocks the UI: a thread reaps the child, so allow it a moment."""
    deadline = time.monotonic() + within
    while True:
        if proc.poll() is not None and not os.path.exists(f"/proc/{pid}"):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)


# -- the run panel ---------------------------------------------------------------------------

async def test_start_plots_live_then_stop_leaves_no_process(fake):
    app = PanelApp("learning_rate", {"steps": 5000, "delay": 0.002}, None, "en")
    async with app.run_test(size=(100, 40)) as pilot:
        panel = app.query_one(RunPanel)
        assert panel.phase == "idle" and panel.process is None
        await pilot.press("r")
        await wait_for(pilot, lambda: panel.phase == "running" and panel.run_state.events > 50)
        plot = panel.query_one(".run-loss")
        await wait_for(pilot, lambda: len(plot._datasets) >= 3)   # three variants overlaid
        assert plot.redraws >= 1
        proc, pid = panel.process.proc, panel.process.pid
        assert proc.poll() is None
        t0 = time.monotonic()
        await pilot.press("x")
        assert time.monotonic() - t0 < 1.0
        assert panel.phase == "stopped"
        assert gone(pid, proc)
        assert "Stopped at step" in str(panel.message)


async def test_redraws_are_batched_not_one_per_step(fake):
    app = PanelApp("learning_rate", {"steps": 1000, "delay": 0.0}, None, "en")
    async with app.run_test(size=(100, 40)) as pilot:
        panel = app.query_one(RunPanel)
        panel.start()
        await wait_for(pilot, lambda: panel.phase == "done")
        elapsed = panel.run_seconds
        assert panel.run_state.events > 1000
        # at most one redraw a tick (10 Hz), plus the forced ones at start/finish
        assert panel.redraws <= elapsed / 0.1 + 5
        assert panel.redraws < panel.run_state.events / 20


async def test_restart_replaces_the_process(fake):
    app = PanelApp("linreg_gd", {"steps": 5000, "delay": 0.002}, None, "en")
    async with app.run_test(size=(100, 40)) as pilot:
        panel = app.query_one(RunPanel)
        await pilot.press("r")
        await wait_for(pilot, lambda: panel.run_state.events > 5)
        first = panel.process
        await pilot.press("r")
        await wait_for(pilot, lambda: panel.process is not first and panel.run_state.events > 5)
        assert gone(first.pid, first.proc)
        second = panel.process
    # leaving the app unmounts the panel: its run is stopped and reaped
    assert gone(second.pid, second.proc)


async def test_space_does_not_start_the_run_and_log_toggles(fake):
    app = PanelApp("linreg_gd", {"steps": 100, "delay": 0.0}, None, "en")
    async with app.run_test(size=(100, 40)) as pilot:
        panel = app.query_one(RunPanel)
        await pilot.press("space")
        assert panel.process is None
        before = panel.log_y
        await pilot.press("l")
        assert panel.log_y is (not before)


async def test_editing_a_setting_and_a_bad_value(real):
    app = PanelApp("linreg_gd", {}, {"en": "What will lr=1000 do?", "ko": "?"}, "en")
    async with app.run_test(size=(100, 40)) as pilot:
        panel = app.query_one(RunPanel)
        lr = next(w for w in panel.query(Input) if w.name == "lr")
        await pilot.press("e")
        lr.focus()
        lr.value = "abc"
        await pilot.press("enter")
        assert "Invalid value" in str(panel.message) and panel.form.values["lr"] == 0.1
        lr.focus()
        lr.value = "0.5"
        await pilot.press("enter")
        assert panel.form.values["lr"] == 0.5 and app.focused is panel
        assert "--set" in runner.command_for("linreg_gd", panel.form.run_params())
        assert panel.form.run_params()["lr"] == 0.5


async def test_diverging_run_is_a_lesson_not_a_crash(real):
    app = PanelApp("linreg_gd", {"lr": 1000}, None, "en")
    async with app.run_test(size=(100, 40)) as pilot:
        panel = app.query_one(RunPanel)
        await pilot.press("r")
        await wait_for(pilot, lambda: panel.phase not in ("starting", "running"), timeout=60)
        assert panel.phase == "diverged"
        text = str(panel.message)
        assert "diverged" in text and "learning rate is too large" in text
        assert panel.run_state.variants["main"].status == "diverged"
        assert gone(panel.process.pid, panel.process.proc)


async def test_comparison_with_one_diverged_variant(fake):
    app = PanelApp("learning_rate", {"steps": 80, "delay": 0.0}, None, "ko")
    async with app.run_test(size=(100, 40)) as pilot:
        panel = app.query_one(RunPanel)
        panel.start()
        await wait_for(pilot, lambda: panel.phase == "done")
        assert panel.run_state.variants["large"].status == "diverged"
        assert panel.run_state.variants["right"].status == "done"
        assert "발산" in str(panel.message)


async def test_a_run_that_fails_says_why(fake):
    app = PanelApp("bad", {}, None, "en")
    async with app.run_test(size=(100, 40)) as pilot:
        panel = app.query_one(RunPanel)
        panel.start()
        await wait_for(pilot, lambda: panel.phase == "failed")
        assert "exit code 2" in str(panel.message) and "unknown experiment" in str(panel.message)


@pytest.mark.parametrize("name,selector", [("playground", ".run-boundary"), ("activations", ".run-bars"),
                                           ("uat", ".run-fit"), ("softmax_digits", ".run-table")])
async def test_extras_are_drawn(fake, name, selector):
    app = PanelApp(name, {"steps": 60, "delay": 0.0}, None, "en")
    async with app.run_test(size=(110, 40)) as pilot:
        panel = app.query_one(RunPanel)
        panel.start()
        await wait_for(pilot, lambda: panel.phase not in ("starting", "running"))
        await pilot.pause()
        assert not panel.query_one(selector).has_class("hidden")
        assert not panel.query_one(".run-extra").has_class("hidden")


async def test_trajectories_on_a_surface(fake):
    app = PanelApp("optimizers", {"steps": 5, "delay": 0.0}, None, "en")
    async with app.run_test(size=(110, 40)) as pilot:
        panel = app.query_one(RunPanel)
        xs = [i / 10 for i in range(-10, 11)]
        panel.consume([{"event": "trajectory", "variant": "adam", "points": [[1, 1], [0.5, 0.2]],
                        "surface": {"x": xs, "y": xs, "z": [[x * x - y * y for x in xs] for y in xs]}}])
        panel.redraw()
        await pilot.pause()
        heat = panel.query_one(Heatmap)
        assert not heat.has_class("hidden") and len(heat.marks) == 2


# -- the playground --------------------------------------------------------------------------

async def test_playground_starts_and_restarts_on_a_setting_change(fake_registered):
    app = PlaygroundApp()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        panel = screen.panel
        await wait_for(pilot, lambda: panel.process is not None and panel.run_state.events > 0)
        first = panel.process
        dataset = next(w for w in panel.query(Select) if w.name == "dataset")
        options = [value for _, value in dataset._options if value != dataset.value]
        dataset.value = options[0]
        await wait_for(pilot, lambda: panel.process is not first)
        assert gone(first.pid, first.proc)
        assert panel.form.values["dataset"] == options[0]
        assert panel.form.run_params()["dataset"] == options[0]
        second = panel.process
        await pilot.press("escape")     # back: the run is stopped with the screen
        await pilot.pause()
        assert gone(second.pid, second.proc)


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
async def test_real_playground_draws_at_80x24_and_200x60(real, size):
    app = PlaygroundApp()
    async with app.run_test(size=size) as pilot:
        panel = app.screen.panel
        await wait_for(pilot, lambda: panel.run_state.boundary is not None, timeout=60)
        heat = panel.query_one(Heatmap)
        await wait_for(pilot, lambda: heat.redraws >= 1 and heat.values is not None, timeout=30)
        assert heat.size.width > 0 and heat.size.height > 0
        run = panel.process
    assert gone(run.pid, run.proc)


async def test_the_real_app_opens_the_playground_and_exit_stops_the_run(real, tmp_path):
    from tutor.content import bundled_content_dirs, load_library  # noqa: PLC0415
    from tutor.store import ProgressStore  # noqa: PLC0415
    from tutor.ui.app import TutorApp  # noqa: PLC0415

    lib = load_library([Path(__file__).resolve().parents[1] / "data" / "good"] + bundled_content_dirs())
    app = TutorApp(lib, ProgressStore(tmp_path / "p.db"), "en", start_playground=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "PlaygroundScreen")
        panel = app.screen.panel
        await wait_for(pilot, lambda: panel.run_state.events > 0, timeout=60)
        run = panel.process
    assert gone(run.pid, run.proc)


# -- pieces ----------------------------------------------------------------------------------

def test_runner_stop_is_prompt_and_reaps(tmp_path):
    run = runner.RunProcess(runner.command_for("learning_rate", {"steps": 100000, "seed": 0}, prefix=FAKE))
    run.start()
    time.sleep(0.3)
    t0 = time.monotonic()
    run.stop()
    assert time.monotonic() - t0 < 0.7
    assert gone(run.pid, run.proc)


def test_runner_kills_what_ignores_sigterm():
    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('{}', flush=True); time.sleep(60)"
    run = runner.RunProcess([sys.executable, "-c", code])
    run.start()
    deadline = time.monotonic() + 10
    while run.lines == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    t0 = time.monotonic()
    run.stop()
    assert 0.4 < time.monotonic() - t0 < 2.0
    assert gone(run.pid, run.proc)


def test_command_line():
    argv = runner.command_for("playground", {"hidden": "4,2", "lr": 0.03, "x": True, "seed": 3},
                              lang="ko")
    assert argv[:3] == [sys.executable, "-m", "tutor.experiments"]
    assert argv[3:] == ["playground", "--json", "--set", "hidden=4,2", "--set", "lr=0.03",
                        "--set", "x=true", "--set", "seed=3", "--lang", "ko"]


def test_log_ticks_and_labels():
    f = LogFormatter()
    ticks = f.get_ticks(math.log10(0.001), math.log10(100))
    assert f.get_labels_for_ticks(ticks) == ["0.001", "0.01", "0.1", "1", "10", "100"]
    small = f.get_ticks(math.log10(0.3), math.log10(0.9))
    assert [short_number(10 ** t) for t in small] == ["0.5"]  or len(small) >= 1
    assert short_number(1000.0) == "1000" and short_number(2.5e-6) == "2.5e-6"
    assert nice_ticks(0, 100, 5) == [0, 20, 40, 60, 80, 100]


def test_heatmap_half_blocks_and_ascii():
    h = Heatmap()
    grid = np.linspace(0, 1, 64).reshape(8, 8)
    h.set_data(grid, (-1, 1), (-1, 1), [Mark(0, 0, "#ffffff", "●", "o"),
                                        Mark(0.5, 0.5, "#ffffff", "●", "x", pixel=True)])
    strips = h._build(20, 10, ascii_only=False)
    text = "".join(seg.text for s in strips for seg in s)
    assert "▀" in text and "●" in text
    strips = h._build(20, 10, ascii_only=True)
    text = "".join(seg.text for s in strips for seg in s)
    assert text.isascii() and "o" in text and "x" in text
    assert all(s.cell_length == 20 for s in strips)


def test_gradient_bars_on_a_log_scale():
    text = bars_text(["L1", "L2"], [("sigmoid", "red", [1e-6, 1e-2]), ("relu", "blue", [0.5, 0.6])])
    lines = text.plain.splitlines()
    assert len(lines) == 3 and "1e-6" in lines[1]
    assert lines[1].count("█") < lines[2].count("█")


# -- settings typed, checked and used; pacing; speed; labels --------------------------------

SIZES = [(80, 24), (120, 40)]


def field(panel, name):
    return next(w for w in panel.query(".run-field") if w.name == name)


def sets_of(argv) -> dict:
    return dict(a.split("=", 1) for a in argv[argv.index("--json") + 1:] if "=" in a)


@pytest.mark.parametrize("size", SIZES)
async def test_a_typed_value_counts_after_tab(fake_registered, size):
    app = PanelApp("perceptron_gates", {"gate": "xor", "layers": 1}, None, "en")
    async with app.run_test(size=size) as pilot:
        panel = app.query_one(RunPanel)
        layers = field(panel, "layers")
        layers.focus()
        await pilot.pause()
        layers.value = "2"            # typed, no Enter
        await pilot.press("tab")
        await pilot.pause()
        assert panel.form.values["layers"] == 2 and panel.form.run_params()["layers"] == 2
        panel.focus()
        await pilot.press("r")
        assert panel.process is not None and sets_of(panel.process.argv)["layers"] == "2"


@pytest.mark.parametrize("size", SIZES)
async def test_a_typed_value_counts_on_r(fake_registered, size):
    app = PanelApp("perceptron_gates", {"gate": "xor", "layers": 1}, None, "en")
    async with app.run_test(size=size) as pilot:
        panel = app.query_one(RunPanel)
        field(panel, "steps").value = "300"   # in the field, never applied
        panel.focus()
        await pilot.press("r")
        assert panel.process is not None
        assert sets_of(panel.process.argv)["steps"] == "300" and panel.form.values["steps"] == 300


@pytest.mark.parametrize("size", SIZES)
async def test_an_out_of_range_value_is_shown_and_nothing_runs(fake_registered, size):
    app = PanelApp("perceptron_gates", {"gate": "xor", "layers": 1}, None, "ko")
    async with app.run_test(size=size) as pilot:
        panel = app.query_one(RunPanel)
        layers = field(panel, "layers")
        layers.focus()
        await pilot.pause()
        layers.value = "9"
        await pilot.press("tab")
        await pilot.pause()
        box = panel.query_one(".run-field-errors")
        shown = str(box.render())
        assert not box.has_class("hidden") and box.region.height >= 1   # on screen
        assert "층 수(layers)" in shown and "최댓값 2보다 큽니다" in shown and "1…2" in shown
        assert layers.has_class("-invalid")
        assert panel.form.values["layers"] == 1        # the refused value is not kept
        panel.focus()
        await pilot.press("r")
        assert panel.process is None and panel.phase == "idle"
        assert "시작하지 않았습니다" in str(panel.message)
        layers.value = "2"                         # fixed: it runs
        await pilot.press("r")
        assert panel.process is not None and box.has_class("hidden")
        assert not layers.has_class("-invalid")


@pytest.mark.parametrize("size", SIZES)
async def test_gate_xor_from_a_lesson_runs_xor(real, size):
    from tutor.experiments import check_run_step  # noqa: PLC0415

    lesson_set = {"gate": "XOR", "layers": 2}     # as a lesson's YAML may spell it
    assert check_run_step("perceptron_gates", lesson_set) is None
    app = PanelApp("perceptron_gates", lesson_set, None, "en")
    async with app.run_test(size=size) as pilot:
        panel = app.query_one(RunPanel)
        gate = field(panel, "gate")
        assert gate.value == "xor" and panel.form.values["gate"] == "xor"
        await pilot.press("r")
        await wait_for(pilot, lambda: panel.phase not in ("starting", "running"), timeout=60)
        assert panel.run_state.begin["params"]["gate"] == "xor" and panel.run_state.begin["params"]["layers"] == 2
        assert field(panel, "gate").value == "xor"


@pytest.mark.parametrize("size", SIZES)
async def test_a_lesson_run_is_paced_and_x_stops_it_midway(paced, size):
    app = PanelApp("learning_rate", {}, None, "en")
    async with app.run_test(size=size) as pilot:
        panel = app.query_one(RunPanel)
        await pilot.press("r")
        await wait_for(pilot, lambda: panel.phase == "running", timeout=30)
        await pilot.pause(1.0)
        assert panel.phase == "running"           # 100 steps are not over after a second
        right = panel.run_state.variants["right"]
        await wait_for(pilot, lambda: right.last.get("step", 0) >= 40, timeout=30)
        await pilot.press("x")
        step = right.last["step"]
        assert panel.phase == "stopped" and step < 100
        assert f"Stopped at step {step}." in str(panel.message)
        drawn = len(right.curve("loss"))
        await pilot.pause(0.5)
        assert len(right.curve("loss")) == drawn and panel.pacer.pending == 0   # the curve stopped


@pytest.mark.parametrize("size", SIZES)
async def test_a_paced_run_is_still_running_after_a_second_and_done_later(paced, size):
    app = PanelApp("linreg_gd", {}, None, "en")
    async with app.run_test(size=size) as pilot:
        panel = app.query_one(RunPanel)
        await pilot.press("r")
        await wait_for(pilot, lambda: panel.phase == "running", timeout=30)
        t0 = time.monotonic()
        await pilot.pause(1.0)
        assert panel.phase == "running" and "speed 1×" in str(panel.query_one(".run-status").render())
        await wait_for(pilot, lambda: panel.phase == "done", timeout=30)
        assert 2.5 < time.monotonic() - t0 < 10
        assert panel.run_state.variants["main"].last["step"] == panel.run_state.variants["main"].total


@pytest.mark.parametrize("size", SIZES)
async def test_speed_keys_and_instant(paced, size):
    app = PanelApp("linreg_gd", {}, None, "en")
    async with app.run_test(size=size) as pilot:
        panel = app.query_one(RunPanel)
        hint = panel.query_one(".hint")
        assert "[-/+] speed 1×" in str(hint.render())
        await pilot.press("minus")
        assert panel.pacer.factor == 0.5 and "speed 0.5×" in str(hint.render())
        await pilot.press("plus", "right_square_bracket")
        assert panel.pacer.factor == 2.0 and "speed 2×" in str(hint.render())
        await pilot.press("left_square_bracket")
        assert panel.pacer.factor == 1.0
        await pilot.press("r")
        await wait_for(pilot, lambda: panel.phase == "running", timeout=30)
        for _ in range(5):
            await pilot.press("plus")
        assert panel.pacer.instant and "speed instant" in str(hint.render())
        t0 = time.monotonic()
        await wait_for(pilot, lambda: panel.phase == "done", timeout=30)
        assert time.monotonic() - t0 < 2.0        # instant: drawn as soon as it arrives


async def test_stopping_never_blocks_the_event_loop(monkeypatch):
    # a child that ignores SIGTERM: the SIGKILL comes 0.5 s later, in a thread worker
    code = ("import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "print('{\"event\": \"begin\"}', flush=True); time.sleep(60)")
    monkeypatch.setattr(runner, "COMMAND_PREFIX", [sys.executable, "-c", code])
    monkeypatch.setattr(runpanel, "registry", dict)
    app = PanelApp("stubborn", {}, None, "en")
    async with app.run_test(size=(100, 40)) as pilot:
        panel = app.query_one(RunPanel)
        panel.start()
        await wait_for(pilot, lambda: panel.phase == "running")
        run = panel.process
        t0 = time.monotonic()
        await pilot.press("x")
        assert time.monotonic() - t0 < 0.2 and panel.phase == "stopped"
        assert run.proc.poll() is None                # still there: the worker waits, not the UI
        assert gone(run.pid, run.proc, within=3.0)


def test_pacer_hands_on_steps_at_the_pace_and_never_runs_ahead():
    events = [{"event": "begin"}, {"event": "start", "total_steps": 100}]
    events += [{"event": "step", "step": k, "loss": 1.0 / k} for k in range(1, 101)]
    pacer = runner.Pacer(seconds=5.0)
    pacer.feed(events[:52])                       # the child has sent 50 steps so far
    first = pacer.take(1.0)                       # 1 s of 5 s: 20 steps
    assert [e["step"] for e in first if e["event"] == "step"] == list(range(1, 21))
    pacer.take(10.0)                              # far more time than data
    assert pacer.pending == 0 and pacer.shown == 50
    pacer.feed(events[52:])
    assert [e["step"] for e in pacer.take(0.5)] == list(range(51, 61))   # no burst
    pacer.set_speed(len(runner.SPEEDS) - 1)
    assert len(pacer.take(0.0)) == 40


def test_every_variant_has_a_korean_name():
    from tutor.experiments import REGISTRY, resolve, variant_label  # noqa: PLC0415

    for name, exp in REGISTRY.items():
        for v in exp.variant_names(resolve(name, {})):
            ko = variant_label(v, "ko")
            assert ko != v and (v == "main" or f"({v})" in ko), (name, v)   # 실행 for main
            assert variant_label(v, "en") == v


async def test_panel_labels_and_variants_in_korean(real):
    app = PanelApp("learning_rate", {"steps": 30}, None, "ko")
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(RunPanel)
        labels = [str(w.render()) for w in panel.query(".run-field-label")]
        assert "데이터 수(n)" in labels and "큰 학습률(lr_large)" in labels
        panel.start()
        await wait_for(pilot, lambda: panel.phase not in ("starting", "running"))
        status = str(panel.query_one(".run-status").render())
        assert "너무 큼(too_large)" in status and "알맞음(right)" in status


async def test_gate_xor_through_the_loader_and_the_lesson_step(real, tmp_path):
    from tutor.content import load_library  # noqa: PLC0415
    from tutor.experiments import check_run_step  # noqa: PLC0415
    from tutor.ui.widgets.steps import make_step_widget  # noqa: PLC0415

    (tmp_path / "lessons").mkdir()
    (tmp_path / "lessons" / "gate.yaml").write_text(
        'id: 03-91-gate\nchapter: 3\ntitle: {ko: "게이트", en: "Gate"}\nlevel: 1\nsteps:\n'
        '  - run:\n      experiment: perceptron_gates\n      set: {gate: XOR, layers: 2, steps: 50}\n',
        encoding="utf-8")
    lib = load_library([tmp_path], check_run=check_run_step)
    assert not lib.errors, [str(e) for e in lib.errors]
    lesson = next(iter(lib.lessons.values())) if isinstance(lib.lessons, dict) else lib.lessons[0]

    class LessonHost(App):
        CSS_PATH = [*APP_STYLES, *STEP_STYLES]
        lang = "en"

        def compose(self):
            yield make_step_widget(lesson, 0, lib, "en", review=False)

    app = LessonHost()
    async with app.run_test(size=(80, 24)) as pilot:
        step = app.query_one(RunCard)
        assert step.done and step.advance() is False      # the lesson may move on at any time
        panel = app.query_one(RunPanel)
        assert step.focus_target() is panel and app.focused is panel
        assert field(panel, "gate").value == "xor"
        panel.focus()
        await pilot.press("r")
        await wait_for(pilot, lambda: panel.phase not in ("starting", "running"), timeout=60)
        assert panel.run_state.begin["params"]["gate"] == "xor"
        assert panel.run_state.variants["main"].status == "done"


async def test_the_run_question_shows_its_math_as_unicode():
    """A run's question is lesson text: `$\\ln 2$` reads as ln 2, as it does in prose."""
    ask = {"en": "Does the loss fall below 0.693 ($\\ln 2$)?", "ko": "손실이 0.693($\\ln 2$)보다 내려가나요?"}
    for lang, shown in (("en", "0.693 (ln 2)?"), ("ko", "0.693(ln 2)보다")):
        app = PanelApp("perceptron_gates", {}, ask, lang)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            text = str(app.query_one(".run-ask").render())
            assert shown in text and "$" not in text and "\\" not in text, text
