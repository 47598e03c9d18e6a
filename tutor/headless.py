"""`tutor run NAME [--set k=v ...] [--seed N] [--json] [--save F.png]`: an experiment without the TUI.

--json prints one JSON object per event and nothing else on stdout (the TUI reads this from a child
process); otherwise a rich progress bar, then the loss curves drawn in braille, a summary table and
the experiment's own pictures where it has them. --save also writes the plot as a PNG (matplotlib,
Agg). Bad parameters: one line on stderr, exit 2.
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path

from tutor.i18n import translate

COLORS = ["cyan", "magenta", "yellow", "green", "red", "blue", "bright_white", "bright_cyan"]
MPL_COLORS = ["tab:cyan", "tab:purple", "tab:orange", "tab:green", "tab:red", "tab:blue", "black", "tab:olive"]

T = {
    "list_title": {"ko": "실험 목록 (experiments) — `tutor run 이름 --set 키=값`",
                   "en": "Experiments — `tutor run NAME --set key=value`"},
    "variant": {"ko": "변형 (variant)", "en": "variant"},
    "status": {"ko": "상태", "en": "status"},
    "step": {"ko": "걸음 (step)", "en": "step"},
    "loss": {"ko": "손실 (loss)", "en": "loss"},
    "val_loss": {"ko": "검증 손실 (val loss)", "en": "val loss"},
    "accuracy": {"ko": "정확도 (accuracy)", "en": "accuracy"},
    "val_accuracy": {"ko": "검증 정확도 (val acc)", "en": "val accuracy"},
    "running": {"ko": "학습 중", "en": "training"},
    "no_curve": {"ko": "(그릴 곡선이 없습니다)", "en": "(no curve to draw)"},
    "confusion": {"ko": "혼동 행렬 (confusion matrix): 행 = 실제, 열 = 예측",
                  "en": "Confusion matrix: rows = actual, columns = predicted"},
    "gradcheck": {"ko": "그라디언트 검사 (gradient check)", "en": "Gradient check"},
    "layer": {"ko": "층 (layer)", "en": "layer"},
    "analytic": {"ko": "해석적 ‖g‖", "en": "analytic ‖g‖"},
    "numeric": {"ko": "수치적 ‖g‖", "en": "numerical ‖g‖"},
    "rel_error": {"ko": "상대 오차", "en": "relative error"},
    "grad_norms": {"ko": "층별 그라디언트 크기 ‖∂L/∂θ‖ (마지막 측정)",
                   "en": "Per-layer gradient norms ‖∂L/∂θ‖ (last measured)"},
    "saved": {"ko": "그림을 저장했습니다: {path}", "en": "saved the plot to {path}"},
    "log": {"ko": "로그 눈금 (log scale)", "en": "log scale"},
    "params": {"ko": "매개변수(parameter)", "en": "parameters"},
    "name": {"ko": "이름", "en": "name"},
    "st_done": {"ko": "완료(done)", "en": "done"},
    "st_diverged": {"ko": "발산(diverged)", "en": "diverged"},
    "st_stopped": {"ko": "중지(stopped)", "en": "stopped"},
    "train": {"ko": "학습", "en": "train"},
    "val": {"ko": "검증", "en": "val"},
    "error": {"ko": "오차(error)", "en": "error"},
    "test_accuracy": {"ko": "테스트 정확도(test acc)", "en": "test accuracy"},
    # --save: checked before the run starts
    "save_no_ext": {"ko": "--save {path}: 확장자가 없습니다. {exts} 중 하나로 끝나야 합니다",
                    "en": "--save {path}: no file extension; use one of {exts}"},
    "save_bad_ext": {"ko": "--save {path}: {ext} 형식은 저장할 수 없습니다. {exts} 중 하나를 쓰세요",
                     "en": "--save {path}: cannot write {ext} files; use one of {exts}"},
    # the PNG (matplotlib): in English when no font with Hangul is installed
    "png_seed": {"ko": "시드(seed) {seed}", "en": "seed {seed}"},
    "png_step": {"ko": "걸음(step)", "en": "step"},
    "png_boundary": {"ko": "결정 경계(decision boundary) · {v} · {step}걸음",
                     "en": "decision boundary ({v}, step {step})"},
    "png_fit": {"ko": "적합(fit)", "en": "fit"},
    "png_target": {"ko": "목표(target)", "en": "target"},
    "png_points": {"ko": "학습 점(training points)", "en": "training points"},
    "png_trajectory": {"ko": "2차원 손실 곡면(loss surface) 위의 경로", "en": "trajectories on a 2-D loss surface"},
    "png_saddle": {"ko": "안장점(saddle)", "en": "saddle"},
    "png_confusion": {"ko": "혼동 행렬(confusion matrix)", "en": "confusion matrix"},
    "png_predicted": {"ko": "예측", "en": "predicted"},
    "png_actual": {"ko": "실제", "en": "actual"},
    "png_layer": {"ko": "층(layer)", "en": "layer"},
    "png_grad_norms": {"ko": "층별 그라디언트 크기(gradient norm)", "en": "per-layer gradient norms"},
    "png_rel_error": {"ko": "상대 오차(relative error)", "en": "relative error"},
    "png_gradcheck": {"ko": "해석적 vs 수치적 그라디언트", "en": "analytic vs numerical gradient"},
    "png_no_hangul": {"ko": "No font with Hangul is installed: the labels are in English.",
                      "en": "No font with Hangul is installed: the labels are in English."},
}

#: What ``--save`` can write (matplotlib's Agg canvas and its vector back ends).
SAVE_FORMATS = (".png", ".svg", ".pdf")


def tr(key: str, lang: str, **values: object) -> str:
    return translate(T, key, lang, **values)


def _err(msg: str) -> int:
    sys.stderr.write(f"tutor run: {msg}\n")
    sys.stderr.flush()
    return 2


def run_command(name, sets, seed, as_json, save, lang) -> int:
    # The lessons' matrices are small: one BLAS thread is faster than several fighting over 2 cores
    # (measured: overfitting 3.3 s instead of 6–9 s). Only takes effect before NumPy is imported.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    from tutor.experiments import REGISTRY, coerce_params, split_sets  # noqa: PLC0415

    lang = lang if lang in ("ko", "en") else "en"
    if not name:
        return list_experiments(lang)
    try:
        raw = split_sets(list(sets or []))
        if seed is not None:
            raw["seed"] = seed
        params = coerce_params(name, raw)
    except ValueError as err:
        return _err(err.in_lang(lang) if hasattr(err, "in_lang") else str(err))
    target = None
    if save is not None:
        target, problem = check_save(Path(save), lang)
        if problem:
            return _err(problem)   # before the run: nothing trained for a file we cannot write
    exp = REGISTRY[name]
    if as_json:
        events = run_json(exp, params)
    else:
        events = run_rich(exp, params, lang)
    if target is not None:
        from tutor.atomicfile import ExportError  # noqa: PLC0415

        try:
            save_png(events, target, lang)
        except ExportError as err:
            return _err(err.text(lang))
        if not as_json:
            print(tr("saved", lang, path=target))
    return 0


def check_save(path: Path, lang: str) -> tuple[Path, str | None]:
    """``(path, None)`` when ``--save`` can write there, else ``(path, one line)``: a directory,
    a missing folder or a device (atomicfile's own checks), no or an unknown file extension."""
    from tutor.atomicfile import ExportError, check_target  # noqa: PLC0415

    try:
        check_target(path)
    except ExportError as err:
        return path, f"--save {err.text(lang)}"
    exts = ", ".join(SAVE_FORMATS)
    if not path.suffix:
        return path, tr("save_no_ext", lang, path=path, exts=exts)
    if path.suffix.lower() not in SAVE_FORMATS:
        return path, tr("save_bad_ext", lang, path=path, ext=path.suffix, exts=exts)
    return path, None


def list_experiments(lang: str) -> int:
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    from tutor.experiments import REGISTRY  # noqa: PLC0415

    console = Console()
    table = Table(title=tr("list_title", lang), show_lines=True, expand=False)
    table.add_column(tr("name", lang), style="bold cyan", no_wrap=True)
    table.add_column(tr("params", lang))
    for exp in REGISTRY.values():
        ps = []
        for p in exp.params.values():
            bounds = p.bounds_text()
            ps.append(f"{p.name}={p.default}" + (f" [dim]({bounds})[/]" if bounds else ""))
        table.add_row(exp.name, f"[bold]{exp.title[lang]}[/]\n" + ", ".join(ps))
    console.print(table)
    return 0


# -- running ---------------------------------------------------------------------------------------

def run_json(exp, params) -> list[dict]:
    kept = []
    out = sys.stdout
    for event in exp.run(params, params.get("seed")):
        try:
            line = json.dumps(event, ensure_ascii=False, allow_nan=False)
        except ValueError:  # a NaN somewhere: JSON has none, write null
            from tutor.experiments.base import finite  # noqa: PLC0415

            line = json.dumps(finite(event), ensure_ascii=False, allow_nan=False)
        out.write(line + "\n")
        out.flush()
        kept.append(event)
    return kept


def run_rich(exp, params, lang) -> list[dict]:
    from rich.console import Console  # noqa: PLC0415
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn  # noqa: PLC0415

    console = Console()
    console.print(f"[bold]{exp.title[lang]}[/]  [dim]{exp.name}[/]")
    console.print(f"[dim]{exp.description[lang]}[/]")
    kept: list[dict] = []
    done_steps: dict[str, int] = {}
    total = 0
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[info]}"), TimeElapsedColumn(), console=console,
                  transient=False) as progress:
        task = progress.add_task(tr("running", lang), total=None, info="")
        for event in exp.run(params, params.get("seed")):
            kept.append(event)
            kind = event.get("event")
            v = event.get("variant", "main")
            if kind == "start":
                total += int(event.get("total_steps") or 0)
                progress.update(task, total=max(total, 1))
            elif kind == "step":
                done_steps[v] = event["step"]
                loss = event.get("loss")
                info = f"{v} loss {loss:.4g}" if isinstance(loss, float) else v
                progress.update(task, completed=sum(done_steps.values()), info=info)
            elif kind == "end":
                done_steps[v] = int(event.get("step") or 0)
                progress.update(task, completed=sum(done_steps.values()))
        if total:
            # diverged/stopped variants end early: show the bar as finished for what ran
            progress.update(task, total=max(sum(done_steps.values()), 1), completed=sum(done_steps.values()))
    show_results(console, kept, lang)
    return kept


