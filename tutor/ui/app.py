"""The Why Tutor Textual application."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.scrollbar import ScrollBar, ScrollBarRender

from tutor.content.index import HomeIndex
from tutor.practice.session import due_count, select_items

from .screens.home import HomeScreen
from .strings import localize_bindings, tr
from .styles import APP_STYLES

if TYPE_CHECKING:
    from textual.widgets import Markdown

    from tutor.content import Library
    from tutor.store import ProgressStore

# Every other screen (and what only it needs: Markdown, plots, numpy, the experiments) is
# imported when it is first opened, so the home screen is up sooner. With a home index and no
# library, the library (pydantic, the models) loads in a thread once home is drawn.


class SpacesScrollBarRender(ScrollBarRender):
    """--ascii: the scroll thumb as coloured spaces; the eighth-block glyphs that draw its edges
    are two cells wide on the terminals --ascii is for."""

    VERTICAL_BARS = [" "] * 8
    HORIZONTAL_BARS = [" "] * 8


class TutorApp(App):
    CSS_PATH = APP_STYLES
    BINDINGS = [Binding("question_mark", "help", "Help", show=False)]

    def __init__(self, library: Library | None, store: ProgressStore, lang: str = "en", *,
                 home: HomeIndex | None = None,
                 load_library: Callable[[], Library] | None = None,
                 start_lesson: str | None = None, start_quiz: tuple | None = None,
                 start_interview: tuple | None = None, start_playground: bool = False,
                 notices: list[str] | None = None,
                 ascii_only: bool | None = None):
        """``library``, or else ``home`` (what the home screen shows) and ``load_library``,
        called in the background once home is on screen, or when something needs it first."""
        super().__init__()
        if library is None and (home is None or load_library is None):
            raise ValueError("TutorApp needs a library, or a home index and a way to load one")
        self._library = library
        self._load_library = load_library
        self._loading = threading.Lock()
        self.home = home if library is None else HomeIndex.of(library)
        self.store = store
        self.lang = lang
        self.start_lesson = start_lesson
        self.start_quiz = start_quiz
        self.start_interview = start_interview
        self.start_playground = start_playground
        self.report_path: Path | None = None
        self.notices = list(notices or []) + [tr("notice_db", lang, msg=n) for n in store.notices]
        # Korean terminals often draw box and block characters two cells wide; ASCII keeps
        # the layout straight there (TUTOR_ASCII=1 or --ascii).
        self.ascii_only = (os.environ.get("TUTOR_ASCII") == "1") if ascii_only is None else ascii_only

    @property
    def library(self) -> Library:
        """The whole content; while the background load runs, this waits for it (a learner who
        opens a lesson in the first moment waits that moment)."""
        if self._library is None:
            self._load()
        return self._library

    def _load(self) -> None:
        with self._loading:  # one load: a second caller waits for the first
            if self._library is not None:
                return
            library = self._load_library()
            self._library = library
        home = HomeIndex.of(library)
        if home != self.home:  # a file changed since the index was saved
            self.home = home
            if threading.current_thread() is threading.main_thread():
                self._home_changed()
            else:
                self.call_from_thread(self._home_changed)

    def _home_changed(self) -> None:
        if isinstance(self.screen, HomeScreen):
            self.screen.refresh_content()

    def _load_in_background(self) -> None:
        if self._library is None:
            # A failure here is not reported: the next use of .library loads again, in the
            # main thread, where an error is shown as any other.
            self.run_worker(self._load, thread=True, exit_on_error=False, group="library")

    def get_default_screen(self) -> HomeScreen:
        # Home is the bottom of the stack itself, not pushed over Textual's blank default
        # screen: one screen less to compose and style before the first frame.
        return HomeScreen()

    def on_mount(self) -> None:
        self.title = tr("app_title", self.lang)
        localize_bindings(self, self.lang)
        if self.ascii_only:
            self.add_class("ascii")
            ScrollBar.renderer = SpacesScrollBarRender
        self.call_after_refresh(self._load_in_background)
        if self.start_lesson:
            self.open_lesson(self.start_lesson)
        if self.start_quiz:
            self.open_quiz(*self.start_quiz)
        if self.start_interview:
            from .screens.interview import InterviewScreen  # noqa: PLC0415

            self.push_screen(InterviewScreen(*self.start_interview))
        if self.start_playground:
            self.open_playground()

    def open_playground(self) -> None:
        from .screens.playground import PlaygroundScreen  # noqa: PLC0415 (numpy, when asked)

        self.push_screen(PlaygroundScreen())

    def open_interview(self) -> None:
        from tutor.practice.interview import interview_items  # noqa: PLC0415

        from .screens.interview import InterviewScreen  # noqa: PLC0415

        self.push_screen(InterviewScreen(interview_items(self.library, n=8), minutes=20))

    def open_stats(self) -> None:
        from .screens.stats import StatsScreen  # noqa: PLC0415

        self.push_screen(StatsScreen())

    def open_quiz(self, items: list, empty_key: str = "session_empty") -> None:
        from .screens.quiz import QuizScreen  # noqa: PLC0415

        self.push_screen(QuizScreen(items, empty_key))

    def open_practice(self, mode: str) -> None:
        """From the home menu: "review" (due now), "quiz" (10 random) or "cram"."""
        items = select_items(self.library, self.store, due=mode == "review",
                             cram=mode == "cram", n=None if mode == "review" else 10)
        self.open_quiz(items, "session_empty_due" if mode == "review" else "session_empty")

    def open_lesson(self, lesson_id: str) -> None:
        lesson = self.library.lessons.get(lesson_id) or self.library.find_lesson(lesson_id)
        if lesson is None:
            self.notify(tr("no_such_lesson", self.lang, id=lesson_id), severity="error",
                        markup=False)
            return
        from .screens.lesson import LessonScreen  # noqa: PLC0415

        self.push_screen(LessonScreen(lesson))

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder=tr("palette_placeholder", self.lang),
                                            id="--command-palette"))

    def get_system_commands(self, screen):
        """Ctrl+P: every lesson and practice mode, searchable in the learner's language.

        Textual's own commands are replaced, not extended: theirs are English only, and its
        screenshot command writes files, which nothing a learner reads should be able to ask for.
        """
        lang = self.lang
        due = due_count(self.home.item_ids, self.store)
        for key, mode in (("menu_review", "review"), ("menu_quiz", "quiz"), ("menu_cram", "cram")):
            label = tr(key, lang, n=due)[2:]
            yield SystemCommand(label, "", lambda mode=mode: self.open_practice(mode))
        yield SystemCommand(tr("menu_interview", lang)[2:], "", self.open_interview)
        yield SystemCommand(tr("menu_stats", lang)[2:], "", self.open_stats)
        yield SystemCommand(tr("menu_playground", lang)[2:], "", self.open_playground)
        yield SystemCommand(tr("b_lang", lang) + ": 한국어 / English", "",
                            self.action_toggle_language)
        yield SystemCommand(tr("cmd_help", lang), tr("cmd_help_help", lang), self.action_help)
        yield SystemCommand(tr("cmd_theme", lang), tr("cmd_theme_help", lang),
                            self.action_change_theme)
        yield SystemCommand(tr("cmd_quit", lang), tr("cmd_quit_help", lang), self.action_quit)
        for lesson in self.home.lessons.values():
            title = f"{lesson.short_id} {lesson.title.get(lang)}"
            yield SystemCommand(title, tr("cmd_lesson_help", lang, chapter=lesson.chapter),
                                lambda lesson_id=lesson.id: self.open_lesson(lesson_id),
                                discover=False)

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        # By name, not with @on(Markdown.LinkClicked): that would import the Markdown widget
        # (and markdown_it) before home is drawn.
        from .screens.confirm_link import ConfirmLink, openable  # noqa: PLC0415

        url = event.href
        if not openable(url):
            self.notify(tr("link_refused", self.lang, url=url[:200]), severity="warning",
                        markup=False)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.open_url(url)

        self.push_screen(ConfirmLink(url, self.lang), answered)

    def action_help(self) -> None:
        from .screens.help import HelpScreen  # noqa: PLC0415 (Markdown, only when asked)

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.lang, str(self.store.path)))

    def action_toggle_language(self) -> None:
        self.lang = "en" if self.lang == "ko" else "ko"
        self.title = tr("app_title", self.lang)
        localize_bindings(self, self.lang)
        if isinstance(self.screen, HomeScreen):
            self.screen.refresh_content()
