"""What the lesson and the quiz screens share: one current step widget driven by keys.

Every key reaches the step through :meth:`StepWidget.guard`, so a step that fails becomes a
notice the learner can skip. After each key the step's new content is scrolled into view and
its prompt is mirrored in the status line, which is always on screen.
"""

from __future__ import annotations

from textual import events, on
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Static, TextArea

from rich.text import Text as RichText

from ..strings import tr
from ..styles import STEP_STYLES
from ..widgets.steps import PromptChanged, StepChanged, StepResized, StepWidget


class SteppingScreen(Screen):
    CSS_PATH = STEP_STYLES
    BINDINGS = [
        Binding("space,enter", "next", "Next"),
        Binding("s", "skip", "Skip level 3"),
        Binding("t", "type_answer", "Type answer"),
        Binding("escape,q", "back", "Back"),
        Binding("escape", "stop_typing", "Stop typing"),
        Binding("question_mark", "app.help", "Help"),
        # Scrolling belongs to the screen, not to a focused scroll area: focusing the area would
        # restyle every step in it (Textual restyles a focused widget's whole subtree).
        Binding("up", "scroll('up')", show=False),
        Binding("down", "scroll('down')", show=False),
        Binding("pageup", "scroll('page_up')", show=False),
        Binding("pagedown", "scroll('page_down')", show=False),
        Binding("home", "scroll('home')", show=False),
        Binding("end", "scroll('end')", show=False),
    ]

    finished = False
    # What the last key asked to be shown ("open": the step's top; "reveal": the new part and
    # the prompt), re-applied whenever the steps change size (Markdown lays out late, later
    # still on a busy machine) until the learner scrolls by hand or presses the next key.
    scroll_goal: str | None = None
    scroll_id = "steps"
    status_id = "lesson-status"

    @property
    def current(self) -> StepWidget:
        raise NotImplementedError

    # -- what the footer offers -------------------------------------------------------------

    @property
    def typing(self) -> bool:
        return isinstance(self.focused, (Input, TextArea))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While a text field has focus, its keys are text: the footer offers only what works.
        if action in ("next", "skip", "type_answer", "back"):
            if self.typing:
                return False
            if action == "skip":
                return not self.finished and self._current_can("skip")
            if action == "type_answer":
                return not self.finished and self._current_can("type_answer")
        if action == "stop_typing":
            return self.typing
        return True

    def _current_can(self, ability: str) -> bool:
        try:
            step = self.current
        except Exception:  # noqa: BLE001 — no step mounted yet
            return False
        return step.failure is None and not step.done and step.offers(ability)

    _offered: tuple | None = None

    def _refresh_offers(self) -> None:
        """Redraw the footer only when what it offers changed (a redraw rebuilds its keys)."""
        offered = (self.typing, self.finished, self._current_can("skip"),
                   self._current_can("type_answer"))
        if offered != self._offered:
            self._offered = offered
            self.refresh_bindings()

    def on_descendant_focus(self) -> None:
        self._refresh_offers()

    def on_descendant_blur(self) -> None:
        self._refresh_offers()

    # -- keys -------------------------------------------------------------------------------

    async def action_next(self) -> None:
        raise NotImplementedError

    async def action_skip(self) -> None:
        if not self.finished and self.current.guard(self.current.skip):
            await self.action_next()

    def action_type_answer(self) -> None:
        if not self.finished:
            self.current.guard(self.current.type_answer)
            self.step_changed()

    def action_stop_typing(self) -> None:
        self.focus_steps()

    def action_scroll(self, where: str) -> None:
        self.scroll_goal = None
        getattr(self.scroller, f"scroll_{where}")(animate=False)

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_mouse_scroll_up(self) -> None:
        self.scroll_goal = None

    def on_mouse_scroll_down(self) -> None:
        self.scroll_goal = None

    def on_key(self, event: events.Key) -> None:
        # Digits answer or rate the current step; while typing they are just text.
        if self.typing:
            if event.key == "escape":
                self.focus_steps()
                event.stop()
            return
        if event.character and event.character.isdigit() and not self.finished:
            if self.current.guard(self.current.press_number, int(event.character)):
                event.stop()
                self.step_changed()

    @on(StepChanged)
    def _on_step_changed(self, event: StepChanged) -> None:
        event.stop()
        self.focus_steps()
        self.step_changed()

    # -- view -------------------------------------------------------------------------------

    @property
    def scroller(self) -> VerticalScroll:
        return self.query_one(f"#{self.scroll_id}", VerticalScroll)

    def focus_steps(self) -> None:
        """Focus the step's answer field or the step itself if it has keys of its own (the run
        panel), else nothing: the screen's own keys (next, digits, scrolling) then apply."""
        step = None if self.finished else self._current_or_none()
        target = step.focus_target() if step is not None and step.failure is None else None
        if target is not None:
            target.focus()
        else:
            self.set_focus(None)

    def _current_or_none(self) -> StepWidget | None:
        try:
            return self.current
        except Exception:  # noqa: BLE001
            return None

    def status_text(self) -> str:
        return ""

    def kept(self, saved: bool) -> None:
        """After a write to the progress file: say so if it is only in memory for now."""
        if saved is False:
            self.notify(tr("progress_not_saved", self.app.lang, count=self.app.store.unsaved),
                        severity="warning", markup=False)

    def _show_status(self) -> None:
        step = self._current_or_none()
        prompt = "" if step is None or self.finished else step.prompt()
        status = self.status_text()
        self.query_one(f"#{self.status_id}", Static).update(
            RichText(f"{status}  ·  {prompt}" if status and prompt else status or prompt))

    def step_changed(self, *, opened: bool = False) -> None:
        """After a key: mirror the prompt, then (once laid out) scroll what is new into view."""
        self._show_status()
        self._refresh_offers()
        self.scroll_goal = "open" if opened else "reveal"
        self.call_after_refresh(self._scroll_into_view)

    @on(PromptChanged)
    def _on_prompt_changed(self, event: PromptChanged) -> None:
        event.stop()
        self._show_status()

    @on(StepResized)
    def _on_step_resized(self, event: StepResized) -> None:
        event.stop()
        if self.scroll_goal:
            self.call_after_refresh(self._scroll_into_view)

    def _scroll_into_view(self) -> None:
        if self.scroll_goal is None:
            return
        opened = self.scroll_goal == "open"
        scroller = self.scroller
        step = self._current_or_none()
        if self.finished or step is None:
            scroller.scroll_end(animate=False)
            return
        if opened:
            # A new step opens at its top: its heading and tables are read first.
            scroller.scroll_to_widget(step, animate=False, top=True)
            return
        # What was just revealed, then the prompt below it; if both do not fit, the prompt wins.
        first = step.revealed_widget()
        if first is not None:
            scroller.scroll_to_widget(first, animate=False)
        hints = step.query(".hint")
        last = hints.last() if hints else step
        scroller.scroll_to_widget(last, animate=False)


class StepScroll(VerticalScroll, can_focus=False):
    """The steps' scroll area. Not focusable: the screen scrolls it (see SteppingScreen)."""

    def watch_virtual_size(self) -> None:
        # The steps grew or shrank as a whole (laid out after the key that showed them).
        self.post_message(StepResized())
