"""The learner's path: one "due" count everywhere, a way in for a new learner, a home screen
that keeps its place, and content text that is shown, never obeyed (markup, links)."""

import json
import re
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

from textual.command import CommandPalette
from textual.widgets import OptionList

from tutor.content import bundled_content_dirs, load_library
from tutor.content.index import HomeIndex
from tutor.practice.session import all_items
from tutor.practice.stats import compute_stats
from tutor.store import ProgressStore
from tutor.store.db import _iso
from tutor.ui.app import TutorApp
from tutor.ui.screens.lesson import LessonScreen
from tutor.ui.screens.quiz import QuizScreen

sys.path.insert(0, str(Path(__file__).parent))
from learner import settle  # noqa: E402

LIBRARY = load_library(bundled_content_dirs())


def home_options(app) -> OptionList:
    return app.screen.query_one("#lessons", OptionList)


def option_texts(options: OptionList) -> list[str]:
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_one_due_count_on_home_palette_review_and_stats(tmp_path):
    db = tmp_path / "p.sqlite3"
    store = ProgressStore(db)
    items = sorted(all_items(LIBRARY))[:7]
    for item_id in items:
        store.record_attempt(item_id, "quiz", answer="x", correct=False)
    store.record_attempt("an-item-no-longer-in-the-course", "quiz", answer="x", correct=False)
    now = datetime.now(timezone.utc)
    conn = store._conn
    # 3 due an hour ago, 2 later today, 2 next week, and the stray one due (not counted).
    for item_id, due in zip(items, [-1, -1, -1, 2, 3, 24 * 7, 24 * 8]):
        conn.execute("UPDATE review_cards SET due = ? WHERE item_id = ?",
                     (_iso(now + timedelta(hours=due)), item_id))
    conn.execute("UPDATE review_cards SET due = ? WHERE item_id = ?",
                 (_iso(now - timedelta(hours=5)), "an-item-no-longer-in-the-course"))
    store.close()

    # From the library, and from the home index a warm start draws home with (its item ids).
    from_index = {"home": HomeIndex.from_data(json.loads(json.dumps(
        HomeIndex.of(LIBRARY).to_data()))), "load_library": lambda: LIBRARY}
    for library, extra in ((LIBRARY, {}), (None, from_index)):
        app = TutorApp(library, ProgressStore(db), "en", **extra)
        async with app.run_test(size=(100, 30)) as pilot:
            home = option_texts(home_options(app))
            assert any("Review: 3 due now" in t for t in home), home
            palette = [c.title for c in app.get_system_commands(app.screen)]
            assert any("Review: 3 due now" in t for t in palette), palette
            assert compute_stats(LIBRARY, app.store).reviews_due == 3
            app.open_practice("review")
            await settle(pilot)
            assert isinstance(app.screen, QuizScreen) and len(app.screen.items) == 3


async def test_a_new_learner_is_shown_where_to_start(tmp_path):
    app = TutorApp(LIBRARY, ProgressStore(tmp_path / "p.sqlite3"), "ko")
    async with app.run_test(size=(80, 24)) as pilot:
        options = home_options(app)
        first = options.get_option_at_index(0)
        assert first.id == "start:01-01-gradient-steepest" and options.highlighted == 0
        assert "여기서 시작하세요: 1장" in str(first.prompt)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.lesson.id == "01-01-gradient-steepest"


async def test_continue_lists_every_lesson_in_progress_last_first(tmp_path):
    db = tmp_path / "p.sqlite3"
    store = ProgressStore(db)
    store.save_position("03-02-perceptron-gates", 3, 16)
    store.save_position("01-01-gradient-steepest", 2, 15)
    store.save_position("03-01-network-is-a-function", 1, 10)
    store.complete_lesson("03-01-network-is-a-function", 10)
    store.close()
    app = TutorApp(LIBRARY, ProgressStore(db), "en")
    async with app.run_test(size=(80, 24)):
        options = home_options(app)
        ids = [options.get_option_at_index(i).id for i in range(3)]
        assert ids == ["continue:01-01-gradient-steepest", "continue:03-02-perceptron-gates",
                       "menu:review"]
        assert "step 4 of" in str(options.get_option_at_index(1).prompt)


async def test_the_home_highlight_comes_back_to_the_same_lesson(tmp_path):
    app = TutorApp(LIBRARY, ProgressStore(tmp_path / "p.sqlite3"), "en")
    async with app.run_test(size=(80, 24)) as pilot:
        options = home_options(app)
        options.highlighted = options.get_option_index("lesson:03-04-learning-rate")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("q")          # back home: "start here" gives way to "continue"
        await settle(pilot)
        options = home_options(app)
        assert options.get_option_at_index(0).id == "continue:03-04-learning-rate"
        assert options.highlighted_option.id == "lesson:03-04-learning-rate"


