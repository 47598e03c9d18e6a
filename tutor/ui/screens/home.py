"""Home: the nine chapters, their lessons with progress, and "continue" first."""

from __future__ import annotations

from rich.text import Text as RichText
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from tutor.practice.session import due_count

from ..strings import localize_bindings, tr
from ..widgets.footer import TutorFooter


def progress_bar(fraction: float, width: int = 10, ascii_only: bool = False) -> str:
    filled = round(fraction * width)
    full, empty = ("#", "-") if ascii_only else ("■", "□")
    return f"{full * filled}{empty * (width - filled)} {round(fraction * 100):3d}%"


class HomeScreen(Screen):
    BINDINGS = [
        Binding("q", "app.quit", "Quit"),
        Binding("l,L", "app.toggle_language", "Language"),
        Binding("question_mark", "app.help", "Help"),
    ]

    def compose(self) -> ComposeResult:
        # The first frame is drawn with everything in place: filling the list after mount
        # would lay the screen out and render it twice.
        self._fresh = True
        self._localize()
        notices = self._notices()
        yield Header()
        yield Static(RichText("\n".join(notices)), id="notices",
                     classes="" if notices else "hidden")
        yield OptionList(*self._options(), id="lessons")
        yield Static(RichText(tr("home_hint", self.app.lang)), id="home-hint", classes="hint")
        footer = TutorFooter()
        # Home is the app's first screen, composed before the app is ready: Textual's footer
        # would wait for a "bindings changed" signal and show its keys a frame late.
        ready = getattr(TutorFooter, "_bindings_ready", None)  # private: absent, we just wait
        if ready is not None:
            footer.set_reactive(ready, True)
        yield footer

    def on_mount(self) -> None:
        self._highlight(None)

    def on_screen_resume(self) -> None:
        if self._fresh:  # just composed with what there is to show
            self._fresh = False
            return
        self.refresh_content()

    def refresh_content(self) -> None:
        """Everything again: the language, progress or the content may have changed."""
        self._localize()
        self.refresh_bindings()
        option_list = self.query_one("#lessons", OptionList)
        # The highlight is kept by what it points at, not by row: rows come and go.
        current = option_list.highlighted_option
        option_list.clear_options()
        option_list.add_options(self._options())
        self._highlight(current.id if current is not None else None)
        notices = self._notices()
        widget = self.query_one("#notices", Static)
        widget.update(RichText("\n".join(notices)))
        widget.set_class(not notices, "hidden")
        self.query_one("#home-hint", Static).update(RichText(tr("home_hint", self.app.lang)))

    def _localize(self) -> None:
        self.app.title = tr("app_title", self.app.lang)
        localize_bindings(self, self.app.lang)

    def _highlight(self, kept: str | None) -> None:
        """``kept`` if it is still listed, else the first row that can be chosen."""
        option_list = self.query_one("#lessons", OptionList)
        options = [option_list.get_option_at_index(i) for i in range(option_list.option_count)]
        ids = [o.id for o in options]
        first = next((i for i, o in enumerate(options) if not o.disabled), None)
        option_list.highlighted = ids.index(kept) if kept in ids else first
        option_list.focus()

    def _notices(self) -> list[str]:
        app = self.app
        lines = list(app.notices)
        if app.home.errors:
            bad = app.home.bad_files
            lines.append(tr("bad_files", app.lang, n=len(bad), files=", ".join(bad[:3])
                            + (" …" if len(bad) > 3 else "")))
        return lines

    def _options(self) -> list[Option]:
        app = self.app
        lang = app.lang
        lib = app.home  # the home index: the same whether or not the library is loaded yet
        ascii_only = app.ascii_only
        progress = app.store.progress()
        options: list[Option] = []

        options.extend(self._way_in(progress))

        due = due_count(lib.item_ids, app.store)
        for key, action in (("menu_review", "review"), ("menu_quiz", "quiz"),
                            ("menu_cram", "cram"), ("menu_interview", "interview"),
                            ("menu_playground", "playground"), ("menu_stats", "stats")):
            label = tr(key, lang, n=due) if key == "menu_review" else tr(key, lang)
            if ascii_only:
                label = label[2:]
            options.append(Option(RichText(label, style="bold" if due and action == "review"
                                            else ""), id=f"menu:{action}"))

        for number in range(1, 10):
            chapter = lib.chapters.get(number)
            title = chapter.title.get(lang) if chapter else ""
            lessons = lib.lessons_in(number)
            done = sum(1 for l in lessons if progress.get(l.id) and progress[l.id].completed)
            head = tr("chapter", lang, n=number, title=title)
            if lessons:
                head += f"  ({done}/{len(lessons)})"
            options.append(Option(RichText(head, style="bold"), id=f"chapter:{number}",
                                  disabled=True))
            if not lessons:
                options.append(Option(RichText(tr("no_lessons", lang), style="dim"),
                                      id=f"empty:{number}", disabled=True))
            for lesson in lessons:
                p = progress.get(lesson.id)
                fraction = p.fraction if p else 0.0
                # The bar before the title, so the bars stay in one column when a long title
                # wraps at 80 columns.
                line = RichText(f"  {lesson.short_id}  ")
                line.append(progress_bar(fraction, ascii_only=ascii_only),
                            style="green" if fraction >= 1 else "")
                line.append("  ")
                line.append(lesson.title.get(lang))
                options.append(Option(line, id=f"lesson:{lesson.id}"))
        return options

    def _way_in(self, progress) -> list[Option]:
        """"Continue" for every lesson in progress (the last one first), or "start here"."""
        app = self.app
        lang, lib = app.lang, app.home
        ordered = sorted(lib.lessons.values(), key=lambda l: (l.chapter, l.id))
        started = [l for l in ordered if l.id in progress and not progress[l.id].completed]
        last = app.store.last_lesson()
        started.sort(key=lambda l: l.id != last)
        key = "continue_ascii" if app.ascii_only else "continue"
        options = [Option(RichText(tr(key, lang, title=l.title.get(lang),
                                      step=min(progress[l.id].step + 1, l.step_count),
                                      total=l.step_count), style="bold"),
                          id=f"continue:{l.id}") for l in started]
        if not progress and ordered:
            first = ordered[0]
            key = "start_here_ascii" if app.ascii_only else "start_here"
            options.append(Option(RichText(tr(key, lang, chapter=first.chapter,
                                              title=first.title.get(lang)), style="bold"),
                                  id=f"start:{first.id}"))
        return options

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        kind, _, lesson_id = (event.option.id or "").partition(":")
        if kind in ("continue", "lesson", "start"):
            self.app.open_lesson(lesson_id)
        elif kind == "menu" and lesson_id in ("review", "quiz", "cram"):
            self.app.open_practice(lesson_id)
        elif kind == "menu":
            getattr(self.app, f"open_{lesson_id}")()
