"""The one fold of a run's events (:mod:`tutor.experiments.events`) into what a run looks like so far.

    state = RunState()
    for event in events:
        changed = state.consume(event)   # {"curves"}, {"pictures"}, {"status"}: what to redraw

``Experiment.run`` folds its own events to write the ``finish`` summary; the TUI's run panel folds
what the child process streams and redraws what ``consume`` says changed; ``tutor run`` folds a
finished run to draw it in the terminal or as a PNG. Consuming is cheap (list appends), so a
live consumer can fold every event and draw at its own pace.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .events import METRICS

#: What ``consume`` reports as changed.
CURVES, PICTURES, STATUS = "curves", "pictures", "status"


@dataclass
class Curve:
    """One metric of one variant over the steps (None values are not points)."""

    x: list = field(default_factory=list)
    y: list = field(default_factory=list)

    def points(self) -> list[tuple[float, float]]:
        return list(zip(self.x, self.y))

    def __len__(self) -> int:
        return len(self.x)


@dataclass
class VariantState:
    name: str
    index: int                                   # the variant's colour, in order of appearance
    series: dict[str, Curve] = field(default_factory=dict)
    #: the latest non-None step, epoch and metrics: what a status line shows
    last: dict[str, Any] = field(default_factory=dict)
    #: the metrics as the latest step reported them (None included): the finish summary's fallback
    reported: dict[str, Any] = field(default_factory=dict)
    status: str = "running"
    reason: str = ""
    end: dict | None = None
    end_step: int | None = None
    total: int | None = None
    layers: list[str] = field(default_factory=list)
    grad_norms: list | None = None
    grad_step: int = 0
    fit: dict | None = None
    trajectory: list | None = None
    heatmaps: dict[str, dict] = field(default_factory=dict)   # the latest of each name
    histogram: dict | None = None

    def curve(self, key: str) -> Curve:
        return self.series.get(key) or Curve()

    def summary(self) -> dict:
        """This variant's part of the ``finish`` event."""
        if self.end is None:
            return {"status": "stopped", "reason": "stopped by request", "step": None, **self.reported}
        out = {k: v for k, v in self.end.items() if k not in ("event", "variant")}
        for k, v in self.reported.items():
            if out.get(k) is None:
                out[k] = v
        return out


class RunState:
    """Everything a run's events said so far, by variant. See the module docstring."""

    def __init__(self) -> None:
        self.begin: dict | None = None
        self.finish: dict | None = None
        self.variants: dict[str, VariantState] = {}
        self.boundary: dict | None = None        # the latest decision boundary (any variant)
        self.surface: dict | None = None         # the loss surface under the trajectories
        self.landmarks: dict = {}                # its start, saddle and minima
        self.confusion: dict | None = None
        self.gradcheck: dict | None = None
        self.layers: list[str] = []              # the latest start's layer names
        self.events = 0

    # -- reading ---------------------------------------------------------------------------

    @property
    def plot(self) -> dict:
        return (self.begin or {}).get("plot") or {"y": "loss", "log_y": True, "x": "step"}

    @property
    def metrics(self) -> tuple[str, ...]:
        """The step keys folded into curves: the usual metrics, and the run's own plotted key."""
        y = self.plot.get("y", "loss")
        return METRICS if y in METRICS else (*METRICS, y)

    def y_label(self, lang: str) -> str | None:
        """What the curves show, in ``lang``, when the run names it (None: a loss)."""
        label = self.plot.get("label")
        return label.get(lang) or label.get("en") if isinstance(label, dict) else None

    @property
    def names(self) -> list[str]:
        """The variants the begin event announced (else those seen), in order."""
        if self.begin and self.begin.get("variants"):
            return list(self.begin["variants"])
        return list(self.variants)

    @property
    def diverged(self) -> list[VariantState]:
        return [v for v in self.variants.values() if v.status == "diverged"]

    @property
    def last_step(self) -> int:
        return max((v.last.get("step", 0) for v in self.variants.values()), default=0)

    def variant(self, name: str) -> VariantState:
        v = self.variants.get(name)
        if v is None:
            v = self.variants[name] = VariantState(name, len(self.variants))
        return v

    def summary(self) -> dict[str, dict]:
        """The ``finish`` event's ``variants``: each announced variant's figures."""
        return {name: self.variant(name).summary() for name in self.names}

    # -- folding ---------------------------------------------------------------------------

    def consume(self, ev: dict) -> set[str]:
        """Fold one event in; returns what it changed (CURVES, PICTURES, STATUS)."""
        self.events += 1
        kind = ev.get("event")
        if kind == "step":
            return self._step(ev)
        if kind == "begin":
            self.begin = ev
            for name in ev.get("variants") or []:
                self.variant(name)
            return {CURVES, STATUS}
        if kind == "finish":
            self.finish = ev
            for name, info in (ev.get("variants") or {}).items():
                v = self.variant(name)
                v.status = info.get("status", v.status)
                v.reason = info.get("reason") or v.reason
                v.end_step = info.get("step", v.end_step)
            return {CURVES, STATUS}
        v = self.variant(ev.get("variant", "main"))
        if kind == "start":
            v.total = ev.get("total_steps")
            if ev.get("layers"):
                v.layers = self.layers = list(ev["layers"])
            return {STATUS}
        if kind == "end":
            v.end = ev
            v.status = ev.get("status", "done")
            v.reason = ev.get("reason") or ""
            v.end_step = ev.get("step")
            return {STATUS}
        if kind == "boundary":
            self.boundary = ev
        elif kind == "fit":
            v.fit = ev
        elif kind == "trajectory":
            pts = ev.get("points") or []
            if ev.get("append") and v.trajectory:
                v.trajectory.extend(pts)
            else:
                v.trajectory = list(pts)
            if ev.get("surface"):
                self.surface = ev["surface"]
            self.landmarks.update({k: ev[k] for k in ("start", "saddle", "minima") if k in ev})
        elif kind == "confusion":
            self.confusion = ev
        elif kind == "gradcheck":
            self.gradcheck = ev
        elif kind == "heatmap":
            v.heatmaps[str(ev.get("name", ""))] = ev
        elif kind == "histogram":
            v.histogram = ev
        else:
            return set()   # a kind this fold does not know: kept out, nothing to draw
        return {PICTURES}

    def _step(self, ev: dict) -> set[str]:
        v = self.variant(ev.get("variant", "main"))
        step = ev.get("step", len(v.curve("loss")) + 1)
        last = v.last
        for key in self.metrics:
            if key in ev:
                value = ev[key]
                v.reported[key] = value
                if value is not None:
                    curve = v.series.get(key)
                    if curve is None:
                        curve = v.series[key] = Curve()
                    curve.x.append(step)
                    curve.y.append(float(value))
                    last[key] = value
        last["step"] = step
        if ev.get("epoch") is not None:
            last["epoch"] = ev["epoch"]
        if ev.get("grad_norms") is not None:
            v.grad_norms = ev["grad_norms"]
            v.grad_step = step
            return {CURVES, PICTURES}
        return {CURVES}


def fold(events) -> RunState:
    """A finished run's events, folded."""
    state = RunState()
    for event in events:
        state.consume(event)
    return state


def heatmap_grid(ev: dict):
    """A ``heatmap`` event's grid as a float array, None (a non-finite value) as NaN: what every
    view of it draws from."""
    import numpy as np  # noqa: PLC0415 (the fold itself needs no NumPy)

    return np.array([[np.nan if x is None else x for x in row] for row in ev.get("grid") or []], dtype=float)
