"""The run panel's status line: the phase, time and speed, then each variant's latest figures."""

from __future__ import annotations

import time

from rich.text import Text as RichText

from tutor.experiments import variant_label
from tutor.experiments.palette import color_for
from tutor.experiments.state import RunState, VariantState
from tutor.i18n import tr

from ..widgets.plots import short_number
from .views import Look, TextView

LIVE = ("starting", "running")
PHASE_STYLE = {"running": "bold cyan", "done": "bold green", "diverged": "bold red", "stopped": "yellow",
               "failed": "bold red"}


class StatusLine(TextView):
    def draw(self, phase: str, state: RunState, look: Look, *, started: float, speed: str) -> None:
        lang = look.lang
        text = RichText()
        text.append(tr(f"run.state_{phase}", lang), style=PHASE_STYLE.get(phase, "bold"))
        if phase in LIVE:
            text.append(" · " + tr("run.m_time", lang, s=time.monotonic() - started), style="dim")
            text.append(" · " + tr("run.speed", lang, speed=speed), style="dim")
        variants = list(state.variants.values())
        multi = len(variants) > 1
        width = max((len(variant_label(v.name, lang)) for v in variants), default=0) + 1
        for v in variants:
            text.append("\n" if multi else " · ")
            if multi:
                text.append("* " if look.ascii_only else "● ", style=color_for(v.index))
                text.append(f"{variant_label(v.name, lang):<{width}}", style="bold")
            text.append_text(metrics(v, multi, look))
        self.show(text)


def own_metric(look: Look) -> tuple:
    """The run's own plotted key (``plot.y`` beside the usual metrics), under its name."""
    if look.y_key in ("loss", "val_loss", "accuracy", "val_accuracy"):
        return ()
    return ((look.y_key, look.y_label or look.y_key, False, ""),)


def metrics(v: VariantState, multi: bool, look: Look) -> RichText:
    lang, last = look.lang, v.last
    parts = RichText()
    if "step" in last:
        total = f"/{v.total}" if v.total else ""
        parts.append(f"{tr('run.m_step', lang)} {last['step']}{total}")
    test = look.val_name == "test"
    for key, label, pct, color in (
            ("loss", look.y_label if look.y_key == "loss" and look.y_label else tr("run.m_loss", lang),
             False, color_for(v.index)),
            ("val_loss", tr("run.m_test_loss" if test else "run.m_val_loss", lang), False,
             color_for(v.index, validation=True)),
            ("accuracy", tr("run.m_acc", lang), True, ""),
            ("val_accuracy", tr("run.m_test_acc" if test else "run.m_val_acc", lang), True, ""),
            *own_metric(look)):
        if key in last:
            value = last[key]
            shown = f"{100 * value:.1f}%" if pct else short_number(value)
            parts.append(" · ")
            parts.append(f"{label} {shown}", style=color if not multi and color else "")
    if v.status == "diverged":
        parts.append(f" · {tr('run.state_diverged', lang)}", style="bold red")
        if v.end_step is not None:
            parts.append(f" @ {v.end_step}", style="red")
    elif multi and v.status in ("done", "stopped"):
        parts.append(f" · {tr('run.state_' + v.status, lang)}",
                     style="green" if v.status == "done" else "yellow")
    return parts
