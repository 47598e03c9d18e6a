"""What ``tutor run`` draws of a run: one class per kind of view, each drawing itself in the terminal
(rich) and in the PNG (a matplotlib Axes), from the fold (:class:`tutor.experiments.state.RunState`).

A view that has nothing to show for a run says so with ``shows``; the terminal prints the views
that show, in ``VIEWS`` order, and the PNG gives each one that draws there a panel. A new kind of
picture is one class here, added to ``VIEWS``.
"""

from __future__ import annotations

import math

from tutor.experiments import variant_label
from tutor.experiments.palette import color_for
from tutor.experiments.state import RunState, heatmap_grid
from tutor.i18n import STRINGS, tr


def word(key: str, lang: str, **values) -> str:
    """The string ``run.cli.KEY`` in ``lang``; a key without one (a metric like ``error``) as it is."""
    return tr(f"run.cli.{key}", lang, **values) if f"run.cli.{key}" in STRINGS else key


def smooth(pts: list, alpha: float = 0.1) -> list:
    """An exponential moving average: mini-batch losses are noisy."""
    out, m = [], None
    for x, y in pts:
        m = y if m is None or not math.isfinite(m) else (1 - alpha) * m + alpha * y
        out.append((x, m))
    return out


def curves(state: RunState, compact: bool = False, lang: str = "en") -> tuple[list[tuple], str, bool]:
    """The series to draw, as ``(label, points, is_validation, colour)`` (the variant's colour,
    validation in its darker shade: the TUI's palette). ``compact`` (the terminal):
    comparisons with a validation loss show only it, single runs show the smoothed training loss
    and the validation loss. Labels are in ``lang``."""
    plot = state.plot
    y = plot.get("y", "loss")
    log_y = bool(plot.get("log_y"))
    train_word, val_word = word("train", lang), word("val", lang)
    out = []
    stepped = [v for v in state.variants.values() if v.series]
    many = len(stepped) > 2
    for v in stepped:
        s = {k: c.points() for k, c in v.series.items()}
        label = variant_label(v.name, lang) if v.name != "main" else ""
        if y in ("loss", "val_loss"):
            only_val = compact and many and s.get("val_loss")
            if s.get("loss") and not only_val:
                train = smooth(s["loss"]) if compact and s.get("val_loss") else s["loss"]
                out.append((f"{label} {train_word}".strip(), train, False, color_for(v.index)))
            if s.get("val_loss"):
                out.append((f"{label} {val_word}".strip(), s["val_loss"], True, color_for(v.index, True)))
        elif y in ("accuracy", "val_accuracy"):
            for key in ("accuracy", "val_accuracy"):
                if s.get(key):
                    is_val = key == "val_accuracy"
                    out.append((f"{label} {val_word if is_val else train_word}".strip(), s[key], is_val,
                                color_for(v.index, is_val)))
        elif s.get(y):
            out.append((label or y, s[y], False, color_for(v.index)))
    return out, y, log_y


class View:
    """A kind of picture. ``terminal`` prints it; ``png`` draws it on one Axes (None: not in
    the PNG). Both get the run folded and the learner's language."""

    png = None

    def shows(self, state: RunState) -> bool:
        raise NotImplementedError

    def terminal(self, console, state: RunState, lang: str) -> None:
        """Nothing by default: a picture that only a figure can show."""


class Curves(View):
    def shows(self, state: RunState) -> bool:
        return bool(curves(state)[0])

    def terminal(self, console, state, lang):
        from .braille import braille_plot  # noqa: PLC0415

        series, y, log_y = curves(state, compact=True, lang=lang)
        title = (state.y_label(lang) or word(y, lang)) + (f" — {word('log', lang)}" if log_y else "")
        console.print(f"\n[bold]{title}[/]")
        console.print(braille_plot(series, log_y=log_y))

    def png(self, ax, state, lang):
        series, y, log_y = curves(state, lang=lang)
        y_label = state.y_label(lang) or word(y, lang)
        for name, pts, is_val, color in series:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], label=name or y_label,
                    color=color, linestyle="--" if is_val else "-")
        if log_y:
            ax.set_yscale("log")
        ax.set_xlabel(word("png_step", lang))
        ax.set_ylabel(y_label)
        ax.set_title(y_label + (f" — {word('log', lang)}" if log_y else ""))
        if series:
            ax.legend(fontsize=8)
        ax.grid(alpha=0.3)


