"""Small heatmaps side by side, as text: each value grid a tile of half blocks (``▀``: the top
pixel in the foreground colour, the bottom one in the background), its title above it and its
range below, the tiles laid out in as many columns as gives them the largest pixels.

A tile is scaled to fit (nearest neighbour, never stretched out of its aspect), so a 3×3 filter
and a 21×21 loss slice both fill what the panel has. Colours run along a sequential ramp, each tile
on its own range (its title says what, its range line says how much). In ASCII mode each cell is
one pixel, painted as a space on its colour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text

from .heatmap import sequential_cmap
from .plots import short_number


@dataclass
class Tile:
    title: str
    values: np.ndarray                 # rows from the bottom of the picture to its top
    log: bool = False                  # colour by log10 of the value (a loss surface)
    mark: tuple[float, float] | None = None   # (column, row) in grid units, drawn as ×
    color: str = ""                    # the title's colour (the variant's)
    short_title: str = ""              # said instead when the title does not fit (a variant's id)


def layout(tiles: list[Tile], width: int, height: int, pixel_rows_per_cell: int) -> tuple[int, float]:
    """The number of columns and the pixel size (in grid cells per pixel⁻¹) that make the tiles
    largest within ``width`` × ``height`` cells (two text lines per tile row are its title and range)."""
    best = (1, 0.0)
    n = len(tiles)
    rows_of = max(t.values.shape[0] for t in tiles)
    cols_of = max(t.values.shape[1] for t in tiles)
    for cols in range(1, n + 1):
        rows = math.ceil(n / cols)
        cell_w = (width - (cols - 1)) // cols
        cell_h = (height // rows) - 2
        if cell_w < 3 or cell_h < 1:
            continue
        scale = min(cell_w / cols_of, cell_h * pixel_rows_per_cell / rows_of)
        if scale > best[1]:
            best = (cols, scale)
    return best


def _resample(values: np.ndarray, rows: int, cols: int) -> np.ndarray:
    r = np.minimum((np.arange(rows) * values.shape[0] / rows).astype(int), values.shape[0] - 1)
    c = np.minimum((np.arange(cols) * values.shape[1] / cols).astype(int), values.shape[1] - 1)
    return values[np.ix_(r, c)]


def _normalised(tile: Tile) -> tuple[np.ndarray, float, float]:
    v = np.asarray(tile.values, dtype=float)
    finite = v[np.isfinite(v)]
    if finite.size == 0:
        return np.full(v.shape, np.nan), math.nan, math.nan
    lo, hi = float(finite.min()), float(finite.max())
    if tile.log and lo > 0:
        v, a, b = np.log10(v), math.log10(lo), math.log10(hi)
    else:
        a, b = lo, hi
    return (v - a) / (b - a) if b > a else np.zeros_like(v), lo, hi


def tiles_text(tiles: list[Tile], width: int, height: int, ascii_only: bool = False) -> Text:
    """The tiles drawn within ``width`` × ``height`` cells (empty text when nothing fits)."""
    out = Text()
    if not tiles or width < 3 or height < 3:
        return out
    per_cell = 1 if ascii_only else 2
    cols, scale = layout(tiles, width, height, per_cell)
    if scale <= 0:
        return out
    cell_w = (width - (cols - 1)) // cols
    for start in range(0, len(tiles), cols):
        row_tiles = tiles[start:start + cols]
        drawn = []
        for t in row_tiles:
            gh, gw = t.values.shape
            pw = max(1, min(cell_w, round(gw * scale)))
            ph = max(1, round(gh * scale))
            ph += (-ph) % per_cell
            norm, lo, hi = _normalised(t)
            pix = _resample(norm[::-1], ph, pw)           # top row first
            rgb = sequential_cmap(pix)
            mark = None
            if t.mark is not None:
                mc = int(min(pw - 1, max(0, t.mark[0] / gw * pw)))
                mr = int(min(ph - 1, max(0, (gh - 1 - t.mark[1]) / gh * ph)))
                mark = (mr // per_cell, mc)
            drawn.append((t, pw, ph, rgb, mark, lo, hi))
        # titles
        for i, (t, pw, *_rest) in enumerate(drawn):
            if i:
                out.append(" ")
            title = t.short_title if t.short_title and cell_len(t.title) > cell_w else t.title
            out.append(set_cell_size(title, cell_w), style=t.color or "bold")   # Korean is two cells wide
        out.append("\n")
        lines = max(ph // per_cell for _t, _pw, ph, *_r in drawn)
        for line in range(lines):
            for i, (t, pw, ph, rgb, mark, _lo, _hi) in enumerate(drawn):
                if i:
                    out.append(" ")
                for c in range(cell_w):
                    if c >= pw or line * per_cell >= ph:
                        out.append(" ")
                        continue
                    top = rgb[line * per_cell, c]
                    if ascii_only:
                        bg = Style(bgcolor=f"rgb({top[0]},{top[1]},{top[2]})")
                        out.append("x" if mark == (line, c) else " ", style=bg + Style(color="white"))
                        continue
                    bottom = rgb[line * per_cell + 1, c]
                    style = Style(color=f"rgb({top[0]},{top[1]},{top[2]})",
                                  bgcolor=f"rgb({bottom[0]},{bottom[1]},{bottom[2]})")
                    if mark == (line, c):
                        out.append("×", style=Style(color="white", bold=True,
                                                    bgcolor=f"rgb({top[0]},{top[1]},{top[2]})"))
                    else:
                        out.append("▀", style=style)
            out.append("\n")
        for i, (t, _pw, _ph, _rgb, _mark, lo, hi) in enumerate(drawn):
            if i:
                out.append(" ")
            dots, dash = ("...", "-") if ascii_only else ("…", "—")
            span = f"{short_number(lo)}{dots}{short_number(hi)}" if math.isfinite(lo) else dash
            if t.log:
                span += " log"
            out.append(set_cell_size(span, cell_w), style="dim")
        out.append("\n")
    out.rstrip()
    return out
