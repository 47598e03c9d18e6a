"""Curves in a terminal without a UI library: braille dots (2×4 a character), y labels on the left.

The TUI draws its curves with textual-plot (a Textual widget); ``tutor run`` prints to any terminal
or a pipe, where only rich is there, so it draws its own, in the same palette.
"""

from __future__ import annotations

import math

_DOTS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))  # [row][col] of a braille cell


def braille_plot(series: list[tuple], width: int = 60, height: int = 14, log_y: bool = False):
    """A rich Text: ``series`` of ``(label, points, is_validation, colour)`` as braille lines
    (2×4 dots a character), y labels on the left, a legend below."""
    from rich.text import Text  # noqa: PLC0415

    def fy(v):
        return math.log10(v) if log_y else v

    pts_all = [(x, fy(y)) for _, pts, *_ in series for x, y in pts
               if math.isfinite(y) and (not log_y or y > 0)]
    if not pts_all:
        return None
    xs = [p[0] for p in pts_all]
    ys = [p[1] for p in pts_all]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    if x1 == x0:
        x1 = x0 + 1
    if y1 == y0:
        y1 = y0 + 1
    W, H = width * 2, height * 4
    cells = [[0] * width for _ in range(height)]
    owner = [[-1] * width for _ in range(height)]

    def dot(px, py, idx):
        if 0 <= px < W and 0 <= py < H:
            r, c = py // 4, px // 2
            cells[r][c] |= _DOTS[py % 4][px % 2]
            owner[r][c] = idx

    for idx, (_, pts, *_) in enumerate(series):
        prev = None
        for x, y in pts:
            if not math.isfinite(y) or (log_y and y <= 0):
                prev = None
                continue
            px = round((x - x0) / (x1 - x0) * (W - 1))
            py = round((1 - (fy(y) - y0) / (y1 - y0)) * (H - 1))
            if prev is None:
                dot(px, py, idx)
            else:
                n = max(abs(px - prev[0]), abs(py - prev[1]), 1)
                for k in range(1, n + 1):
                    dot(round(prev[0] + (px - prev[0]) * k / n), round(prev[1] + (py - prev[1]) * k / n), idx)
            prev = (px, py)

    def label(v):
        val = 10 ** v if log_y else v
        return f"{val:9.3g}"

    text = Text()
    for r in range(height):
        if r == 0:
            lab = label(y1)
        elif r == height - 1:
            lab = label(y0)
        elif r == height // 2:
            lab = label((y0 + y1) / 2)
        else:
            lab = " " * 9
        text.append(lab + " ┤" if lab.strip() else lab + " │", style="dim")
        for c in range(width):
            ch = chr(0x2800 + cells[r][c]) if cells[r][c] else " "
            text.append(ch, style=series[owner[r][c]][3] if owner[r][c] >= 0 else None)
        text.append("\n")
    text.append(" " * 10 + "└" + "─" * width + "\n", style="dim")
    left, right = f"{x0:g}", f"{x1:g}"
    text.append(" " * 11 + left + " " * max(1, width - len(left) - len(right)) + right + "\n", style="dim")
    for name, _, _, color in series:
        text.append("  ■ ", style=color)
        text.append(name or "loss")
    return text