# -- collecting ------------------------------------------------------------------------------------

def collect(events: list[dict]) -> dict:
    """The series and pictures of a run, by variant."""
    info = {"begin": None, "finish": None, "series": {}, "boundary": {}, "fit": {}, "trajectory": {},
            "confusion": None, "gradcheck": None, "grad_norms": {}, "layers": {}}
    for e in events:
        kind = e.get("event")
        v = e.get("variant", "main")
        if kind == "begin":
            info["begin"] = e
        elif kind == "finish":
            info["finish"] = e
        elif kind == "start":
            info["layers"][v] = e.get("layers") or []
        elif kind == "step":
            s = info["series"].setdefault(v, {})
            for key in ("loss", "val_loss", "accuracy", "val_accuracy"):
                if e.get(key) is not None:
                    s.setdefault(key, []).append((e["step"], float(e[key])))
            if e.get("grad_norms"):
                info["grad_norms"][v] = e["grad_norms"]
        elif kind in ("boundary", "fit"):
            info[kind][v] = e
        elif kind == "trajectory":
            info["trajectory"][v] = e
        elif kind == "confusion":
            info["confusion"] = e
        elif kind == "gradcheck":
            info["gradcheck"] = e
    return info


def smooth(pts: list, alpha: float = 0.1) -> list:
    """An exponential moving average: mini-batch losses are noisy."""
    out, m = [], None
    for x, y in pts:
        m = y if m is None or not math.isfinite(m) else (1 - alpha) * m + alpha * y
        out.append((x, m))
    return out


