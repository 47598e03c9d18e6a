"""The run panel: an experiment's settings, start / stop / restart, and its training drawn live.

A lesson's ``run`` step (:class:`tutor.ui.run.step.RunCard` wraps it) and the playground both use
it. It is put together from parts, each one idea:

- :class:`~tutor.ui.run.form.ParamForm`, the settings (it says what changed with messages);
- :class:`~tutor.ui.run.process.RunProcess`, the child ``python -m tutor.experiments NAME --json``,
  and the :class:`~tutor.ui.run.process.Pacer` that hands its events on at a watchable pace;
- :class:`~tutor.experiments.state.RunState`, the one fold of the events;
- the views (:mod:`tutor.ui.run.views`) and the status line (:mod:`tutor.ui.run.status`).

A 10 Hz UI timer drains what arrived, folds it and redraws what the fold says changed — at most
10 redraws a second however fast the run steps, the curves at most 4 times a second and never in
the same frame as the pictures, so a key press never waits for training. Stopping sends SIGTERM
at once; the grace period and reaping run in a thread worker, so the event loop never waits.

Keys (while the panel has focus): ``r`` start / restart, ``x`` stop, ``l`` log scale on / off,
``e`` edit the settings (Tab moves between fields, Enter applies, Esc returns to the panel),
``-`` / ``+`` (or ``[`` / ``]``) slower / faster, up to "instant". The learner can move on at any
time; the run keeps going until the panel leaves the screen.
"""

from __future__ import annotations

import time

from rich.text import Text as RichText
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Input, Select, Static, TextArea

from tutor.content import render_inline_math
from tutor.experiments.state import CURVES, PICTURES, STATUS, RunState
from tutor.i18n import in_lang, tr

from . import process as proc
from .form import ParamForm
from .status import LIVE, StatusLine
from ..widgets.steps import PromptChanged
from .views import (CurvesView, FitView, GradBarsView, HistogramView, Look, MapView, TableView, TextView,
                    TilesView)

TICK = 0.1  # seconds between UI updates while a run is live (≤ 10 redraws a second)
PLOT_EVERY = 0.25  # the loss curves (the costliest drawing) at most 4 times a second


def registry() -> dict:
    """The experiments the panel knows (tests point it at none, to drive a stand-in child)."""
    from tutor.experiments import REGISTRY  # noqa: PLC0415 (NumPy only when a panel is built)

    return REGISTRY


