"""Curves for live runs: loss (train and validation, several variants overlaid) and fitted functions.

Why textual-plot's ``PlotWidget``: it is maintained, draws at braille resolution (2×4 dots a cell),
has axes with "nice" ticks, a legend, and a cheap live update (``clear()`` + ``plot()`` marks the
widget dirty; the actual drawing happens once per frame, in ``render``). textual-plotext was the
other candidate but pins the old plotext API (plotext 6 removed it). ``PlotWidget`` has no log
scale, so :class:`CurvePlot` plots log10(y) and labels the ticks with :class:`LogFormatter`
(``1e-3``, ``0.01``, ``1``, ``100``). It is made non-focusable: its own bindings (``r`` resets
the zoom, arrows pan) would otherwise take the run panel's keys.

Redraw cost grows with the number of points, so each series is thinned to at most
``MAX_POINTS`` points (evenly spaced, the last one kept) before it is handed over.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual_plot import HiResMode, LegendLocation, PlotWidget
from textual_plot.axis_formatter import AxisFormatter, NumericAxisFormatter

MAX_POINTS = 400

def short_number(value: float) -> str:
    """Compact: 0.0123 -> '0.0123', 12345 -> '1.2e4', 1e-6 -> '1e-6'."""
    if value is None or not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    a = abs(value)
    if 1e-3 <= a < 1e4:
        text = f"{value:.3g}"
        return f"{value:.0f}" if "e" in text else text
    mantissa, exp = f"{value:.1e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exp)}"


class LogFormatter(AxisFormatter):
    """Ticks for an axis that carries log10 of the values, labelled with the values themselves."""

    def get_ticks(self, min_: float, max_: float, max_ticks: int = 8) -> list[float]:
        lo, hi = math.floor(min_), math.ceil(max_)
        decades = [float(k) for k in range(lo, hi + 1) if min_ <= k <= max_]
        if len(decades) >= 2:
            step = max(1, math.ceil(len(decades) / max_ticks))
            return decades[::step]
        # less than a decade shown: 1, 2, 5 × 10^k, then plain nice ticks in log space
        ticks = [math.log10(m * 10.0 ** k) for k in range(lo - 1, hi + 1) for m in (1, 2, 5)]
        ticks = [t for t in ticks if min_ <= t <= max_]
        if len(ticks) >= 2:
            return ticks
        if max_ - min_ <= 0:
            return [min_]
        return NumericAxisFormatter().get_ticks(min_, max_, max_ticks)

    def get_labels_for_ticks(self, ticks: Sequence[float]) -> list[str]:
        return [short_number(10.0 ** t) for t in ticks]


class ShortFormatter(NumericAxisFormatter):
    """Linear ticks with short labels (the plot's left margin is narrow)."""

    def get_labels_for_ticks(self, ticks: Sequence[float]) -> list[str]:
        labels = super().get_labels_for_ticks(ticks)
        if any(len(label) > 6 for label in labels):
            return [short_number(t) for t in ticks]
        return labels


def nice_ticks(lo: float, hi: float, count: int) -> list[float]:
    """At most ``count`` ticks at 1, 2, 5 × 10^k between ``lo`` and ``hi``."""
    span = hi - lo
    if not math.isfinite(span) or span <= 0:
        return [lo]
    raw = span / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step) * step
    return [first + i * step for i in range(int((hi - first) / step + 1e-9) + 1)]


@dataclass
class Series:
    label: str
    x: list = field(default_factory=list)
    y: list = field(default_factory=list)
    color: str = "white"
    scatter: bool = False


def thin(x: np.ndarray, y: np.ndarray, limit: int = MAX_POINTS) -> tuple[np.ndarray, np.ndarray]:
    if len(x) <= limit:
        return x, y
    idx = np.linspace(0, len(x) - 1, limit).astype(int)
    return x[idx], y[idx]


