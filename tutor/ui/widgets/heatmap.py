"""A heatmap drawn with half blocks: two square pixels a cell (``▀``, top pixel in the foreground
colour, bottom pixel in the background colour), with marks (data points, trajectories) on top.

Used for the decision boundary of 2-D classification (probability of class 1, orange ↔ blue as in
the TensorFlow Playground, the training points over it) and for a loss surface with optimizer
trajectories. The domain is drawn with square pixels: a square domain fills a region twice as wide
(in cells) as it is high.

When the app has the ``ascii`` class (terminals that draw block characters two cells wide), each
cell is one pixel painted as a space with a background colour, and marks use ASCII letters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

Cmap = Callable[[np.ndarray], np.ndarray]

CLASS0 = (245, 147, 34)   # orange
CLASS1 = (8, 119, 189)    # blue
NEUTRAL = (40, 40, 40)
POINT0 = "#ffab40"
POINT1 = "#40c4ff"


def diverging_cmap(values: np.ndarray) -> np.ndarray:
    """p(class 1) in [0, 1] -> RGB: orange (0) through dark grey (0.5) to blue (1)."""
    v = np.clip(np.nan_to_num(values, nan=0.5), 0.0, 1.0)[..., None]
    strength = np.abs(v - 0.5) * 2 * 0.75  # backgrounds stay below full colour: points stand out
    target = np.where(v >= 0.5, np.array(CLASS1), np.array(CLASS0))
    rgb = np.array(NEUTRAL) * (1 - strength) + target * strength
    return rgb.astype(np.uint8)


_SEQ = np.array([(13, 8, 135), (84, 2, 163), (139, 10, 165), (185, 50, 137), (219, 92, 104),
                 (244, 136, 73), (254, 188, 43), (240, 249, 33)], dtype=float)  # plasma-like


def sequential_cmap(values: np.ndarray) -> np.ndarray:
    """[0, 1] -> RGB along a plasma-like ramp (low = dark blue, high = yellow)."""
    v = np.clip(np.nan_to_num(values, nan=1.0), 0.0, 1.0) * (len(_SEQ) - 1)
    i = np.minimum(v.astype(int), len(_SEQ) - 2)
    f = (v - i)[..., None]
    return (_SEQ[i] * (1 - f) + _SEQ[i + 1] * f).astype(np.uint8)


def _rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


@dataclass
class Mark:
    x: float
    y: float
    color: str
    char: str = "●"
    ascii_char: str = "o"
    #: drawn as one half-block pixel (the rest of the cell still shows the map) instead of a char
    pixel: bool = False


class Heatmap(Widget, can_focus=False):
    DEFAULT_CSS = """
    Heatmap { height: 1fr; min-height: 4; }
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.values: np.ndarray | None = None
        self.x_range = (0.0, 1.0)
        self.y_range = (0.0, 1.0)
        self.marks: list[Mark] = []
        self.cmap: Cmap = diverging_cmap
        self.square = True
        self._strips: list[Strip] | None = None
        self._strips_key: tuple | None = None
        self.redraws = 0

    # -- data ------------------------------------------------------------------------------

    def set_data(self, values: Sequence[Sequence[float]] | np.ndarray | None,
                 x_range: Sequence[float], y_range: Sequence[float],
                 marks: Sequence[Mark] = (), cmap: Cmap | None = None,
                 square: bool = True) -> None:
        """``values`` rows go from y = lo (bottom) to y = hi (top), columns from x = lo to hi."""
        self.values = None if values is None else np.asarray(values, dtype=float)
        self.x_range = (float(x_range[0]), float(x_range[1]))
        self.y_range = (float(y_range[0]), float(y_range[1]))
        self.marks = list(marks)
        if cmap is not None:
            self.cmap = cmap
        self.square = square
        self._strips = None
        self.refresh()

    @property
    def ascii_only(self) -> bool:
        try:
            return self.app.has_class("ascii")
        except Exception:  # noqa: BLE001 - not attached to an app
            return False

    # -- drawing ---------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        key = (width, height, self.ascii_only)
        if self._strips is None or self._strips_key != key:
            self._strips = self._build(width, height, self.ascii_only)
            self._strips_key = key
            self.redraws += 1
        if 0 <= y < len(self._strips):
            return self._strips[y]
        return Strip.blank(width)

    def _area(self, width: int, height: int) -> tuple[int, int]:
        """Cells used by the map: a square domain gets twice as many columns as rows."""
        if not self.square:
            return width, height
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        aspect = abs(x1 - x0) / max(abs(y1 - y0), 1e-12)   # domain width / height
        cols = min(width, int(round(2 * height * aspect)))
        rows = min(height, int(round(cols / (2 * aspect))))
        return max(cols, 1), max(rows, 1)

    def _build(self, width: int, height: int, ascii_only: bool) -> list[Strip]:
        if width <= 0 or height <= 0 or self.values is None or self.values.size == 0:
            return [Strip.blank(width) for _ in range(max(height, 0))]
        cols, rows = self._area(width, height)
        left = (width - cols) // 2
        per_cell = 1 if ascii_only else 2
        prows = rows * per_cell
        grid = self.values
        n_y, n_x = grid.shape[:2]
        # nearest grid sample for each pixel; pixel row 0 is the top (y = hi)
        yi = ((prows - 1 - np.arange(prows) + 0.5) / prows * n_y).astype(int).clip(0, n_y - 1)
        xi = ((np.arange(cols) + 0.5) / cols * n_x).astype(int).clip(0, n_x - 1)
        rgb = self.cmap(grid[np.ix_(yi, xi)])
        rgb = (rgb // 4) * 4  # fewer distinct styles, no visible difference
        if not ascii_only:
            for (px, py), color in self._mark_pixels(cols, prows).items():
                rgb[py, px] = color
        marks = self._mark_cells(cols, rows, pixel=ascii_only)
        styles: dict = {}
        strips = []
        pad_l = Segment(" " * left) if left else None
        pad_r = Segment(" " * (width - cols - left)) if width - cols - left else None
        for r in range(rows):
            tops = [tuple(px) for px in rgb[r * per_cell].tolist()]
            bottoms = [tuple(px) for px in rgb[r * per_cell + per_cell - 1].tolist()]
            segments: list[Segment] = [pad_l] if pad_l else []
            run_style, run_text = None, []
            for c in range(cols):
                top, bottom = tops[c], bottoms[c]
                mark = marks.get((c, r))
                if mark is not None:
                    bg = tuple((a + b) // 2 for a, b in zip(top, bottom))
                    char = mark.ascii_char if ascii_only else mark.char
                    skey = ("m", mark.color, bg)
                    style = styles.get(skey)
                    if style is None:
                        style = styles[skey] = Style(color=mark.color, bgcolor=f"rgb{bg}", bold=True)
                elif ascii_only:
                    char = " "
                    skey = (None, top)
                    style = styles.get(skey)
                    if style is None:
                        style = styles[skey] = Style(bgcolor=f"rgb{top}")
                else:
                    char = "▀"
                    skey = (top, bottom)
                    style = styles.get(skey)
                    if style is None:
                        style = styles[skey] = Style(color=f"rgb{top}", bgcolor=f"rgb{bottom}")
                if style is run_style:
                    run_text.append(char)
                else:
                    if run_text:
                        segments.append(Segment("".join(run_text), run_style))
                    run_style, run_text = style, [char]
            if run_text:
                segments.append(Segment("".join(run_text), run_style))
            if pad_r:
                segments.append(pad_r)
            strips.append(Strip(segments, width))
        strips.extend(Strip.blank(width) for _ in range(height - rows))
        return strips

    def _mark_pixels(self, cols: int, prows: int) -> dict:
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        dx = (x1 - x0) or 1.0
        dy = (y1 - y0) or 1.0
        out: dict = {}
        for m in self.marks:
            if not m.pixel:
                continue
            fx = (m.x - x0) / dx
            fy = (y1 - m.y) / dy
            if 0 <= fx <= 1 and 0 <= fy <= 1:
                out[(min(int(fx * cols), cols - 1), min(int(fy * prows), prows - 1))] = \
                    _rgb(m.color)
        return out

    def _mark_cells(self, cols: int, rows: int, pixel: bool = False) -> dict:
        """Marks drawn as characters (pixel marks too when ``pixel``: the ASCII drawing)."""
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        dx = (x1 - x0) or 1.0
        dy = (y1 - y0) or 1.0
        out: dict = {}
        for m in self.marks:
            if m.pixel and not pixel:
                continue
            fx = (m.x - x0) / dx
            fy = (y1 - m.y) / dy
            if not (0 <= fx <= 1 and 0 <= fy <= 1):
                continue
            c = min(int(fx * cols), cols - 1)
            r = min(int(fy * rows), rows - 1)
            out[(c, r)] = m   # later marks win (e.g. the newest point of a trajectory)
        return out