class RunPanel(Vertical, can_focus=True):
    """Settings, keys, live curves and pictures for one experiment. See the module docstring."""

    DEFAULT_CLASSES = "run-panel"
    BINDINGS = [
        Binding("r", "start", "Start/restart", show=False),
        Binding("x", "stop", "Stop", show=False),
        Binding("l", "toggle_log", "Log scale", show=False),
        Binding("e", "edit", "Settings", show=False),
        Binding("minus,left_square_bracket", "speed(-1)", "Slower", show=False),
        Binding("plus,equals_sign,right_square_bracket", "speed(1)", "Faster", show=False),
    ]

    #: idle → starting → running → done | diverged | stopped | failed
    phase: reactive[str] = reactive("idle", init=False)
    log_y: reactive[bool] = reactive(True, init=False)
    speed: reactive[int] = reactive(proc.NORMAL_SPEED, init=False)
    message: reactive[RichText | None] = reactive(None, init=False)

    def __init__(self, experiment: str, params: dict | None = None, ask=None, lang: str = "en", *,
                 seed: int = 0, auto_restart: bool = False, autostart: bool = False,
                 review: bool = False, speed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.experiment, self.ask, self.lang = experiment, ask, lang
        self.auto_restart, self.autostart, self.review = auto_restart, autostart, review
        self.spec = registry().get(experiment)
        given = dict(params or {})
        if seed:   # the seed is a parameter like any other: a caller's seed is its first value
            given.setdefault("seed", seed)
        self.form = ParamForm(self.spec, given, lang, classes="run-left")
        self.set_reactive(RunPanel.speed, proc.NORMAL_SPEED if speed is None else speed)
        self.pacer = proc.Pacer(proc.PACE_SECONDS, self.speed)
        self.process: proc.RunProcess | None = None
        self.run_state = RunState()
        self.hint_text = ""
        self.redraws = 0
        self.started = 0.0
        self.run_seconds = 0.0
        self._pending: set[str] = set()
        self._log_chosen = False   # the learner pressed l: the experiment's default no longer applies
        self._last_take = 0.0
        self._last_plot = 0.0
        self._timer = None
        # the playground holds out a test set; elsewhere the held-out data is a validation set
        self.val_name = "test" if experiment == "playground" else "val"

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        title = in_lang(self.spec.title, self.lang) if self.spec is not None else self.experiment
        yield Static(RichText(tr("run.run_label", self.lang, title=title), style="bold"), classes="run-title")
        if self.ask:
            # The question is lesson text: its $…$ math is shown as Unicode, as everywhere else.
            ask = render_inline_math(in_lang(self.ask, self.lang))
            yield Static(RichText(tr("run.run_ask", self.lang, ask=ask), style="italic"),
                         classes="run-ask")
        with Horizontal(classes="run-body"):
            yield self.form
            with Vertical(classes="run-right"):
                yield StatusLine("", classes="run-status")
                with Horizontal(classes="run-views"):
                    self.curves = CurvesView(classes="run-loss")
                    yield self.curves
                    with Vertical(classes="run-extra hidden"):
                        caption = TextView("", classes="run-caption run-boundary-caption hidden")
                        yield caption
                        self.pictures = [MapView(caption, classes="run-boundary hidden"),
                                         GradBarsView("", classes="run-bars hidden"),
                                         FitView(classes="run-fit hidden"),
                                         TableView("", classes="run-table hidden"),
                                         TilesView(classes="run-tiles hidden"),
                                         HistogramView("", classes="run-histogram hidden")]
                        yield from self.pictures
                yield TextView("", classes="run-message")
                yield TextView("", classes="hint")

    def on_mount(self) -> None:
        self._timer = self.set_interval(TICK, self._tick, pause=True)
        self._show_status()
        self._show_hint()
        if not self.review:
            self.call_after_refresh(self._take_focus)
        if self.autostart and not self.review:
            self.call_after_refresh(self.start)

    def _take_focus(self) -> None:
        # The panel's keys (r, x, l, e) work while it has focus; take it unless the learner is
        # typing somewhere (a scroll container holding the lesson's steps does not count).
        if self.is_attached and not isinstance(self.screen.focused, (Input, Select, TextArea)):
            self.focus()

    def on_unmount(self) -> None:
        self.stop_run()
        self.pacer.clear()

    @property
    def composed(self) -> bool:
        """Its parts exist (watchers may fire before compose, on_mount before is_mounted)."""
        return bool(self.children)

    @property
    def look(self) -> Look:
        ascii_only = self.is_attached and self.app.has_class("ascii")
        return Look(self.lang, ascii_only, self.log_y, self.val_name,
                    self.run_state.plot.get("y", "loss"), self.run_state.y_label(self.lang))

    @property
    def speed_label(self) -> str:
        return tr("run.speed_instant", self.lang) if self.pacer.instant else f"{self.pacer.factor:g}×"

    # -- reactives -------------------------------------------------------------------------

    def watch_phase(self) -> None:
        self._show_status()
        self._show_hint()

    def watch_speed(self, speed: int) -> None:
        self.pacer.set_speed(speed)
        self._show_status()
        self._show_hint()

    def watch_log_y(self) -> None:
        self._pending.add(CURVES)
        self.redraw()

    def watch_message(self, message: RichText | None) -> None:
        if self.composed:
            self.query_one(".run-message", TextView).show(message or RichText(""))

    # -- actions ---------------------------------------------------------------------------

    def action_start(self) -> None:
        self.start()

    def action_stop(self) -> None:
        if self.process is not None and self.phase in LIVE:
            self.stop_run()
            self.pacer.clear()   # what was not drawn yet is dropped: the curve stops where it is
            self.phase = "stopped"
            self.message = RichText(tr("run.stopped_at", self.lang, step=self.run_state.last_step),
                                    style="yellow")
            self.redraw(force=True)

    def action_toggle_log(self) -> None:
        self._log_chosen = True
        self.log_y = not self.log_y
        self.hint_flash(tr("run.log_on" if self.log_y else "run.log_off", self.lang))

    def action_speed(self, delta: int) -> None:
        self.speed = max(0, min(len(proc.SPEEDS) - 1, self.speed + delta))

    def action_edit(self) -> None:
        self.form.focus_first()

    # -- running ---------------------------------------------------------------------------

    def start(self) -> bool:
        """Start (or restart) the run with the current settings (every field read first); False
        when a field holds a value the registry refuses (shown next to the form, nothing runs)."""
        if not self.form.commit():
            self.message = RichText(tr("run.not_started", self.lang), style="bold red")
            return False
        self.stop_run()
        self.pacer.clear()
        self._last_take = self.started = time.monotonic()
        self.run_state = RunState()
        self.message = None
        self._pending = {CURVES, PICTURES}
        argv = proc.command_for(self.experiment, self.form.run_params(), lang=self.lang)
        self.process = proc.RunProcess(argv)
        try:
            self.process.start()
        except OSError as exc:
            self.process = None
            self.phase = "failed"
            self.message = RichText(tr("run.failed", self.lang, code="-", err=str(exc)), style="red")
            self.redraw(force=True)
            return True
        self.phase = "starting"
        self._timer.resume()
        self.redraw(force=True)
        return True

    def stop_run(self) -> None:
        """Stop the child (if any): SIGTERM now, the wait and the reaping in a thread worker. The
        panel keeps what it has drawn."""
        if self._timer is not None:
            self._timer.pause()
        run = self.process
        if run is not None and not run.stopping:
            run.terminate()
            self.app.run_worker(run.stop, name="run-reaper", thread=True, exit_on_error=False)

    def _tick(self) -> None:
        now = time.monotonic()
        dt, self._last_take = now - self._last_take, now
        self._collect(dt)
        run = self.process
        if run is not None and self.phase in LIVE and run.finished:
            self._collect(0.0)
            if not self.pacer.pending:
                self._finalize()
        self.redraw()

    def _collect(self, dt: float) -> None:
        """Hand the pacer what arrived, and fold what is due after ``dt`` more seconds."""
        if self.process is not None:
            self.pacer.feed(self.process.drain())
            self.consume(self.pacer.take(dt))

    def consume(self, evs: list[dict]) -> None:
        for ev in evs:
            self._pending |= self.run_state.consume(ev)
            kind = ev.get("event")
            if kind == "begin" or (kind == "step" and self.phase == "starting"):
                self.phase = "running"
            if kind == "begin" and not self._log_chosen:
                self.set_reactive(RunPanel.log_y, bool(self.run_state.plot.get("log_y", True)))
            elif kind == "finish":
                self._finished(ev)

    def _finished(self, ev: dict) -> None:
        msg = in_lang(ev.get("message"), self.lang)
        diverged = self.run_state.diverged
        if diverged and not msg:
            msg = " ".join(tr("run.diverged_at", self.lang, variant=v.name, step=v.end_step) for v in diverged)
        self.message = RichText(msg, style="bold red" if diverged else "bold green") if msg else None
        self.phase = ev.get("status", "done")

    def _finalize(self) -> None:
        run = self.process
        self.stop_run()   # it has exited: the worker only reaps
        self.run_seconds = time.monotonic() - self.started
        if self.run_state.finish is None:
            code = run.returncode
            if code == 0 and any(v.status != "running" for v in self.run_state.variants.values()):
                self.phase = "done"
            else:
                err = run.stderr_tail.splitlines()[-1:] or [tr("run.no_output", self.lang)]
                self.message = RichText(tr("run.failed", self.lang, code=code, err=err[0]), style="bold red")
                self.phase = "failed"
        self._pending.add(STATUS)

    # -- drawing ---------------------------------------------------------------------------

    def redraw(self, force: bool = False) -> None:
        """Draw what changed: the curves at most every PLOT_EVERY seconds while live, the pictures
        never in the same frame as the curves (short frames, quick keys)."""
        if not self.is_attached:
            return
        pending = self._pending
        if force:
            pending |= {CURVES, PICTURES, STATUS}
        live = self.phase in LIVE
        if not pending and not live:
            return
        self.redraws += 1
        now = time.monotonic()
        look = self.look
        if CURVES in pending and (force or not live or now - self._last_plot >= PLOT_EVERY):
            self._last_plot = now
            pending.discard(CURVES)
            self.curves.draw(self.run_state, look)
        drew_curves = CURVES not in pending and self._last_plot == now
        if PICTURES in pending and (force or not live or not drew_curves):
            pending.discard(PICTURES)
            self._draw_pictures(look)
        pending.discard(STATUS)
        self._show_status()

    def _draw_pictures(self, look: Look) -> None:
        shown = False
        for view in self.pictures:
            has = view.draw(self.run_state, look)
            view.set_class(not has, "hidden")
            if isinstance(view, MapView):
                view.caption.set_class(not has, "hidden")
            shown = shown or has
        self.query_one(".run-extra", Vertical).set_class(not shown, "hidden")

    def _show_status(self) -> None:
        if self.composed:
            self.query_one(StatusLine).draw(self.phase, self.run_state, self.look, started=self.started,
                                            speed=self.speed_label)

    def _show_hint(self) -> None:
        if self.review:
            key = None
        elif self.auto_restart:
            key = "hint_playground"
        else:
            key = {"idle": "hint_idle", "starting": "hint_running", "running": "hint_running"}.get(
                self.phase, "hint_done")
        self._hint("" if key is None else tr(f"run.{key}", self.lang) + " · "
                   + tr("run.hint_speed", self.lang, speed=self.speed_label))

    def _hint(self, text: str) -> None:
        changed = text != self.hint_text
        self.hint_text = text
        if self.composed:
            self.query_one(".hint", TextView).show(RichText(text))
        if changed:
            self.post_message(PromptChanged())

    def hint_flash(self, text: str) -> None:
        self._hint(text)
        self.set_timer(1.5, self._show_hint)

    # -- settings --------------------------------------------------------------------------

    @on(ParamForm.Refused)
    def _refused(self, event: ParamForm.Refused) -> None:
        self.message = RichText(tr("run.bad_value", self.lang, err=event.error), style="bold red")
        if event.submitted:
            self.focus()

    @on(ParamForm.Applied)
    def _applied(self, event: ParamForm.Applied) -> None:
        shown = proc.format_value(event.value)
        name = self.form.label(event.name)
        if self.auto_restart:
            if (event.changed or self.phase not in LIVE) and self.start():
                self.message = RichText(tr("run.restarting", self.lang, name=name, value=shown), style="cyan")
        elif event.changed:
            self.message = RichText(tr("run.changed", self.lang, name=name, value=shown), style="cyan")
        if event.submitted:
            self.focus()

    def on_key(self, event: events.Key) -> None:
        # Esc in a field returns to the panel (its keys work again) instead of leaving the screen.
        focused = self.screen.focused
        if event.key == "escape" and focused is not None and focused is not self \
                and self in focused.ancestors:
            if isinstance(focused, Select) and focused.expanded:
                return
            event.stop()
            event.prevent_default()
            self.focus()
