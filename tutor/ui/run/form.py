"""The run panel's settings: one field per parameter of the experiment, checked by the registry.

A typed setting counts when the field loses focus (Tab, Esc, a click elsewhere), on Enter, and
when the panel starts a run (:meth:`ParamForm.commit` reads every field first). Values go through
the registry's one coercion (``coerce_params``), the one that validated the lesson, so a lesson's
``gate: XOR`` is the Select's ``xor`` and the run's. A value the registry refuses is shown under the
form in the learner's language, its field marked, and the old value is kept.

The form says what happened with messages: :class:`ParamForm.Applied` (a value was taken) and
:class:`ParamForm.Refused` (one was not).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text as RichText
from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Select, Static

from tutor.i18n import tr

from .process import format_value


class ParamForm(Vertical):
    """The fields of ``spec`` (an Experiment), or of ``values`` alone when there is no spec."""

    @dataclass
    class Applied(Message):
        name: str
        value: Any
        changed: bool
        submitted: bool      # Enter: the learner is done with the field

    @dataclass
    class Refused(Message):
        name: str
        error: str
        submitted: bool

    def __init__(self, spec, given: dict, lang: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.spec, self.lang = spec, lang
        #: the message of each field whose text the registry refuses, in the learner's language
        self.errors: dict[str, str] = {}
        self.values: dict[str, Any] = {}
        if spec is None:   # an experiment the registry does not know: nothing to check
            self.given = dict(given)
            self.values = dict(given)
            return
        self.values = {name: p.default for name, p in spec.params.items()}
        for name, raw in given.items():
            try:
                self.values[name] = self.coerce(name, raw)   # "XOR" → "xor", as validation read it
            except ValueError as exc:
                self.values[name] = raw
                self.errors[name] = self._error_text(exc)
        self.given = {k: self.values[k] for k in given}

    # -- values ----------------------------------------------------------------------------

    def label(self, name: str) -> str:
        p = self.spec.params.get(name) if self.spec is not None else None
        return p.label_in(self.lang) if p is not None else name

    def run_params(self) -> dict:
        """What the run gets: the lesson's settings and whatever differs from the defaults."""
        out = {}
        for name, value in self.values.items():
            p = self.spec.params.get(name) if self.spec is not None else None
            if name in self.given or p is None or value != p.default:
                out[name] = value
        return out

    def coerce(self, name: str, raw: Any) -> Any:
        """The typed value of a field (text or a typed value); raises ValueError(one line)."""
        if self.spec is not None:
            from tutor.experiments import coerce_params  # noqa: PLC0415

            return coerce_params(self.spec.name, {name: raw})[name]
        text, old = str(raw), self.values.get(name)
        if isinstance(old, bool):
            return text.strip().lower() in ("1", "true", "yes", "on")
        if isinstance(old, (int, float)):
            return type(old)(text)
        return text

    def _error_text(self, exc: ValueError) -> str:
        in_lang = getattr(exc, "in_lang", None)
        return in_lang(self.lang) if callable(in_lang) else str(exc)

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(RichText(tr("run.settings", self.lang), style="bold"), classes="run-settings-title")
        with Grid(classes="run-form"):
            specs = self.spec.params.items() if self.spec is not None else ((n, None) for n in self.values)
            for name, p in specs:
                yield Label(self.label(name), name=name, classes="run-field-label")
                yield self._field(name, p)
        yield Static("", classes="run-field-errors hidden")
        yield Static(RichText(tr("run.playground_note", self.lang)), classes="run-note")

    def _field(self, name: str, p) -> Input | Select:
        value = self.values.get(name)
        if p is not None and p.kind in ("choice", "bool"):
            choices = list(p.choices) if p.kind == "choice" else [True, False]
            # the coerced value is one of the choices; a value that is not stays visible as wrong
            widget = Select([(format_value(c), c) for c in choices],
                            value=value if value in choices else Select.BLANK,
                            allow_blank=value not in choices, compact=True, name=name, classes="run-field")
        else:
            widget = Input(format_value(value) if value is not None else "", compact=True, name=name,
                           classes="run-field", select_on_focus=True)
        if p is not None:
            widget.tooltip = f"{name}: {p.help.get(self.lang) or p.help['en']}"
        return widget

    def on_mount(self) -> None:
        self._show_errors()

    def focus_first(self) -> None:
        fields = list(self.query(".run-field"))
        if fields:
            fields[0].focus()

    # -- taking values -----------------------------------------------------------------------

    def _take(self, widget, raw: Any) -> tuple[bool, bool]:
        """Check and keep one field's value: ``(accepted, changed)``."""
        name = widget.name
        try:
            value = self.coerce(name, raw)
        except ValueError as exc:
            self.errors[name] = self._error_text(exc)
            self._show_errors()
            return False, False
        if self.errors.pop(name, None) is not None:
            self._show_errors()
        changed = value != self.values.get(name)
        self.values[name] = value
        if isinstance(widget, Input):
            shown = format_value(value)   # "1e3" reads back as 1000: what will run
            if widget.value != shown:
                widget.value = shown
        return True, changed

    def _pending(self, widget: Input) -> bool:
        return widget.value != format_value(self.values.get(widget.name)) or widget.name in self.errors

    def commit(self) -> bool:
        """Read every text field (a value typed without Enter counts too); False on any error."""
        for widget in self.query(".run-field"):
            if isinstance(widget, Input) and widget.name is not None and self._pending(widget):
                self._take(widget, widget.value)
        return not self.errors

    def _apply(self, widget, raw: Any, submitted: bool = False) -> None:
        if widget.name is None:
            return
        ok, changed = self._take(widget, raw)
        if not ok:
            self.post_message(self.Refused(widget.name, self.errors[widget.name], submitted))
        elif changed or not isinstance(widget, Select):
            # a Select re-announcing its value (e.g. when mounted) changes nothing
            self.post_message(self.Applied(widget.name, self.values[widget.name], changed, submitted))

    def _show_errors(self) -> None:
        box = self.query_one(".run-field-errors", Static)
        for widget in self.query(".run-field, .run-field-label"):
            widget.set_class(widget.name in self.errors, "-invalid")
        lines = [f"✗ {self.label(name)}: {msg}" for name, msg in self.errors.items()]
        box.update(RichText("\n".join(lines), style="bold red"))
        box.set_class(not lines, "hidden")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._apply(event.input, event.value, submitted=True)

    @on(Input.Blurred)
    def _blurred(self, event: Input.Blurred) -> None:
        # Tab, Esc or a click elsewhere: what was typed counts (not only on Enter)
        event.stop()
        widget = event.input
        if widget.name is None or not widget.is_attached or not self.screen.is_current:
            return   # the screen is going away: nothing to apply, nothing to restart
        if self._pending(widget):
            self._apply(widget, widget.value)

    @on(Select.Changed)
    def _selected(self, event: Select.Changed) -> None:
        event.stop()
        if event.value is not Select.BLANK:
            self._apply(event.select, event.value)