class Boundary(View):
    def shows(self, state):
        return state.boundary is not None

    def png(self, ax, state, lang):
        import numpy as np  # noqa: PLC0415

        e = state.boundary
        grid = np.array(e["grid"])
        ax.imshow(grid, origin="lower", extent=[*e["x_range"], *e["y_range"]], cmap="RdBu_r",
                  vmin=0, vmax=1, aspect="auto", alpha=0.8)
        pts = np.array(e["points"]) if e["points"] else np.zeros((0, 3))
        if len(pts):
            ax.scatter(pts[:, 0], pts[:, 1], c=pts[:, 2], cmap="RdBu_r", vmin=0, vmax=1,
                       edgecolors="k", s=18)
        v = e.get("variant", "main")
        ax.set_title(word("png_boundary", lang, v=variant_label(v, lang), step=e["step"]))
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")


class Fit(View):
    def shows(self, state):
        return any(v.fit for v in state.variants.values())

    def png(self, ax, state, lang):
        import numpy as np  # noqa: PLC0415

        fits = [v for v in state.variants.values() if v.fit]
        first = fits[0].fit
        ax.plot(first["x"], first["y_true"], "k.", ms=3, label=word("png_target", lang))
        if first.get("points"):
            p = np.array(first["points"])
            ax.plot(p[:, 0], p[:, 1], "ko", ms=4, mfc="none", label=word("png_points", lang))
        for idx, v in enumerate(fits):
            ax.plot(v.fit["x"], v.fit["y_pred"], color=color_for(idx), label=variant_label(v.name, lang))
        ax.legend(fontsize=8)
        ax.set_title(word("png_fit", lang))
        ax.set_xlabel("x")
        ax.set_ylabel("y")


class Trajectory(View):
    def shows(self, state):
        return any(v.trajectory for v in state.variants.values())

    def png(self, ax, state, lang):
        import numpy as np  # noqa: PLC0415

        paths = [v for v in state.variants.values() if v.trajectory]
        s = state.surface
        if s:
            X, Y = np.meshgrid(s["x"], s["y"])
            ax.contour(X, Y, np.array(s["z"]), levels=25, cmap="viridis", linewidths=0.7)
        for idx, v in enumerate(paths):
            p = np.array(v.trajectory)
            ax.plot(p[:, 0], p[:, 1], ".-", ms=2, color=color_for(idx), label=variant_label(v.name, lang))
        saddle = state.landmarks.get("saddle")
        if saddle:
            ax.plot(*saddle, "kx", ms=8, label=word("png_saddle", lang))
        ax.legend(fontsize=8)
        ax.set_title(word("png_trajectory", lang))


class GradNorms(View):
    def shows(self, state):
        return any(v.grad_norms for v in state.variants.values())

    def terminal(self, console, state, lang):
        items = [v for v in state.variants.values() if v.grad_norms]
        console.print(f"\n[bold]{word('grad_norms', lang)}[/]")
        allv = [g for v in items for g in v.grad_norms if g and g > 0]
        lo, hi = (math.log10(min(allv)), math.log10(max(allv))) if allv else (0, 1)
        span = max(hi - lo, 1e-9)
        for idx, v in enumerate(items):
            color = color_for(idx)
            console.print(f"[{color}]{variant_label(v.name, lang)}[/]")
            for i, g in enumerate(v.grad_norms):
                n = 0 if not g or g <= 0 else 1 + int((math.log10(g) - lo) / span * 40)
                console.print(f"  {i + 1:>2} [{color}]{'█' * n}[/] {g or 0:.2e}")

    def png(self, ax, state, lang):
        import numpy as np  # noqa: PLC0415

        items = [v for v in state.variants.values() if v.grad_norms]
        n_layers = max(len(v.grad_norms) for v in items)
        width = 0.8 / len(items)
        for idx, v in enumerate(items):
            gs = [g or 0.0 for g in v.grad_norms]
            ax.bar(np.arange(len(gs)) + idx * width, gs, width, label=variant_label(v.name, lang),
                   color=color_for(idx))
        ax.set_yscale("log")
        ax.set_xticks(np.arange(n_layers) + 0.4 - width / 2, [str(i + 1) for i in range(n_layers)])
        ax.set_xlabel(word("png_layer", lang))
        ax.set_ylabel("‖∂L/∂θ‖")
        ax.set_title(word("png_grad_norms", lang))
        ax.legend(fontsize=8)