async def test_the_footer_and_palette_speak_the_learners_language(tmp_path):
    app = TutorApp(LIBRARY, ProgressStore(tmp_path / "p.sqlite3"), "ko")
    async with app.run_test(size=(80, 24)) as pilot:
        footer = app.screen.query_one("TutorFooter")
        labels = [k.description for k in footer.query("FooterKey")]
        assert "종료" in labels and "명령 팔레트" in labels
        assert not {"Quit", "palette", "Keys", "Theme"} & set(labels)
        await pilot.press("ctrl+p")
        await settle(pilot)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        assert palette.query_one("CommandInput").placeholder == "명령이나 레슨 찾기…"
        titles = [c.title for c in app.get_system_commands(palette)]
        assert "테마 바꾸기(theme)" in titles and "종료" in titles
        assert not {"Keys", "Screenshot", "Maximize", "Theme", "Quit"} & set(titles)
        await pilot.press("escape")
        await pilot.press("L")          # as README and the hint say
        await settle(pilot)
        assert app.lang == "en"
        await pilot.press("l")
        await settle(pilot)
        assert app.lang == "ko"


HOSTILE = "[@click=app.quit]W[l] [b]bold?[/b][/]"


def hostile_content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    (folder / "lessons").mkdir(parents=True)
    (folder / "quizzes").mkdir()
    text = f'{{ko: "{HOSTILE}", en: "{HOSTILE}"}}'
    (folder / "lessons" / "hostile.yaml").write_text(textwrap.dedent(f"""\
        id: 03-91-hostile
        chapter: 3
        title: {text}
        steps:
          - prose: {text}
          - why:
              q: {text}
              a: {text}
              points: [{text}, {text}]
          - quiz: {{ref: hostile-mcq}}
          - prose: {{ko: "[링크](https://example.org)", en: "[a link](https://example.org)"}}
        """), encoding="utf-8")
    (folder / "quizzes" / "hostile.yaml").write_text(textwrap.dedent(f"""\
        questions:
          - id: hostile-mcq
            type: mcq
            chapter: 3
            tags: [sample]
            q: {text}
            choices: [{text}, {{ko: "b", en: "b"}}]
            answer: 0
            explanation: {text}
          - id: hostile-why
            type: why
            chapter: 3
            tags: [sample]
            q: {text}
            a: {text}
            points: [{text}, {text}]
            explanation: {text}
        """), encoding="utf-8")
    return folder


async def test_content_that_looks_like_markup_is_shown_literally(tmp_path):
    library = load_library([hostile_content(tmp_path)])
    assert library.errors == []
    app = TutorApp(library, ProgressStore(tmp_path / "p.sqlite3"), "en", start_lesson="03-91")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        for key in ("space", "space", "space", "3", "space", "1"):
            await pilot.press(key)
            await settle(pilot)
        svg = app.export_screenshot().replace("&#160;", " ")
        # Title, prose, question, answer, key points, choices: the brackets are text.
        assert svg.count("[@click=app.quit]W[l]") >= 6, svg.count("[@click=app.quit]W[l]")
        assert "[b]bold?[/b]" in svg
        # Clicking everywhere: nothing in content can run an action.
        for y in range(3, 38, 2):
            for x in range(2, 90, 6):
                await pilot.click(offset=(x, y))
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, LessonScreen)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert any(HOSTILE in t for t in titles)


async def test_a_link_opens_only_after_the_learner_says_yes(tmp_path, monkeypatch):
    from textual.widgets import Markdown

    from tutor.ui.screens.confirm_link import ConfirmLink

    opened: list[str] = []
    library = load_library([hostile_content(tmp_path)])
    app = TutorApp(library, ProgressStore(tmp_path / "p.sqlite3"), "en", start_lesson="03-91")
    monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        prose = app.screen.query(Markdown).first()
        for url in ("javascript:alert(1)", "file:///etc/passwd", "https://example.org/a"):
            prose.post_message(Markdown.LinkClicked(prose, url))
            await settle(pilot)
        assert isinstance(app.screen, ConfirmLink) and app.screen.url == "https://example.org/a"
        await pilot.press("n")
        await settle(pilot)
        assert opened == [] and isinstance(app.screen, LessonScreen)
        prose.post_message(Markdown.LinkClicked(prose, "https://example.org/b"))
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert opened == ["https://example.org/b"]