class CurvePlot(PlotWidget, can_focus=False):
    """A PlotWidget that redraws a list of :class:`Series` at once, optionally on a log y axis."""

    DEFAULT_CSS = """
    CurvePlot { height: 1fr; min-height: 6; }
    CurvePlot #legend { border: none; background: $panel 60%; }
    """

    def __init__(self, **kwargs):
        super().__init__(allow_pan_and_zoom=False, **kwargs)
        self.log_y = False
        self.redraws = 0
        self._hold_legend = False
        self._legend_key: tuple | None = None
        # no axis labels (the caption and the legend say what is drawn): small margins
        self.set_reactive(PlotWidget.margin_top, 1)
        self.set_reactive(PlotWidget.margin_bottom, 2)
        self.set_reactive(PlotWidget.margin_left, 8)

    def on_mount(self) -> None:
        super().on_mount()
        self.set_x_formatter(ShortFormatter())
        self.set_y_formatter(ShortFormatter())

    def _update_legend(self) -> None:
        # The legend is a Static: updating it costs a layout pass of the whole screen, so it is
        # updated once per show(), and only when what it lists changed.
        if not self._hold_legend:
            super()._update_legend()

    def show(self, series: Sequence[Series], log_y: bool = False, *, legend: bool = True) -> None:
        """Replace what is drawn by ``series``."""
        self._hold_legend = True
        try:
            self._show(series, log_y, legend)
        finally:
            self._hold_legend = False
        key = (tuple(self._labels), tuple(getattr(d, "line_style", None) for d in self._datasets),
               self._legend_visible, self.size)
        if key != self._legend_key:
            self._legend_key = key
            self.show_legend(LegendLocation.TOPRIGHT, is_visible=self._legend_visible)

    def _show(self, series: Sequence[Series], log_y: bool, legend: bool) -> None:
        self.clear()
        self.log_y = log_y
        self.set_y_formatter(LogFormatter() if log_y else ShortFormatter())
        labelled = False
        xs_all = [v for s in series for v in (s.x[:1] + s.x[-1:])]
        if xs_all:
            self.set_xticks(nice_ticks(min(xs_all), max(xs_all),
                                       max(1, (self.size.width - self.margin_left) // 10)))
        for s in series:
            if not s.x:
                continue
            x = np.asarray(s.x, dtype=float)
            y = np.asarray(s.y, dtype=float)
            with np.errstate(all="ignore"):
                keep = np.isfinite(y) & np.isfinite(x)
                if log_y:
                    keep &= y > 0
                x, y = x[keep], y[keep]
                if log_y:
                    y = np.log10(y)
            if not len(x):
                continue
            x, y = thin(x, y)
            if s.scatter:
                self.scatter(x, y, marker="•", marker_style=s.color,
                             label=s.label or None)
            else:
                self.plot(x, y, line_style=s.color, hires_mode=HiResMode.BRAILLE,
                          label=s.label or None)
            labelled = labelled or bool(s.label)
        # a legend would hide most of a narrow plot: the status line's colours say the same
        wide = self.size.width == 0 or self.size.width >= 44
        self._legend_visible = legend and labelled and wide
        self.redraws += 1


def bars_text(layers: Sequence[str], columns: Sequence[tuple[str, str, Sequence[float]]],
              width: int = 10, ascii_only: bool = False, total_width: int | None = None) -> Text:
    """Per-layer bars on a log scale, one column per variant: ``columns`` = (name, colour, norms).

    Gradient norms span many orders of magnitude (that is the lesson of vanishing gradients), so
    a bar's length is log10(norm) between the smallest and largest norm shown. Within
    ``total_width`` cells the bars shorten to fit, and when even that is too narrow the numbers
    beside them go (five variants at 80 columns): a column never wraps.
    """
    values = [v for _, _, norms in columns for v in norms if v and v > 0 and math.isfinite(v)]
    out = Text()
    if not values:
        return out
    lo, hi = math.log10(min(values)), math.log10(max(values))
    span = max(hi - lo, 1e-9)
    full, partial = ("#", "") if ascii_only else ("█", " ▏▎▍▌▋▊▉")
    name_w = max([len(n) for n in layers] + [5])
    number_w = 8
    if total_width is not None and columns:
        room = (total_width - name_w - 1) // len(columns)
        width = max(2, min(width, room - number_w))
        if room - number_w < 4:
            number_w = 0
            width = max(2, room - 2)
    col_w = width + (number_w or 1)
    out.append(" " * (name_w + 1))
    for name, color, _ in columns:
        if cell_len(name) > col_w - 1 and name.endswith(")") and "(" in name:
            name = name[name.rindex("(") + 1:-1]          # "기본 망(plain)" → its id, "plain"
        out.append(set_cell_size(name, col_w - 1) + " ", style=f"bold {color}")
    out.append("\n")
    for i, layer in enumerate(layers):
        out.append(f"{layer:<{name_w}} ")
        for _, color, norms in columns:
            v = norms[i] if i < len(norms) else None
            if v is None or not (v > 0 and math.isfinite(v)):
                out.append(" " * col_w)
                continue
            frac = 0.05 + 0.95 * (math.log10(v) - lo) / span
            cells = frac * width
            whole = int(cells)
            bar = full * whole
            if partial and whole < width:
                bar += partial[int((cells - whole) * 8)]
            out.append(f"{bar:<{width}}", style=color)
            if number_w:
                out.append(f" {short_number(v):<{number_w - 1}}", style="dim")
            elif col_w > width:
                out.append(" " * (col_w - width))
        out.append("\n")
    out.rstrip()
    return out


def histogram_text(rows: Sequence[tuple[str, str, Sequence[float], Sequence[float]]],
                   peak: str = "max {n}", height: int = 3, ascii_only: bool = False) -> Text:
    """Histograms one above the other, each ``height`` lines of vertical bars on one count scale
    (so a taller spike is more values): ``rows`` = (name, colour, edges, counts). Beside each name
    the count of its fullest bin (``peak``, formatted with ``n``); under the bars, the range."""
    out = Text()
    rows = [r for r in rows if len(r[3]) and len(r[2]) == len(r[3]) + 1]
    if not rows:
        return out
    top = max(max(counts) for *_, counts in rows) or 1
    levels = " .:-=+*#" if ascii_only else " ▁▂▃▄▅▆▇"
    full = "#" if ascii_only else "█"
    for name, color, edges, counts in rows:
        out.append(name, style=f"bold {color}")
        out.append("  " + peak.format(n=int(max(counts))) + "\n", style="dim")   # beside the name: no wrap
        eighths = [round(c / top * height * 8) for c in counts]
        for line in range(height - 1, -1, -1):
            for e in eighths:
                rest = e - line * 8
                out.append(full if rest >= 8 else levels[max(rest, 0)], style=color)
            out.append("\n")
        lo, hi = short_number(edges[0]), short_number(edges[-1])
        axis = f"{lo}{' ' * max(1, len(counts) - len(lo) - len(hi))}{hi}"
        out.append(axis + "\n", style="dim")
    out.rstrip()
    return out