def curves(info: dict, compact: bool = False, lang: str = "en") -> tuple[list[tuple], str, bool]:
    """The series to draw, as ``(label, points, is_validation)``. ``compact`` (the terminal):
    comparisons with a validation loss show only it, single runs show the smoothed training loss
    and the validation loss. Labels are in ``lang``."""
    from tutor.experiments import variant_label  # noqa: PLC0415

    plot = (info["begin"] or {}).get("plot") or {"y": "loss", "log_y": True}
    y = plot.get("y", "loss")
    log_y = bool(plot.get("log_y"))
    train_word, val_word = tr("train", lang), tr("val", lang)
    out = []
    many = len(info["series"]) > 2
    for v, s in info["series"].items():
        label = variant_label(v, lang) if v != "main" else ""
        if y in ("loss", "val_loss"):
            only_val = compact and many and s.get("val_loss")
            if s.get("loss") and not only_val:
                train = smooth(s["loss"]) if compact and s.get("val_loss") else s["loss"]
                out.append((f"{label} {train_word}".strip(), train, False))
            if s.get("val_loss"):
                out.append((f"{label} {val_word}".strip(), s["val_loss"], True))
        elif y in ("accuracy", "val_accuracy"):
            for key in ("accuracy", "val_accuracy"):
                if s.get(key):
                    is_val = key == "val_accuracy"
                    out.append((f"{label} {val_word if is_val else train_word}".strip(), s[key], is_val))
        elif s.get(y):
            out.append((label or y, s[y], False))
    return out, y, log_y


