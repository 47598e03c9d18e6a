"""The run panel's views: each kind of picture a widget that draws itself from the fold
(:class:`tutor.experiments.state.RunState`).

``draw(state, look)`` redraws a view and returns whether it has something to show (a view with
nothing is hidden). What is drawn, from which events:

- ``step`` → :class:`CurvesView`: loss curves (train solid, validation darker, a colour per variant);
- ``boundary`` → :class:`MapView`: the decision boundary with the training points over it; or
  ``trajectory`` → the same map: paths over a loss surface;
- ``grad_norms`` in a step → :class:`GradBarsView`: per-layer bars on a log scale;
- ``fit`` → :class:`FitView`: target dots and the fitted curve(s);
- ``confusion`` / ``gradcheck`` → :class:`TableView`;
- ``heatmap`` → :class:`TilesView`: every variant's latest heatmaps side by side;
- ``histogram`` → :class:`HistogramView`: each variant's latest histogram, one above the other.

A new kind of picture is one class here, added to :func:`picture_views`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.table import Table
from rich.text import Text as RichText
from textual.widget import Widget
from textual.widgets import Static

from tutor.experiments import variant_label
from tutor.experiments.palette import color_for
from tutor.experiments.state import RunState, VariantState, heatmap_grid
from tutor.i18n import in_lang, tr

from ..widgets.heatmap import POINT0, POINT1, Heatmap, Mark, diverging_cmap, sequential_cmap
from ..widgets.plots import CurvePlot, Series, bars_text, histogram_text, short_number
from ..widgets.tiles import Tile, tiles_text


@dataclass(frozen=True)
class Look:
    """How the panel wants things drawn right now."""

    lang: str
    ascii_only: bool = False
    log_y: bool = True
    val_name: str = "val"      # the playground holds out a test set; elsewhere a validation set
    y_key: str = "loss"        # the step key the curves draw (the run's plot.y)
    y_label: str | None = None  # its name, when the run gives one (not a loss)


class TextView(Static):
    """A Static whose update asks for a layout pass (costly: the whole screen) only when its
    height changes, and not at all when its text did not."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple | None = None

    def show(self, text: RichText | Table) -> None:
        if not isinstance(text, RichText):
            self.update(text)
            self._shown = None
            return
        if self._shown is not None and self._shown[0] == text:
            return
        width = self.content_region.width or self.size.width
        try:
            lines = len(text.wrap(self.app.console, width)) if width > 0 and text.plain else 1
        except Exception:  # noqa: BLE001 - no console yet
            lines = -1
        self.update(text, layout=self._shown is None or self._shown[1] != lines or lines < 0)
        self._shown = (text, lines)


class CurvesView(CurvePlot):
    """The curves of the step key the run plots (``plot.y``): a loss (training and validation),
    an accuracy (the same pair), or a key of the run's own under the name the run gives it."""

    def draw(self, state: RunState, look: Look) -> bool:
        variants = list(state.variants.values())
        multi = len(variants) > 1
        y = state.plot.get("y", "loss")
        pair = {"accuracy": ("accuracy", "val_accuracy")}.get(y, ("loss", "val_loss") if y in (
            "loss", "val_loss") else (y, None))
        any_val = bool(pair[1]) and any(v.curve(pair[1]) for v in variants)
        train = tr("run.train", look.lang) if any_val else (state.y_label(look.lang) or "")
        val = tr(f"run.{look.val_name}", look.lang)
        series = []
        for v in variants:
            name = variant_label(v.name, look.lang) if multi else ""
            main = v.curve(pair[0])
            series.append(Series(f"{name} {train}".strip() if not multi or any_val else name,
                                 main.x, main.y, color_for(v.index)))
            if any_val and v.curve(pair[1]):
                other = v.curve(pair[1])
                series.append(Series(f"{name} {val}".strip(), other.x, other.y,
                                     color_for(v.index, validation=True)))
        self.show(series, log_y=look.log_y, legend=multi or any_val or bool(train))
        return True


