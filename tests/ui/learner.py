"""A hurried learner for Pilot tests: completes whatever step is on screen, right or wrong.

It answers from the widget's own question (the shown order of an order question, the key of a
numeric one), so it walks any lesson or bank without knowing it in advance, and it checks on the
way what a learner would see: the step opens at its top, what a key reveals is on screen with the
prompt below it, and the prompt is mirrored in the status line.
"""

from __future__ import annotations

from decimal import Decimal

from textual.widgets import Input, Static

from tutor.content import McqQuestion, MultiQuestion, NumericQuestion, OrderQuestion, WhyQuestion
from tutor.practice.grading import answer_text
from tutor.ui.run.step import RunCard
from tutor.ui.widgets.steps import (
    DerivationCard,
    DerivationPractice,
    FailedStep,
    ProseView,
    QuizCard,
    StepWidget,
    WhyCard,
)

MAX_KEYS_PER_STEP = 200


def visible(widget, scroller) -> bool:
    """The widget is laid out and wholly inside the scroller's visible area."""
    region = widget.region
    return bool(region.height) and scroller.region.contains_region(region)


def top_visible(widget, scroller) -> bool:
    region = widget.region
    return bool(region.height) and scroller.region.contains(region.x, region.y)


def wrong_number(question: NumericQuestion) -> str:
    answer = Decimal(str(question.answer))
    return str(answer + Decimal(str(max(question.tolerance, 1e-3))) * 100 + 1)


def right_answer(card: QuizCard) -> str:
    q = card.question
    if isinstance(q, NumericQuestion):
        return repr(q.answer)
    # The canonical order leads the text (a note on interchangeable items may follow).
    return " ".join(answer_text(q, "en", card.order).split()[:len(q.items)])


async def settle(pilot) -> None:
    """Wait until the screen stops moving (Markdown lays out after it mounts), at most ~1 s."""
    def layout():
        screen = pilot.app.screen
        scroller = getattr(screen, "scroller", None)
        return (scroller.scroll_y, scroller.virtual_size) if scroller else None

    await pilot.pause()
    last, still = layout(), 0
    for _ in range(200):
        await pilot.pause()
        now = layout()
        still = still + 1 if now == last else 0
        if still >= 2:
            return
        last = now


class Learner:
    def __init__(self, pilot, *, right: bool = True):
        self.pilot = pilot
        self.right = right
        self.keys = 0
        self.graded: list[tuple[str, bool]] = []   # (question id, answered right?)
        self.rated: list[str] = []
        self.seen_types: set[str] = set()

    @property
    def screen(self):
        return self.pilot.app.screen

    async def press(self, *keys: str) -> None:
        self.keys += len(keys)
        await self.pilot.press(*keys)
        await settle(self.pilot)

    def status(self) -> str:
        return str(self.screen.query_one(f"#{self.screen.status_id}", Static).render())

    def check_prompt_shown(self, step: StepWidget) -> None:
        """The step's prompt is in the status line, and its hint line is on screen."""
        prompt = step.prompt()
        if prompt:
            assert prompt in self.status(), (prompt, self.status())
        hints = step.query(".hint")
        scroller = self.screen.scroller
        # A run card opens at its top (title, question, settings); its prompt, under the plots,
        # is read in the status line while it runs. So is the prompt of any step taller than
        # the screen (a long generated table at 80×24): it opens at its top, checked by
        # complete_step, and its prompt is in the status line, checked above.
        fits = step.outer_size.height <= scroller.region.height
        if hints and prompt and not isinstance(step, RunCard) and fits:
            assert visible(hints.last(), scroller), \
                f"{step.id}: the prompt {prompt!r} is scrolled out of view"

    async def complete_step(self) -> StepWidget:
        """Answer the current step until it is done; returns it."""
        step = self.screen.current
        assert not isinstance(step, FailedStep) and step.failure is None, step.failure
        scroller = self.screen.scroller
        assert top_visible(step, scroller), f"{step.id} did not open at its top"
        self.check_prompt_shown(step)
        self.seen_types.add(type(step).__name__ if not isinstance(step, QuizCard)
                            else type(step.question).__name__)
        if isinstance(step, WhyCard):
            await self.press("space")
            assert step.revealed
            assert visible(step.query_one("#reveal").children[0], scroller) or \
                visible(step.query(".hint").last(), scroller)
            self.check_prompt_shown(step)
            await self.press("3")
            assert step.done and step.rating == 3
            self.rated.append(step.item_id)
        elif isinstance(step, DerivationCard):
            # Line by line; the space that follows the last line finishes it and moves on.
            while step.shown < len(step.derivation.steps):
                shown = step.shown
                await self.press("space")
                assert step.shown == shown + 1
                assert visible(step.query(".math").last(), scroller), \
                    f"{step.id}: the new derivation line is hidden"
                self.check_prompt_shown(step)
        elif isinstance(step, DerivationPractice):
            while not step.done:
                await self.press("space")
                self.check_prompt_shown(step)
                await self.press("3")
            self.rated.append(step.item_id)
        elif isinstance(step, QuizCard):
            await self.answer_quiz(step)
        elif isinstance(step, ProseView):
            pass
        return step

    async def answer_quiz(self, card: QuizCard) -> None:
        q = card.question
        right = self.right
        if isinstance(q, WhyQuestion):
            await self.press("space")
            self.check_prompt_shown(card)
            await self.press("3")
            self.rated.append(q.id)
            return
        if isinstance(q, McqQuestion):
            pick = q.answer + 1 if right else (q.answer + 1) % len(q.choices) + 1
            await self.press(str(pick))
        elif isinstance(q, MultiQuestion):
            picks = [a + 1 for a in q.answers]
            if not right:
                picks = [n for n in range(1, len(q.choices) + 1) if n - 1 not in q.answers] \
                    or picks[:-1] or [1]
            for n in picks:
                await self.press(str(n))
            await self.press("enter")
        elif isinstance(q, (NumericQuestion, OrderQuestion)):
            field = card.query_one("#quiz-input", Input)
            assert self.pilot.app.focused is field, "the answer field is not focused"
            if isinstance(q, NumericQuestion):
                text = right_answer(card) if right else wrong_number(q)
            else:
                shown = right_answer(card).split()
                text = " ".join(shown if right else shown[::-1])
            await self.press(*("space" if c == " " else c for c in text), "enter")
        assert card.done, f"{q.id}: not answered"
        assert card.correct is right, f"{q.id}: graded {card.correct}, expected {right}"
        self.graded.append((q.id, right))
        self.check_prompt_shown(card)

    async def finish_lesson(self) -> int:
        """Complete every step from the current one; returns the number of steps walked."""
        screen = self.screen
        walked = 0
        while not screen.finished:
            await self.complete_step()
            before = screen.index
            await self.press("space")
            walked += 1
            assert screen.finished or screen.index == before + 1, \
                f"step {before + 1} did not move on"
        return walked