# -- the terminal plot -----------------------------------------------------------------------------

_DOTS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))  # [row][col] of a braille cell


def braille_plot(series: list[tuple[str, list]], width: int = 60, height: int = 14, log_y: bool = False):
    """A rich Text: the series as braille lines (2×4 dots a character), y labels on the left."""
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
            text.append(ch, style=COLORS[owner[r][c] % len(COLORS)] if owner[r][c] >= 0 else None)
        text.append("\n")
    text.append(" " * 10 + "└" + "─" * width + "\n", style="dim")
    left, right = f"{x0:g}", f"{x1:g}"
    text.append(" " * 11 + left + " " * max(1, width - len(left) - len(right)) + right + "\n", style="dim")
    for idx, (name, *_) in enumerate(series):
        text.append("  ■ ", style=COLORS[idx % len(COLORS)])
        text.append(name or "loss")
    return text


def show_results(console, events: list[dict], lang: str) -> None:
    from rich.table import Table  # noqa: PLC0415

    from tutor.experiments import variant_label  # noqa: PLC0415

    info = collect(events)
    series, y, log_y = curves(info, compact=True, lang=lang)
    if series:
        title = tr(y, lang) if y in T else y
        if log_y:
            title += f" — {tr('log', lang)}"
        console.print(f"\n[bold]{title}[/]")
        console.print(braille_plot(series, log_y=log_y))
    # grad norms as bars (activations and friends)
    if info["grad_norms"]:
        console.print(f"\n[bold]{tr('grad_norms', lang)}[/]")
        allv = [g for gs in info["grad_norms"].values() for g in gs if g > 0]
        lo, hi = (math.log10(min(allv)), math.log10(max(allv))) if allv else (0, 1)
        span = max(hi - lo, 1e-9)
        for idx, (v, gs) in enumerate(info["grad_norms"].items()):
            console.print(f"[{COLORS[idx % len(COLORS)]}]{variant_label(v, lang)}[/]")
            for i, g in enumerate(gs):
                n = 0 if g <= 0 else 1 + int((math.log10(g) - lo) / span * 40)
                console.print(f"  {i + 1:>2} [{COLORS[idx % len(COLORS)]}]{'█' * n}[/] {g:.2e}")
    if info["confusion"]:
        c = info["confusion"]
        t = Table(title=tr("confusion", lang))
        t.add_column("")
        for lab in c["labels"]:
            t.add_column(str(lab), justify="right")
        for i, (lab, row) in enumerate(zip(c["labels"], c["matrix"])):
            t.add_row(str(lab), *[f"[bold green]{n}[/]" if i == j else (str(n) if n else "[dim]·[/]")
                                  for j, n in enumerate(row)])
        console.print(t)
    if info["gradcheck"]:
        t = Table(title=tr("gradcheck", lang))
        for key in ("layer", "analytic", "numeric", "rel_error"):
            t.add_column(tr(key, lang), justify="right" if key != "layer" else "left")
        for name, a, n, err in info["gradcheck"]["rows"]:
            style = "green" if err < 1e-6 else "red"
            t.add_row(str(name), f"{a:.6g}", f"{n:.6g}", f"[{style}]{err:.2e}[/]")
        console.print(t)
    fin = info["finish"]
    if fin:
        from rich.cells import cell_len  # noqa: PLC0415

        t = Table()
        # names and statuses are never cut: the number columns' headers wrap instead
        names = [variant_label(v, lang) for v in fin["variants"]]
        states = [tr(f"st_{s.get('status')}", lang) if f"st_{s.get('status')}" in T
                  else str(s.get("status")) for s in fin["variants"].values()]
        t.add_column(tr("variant", lang), no_wrap=True, min_width=max(map(cell_len, names), default=4))
        t.add_column(tr("status", lang), no_wrap=True, min_width=max(map(cell_len, states), default=4))
        t.add_column(tr("step", lang), justify="right", min_width=5)
        keys = [k for k in ("loss", "val_loss", "accuracy", "val_accuracy", "test_accuracy", "error")
                if any(isinstance(s.get(k), (int, float)) for s in fin["variants"].values())]
        for k in keys:
            width = max(len(_num(s.get(k))) for s in fin["variants"].values())
            t.add_column(tr(k, lang) if k in T else k, justify="right", min_width=width)
        for idx, (v, s) in enumerate(fin["variants"].items()):
            st = s.get("status")
            style = {"done": "green", "diverged": "red", "stopped": "yellow"}.get(st, "")
            t.add_row(f"[{COLORS[idx % len(COLORS)]}]{names[idx]}[/]",
                      f"[{style}]{states[idx]}[/]", str(s.get("step")),
                      *[_num(s.get(k)) for k in keys])
        console.print(t)
        console.print(f"[bold]{fin['message'][lang]}[/]")