async def test_an_answer_with_fewer_decimals_than_asked_says_how_it_was_read(tmp_path):
    from textual.widgets import Static

    from tutor.practice.session import all_items

    item = all_items(LIBRARY)["q01-max-slope"]
    app = TutorApp(LIBRARY, ProgressStore(tmp_path / "p.sqlite3"), "en")
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_quiz([item])
        await settle(pilot)
        await pilot.press(*"7.21", "enter")
        await settle(pilot)
        card = app.screen.current
        assert card.done and card.correct is True      # 7.210 is one unit from 7.211
        shown = " ".join(str(s.render()) for s in card.query("#feedback Static"))
        assert "7.21 was graded as 7.210" in shown and "3 decimals" in shown


async def test_an_interview_shows_markup_looking_key_points_as_text_and_ends_on_space(tmp_path):
    from textual.widgets import SelectionList

    from tutor.practice.interview import interview_items
    from tutor.ui.screens.interview import InterviewScreen

    library = load_library([hostile_content(tmp_path)])
    items = interview_items(library, n=1)
    assert [i.item_id for i in items] == ["hostile-why"]
    app = TutorApp(library, ProgressStore(tmp_path / "p.sqlite3"), "en",
                   start_interview=(items, 10))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"my answer", "ctrl+s")
        await settle(pilot)
        points = app.screen.query_one(SelectionList)
        shown = [str(points.get_option_at_index(i).prompt) for i in range(points.option_count)]
        assert shown == [HOSTILE, HOSTILE]
        await pilot.press("space", "ctrl+s")            # tick the first, then the report
        await settle(pilot)
        assert app.screen.flow.phase == "done"
        await pilot.press("space")                      # the finished report goes back on space
        await settle(pilot)
        assert not isinstance(app.screen, InterviewScreen)


async def test_typing_then_esc_leaves_scrolling_alive_and_the_footer_tells_the_truth(tmp_path):
    from textual.widgets import TextArea

    lesson = LIBRARY.lessons["01-01-gradient-steepest"]
    index = next(i for i, s in enumerate(lesson.steps) if type(s).__name__ == "WhyStep")
    db = tmp_path / "p.sqlite3"
    store = ProgressStore(db)
    store.save_position(lesson.id, index, len(lesson.steps))
    store.close()
    app = TutorApp(LIBRARY, ProgressStore(db), "en", start_lesson="01-01")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen

        def footer() -> list[str]:
            return [k.description for k in screen.query_one("TutorFooter").query("FooterKey")]

        await pilot.press("t")
        await settle(pilot)
        area = screen.current.query_one("#answer-box", TextArea)
        assert app.focused is area and area.size.height >= 3     # three lines of text at least
        assert "Stop typing" in footer() and "Next" not in footer() and "Back" not in footer()
        await pilot.press(*"why", "enter", *"because", "enter", "a", "enter", "b", "enter", "c")
        await settle(pilot)
        assert area.size.height > 4                               # it grew with the answer
        assert area.text == "why\nbecause\na\nb\nc" and not screen.current.revealed   # Enter is a new line
        await pilot.press("escape")
        await settle(pilot)
        assert app.focused is None and "Next" in footer() and "Stop typing" not in footer()
        scroller = screen.scroller
        bottom = scroller.scroll_y
        await pilot.press("pageup")
        await settle(pilot)
        assert scroller.scroll_y < bottom
        await pilot.press("end")
        await settle(pilot)
        assert scroller.scroll_y == scroller.max_scroll_y
        item_id = screen.current.item_id
        await pilot.press("space", "2")                          # reveal, rate: the typed answer is kept
        await settle(pilot)
    rows = ProgressStore(db).attempts(item_id)
    assert [(r["answer"], r["rating"]) for r in rows] == [("why\nbecause\na\nb\nc", 2)]


async def test_the_prompt_comes_back_into_view_however_late_the_steps_are_laid_out(tmp_path):
    """On a busy machine a step can be laid out seconds after the key that showed it: the
    scroll goal waits for that (it has no deadline), and only the learner's own scrolling
    drops it."""
    import asyncio

    from tutor.ui.widgets.steps import StepResized

    app = TutorApp(LIBRARY, ProgressStore(tmp_path / "p.sqlite3"), "en", start_lesson="03-04")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        while screen.scroller.max_scroll_y == 0:       # walk on until the steps overflow
            await pilot.press("space")
            await settle(pilot)
        kept = screen.scroller.scroll_y
        assert kept > 0 and screen.scroll_goal is not None
        await asyncio.sleep(3.5)                       # longer than any deadline used to be
        screen.scroller.scroll_home(animate=False)     # as a late layout moves the content
        screen.scroller.post_message(StepResized())
        await settle(pilot)
        assert screen.scroller.scroll_y == kept        # the prompt is back in view

        await pilot.press("pageup")                    # the learner scrolls: that wins
        await settle(pilot)
        moved = screen.scroller.scroll_y
        assert screen.scroll_goal is None
        screen.scroller.post_message(StepResized())
        await settle(pilot)
        assert screen.scroller.scroll_y == moved
