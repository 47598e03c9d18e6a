"""Quiz, review, interview and stats screens with the Pilot."""

from pathlib import Path

import fsrs
from textual.widgets import Markdown, OptionList, SelectionList, TextArea

from tutor.content import load_library
from tutor.practice.interview import interview_items
from tutor.practice.session import select_items
from tutor.store import ProgressStore
from tutor.ui.app import TutorApp
from tutor.ui.screens.home import HomeScreen
from tutor.ui.screens.interview import InterviewScreen
from tutor.ui.screens.quiz import QuizScreen
from tutor.ui.screens.stats import StatsScreen
from tutor.ui.widgets.steps import DerivationPractice, QuizCard

DATA = Path(__file__).resolve().parents[1] / "data"


def sample_library():
    lib = load_library([DATA / "good"])
    assert not lib.errors
    return lib


async def test_quiz_session_from_the_home_menu(tmp_path):
    lib = sample_library()
    app = TutorApp(lib, ProgressStore(tmp_path / "p.sqlite3"), "en")
    async with app.run_test(size=(100, 30)) as pilot:
        options = app.screen.query_one("#lessons", OptionList)
        options.highlighted = options.get_option_index("menu:quiz")
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuizScreen) and len(screen.items) == 2
        for _ in screen.items:
            card = screen.current
            assert isinstance(card, QuizCard)
            if card.question.id == "sample-mcq":
                await pilot.press("2")
            else:
                await pilot.press(*"0.3", "enter")
            await pilot.pause()
            await pilot.press("space")
            await pilot.pause()
        assert screen.finished
        summary = str(screen.query_one("#quiz-summary").render())
        assert "Score 1/2" in summary and "activation" in summary
        await pilot.press("q")
        assert isinstance(app.screen, HomeScreen)
        # Both answers became review items; the wrong one is due soon.
        assert len(app.store.review_items()) == 2


async def test_review_practises_a_derivation_line_by_line(tmp_path):
    lib = sample_library()
    store = ProgressStore(tmp_path / "p.sqlite3", scheduler=fsrs.Scheduler(enable_fuzzing=False))
    store.record_attempt("03-90-sample/derivation-2", "derivation", lesson_id="03-90-sample")
    items = select_items(lib, store, due=True, n=None)
    assert [i.item_id for i in items] == ["03-90-sample/derivation-2"]
    app = TutorApp(lib, store, "en", start_quiz=(items, "session_empty_due"))
    async with app.run_test(size=(100, 30)) as pilot:
        card = app.screen.current
        assert isinstance(card, DerivationPractice)
        for rating in ("4", "2", "3"):
            await pilot.press("space")          # reveal the next line
            await pilot.press("space")          # must rate before going on
            assert len(card.ratings) < card.shown
            await pilot.press(rating)
        await pilot.pause()
        assert card.done and card.ratings == [4, 2, 3]
    [log] = [r for r in store.review_log() if r[0] == "03-90-sample/derivation-2"]
    assert log[1] == 2                           # the weakest line rates the card


async def test_interview_screen_ticks_points_and_writes_a_report(tmp_path):
    lib = load_library([DATA / "good"])
    # The sample lesson's why is not a bank question, so make one inline for the interview.
    from tutor.content.models import WhyQuestion
    question = WhyQuestion.model_validate({
        "id": "iv-q", "type": "why", "chapter": 3, "tags": ["linear"],
        "q": {"ko": "왜?", "en": "Why not only linear layers?"},
        "a": {"ko": "선형의 합성은 선형", "en": "Linear of linear is linear."},
        "points": [{"ko": "가", "en": "composition"}, {"ko": "나", "en": "non-linearity"}],
        "explanation": {"ko": "해설", "en": "because"}})
    lib.questions["iv-q"] = question
    lib.questions["iv-r"] = question.model_copy(update={"id": "iv-r"})
    items = interview_items(lib, n=3, seed=1)
    assert sorted(i.item_id for i in items) == ["iv-q", "iv-r"]
    store = ProgressStore(tmp_path / "p.sqlite3")
    app = TutorApp(lib, store, "en", start_interview=(items, 10))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, InterviewScreen)
        assert "Interview question" in str(screen.query_one("#iv-timer").render())
        assert isinstance(app.focused, TextArea)
        await pilot.press(*"stack", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.focused, SelectionList)
        await pilot.press("space", "ctrl+s")     # tick the first point only
        await pilot.pause()
        # The second question replaces the first (this crashed once: widgets with fixed ids).
        assert screen.phase == "answer" and len(screen.answers) == 1
        await pilot.press(*"again", "ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+s")              # no points ticked
        await pilot.pause()
        assert screen.phase == "done"
    report = app.report_path
    assert report is not None and report.exists()
    text = report.read_text(encoding="utf-8")
    assert "> stack" in text and "- [x] composition" in text and "- [ ] non-linearity" in text
    first = items[0].item_id
    [row] = store.attempts(first)
    assert row["rating"] == 2 and row["answer"] == "stack"
    second = items[1].item_id
    assert [r["rating"] for r in store.attempts(second)] == [1]