class MapView(Heatmap):
    """The decision boundary, or else the trajectories on their loss surface; its caption is the
    view just above it."""

    def __init__(self, caption: TextView, **kwargs) -> None:
        super().__init__(**kwargs)
        self.caption = caption

    def draw(self, state: RunState, look: Look) -> bool:
        trajectories = [v for v in state.variants.values() if v.trajectory]
        if state.boundary is not None:
            self._boundary(state.boundary, look)
        elif state.surface is not None or trajectories:
            self._surface(state.surface, trajectories)
            self.caption.show(legend(tr("run.cap_trajectory", look.lang), trajectories, look))
        else:
            return False
        return True

    def _boundary(self, b: dict, look: Look) -> None:
        marks = [Mark(p[0], p[1], POINT1 if p[2] else POINT0, "●", "o" if p[2] else "x", pixel=True)
                 for p in b.get("points") or [] if len(p) >= 3]
        self.set_data(b.get("grid"), b.get("x_range", (0, 1)), b.get("y_range", (0, 1)), marks,
                      cmap=diverging_cmap)
        cap = RichText(tr("run.cap_boundary", look.lang, step=b.get("step", "")), style="dim")
        dot = "o/x" if look.ascii_only else "●"
        cap.append(f"  {dot} 0", style=f"bold {POINT0}")
        cap.append(f"  {dot} 1", style=f"bold {POINT1}")
        self.caption.show(cap)

    def _surface(self, s: dict | None, trajectories: list[VariantState]) -> None:
        marks = []
        for v in trajectories:
            color = color_for(v.index)
            pts = v.trajectory or []
            marks.extend(Mark(p[0], p[1], color, "•", ".") for p in pts[:-1])
            if pts:
                marks.append(Mark(pts[-1][0], pts[-1][1], color, "●", "*"))
        if s and s.get("z"):
            z = np.asarray(s["z"], dtype=float)
            with np.errstate(all="ignore"):
                zl = np.log10(z - np.nanmin(z) + 1e-3)
                lo, hi = np.nanmin(zl), np.nanmax(zl)
                values = (zl - lo) / max(hi - lo, 1e-12)
            xs, ys = s.get("x") or [0, 1], s.get("y") or [0, 1]
        else:
            allp = [p for v in trajectories for p in v.trajectory or []]
            xs = [p[0] for p in allp] or [0, 1]
            ys = [p[1] for p in allp] or [0, 1]
            values = np.zeros((2, 2))
        self.set_data(values, (min(xs), max(xs)), (min(ys), max(ys)), marks, cmap=sequential_cmap,
                      square=False)


def legend(caption: str, variants: list[VariantState], look: Look) -> RichText:
    text = RichText(caption, style="dim")
    for v in variants:
        text.append("  * " if look.ascii_only else "  ● ", style=color_for(v.index))
        text.append(variant_label(v.name, look.lang))
    return text


class GradBarsView(TextView):
    def draw(self, state: RunState, look: Look) -> bool:
        with_grads = [v for v in state.variants.values() if v.grad_norms]
        if not with_grads:
            return False
        layers = list(state.layers)
        n = max(len(v.grad_norms) for v in with_grads)
        if len(layers) != n:
            layers = [f"L{i + 1}" for i in range(n)]
        text = RichText(tr("run.cap_grad", look.lang, step=max(v.grad_step for v in with_grads)) + "\n",
                        style="dim")
        width = self.content_region.width or self.size.width or None
        text.append_text(bars_text(layers, [(variant_label(v.name, look.lang), color_for(v.index), v.grad_norms)
                                            for v in with_grads],
                                   ascii_only=look.ascii_only, total_width=width))
        self.show(text)
        return True


class FitView(CurvePlot):
    def draw(self, state: RunState, look: Look) -> bool:
        fits = [v for v in state.variants.values() if v.fit]
        if not fits:
            return False
        first = fits[0].fit
        series = [Series(tr("run.target", look.lang), list(first.get("x") or []),
                         list(first.get("y_true") or []), "#9e9e9e", scatter=True)]
        multi = len(state.variants) > 1
        for v in fits:
            series.append(Series(variant_label(v.name, look.lang) if multi else "",
                                 list(v.fit.get("x") or []), list(v.fit.get("y_pred") or []),
                                 color_for(v.index)))
        self.show(series, log_y=False, legend=len(fits) > 1)
        self.border_title = tr("run.cap_fit", look.lang)
        return True


class TableView(TextView):
    def draw(self, state: RunState, look: Look) -> bool:
        if state.confusion is not None:
            self.show(confusion_table(state.confusion, look.lang))
        elif state.gradcheck is not None:
            self.show(gradcheck_table(state.gradcheck, look.lang))
        else:
            return False
        return True