class Confusion(View):
    def shows(self, state):
        return state.confusion is not None

    def terminal(self, console, state, lang):
        from rich.table import Table  # noqa: PLC0415

        c = state.confusion
        t = Table(title=word("confusion", lang))
        t.add_column("")
        for lab in c["labels"]:
            t.add_column(str(lab), justify="right")
        for i, (lab, row) in enumerate(zip(c["labels"], c["matrix"])):
            t.add_row(str(lab), *[f"[bold green]{n}[/]" if i == j else (str(n) if n else "[dim]·[/]")
                                  for j, n in enumerate(row)])
        console.print(t)

    def png(self, ax, state, lang):
        import numpy as np  # noqa: PLC0415

        c = state.confusion
        m = np.array(c["matrix"])
        ax.imshow(m, cmap="Blues")
        for i in range(m.shape[0]):
            for j in range(m.shape[1]):
                if m[i, j]:
                    ax.text(j, i, str(m[i, j]), ha="center", va="center", fontsize=7)
        ax.set_xticks(range(len(c["labels"])), c["labels"])
        ax.set_yticks(range(len(c["labels"])), c["labels"])
        ax.set_xlabel(word("png_predicted", lang))
        ax.set_ylabel(word("png_actual", lang))
        ax.set_title(word("png_confusion", lang))


class Gradcheck(View):
    def shows(self, state):
        return state.gradcheck is not None

    def terminal(self, console, state, lang):
        from rich.table import Table  # noqa: PLC0415

        t = Table(title=word("gradcheck", lang))
        for key in ("layer", "analytic", "numeric", "rel_error"):
            t.add_column(word(key, lang), justify="right" if key != "layer" else "left")
        for name, a, n, err in state.gradcheck["rows"]:
            style = "green" if err < 1e-6 else "red"
            t.add_row(str(name), f"{a:.6g}", f"{n:.6g}", f"[{style}]{err:.2e}[/]")
        console.print(t)

    def png(self, ax, state, lang):
        rows = state.gradcheck["rows"]
        ax.bar(range(len(rows)), [max(r[3], 1e-16) for r in rows])
        ax.axhline(1e-6, color="r", linestyle="--", label="1e-6")
        ax.set_yscale("log")
        ax.set_xticks(range(len(rows)), [str(r[0]) for r in rows], fontsize=7)
        ax.set_ylabel(word("png_rel_error", lang))
        ax.set_title(word("png_gradcheck", lang))
        ax.legend(fontsize=8)


def _title(ev: dict, lang: str) -> str:
    title = ev.get("title")
    return title.get(lang) or title.get("en", "") if isinstance(title, dict) else str(ev.get("name", ""))


