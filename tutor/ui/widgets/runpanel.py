"""The run panel: an experiment's settings, start / stop / restart, and its training drawn live.

A lesson's ``run`` step and the playground both use it. The run itself is a child process
(:mod:`tutor.ui.runner`) streaming the contract's JSON events (run-contract.md); a 10 Hz UI timer
drains what arrived, folds it into the panel's state (cheap list appends) and redraws only what
changed — at most 10 redraws a second however fast the run steps, and a key press never waits for
training.

Keys (while the panel has focus): ``r`` start / restart, ``x`` stop, ``l`` log scale on / off,
``e`` edit the settings (Tab moves between fields, Enter applies, Esc returns to the panel),
``-`` / ``+`` (or ``[`` / ``]``) slower / faster, up to "instant".

A typed setting counts when the field loses focus (Tab, Esc, a click elsewhere), on Enter and on
``r``: ``r`` first reads every field, and a value the registry refuses is shown under the form in
the learner's language, its field marked, and the run does not start. Values go through the
registry's one coercion (``coerce_params``), the one that validated the lesson, so a lesson's
``gate: XOR`` is the Select's ``xor`` and the run's.

Pacing: the child runs at full speed; a :class:`~tutor.ui.runner.Pacer` hands its events to the
panel so that a run is drawn over about five seconds at 1× (see runner.py for why there).
Space is left to the lesson: the learner can move on at any time, the run keeps going until the
panel leaves the screen.

What is drawn, from which events:
- ``step`` → loss curves (train solid, validation darker, one colour per variant, legend) and the
  metrics line(s); ``grad_norms`` in a step → per-layer bars (log scale);
- ``boundary`` → the decision-boundary heatmap with the training points over it;
- ``fit`` → target dots and the fitted curve(s); ``trajectory`` → paths over a loss-surface map;
- ``confusion`` / ``gradcheck`` → a table;
- ``end`` / ``finish`` → statuses; a divergence is shown as what it teaches, not as an error.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
from rich.table import Table
from rich.text import Text as RichText
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import Input, Label, Select, Static, TextArea

from .. import runner as runner_mod
from ..run_strings import bilingual, rtr, variant_label
from tutor.experiments.state import CURVES, PICTURES, STATUS, RunState, VariantState

from .heatmap import POINT0, POINT1, Heatmap, Mark, diverging_cmap, sequential_cmap
from .plots import CurvePlot, Series, bars_text, color_for, short_number
from .steps import StepWidget

TICK = 0.1  # seconds between UI updates while a run is live (≤ 10 redraws a second)
PLOT_EVERY = 0.25  # the loss curves (the costliest drawing) at most 4 times a second


def registry() -> dict:
    """The experiments registry, or {} while tutor.experiments is not there yet."""
    try:
        from tutor.experiments import REGISTRY  # noqa: PLC0415
    except Exception:  # noqa: BLE001 - optional until the experiments land
        return {}
    return REGISTRY


class RunPanel(StepWidget):
    """Settings, keys, live curves and pictures for one experiment. See the module docstring."""

    can_focus = True
    DEFAULT_CLASSES = "step run-panel"
    BINDINGS = [
        Binding("r", "start", "Start/restart", show=False),
        Binding("x", "stop", "Stop", show=False),
        Binding("l", "toggle_log", "Log scale", show=False),
        Binding("e", "edit", "Settings", show=False),
        Binding("minus,left_square_bracket", "speed(-1)", "Slower", show=False),
        Binding("plus,equals_sign,right_square_bracket", "speed(1)", "Faster", show=False),
    ]

    def __init__(self, experiment: str, params: dict | None = None, ask=None, lang: str = "en", *,
                 seed: int = 0, auto_restart: bool = False, autostart: bool = False,
                 review: bool = False, speed: int | None = None, **kwargs):
        super().__init__(lang, review=review, **kwargs)
        self.done = True   # the learner may move on at any time
        self.experiment = experiment
        self.lesson_params = dict(params or {})
        if seed:   # the seed is a parameter like any other: a caller's seed is its first value
            self.lesson_params.setdefault("seed", seed)
        self.ask = ask
        self.auto_restart = auto_restart
        self.autostart = autostart
        self.spec = registry().get(experiment)
        #: the message of each field whose text the registry refuses, in the learner's language
        self.field_errors: dict[str, str] = {}
        self.values: dict[str, Any] = self._initial_values()
        self.pacer = runner_mod.Pacer(runner_mod.PACE_SECONDS,
                                      runner_mod.NORMAL_SPEED if speed is None else speed)
        self._last_take = 0.0
        self.run: runner_mod.RunProcess | None = None
        self.state = "idle"
        self.log_y: bool | None = None   # None: as the experiment's begin event says
        self.log_default = True
        self.run_state = RunState()
        self.message: RichText | None = None
        self.events_seen = 0
        self.ticks = 0
        self.redraws = 0
        self.run_started = 0.0
        self.run_seconds = 0.0
        self._dirty: set[str] = set()
        self._timer = None
        self._shown: dict[int, tuple] = {}
        self._last_plot = 0.0
        # the playground holds out a test set; elsewhere the held-out data is a validation set
        self.val_name = "test" if experiment == "playground" else "val"

    # -- parameters ------------------------------------------------------------------------

    def _initial_values(self) -> dict:
        values: dict = {}
        if self.spec is None:   # an experiment the registry does not know: nothing to check
            return dict(self.lesson_params)
        for name, p in self.spec.params.items():
            values[name] = p.default
        for name, raw in self.lesson_params.items():
            try:
                values[name] = self._coerce(name, raw)   # "XOR" → "xor", as validation read it
            except ValueError as exc:
                values[name] = raw
                self.field_errors[name] = self._error_text(exc)
        self.lesson_params = {k: values[k] for k in self.lesson_params}
        return values

    def _label(self, name: str) -> str:
        p = self.spec.params.get(name) if self.spec is not None else None
        return p.label_in(self.lang) if p is not None else name

    def _param_specs(self) -> list[tuple[str, Any]]:
        if self.spec is not None:
            return list(self.spec.params.items())
        return [(name, None) for name in self.values]

    def run_params(self) -> dict:
        """What goes on the command line: the lesson's settings and whatever was changed."""
        out = {}
        for name, value in self.values.items():
            p = self.spec.params.get(name) if self.spec is not None else None
            if name in self.lesson_params or p is None or value != p.default:
                out[name] = value
        return out

    def _coerce(self, name: str, raw: Any) -> Any:
        """The typed value of a field (text or a typed value); raises ValueError(one line)."""
        if self.spec is not None:
            from tutor.experiments import coerce_params  # noqa: PLC0415
            return coerce_params(self.experiment, {name: raw})[name]
        text = str(raw)
        old = self.values.get(name)
        if isinstance(old, bool):
            return text.strip().lower() in ("1", "true", "yes", "on")
        if isinstance(old, int):
            return int(text)
        if isinstance(old, float):
            return float(text)
        return text

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        title = self.experiment
        if self.spec is not None:
            title = bilingual(self.spec.title, self.lang) or title
        yield Static(RichText(rtr("run_label", self.lang, title=title), style="bold"),
                     classes="run-title")
        if self.ask:
            yield Static(RichText(rtr("run_ask", self.lang, ask=bilingual(self.ask, self.lang)),
                                  style="italic"), classes="run-ask")
        with Horizontal(classes="run-body"):
            with Vertical(classes="run-left"):
                yield Static(RichText(rtr("settings", self.lang), style="bold"),
                             classes="run-settings-title")
                with Grid(classes="run-form"):
                    for name, p in self._param_specs():
                        yield Label(self._label(name), name=name,
                                    classes="run-field-label")
                        yield self._field(name, p)
                yield Static("", classes="run-field-errors hidden")
                yield Static(RichText(rtr("playground_note", self.lang)), classes="run-note")
            with Vertical(classes="run-right"):
                yield Static("", classes="run-status")
                with Horizontal(classes="run-views"):
                    yield CurvePlot(classes="run-loss")
                    with Vertical(classes="run-extra hidden"):
                        yield Static("", classes="run-caption run-boundary-caption hidden")
                        yield Heatmap(classes="run-boundary hidden")
                        yield Static("", classes="run-bars hidden")
                        yield CurvePlot(classes="run-fit hidden")
                        yield Static("", classes="run-table hidden")
                yield Static("", classes="run-message")
                yield Static("", classes="hint")

    def _field(self, name: str, p) -> Input | Select:
        value = self.values.get(name)
        tooltip = bilingual(p.help, self.lang) if p is not None else None
        if p is not None and p.kind in ("choice", "bool"):
            choices = list(p.choices) if p.kind == "choice" else [True, False]
            options = [(runner_mod.format_value(c), c) for c in choices]
            # the coerced value is one of the choices; a value that is not stays visible as wrong
            widget = Select(options, value=value if value in choices else Select.BLANK,
                            allow_blank=value not in choices, compact=True, name=name,
                            classes="run-field")
        else:
            widget = Input(runner_mod.format_value(value) if value is not None else "",
                           compact=True, name=name, classes="run-field",
                           select_on_focus=True)
        if tooltip:
            widget.tooltip = f"{name}: {tooltip}"
        return widget

    def on_mount(self) -> None:
        self._timer = self.set_interval(TICK, self._tick, pause=True)
        self._show_field_errors()
        self._show_status()
        self._show_hint()
        if not self.review:
            self.call_after_refresh(self._take_focus)
        if self.autostart and not self.review:
            self.call_after_refresh(self.start)

    def _take_focus(self) -> None:
        # The panel's keys (r, x, l, e) work while it has focus; take it unless the learner is
        # typing somewhere (a scroll container holding the lesson's steps does not count).
        if not self.is_attached:
            return
        focused = self.screen.focused
        if focused is None or not isinstance(focused, (Input, Select, TextArea)):
            self.focus()

    def on_unmount(self) -> None:
        self.stop_run()
        self.pacer.clear()

    # advance / press_number / skip / type_answer: StepWidget's defaults (the panel never holds
    # the lesson up; its own keys are r, x, l and e).

    # -- actions ---------------------------------------------------------------------------

    def action_start(self) -> None:
        self.start()

    def action_stop(self) -> None:
        if self.run is not None and self.state in ("starting", "running"):
            self.stop_run()
            self.pacer.clear()   # what was not drawn yet is dropped: the curve stops where it is
            if self.state in ("starting", "running"):
                self.state = "stopped"
                step = max((v.last.get("step", 0) for v in self.variants.values()), default=0)
                self.message = RichText(rtr("stopped_at", self.lang, step=step), style="yellow")
            self._redraw(force=True)

    def action_toggle_log(self) -> None:
        self.log_y = not self.current_log_y
        self._dirty.add("loss")
        self._redraw()
        self.hint_flash(rtr("log_on" if self.log_y else "log_off", self.lang))

    def action_speed(self, delta: int) -> None:
        self.pacer.set_speed(self.pacer.speed + delta)
        self._show_status()
        self._show_hint()

    @property
    def speed_label(self) -> str:
        if self.pacer.instant:
            return rtr("speed_instant", self.lang)
        return f"{self.pacer.factor:g}×"

    def action_edit(self) -> None:
        fields = list(self.query(".run-field"))
        if fields:
            fields[0].focus()

    @property
    def current_log_y(self) -> bool:
        return self.log_default if self.log_y is None else self.log_y

    # -- running ---------------------------------------------------------------------------

    def start(self) -> bool:
        """Start (or restart) the run with the current settings (every field read first); False
        when a field holds a value the registry refuses (shown next to the form, nothing runs)."""
        if not self._commit_fields():
            self.message = RichText(rtr("not_started", self.lang), style="bold red")
            self._show_status()
            return False
        self.stop_run()
        self.pacer.clear()
        self._last_take = time.monotonic()
        self._reset()
        argv = runner_mod.command_for(self.experiment, self.run_params(), lang=self.lang)
        self.run = runner_mod.RunProcess(argv)
        self.state = "starting"
        self.run_started = time.monotonic()
        try:
            self.run.start()
        except OSError as exc:
            self.state = "failed"
            self.message = RichText(rtr("failed", self.lang, code="-", err=str(exc)), style="red")
            self.run = None
            self._redraw(force=True)
            return True
        if self._timer is not None:
            self._timer.resume()
        self._redraw(force=True)
        return True

    def stop_run(self) -> None:
        """Stop the child (if any); a thread reaps it, the event loop never waits. The panel
        keeps what it has drawn."""
        if self._timer is not None:
            self._timer.pause()
        if self.run is not None:
            self.run.stop_soon()

    def _reset(self) -> None:
        self.run_state = RunState()
        self.message = None
        self.events_seen = 0
        self._dirty = {"loss", "extra"}

    @property
    def variants(self):
        return self.run_state.variants

    @property
    def begin(self):
        return self.run_state.begin

    @property
    def finish(self):
        return self.run_state.finish

    @property
    def boundary(self):
        return self.run_state.boundary

    def _tick(self) -> None:
        self.ticks += 1
        now = time.monotonic()
        dt, self._last_take = now - self._last_take, now
        self._collect(dt)
        run = self.run
        if run is not None and self.state in ("starting", "running") and run.finished:
            self._collect(0.0)
            if not self.pacer.pending:
                self._finalize()
        self._redraw()

    def _collect(self, dt: float) -> None:
        """Hand the pacer what arrived, and draw what is due after ``dt`` more seconds."""
        if self.run is None:
            return
        self.pacer.feed(self.run.drain())
        evs = self.pacer.take(dt)
        if not evs:
            return
        consume = self._consume
        for ev in evs:
            consume(ev)
        self.events_seen += len(evs)

    def _finalize(self) -> None:
        assert self.run is not None
        self.run.stop_soon()  # it has exited: the thread only reaps
        if self._timer is not None:
            self._timer.pause()
        self.run_seconds = time.monotonic() - self.run_started
        if self.finish is None:
            code = self.run.returncode
            if self.variants and any(v.status != "running" for v in self.variants.values()) \
                    and code == 0:
                self.state = "done"
            else:
                self.state = "failed"
                err = self.run.stderr_tail.splitlines()[-1:] or [rtr("no_output", self.lang)]
                self.message = RichText(rtr("failed", self.lang, code=code, err=err[0]),
                                        style="bold red")
        self._dirty.add("status")

    # -- events ----------------------------------------------------------------------------

    _DIRTY = {CURVES: "loss", PICTURES: "extra", STATUS: "status"}

    def _consume(self, ev: dict) -> None:
        changed = self.run_state.consume(ev)
        self._dirty.update(self._DIRTY[c] for c in changed)
        kind = ev.get("event")
        if kind == "begin" or (kind == "step" and self.state == "starting"):
            self.state = "running"
        if kind == "begin":
            self.log_default = bool(self.run_state.plot.get("log_y", True))
        elif kind == "finish":
            self.state = ev.get("status", "done")
            msg = bilingual(ev.get("message"), self.lang)
            diverged = self.run_state.diverged
            if diverged and not msg:
                msg = " ".join(rtr("diverged_at", self.lang, variant=v.name, step=v.end_step)
                               for v in diverged)
            style = "bold red" if diverged else "bold green"
            self.message = RichText(msg, style=style) if msg else None

    # -- drawing ---------------------------------------------------------------------------

    def _set_text(self, widget: Static, text) -> None:
        """Update a Static; a layout pass (costly: the whole screen) only when its height changes."""
        key = id(widget)
        if not isinstance(text, RichText):
            widget.update(text)
            self._shown.pop(key, None)
            return
        old = self._shown.get(key)
        if old is not None and old[0] == text:
            return
        width = widget.content_region.width or widget.size.width
        try:
            lines = len(text.wrap(self.app.console, width)) if width > 0 and text.plain else 1
        except Exception:  # noqa: BLE001 - no console yet
            lines = -1
        widget.update(text, layout=old is None or old[1] != lines or lines < 0)
        self._shown[key] = (text, lines)

    def hint(self, text: str) -> None:
        try:
            self._set_text(self.query_one(".hint", Static), RichText(text))
        except Exception:  # noqa: BLE001 - not mounted yet
            pass

    def _redraw(self, force: bool = False) -> None:
        if not self.is_attached:
            return
        dirty = self._dirty
        if force:
            dirty |= {"loss", "extra", "status"}
        if not dirty and self.state not in ("starting", "running"):
            return
        self.redraws += 1
        now = time.monotonic()
        live = self.state in ("starting", "running")
        if "loss" in dirty and (force or not live or now - self._last_plot >= PLOT_EVERY):
            self._last_plot = now
            dirty.discard("loss")
            self._draw_loss()
        drew_plot = "loss" not in dirty and self._last_plot == now
        if "extra" in dirty and (force or not live or not drew_plot):
            dirty.discard("extra")
            self._draw_extra()   # never in the same frame as the curves: short frames, quick keys
        self._show_status()
        self._show_hint()
        self._dirty = dirty & {"loss", "extra"}   # what was deferred waits for the next tick

    def _draw_loss(self) -> None:
        plot = self.query_one(".run-loss", CurvePlot)
        series = []
        multi = len(self.variants) > 1
        any_val = any(v.curve("val_loss") for v in self.variants.values())
        train = rtr("train", self.lang) if any_val else ""
        val = rtr(self.val_name, self.lang)
        for v in self.variants.values():
            name = variant_label(v.name, self.lang) if multi else ""
            loss, val_loss = v.curve("loss"), v.curve("val_loss")
            series.append(Series(f"{name} {train}".strip(), loss.x, loss.y, color_for(v.index)))
            if val_loss:
                series.append(Series(f"{name} {val}".strip(), val_loss.x, val_loss.y,
                                     color_for(v.index, validation=True)))
        plot.show(series, log_y=self.current_log_y, legend=multi or any_val)

    def _draw_extra(self) -> None:
        extra = self.query_one(".run-extra", Vertical)
        caption = self.query_one(".run-boundary-caption", Static)
        heat = self.query_one(".run-boundary", Heatmap)
        bars = self.query_one(".run-bars", Static)
        fit = self.query_one(".run-fit", CurvePlot)
        table = self.query_one(".run-table", Static)
        shown = False
        ascii_only = self.app.has_class("ascii") if self.is_attached else False
        # decision boundary or trajectories: the heatmap
        trajectories = [v for v in self.variants.values() if v.trajectory]
        if self.boundary is not None:
            b = self.boundary
            marks = [Mark(p[0], p[1], POINT1 if p[2] else POINT0, "●", "o" if p[2] else "x",
                          pixel=True)
                     for p in b.get("points") or [] if len(p) >= 3]
            heat.set_data(b.get("grid"), b.get("x_range", (0, 1)), b.get("y_range", (0, 1)),
                          marks, cmap=diverging_cmap)
            cap = RichText(rtr("cap_boundary", self.lang, step=b.get("step", "")), style="dim")
            dot = "o/x" if ascii_only else "●"
            cap.append(f"  {dot} 0", style=f"bold {POINT0}")
            cap.append(f"  {dot} 1", style=f"bold {POINT1}")
            self._set_text(caption, cap)
            shown = True
        elif self.run_state.surface is not None or trajectories:
            self._draw_surface(heat, trajectories)
            self._set_text(caption, self._legend_text(rtr("cap_trajectory", self.lang), trajectories))
            shown = True
        heat.set_class(not shown, "hidden")
        caption.set_class(not shown, "hidden")
        # per-layer gradient norms
        with_grads = [v for v in self.variants.values() if v.grad_norms]
        if with_grads:
            layers = list(self.run_state.layers)
            n = max(len(v.grad_norms) for v in with_grads)
            if len(layers) != n:
                layers = [f"L{i + 1}" for i in range(n)]
            text = RichText(rtr("cap_grad", self.lang, step=max(v.grad_step for v in with_grads)) + "\n",
                            style="dim")
            text.append_text(bars_text(layers, [(v.name, color_for(v.index), v.grad_norms)
                                                for v in with_grads], ascii_only=ascii_only))
            self._set_text(bars, text)
        bars.set_class(not with_grads, "hidden")
        # fitted curves
        fits = [v for v in self.variants.values() if v.fit]
        if fits:
            first = fits[0].fit
            series = [Series(rtr("target", self.lang), list(first.get("x") or []),
                             list(first.get("y_true") or []), "#9e9e9e", scatter=True)]
            for v in fits:
                series.append(Series(variant_label(v.name, self.lang) if len(self.variants) > 1 else "",
                                     list(v.fit.get("x") or []), list(v.fit.get("y_pred") or []),
                                     color_for(v.index)))
            fit.show(series, log_y=False, legend=len(fits) > 1)
            fit.border_title = rtr("cap_fit", self.lang)
        fit.set_class(not fits, "hidden")
        # tables
        tbl = self._table()
        if tbl is not None:
            self._set_text(table, tbl)
        table.set_class(tbl is None, "hidden")
        extra.set_class(not (shown or with_grads or fits or tbl is not None), "hidden")

    def _legend_text(self, caption: str, variants: list[VariantState]) -> RichText:
        text = RichText(caption, style="dim")
        for v in variants:
            text.append("  ● " if not self.app.has_class("ascii") else "  * ",
                        style=color_for(v.index))
            text.append(variant_label(v.name, self.lang))
        return text

    def _draw_surface(self, heat: Heatmap, trajectories: list[VariantState]) -> None:
        marks = []
        for v in trajectories:
            color = color_for(v.index)
            pts = v.trajectory or []
            for p in pts[:-1]:
                marks.append(Mark(p[0], p[1], color, "•", "."))
            if pts:
                marks.append(Mark(pts[-1][0], pts[-1][1], color, "●", "*"))
        s = self.run_state.surface
        if s and s.get("z"):
            z = np.asarray(s["z"], dtype=float)
            with np.errstate(all="ignore"):
                zl = np.log10(z - np.nanmin(z) + 1e-3)
                lo, hi = np.nanmin(zl), np.nanmax(zl)
                values = (zl - lo) / max(hi - lo, 1e-12)
            xs, ys = s.get("x") or [0, 1], s.get("y") or [0, 1]
            x_range, y_range = (min(xs), max(xs)), (min(ys), max(ys))
        else:
            allp = [p for v in trajectories for p in v.trajectory or []]
            xs = [p[0] for p in allp] or [0, 1]
            ys = [p[1] for p in allp] or [0, 1]
            values = np.zeros((2, 2))
            x_range, y_range = (min(xs), max(xs)), (min(ys), max(ys))
        heat.set_data(values, x_range, y_range, marks, cmap=sequential_cmap, square=False)

    def _table(self):
        if self.run_state.confusion is not None:
            c = self.run_state.confusion
            labels = [str(x) for x in c.get("labels") or []]
            matrix = c.get("matrix") or []
            t = Table(title=rtr("cap_confusion", self.lang), title_style="dim", box=None,
                      padding=(0, 1), show_edge=False)
            t.add_column("", style="bold")
            for lab in labels:
                t.add_column(lab, justify="right")
            for i, row in enumerate(matrix):
                cells = [RichText(str(x), style="bold green" if i == j else ("red" if x else "dim"))
                         for j, x in enumerate(row)]
                t.add_row(labels[i] if i < len(labels) else str(i), *cells)
            return t
        if self.run_state.gradcheck is not None:
            t = Table(title=rtr("cap_gradcheck", self.lang), title_style="dim", box=None,
                      padding=(0, 1), show_edge=False)
            for key in ("gc_layer", "gc_analytic", "gc_numeric", "gc_error"):
                t.add_column(rtr(key, self.lang), justify="left" if key == "gc_layer" else "right")
            for row in self.run_state.gradcheck.get("rows") or []:
                layer, a, n, err = (list(row) + [None] * 4)[:4]
                ok = isinstance(err, (int, float)) and err < 1e-4
                t.add_row(str(layer), short_number(a) if a is not None else "",
                          short_number(n) if n is not None else "",
                          RichText(short_number(err) if err is not None else "",
                                   style="green" if ok else "red"))
            return t
        return None

    def _show_status(self) -> None:
        try:
            status = self.query_one(".run-status", Static)
        except Exception:  # noqa: BLE001 - not composed yet
            return
        text = RichText()
        state_style = {"running": "bold cyan", "done": "bold green", "diverged": "bold red",
                       "stopped": "yellow", "failed": "bold red"}.get(self.state, "bold")
        text.append(rtr(f"state_{self.state}", self.lang), style=state_style)
        if self.state in ("starting", "running"):
            text.append(" · " + rtr("m_time", self.lang, s=time.monotonic() - self.run_started),
                        style="dim")
        if self.state in ("starting", "running"):
            text.append(" · " + rtr("speed", self.lang, speed=self.speed_label), style="dim")
        multi = len(self.variants) > 1
        width = max((len(variant_label(v.name, self.lang)) for v in self.variants.values()),
                    default=0) + 1
        for v in self.variants.values():
            text.append("\n" if multi else " · ")
            if multi:
                text.append("● " if not self._ascii() else "* ", style=color_for(v.index))
                text.append(f"{variant_label(v.name, self.lang):<{width}}", style="bold")
            text.append_text(self._metrics(v, multi))
        self._set_text(status, text)
        self._set_text(self.query_one(".run-message", Static), self.message or RichText(""))

    def _ascii(self) -> bool:
        return self.is_attached and self.app.has_class("ascii")

    def _metrics(self, v: VariantState, multi: bool) -> RichText:
        last = v.last
        parts = RichText()
        if "step" in last:
            total = f"/{v.total}" if v.total else ""
            parts.append(f"{rtr('m_step', self.lang)} {last['step']}{total}")
        val_label = "m_test_loss" if self.val_name == "test" else "m_val_loss"
        val_acc = "m_test_acc" if self.val_name == "test" else "m_val_acc"
        for key, label, pct, color in (
                ("loss", "m_loss", False, color_for(v.index)),
                ("val_loss", val_label, False, color_for(v.index, validation=True)),
                ("accuracy", "m_acc", True, ""), ("val_accuracy", val_acc, True, "")):
            if key in last:
                value = last[key]
                shown = f"{100 * value:.1f}%" if pct else short_number(value)
                parts.append(" · ")
                parts.append(f"{rtr(label, self.lang)} {shown}",
                             style=color if not multi and color else "")
        if v.status == "diverged":
            parts.append(f" · {rtr('state_diverged', self.lang)}", style="bold red")
            if v.end_step is not None:
                parts.append(f" @ {v.end_step}", style="red")
        elif multi and v.status in ("done", "stopped"):
            parts.append(f" · {rtr('state_' + v.status, self.lang)}",
                         style="green" if v.status == "done" else "yellow")
        return parts

    def _show_hint(self) -> None:
        if self.review:
            self.hint("")
            return
        if self.auto_restart:
            key = "hint_playground"
        elif self.state in ("starting", "running"):
            key = "hint_running"
        elif self.state == "idle":
            key = "hint_idle"
        else:
            key = "hint_done"
        self.hint(rtr(key, self.lang) + " · " + rtr("hint_speed", self.lang, speed=self.speed_label))

    def hint_flash(self, text: str) -> None:
        self.hint(text)
        self.set_timer(1.5, self._show_hint)

    # -- settings --------------------------------------------------------------------------

    def _error_text(self, exc: ValueError) -> str:
        in_lang = getattr(exc, "in_lang", None)
        return in_lang(self.lang) if callable(in_lang) else str(exc)

    def _take_value(self, widget, raw: Any) -> tuple[bool, bool]:
        """Check and keep one field's value: ``(accepted, changed)``. A refused value is shown
        next to the form and keeps the old one in ``values``."""
        name = widget.name
        try:
            value = self._coerce(name, raw)
        except ValueError as exc:
            self.field_errors[name] = self._error_text(exc)
            self._show_field_errors()
            return False, False
        if self.field_errors.pop(name, None) is not None:
            self._show_field_errors()
        changed = value != self.values.get(name)
        self.values[name] = value
        if isinstance(widget, Input):
            shown = runner_mod.format_value(value)   # "1e3" reads back as 1000: what will run
            if widget.value != shown:
                widget.value = shown
        return True, changed

    def _commit_fields(self) -> bool:
        """Read every text field (a value typed without Enter counts too); False on any error."""
        for widget in self.query(".run-field"):
            if isinstance(widget, Input) and widget.name is not None:
                if widget.value != runner_mod.format_value(self.values.get(widget.name)) \
                        or widget.name in self.field_errors:
                    self._take_value(widget, widget.value)
        return not self.field_errors

    def _show_field_errors(self) -> None:
        try:
            box = self.query_one(".run-field-errors", Static)
        except Exception:  # noqa: BLE001 - not composed yet
            return
        for widget in self.query(".run-field, .run-field-label"):
            widget.set_class(widget.name in self.field_errors, "-invalid")
        lines = [f"✗ {self._label(name)}: {msg}" for name, msg in self.field_errors.items()]
        box.update(RichText("\n".join(lines), style="bold red"))
        box.set_class(not lines, "hidden")

    def _apply(self, widget, raw: Any) -> None:
        name = widget.name
        if name is None:
            return
        ok, changed = self._take_value(widget, raw)
        if not ok:
            self.message = RichText(rtr("bad_value", self.lang, err=self.field_errors[name]),
                                    style="bold red")
            self._show_status()
            return
        if not changed and isinstance(widget, Select):
            return   # a Select re-announcing its value (e.g. when mounted) changes nothing
        shown = runner_mod.format_value(self.values[name])
        name = self._label(name)
        if self.auto_restart:
            if changed or self.state not in ("starting", "running"):
                if self.start():
                    self.message = RichText(rtr("restarting", self.lang, name=name, value=shown),
                                            style="cyan")
                self._show_status()
        elif changed:
            self.message = RichText(rtr("changed", self.lang, name=name, value=shown), style="cyan")
            self._show_status()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._apply(event.input, event.value)
        self.focus()

    def on_input_blurred(self, event: Input.Blurred) -> None:
        # Tab, Esc or a click elsewhere: what was typed counts (not only on Enter)
        event.stop()
        widget = event.input
        if widget.name is None or not widget.is_attached or not self.screen.is_current:
            return   # the screen is going away: nothing to apply, nothing to restart
        if widget.value != runner_mod.format_value(self.values.get(widget.name)) \
                or widget.name in self.field_errors:
            self._apply(widget, widget.value)

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.value is Select.BLANK:
            return
        self._apply(event.select, event.value)

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