async def test_stats_screen_shows_progress(tmp_path):
    lib = sample_library()
    store = ProgressStore(tmp_path / "p.sqlite3")
    store.record_attempt("sample-mcq", "quiz", answer="0", correct=False)
    app = TutorApp(lib, store, "en")
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_stats()
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        text = app.screen.query_one("#stats", Markdown).source
        assert "Chapter 3" in text and "activation functions: 0/1 (0%)" in text and "Streak: 1 day" in text
        assert "sample-mcq" not in text and "# Progress" in text  # names, not ids


def interview_library(points: int = 4):
    """The sample library with two bank why questions (iv-q leads to the follow-up iv-f)."""
    from tutor.content.models import WhyQuestion
    lib = load_library([DATA / "good"])
    question = WhyQuestion.model_validate({
        "id": "iv-q", "type": "why", "chapter": 3, "tags": ["linearity"],
        "q": {"ko": "선형 층만 쌓으면 왜 안 될까요?", "en": "Why not only linear layers?"},
        "a": {"ko": "선형의 합성은 선형입니다. " * 12, "en": "Linear of linear is linear. " * 12},
        "points": [{"ko": f"포인트 {n}", "en": f"point number {n}"} for n in range(1, points + 1)],
        "explanation": {"ko": "해설", "en": "because"}, "follow_up": ["iv-f"]})
    lib.questions["iv-q"] = question
    lib.questions["iv-f"] = question.model_copy(update={"id": "iv-f", "follow_up": []})
    return lib


async def test_interview_checklist_and_answer_fit_80x24(tmp_path):
    lib = interview_library()
    items = interview_items(lib, n=1, seed=1)
    assert [i.item_id for i in items] == ["iv-q"]
    app = TutorApp(lib, ProgressStore(tmp_path / "p.sqlite3"), "ko", start_interview=(items, 10))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.press(*"linear", "ctrl+s")
        await pilot.pause()
        visible = screen._compositor.visible_widgets
        points = screen.query_one(SelectionList)
        answer = screen.query_one(TextArea)
        assert points in visible and answer in visible
        # Every key point's row is on screen (the long model answer comes below them).
        assert points.region.bottom <= 24 - 2 and points.region.height >= 4 + 2
        assert answer.region.y >= 0 and answer.region.height > 0
        await pilot.press("space", "down", "space", "down", "space", "down", "space", "ctrl+s")
        await pilot.pause()
        # All points ticked: the follow-up is asked, still question 1 of 1.
        timer = str(screen.query_one("#iv-timer").render())
        assert timer.startswith("[1/1] 면접 질문") and "꼬리 질문" in timer


async def test_escape_ends_the_interview_and_writes_the_report(tmp_path):
    lib = interview_library(points=2)
    items = interview_items(lib, n=1, seed=1)
    store = ProgressStore(tmp_path / "p.sqlite3")
    app = TutorApp(lib, store, "en", start_interview=(items, 10))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.press(*"first", "ctrl+s")
        await pilot.pause()
        await pilot.press("space", "down", "space", "ctrl+s")   # both points: the follow-up
        await pilot.pause()
        await pilot.press(*"half typed")
        await pilot.press("escape")                          # ends early, typed answer kept
        await pilot.pause()
        assert screen.phase == "done" and isinstance(app.screen, InterviewScreen)
        summary = str(screen.query_one(".iv-summary").render())
        assert "The interview ended early; the report covers the 2 question(s) answered." in summary
        assert f"Interview report: {app.report_path}" in summary
    text = app.report_path.read_text(encoding="utf-8")
    assert "> first" in text and "> half typed" in text
    assert "ended before the points were ticked" in text and "iv-q" not in text
    assert [(r["item_id"], r["rating"]) for r in store.attempts()] == [("iv-q", 4), ("iv-f", None)]