class Heatmaps(View):
    """Every variant's latest heatmaps, side by side in one panel (the PNG only, as the boundary)."""

    def shows(self, state):
        return any(v.heatmaps for v in state.variants.values())

    def png(self, ax, state, lang):
        import numpy as np  # noqa: PLC0415

        tiles, names, titles = [], [], []
        for v in state.variants.values():
            for ev in v.heatmaps.values():
                g = heatmap_grid(ev)
                if g.ndim != 2 or not np.isfinite(g).any():
                    continue
                if ev.get("log") and np.nanmin(g) > 0:
                    g = np.log10(g)
                lo, hi = np.nanmin(g), np.nanmax(g)
                tiles.append((g - lo) / (hi - lo) if hi > lo else np.zeros_like(g))
                titles.append(_title(ev, lang))
                label = variant_label(v.name, lang)
                names.append(f"{label}: {titles[-1]}" if len(state.variants) > 1 else titles[-1])
        height = max(t.shape[0] for t in tiles)
        x = 0
        for tile, name in zip(tiles, names):
            h, w = tile.shape
            ax.imshow(tile, origin="lower", extent=[x, x + w, 0, h * height / h], cmap="plasma",
                      vmin=0, vmax=1, aspect="auto")
            ax.text(x + w / 2, height * 1.02, name, ha="center", va="bottom", fontsize=7)
            x += w + max(1, w // 8)
        ax.set_xlim(0, x)
        ax.set_ylim(0, height * 1.12)
        ax.set_axis_off()
        ax.set_title(" · ".join(dict.fromkeys(titles)))


class Histograms(View):
    def shows(self, state):
        return any(v.histogram for v in state.variants.values())

    def terminal(self, console, state, lang):
        items = [v for v in state.variants.values() if v.histogram]
        console.print(f"\n[bold]{_title(items[0].histogram, lang)}[/]")
        top = max((max(v.histogram.get("counts") or [0]) for v in items), default=0) or 1
        for v in items:
            color = color_for(v.index)
            h = v.histogram
            console.print(f"[{color}]{variant_label(v.name, lang)}[/]")
            for lo, hi, c in zip(h["edges"], h["edges"][1:], h["counts"]):
                console.print(f"  {lo:>8.3g} … {hi:<8.3g} [{color}]{'█' * round(c / top * 40)}[/] {c}")

    def png(self, ax, state, lang):
        items = [v for v in state.variants.values() if v.histogram]
        for v in items:
            ax.stairs(v.histogram["counts"], v.histogram["edges"], label=variant_label(v.name, lang),
                      color=color_for(v.index))
        ax.set_title(_title(items[0].histogram, lang))
        ax.legend(fontsize=8)


class Summary(View):
    """The finish table: each variant's status and figures, and the run's message."""

    def shows(self, state):
        return state.finish is not None

    def terminal(self, console, state, lang):
        from rich.cells import cell_len  # noqa: PLC0415
        from rich.table import Table  # noqa: PLC0415

        fin = state.finish
        rows = fin["variants"]
        t = Table()
        # names and statuses are never cut: the number columns' headers wrap instead
        names = [variant_label(v, lang) for v in rows]
        states = [word(f"st_{s.get('status')}", lang) if f"run.cli.st_{s.get('status')}" in STRINGS
                  else str(s.get("status")) for s in rows.values()]
        t.add_column(word("variant", lang), no_wrap=True, min_width=max(map(cell_len, names), default=4))
        t.add_column(word("status", lang), no_wrap=True, min_width=max(map(cell_len, states), default=4))
        t.add_column(word("step", lang), justify="right", min_width=5)
        keys = [k for k in ("loss", "val_loss", "accuracy", "val_accuracy", "test_accuracy", "error")
                if any(isinstance(s.get(k), (int, float)) for s in rows.values())]
        for k in keys:
            t.add_column(word(k, lang), justify="right", min_width=max(len(_num(s.get(k))) for s in rows.values()))
        for idx, s in enumerate(rows.values()):
            style = {"done": "green", "diverged": "red", "stopped": "yellow"}.get(s.get("status"), "")
            t.add_row(f"[{color_for(idx)}]{names[idx]}[/]", f"[{style}]{states[idx]}[/]",
                      str(s.get("step")), *[_num(s.get(k)) for k in keys])
        console.print(t)
        console.print(f"[bold]{fin['message'][lang]}[/]")


def _num(x) -> str:
    if isinstance(x, bool) or x is None:
        return "—"
    if isinstance(x, (int, float)):
        return f"{x:.4g}"
    return str(x)


#: Every view, in the order the terminal prints them and the PNG lays out its panels.
VIEWS: list[View] = [Curves(), Boundary(), Fit(), Trajectory(), GradNorms(), Confusion(), Gradcheck(),
                     Heatmaps(), Histograms(), Summary()]
