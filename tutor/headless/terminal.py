"""``tutor run`` in a terminal: a progress bar while the run trains, then every view that has
something to show (:mod:`tutor.headless.views`), all from the one fold of the run's events."""

from __future__ import annotations

from tutor.experiments.state import RunState

from .views import VIEWS, word


def _done_steps(state: RunState) -> int:
    # an ended variant counts its last step (diverged and stopped ones end early)
    return sum(int((v.end_step if v.end is not None else v.last.get("step")) or 0)
               for v in state.variants.values())


def run(exp, params: dict, lang: str) -> RunState:
    """Run ``exp`` with a progress bar; the run folded."""
    from rich.console import Console  # noqa: PLC0415
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn  # noqa: PLC0415

    console = Console()
    console.print(f"[bold]{exp.title[lang]}[/]  [dim]{exp.name}[/]")
    console.print(f"[dim]{exp.description[lang]}[/]")
    state = RunState()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[info]}"), TimeElapsedColumn(), console=console,
                  transient=False) as progress:
        task = progress.add_task(word("running", lang), total=None, info="")
        for event in exp.run(params):
            state.consume(event)
            kind = event.get("event")
            if kind == "start":
                total = sum(int(v.total or 0) for v in state.variants.values())
                progress.update(task, total=max(total, 1))
            elif kind == "step":
                loss = event.get("loss")
                v = event.get("variant", "main")
                info = f"{v} loss {loss:.4g}" if isinstance(loss, float) else v
                progress.update(task, completed=_done_steps(state), info=info)
            elif kind == "end":
                progress.update(task, completed=_done_steps(state))
        if any(v.total for v in state.variants.values()):
            done = _done_steps(state)
            progress.update(task, total=max(done, 1), completed=done)
    show(console, state, lang)
    return state


def show(console, state: RunState, lang: str) -> None:
    for view in VIEWS:
        if view.shows(state):
            view.terminal(console, state, lang)
