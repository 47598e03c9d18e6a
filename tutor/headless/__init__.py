"""`tutor run NAME [--set k=v ...] [--seed N] [--json] [--save F.png]`: an experiment without the TUI.

--json prints one JSON object per event and nothing else on stdout (the stream of
``python -m tutor.experiments``, the same function); otherwise a progress bar, then the run's views
in the terminal (:mod:`.terminal`). --save also writes them as a figure (:mod:`.png`). Bad
parameters or a --save target that cannot be written: one line on stderr, exit 2, before the run.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tutor.i18n import tr

from .png import SAVE_FORMATS, hangul_font, save_png

__all__ = ["check_save", "hangul_font", "list_experiments", "run_command", "save_png"]


def _err(msg: str) -> int:
    sys.stderr.write(f"tutor run: {msg}\n")
    sys.stderr.flush()
    return 2


def run_command(name, sets, seed, as_json, save, lang) -> int:
    from tutor.experiments.__main__ import limit_blas_threads  # noqa: PLC0415

    limit_blas_threads()
    from tutor.experiments import REGISTRY, ParamError, parse_sets  # noqa: PLC0415

    lang = lang if lang in ("ko", "en") else "en"
    if not name:
        return list_experiments(lang)
    try:
        params = parse_sets(name, list(sets or []), seed)
    except ParamError as err:
        return _err(err.in_lang(lang))
    target = None
    if save is not None:
        target, problem = check_save(Path(save), lang)
        if problem:
            return _err(problem)   # before the run: nothing trained for a file we cannot write
    exp = REGISTRY[name]
    if as_json:
        from tutor.experiments.events import write_lines  # noqa: PLC0415
        from tutor.experiments.state import fold  # noqa: PLC0415

        state = fold(write_lines(exp.run(params), sys.stdout))
    else:
        from .terminal import run  # noqa: PLC0415

        state = run(exp, params, lang)
    if target is not None:
        from tutor.atomicfile import ExportError  # noqa: PLC0415

        try:
            save_png(state, target, lang)
        except ExportError as err:
            return _err(err.text(lang))
        if not as_json:
            print(tr("run.cli.saved", lang, path=target))
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
        return path, tr("run.cli.save_no_ext", lang, path=path, exts=exts)
    if path.suffix.lower() not in SAVE_FORMATS:
        return path, tr("run.cli.save_bad_ext", lang, path=path, ext=path.suffix, exts=exts)
    return path, None


def list_experiments(lang: str) -> int:
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    from tutor.experiments import REGISTRY  # noqa: PLC0415

    table = Table(title=tr("run.cli.list_title", lang), show_lines=True, expand=False)
    table.add_column(tr("run.cli.name", lang), style="bold cyan", no_wrap=True)
    table.add_column(tr("run.cli.params", lang))
    for exp in REGISTRY.values():
        ps = []
        for p in exp.params.values():
            bounds = p.bounds_text()
            ps.append(f"{p.name}={p.default}" + (f" [dim]({bounds})[/]" if bounds else ""))
        table.add_row(exp.name, f"[bold]{exp.title[lang]}[/]\n" + ", ".join(ps))
    Console().print(table)
    return 0