def _num(x) -> str:
    if isinstance(x, bool) or x is None:
        return "—"
    if isinstance(x, (int, float)):
        return f"{x:.4g}"
    return str(x)


# -- the PNG -----------------------------------------------------------------------------------------

def hangul_font() -> str | None:
    """The name of an installed font that draws Hangul, or None (nothing is downloaded)."""
    from matplotlib import font_manager, ft2font  # noqa: PLC0415

    for entry in font_manager.fontManager.ttflist:
        try:
            charmap = ft2font.FT2Font(entry.fname).get_charmap()
        except (OSError, RuntimeError, ValueError):
            continue
        # real Hangul glyphs differ from one another; a "last resort" font maps all to one box
        if charmap.get(ord("한")) not in (None, 0) and charmap.get(ord("한")) != charmap.get(ord("가")) \
                and ord("1") in charmap:
            return entry.name
    return None


def save_png(events: list[dict], path: Path, lang: str) -> None:
    """The run's pictures as one figure, written through atomicfile.replacing (format from the
    suffix, checked by check_save). Korean text needs a font with Hangul: without one the labels
    are English and a footnote says why."""
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415

    from tutor.atomicfile import replacing  # noqa: PLC0415
    from tutor.experiments import variant_label  # noqa: PLC0415

    footnote = None
    if lang == "ko":
        font = hangul_font()
        if font is None:
            lang, footnote = "en", tr("png_no_hangul", "en")
        else:
            matplotlib.rcParams["font.family"] = [font, "DejaVu Sans"]
            matplotlib.rcParams["axes.unicode_minus"] = False

    def vl(v):
        return variant_label(v, lang)

    info = collect(events)
    series, y, log_y = curves(info, lang=lang)
    extras = [k for k in ("boundary", "fit", "trajectory") if info[k]]
    if info["confusion"]:
        extras.append("confusion")
    if info["grad_norms"]:
        extras.append("grad_norms")
    if info["gradcheck"]:
        extras.append("gradcheck")
    panels = (["curves"] if series else []) + extras
    if not panels:
        panels = ["curves"]
    fig_w = 6 * len(panels)
    fig, axes = plt.subplots(1, len(panels), figsize=(fig_w, 4.5), squeeze=False)
    begin = info["begin"] or {}
    title = (begin.get("title") or {}).get(lang) or (begin.get("title") or {}).get("en", "")
    seed_text = tr("png_seed", lang, seed=begin.get("seed"))
    fig.suptitle(f"{title}  ({begin.get('experiment', '')}, {seed_text})")
    y_label = tr(y, lang) if y in T else y
    for ax, panel in zip(axes[0], panels):
        if panel == "curves":
            for idx, (name, pts, is_val) in enumerate(series):
                xs = [p[0] for p in pts]
                ys = [p[1] for p in pts]
                ax.plot(xs, ys, label=name or y_label, color=MPL_COLORS[idx % len(MPL_COLORS)],
                        linestyle="--" if is_val else "-")
            if log_y:
                ax.set_yscale("log")
            ax.set_xlabel(tr("png_step", lang))
            ax.set_ylabel(y_label)
            ax.set_title(y_label + (f" — {tr('log', lang)}" if log_y else ""))
            if series:
                ax.legend(fontsize=8)
            ax.grid(alpha=0.3)
        elif panel == "boundary":
            v, e = list(info["boundary"].items())[-1]
            grid = np.array(e["grid"])
            ext = [*e["x_range"], *e["y_range"]]
            ax.imshow(grid, origin="lower", extent=ext, cmap="RdBu_r", vmin=0, vmax=1, aspect="auto", alpha=0.8)
            pts = np.array(e["points"]) if e["points"] else np.zeros((0, 3))
            if len(pts):
                ax.scatter(pts[:, 0], pts[:, 1], c=pts[:, 2], cmap="RdBu_r", vmin=0, vmax=1,
                           edgecolors="k", s=18)
            ax.set_title(tr("png_boundary", lang, v=vl(v), step=e["step"]))
            ax.set_xlabel("x1")
            ax.set_ylabel("x2")
        elif panel == "fit":
            first = True
            for idx, (v, e) in enumerate(info["fit"].items()):
                if first:
                    ax.plot(e["x"], e["y_true"], "k.", ms=3, label=tr("png_target", lang))
                    if e.get("points"):
                        p = np.array(e["points"])
                        ax.plot(p[:, 0], p[:, 1], "ko", ms=4, mfc="none", label=tr("png_points", lang))
                    first = False
                ax.plot(e["x"], e["y_pred"], color=MPL_COLORS[idx % len(MPL_COLORS)], label=vl(v))
            ax.legend(fontsize=8)
            ax.set_title(tr("png_fit", lang))
            ax.set_xlabel("x")
            ax.set_ylabel("y")
        elif panel == "trajectory":
            e0 = next(iter(info["trajectory"].values()))
            s = e0["surface"]
            X, Y = np.meshgrid(s["x"], s["y"])
            ax.contour(X, Y, np.array(s["z"]), levels=25, cmap="viridis", linewidths=0.7)
            for idx, (v, e) in enumerate(info["trajectory"].items()):
                p = np.array(e["points"])
                ax.plot(p[:, 0], p[:, 1], ".-", ms=2, color=MPL_COLORS[idx % len(MPL_COLORS)], label=vl(v))
            if e0.get("saddle"):
                ax.plot(*e0["saddle"], "kx", ms=8, label=tr("png_saddle", lang))
            ax.legend(fontsize=8)
            ax.set_title(tr("png_trajectory", lang))
        elif panel == "confusion":
            c = info["confusion"]
            m = np.array(c["matrix"])
            ax.imshow(m, cmap="Blues")
            for i in range(m.shape[0]):
                for j in range(m.shape[1]):
                    if m[i, j]:
                        ax.text(j, i, str(m[i, j]), ha="center", va="center", fontsize=7)
            ax.set_xticks(range(len(c["labels"])), c["labels"])
            ax.set_yticks(range(len(c["labels"])), c["labels"])
            ax.set_xlabel(tr("png_predicted", lang))
            ax.set_ylabel(tr("png_actual", lang))
            ax.set_title(tr("png_confusion", lang))
        elif panel == "grad_norms":
            items = list(info["grad_norms"].items())
            n_layers = max(len(g) for _, g in items)
            width = 0.8 / len(items)
            for idx, (v, gs) in enumerate(items):
                ax.bar(np.arange(len(gs)) + idx * width, gs, width, label=vl(v),
                       color=MPL_COLORS[idx % len(MPL_COLORS)])
            ax.set_yscale("log")
            ax.set_xticks(np.arange(n_layers) + 0.4 - width / 2, [str(i + 1) for i in range(n_layers)])
            ax.set_xlabel(tr("png_layer", lang))
            ax.set_ylabel("‖∂L/∂θ‖")
            ax.set_title(tr("png_grad_norms", lang))
            ax.legend(fontsize=8)
        elif panel == "gradcheck":
            rows = info["gradcheck"]["rows"]
            ax.bar(range(len(rows)), [max(r[3], 1e-16) for r in rows])
            ax.axhline(1e-6, color="r", linestyle="--", label="1e-6")
            ax.set_yscale("log")
            ax.set_xticks(range(len(rows)), [str(r[0]) for r in rows], fontsize=7)
            ax.set_ylabel(tr("png_rel_error", lang))
            ax.set_title(tr("png_gradcheck", lang))
            ax.legend(fontsize=8)
    fig.tight_layout()
    if footnote:
        fig.subplots_adjust(bottom=0.18)
        fig.text(0.01, 0.01, footnote, fontsize=8, color="0.35")
    try:
        with replacing(path) as tmp:
            fig.savefig(tmp, dpi=90, format=path.suffix.lstrip(".").lower())
    finally:
        plt.close(fig)