class TilesView(Widget):
    """The heatmaps, drawn to the width the panel gives them (so it renders, not ``show``s)."""

    DEFAULT_CSS = "TilesView { height: auto; max-height: 16; }"
    HEIGHT = 14

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.tiles: list[Tile] = []
        self.caption = ""
        self.ascii_only = False
        self._key: tuple | None = None

    def draw(self, state: RunState, look: Look) -> bool:
        tiles, titles = [], []
        multi = len(state.variants) > 1
        for v in state.variants.values():
            for ev in v.heatmaps.values():
                grid = heatmap_grid(ev)
                if grid.ndim != 2 or grid.size == 0:
                    continue
                title = ev.get("title")
                titles.append(in_lang(title, look.lang) if isinstance(title, dict) else str(ev.get("name", "")))
                mark = None
                if ev.get("mark") and ev.get("x_range") and ev.get("y_range"):
                    (x0, x1), (y0, y1), (mx, my) = ev["x_range"], ev["y_range"], ev["mark"][:2]
                    mark = ((mx - x0) / ((x1 - x0) or 1) * grid.shape[1],
                            (my - y0) / ((y1 - y0) or 1) * (grid.shape[0] - 1))
                label = variant_label(v.name, look.lang)
                tiles.append(Tile(label, grid, bool(ev.get("log")), mark, color_for(v.index) if multi else "",
                                  short_title=v.name if multi else ""))
        # One title over them all when they share it (each tile then names its variant), else each its own.
        self.caption = titles[0] if titles and (len(set(titles)) == 1 and multi) else ""
        for tile, title in zip(tiles, titles):
            if not multi:
                tile.title = title
            elif not self.caption:
                tile.title = f"{tile.title} · {title}"
                tile.short_title = f"{tile.short_title} · {title}"
        key = (self.caption, look.ascii_only,
               tuple((t.title, t.values.shape, t.values.tobytes(), t.log, t.mark, t.color) for t in tiles))
        if key != self._key:   # a layout pass only when a picture changed
            self._key = key
            self.tiles, self.ascii_only = tiles, look.ascii_only
            self.refresh(layout=True)
        return bool(tiles)

    def _text(self, width: int) -> RichText:
        text = RichText(self.caption + "\n", style="dim") if self.caption else RichText()
        text.append_text(tiles_text(self.tiles, width, self.HEIGHT - bool(self.caption),
                                    ascii_only=self.ascii_only))
        return text

    def render(self) -> RichText:
        return self._text(self.content_size.width or self.size.width)

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self._text(width).split("\n")) if self.tiles else 0


class HistogramView(TextView):
    def draw(self, state: RunState, look: Look) -> bool:
        rows = [(variant_label(v.name, look.lang), color_for(v.index), v.histogram.get("edges") or [],
                 v.histogram.get("counts") or []) for v in state.variants.values() if v.histogram]
        if not rows:
            return False
        first = next(v.histogram for v in state.variants.values() if v.histogram)
        title = first.get("title")
        text = RichText((in_lang(title, look.lang) if isinstance(title, dict) else "") + "\n", style="dim")
        text.append_text(histogram_text(rows, tr("run.hist_peak", look.lang), height=2 if len(rows) > 2 else 3,
                                        ascii_only=look.ascii_only))
        self.show(text)
        return True


def confusion_table(c: dict, lang: str) -> Table:
    labels = [str(x) for x in c.get("labels") or []]
    matrix = c.get("matrix") or []
    # One space between columns and every count kept whole: at 80 columns a 10×10 matrix sits
    # beside the curves, and a count cut to "…" is one the lesson may ask the learner to read.
    widest = max([len(str(x)) for row in matrix for x in row] + [len(l) for l in labels] + [1])
    t = Table(title=tr("run.cap_confusion", lang), title_style="dim", box=None,
              padding=(0, 0, 0, 1), show_edge=False)
    t.add_column("", style="bold", min_width=max([len(l) for l in labels] + [1]))
    for lab in labels:
        t.add_column(lab, justify="right", min_width=widest, no_wrap=True)
    for i, row in enumerate(matrix):
        cells = [RichText(str(x), style="bold green" if i == j else ("red" if x else "dim"))
                 for j, x in enumerate(row)]
        t.add_row(labels[i] if i < len(labels) else str(i), *cells)
    return t


def gradcheck_table(g: dict, lang: str) -> Table:
    t = Table(title=tr("run.cap_gradcheck", lang), title_style="dim", box=None, padding=(0, 1),
              show_edge=False)
    for key in ("gc_layer", "gc_analytic", "gc_numeric", "gc_error"):
        t.add_column(tr(f"run.{key}", lang), justify="left" if key == "gc_layer" else "right")
    for row in g.get("rows") or []:
        layer, a, n, err = (list(row) + [None] * 4)[:4]
        ok = isinstance(err, (int, float)) and err < 1e-4
        t.add_row(str(layer), short_number(a) if a is not None else "",
                  short_number(n) if n is not None else "",
                  RichText(short_number(err) if err is not None else "", style="green" if ok else "red"))
    return t
