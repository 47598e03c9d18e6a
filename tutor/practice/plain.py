"""A quiz or review session line by line on stdin/stdout: for pipes, dumb terminals and tests.

End of input ends the session cleanly; every answer given so far is already saved. Any
input is read: invalid UTF-8 arrives as '�' (the CLI opens stdin with errors="replace"),
control characters are dropped, and a line longer than MAX_LINE is asked for again.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from tutor.content import McqQuestion, MultiQuestion, NumericQuestion, OrderQuestion, render_inline_math
from tutor.i18n import tag_name, tr

from .grading import answer_text, grade, shuffled_order
from .interview import InterviewFlow, InterviewReport
from .session import Outcome, PracticeItem, SessionSummary
from .terminal_text import write_markdown

MAX_LINE = 4000  # characters; a longer line is refused whole, never cut


class EndOfInput(Exception):
    pass


class PlainSession:
    def __init__(self, store, lang: str, stdin: TextIO, stdout: TextIO,
                 clock: Callable[[], float] = time.monotonic):
        self.store = store
        self.lang = lang
        self.stdin = stdin
        self.stdout = stdout
        self.clock = clock

    def say(self, text: str = "") -> None:
        print(text, file=self.stdout, flush=True)

    def show(self, bilingual) -> None:
        """Content text (Markdown with math), rendered for the terminal or as plain text."""
        write_markdown(self.text(bilingual), self.stdout)

    def ask(self, prompt: str) -> str:
        while True:
            self.stdout.write(prompt)
            self.stdout.flush()
            line = self.stdin.readline(MAX_LINE + 1)
            if not line:
                raise EndOfInput
            too_long = len(line) > MAX_LINE and not line.endswith("\n")
            clean = "".join(c for c in line.rstrip("\r\n")
                            if c == "\t" or unicodedata.category(c) != "Cc")
            while too_long and line and not line.endswith("\n"):  # skip the rest, bounded
                line = self.stdin.readline(MAX_LINE + 1)
            if not self.stdin.isatty():
                # Piped input is not echoed by a terminal; echo it so the transcript reads right.
                self.stdout.write((clean[:80] + " …" if too_long else clean) + "\n")
            if not too_long:
                return clean
            self.say(tr("line_too_long", self.lang, n=MAX_LINE))

    def text(self, bilingual) -> str:
        return render_inline_math(bilingual.get(self.lang))

    def saved(self, ok: bool | None) -> None:
        """The store returns False when it kept an answer in memory only: say so."""
        if ok is False:
            self.say(tr("answer_unsaved", self.lang))

    def run(self, items: list[PracticeItem], empty_key: str = "session_empty") -> SessionSummary:
        summary = SessionSummary()
        if not items:
            self.say(tr(empty_key, self.lang))
            return summary
        try:
            for i, item in enumerate(items, start=1):
                self.say()
                self.say(tr("q_header", self.lang, i=i, n=len(items), chapter=item.chapter,
                            tags=", ".join(tag_name(t, self.lang) for t in item.tags)))
                summary.outcomes.append(self.one(item))
        except EndOfInput:
            self.say()
            self.say(tr("ended_early", self.lang))
        self.report(summary)
        return summary

    def report(self, summary: SessionSummary) -> None:
        right, total = summary.score
        self.say()
        self.say(tr("summary", self.lang, right=right, total=total, seconds=summary.seconds))
        weak = summary.weakest_tags()
        if weak:
            self.say(tr("weakest", self.lang, tags=", ".join(
                f"{tag_name(tag, self.lang)} ({round(share * 100)}%)" for tag, share, _ in weak)))

    def one(self, item: PracticeItem) -> Outcome:
        started = self.clock()
        if item.derivation is not None:
            rating = self.derivation(item)
            outcome = Outcome(item, rating=rating, seconds=round(self.clock() - started, 1))
        elif item.why is not None:
            self.show(item.why.q)
            answer = self.ask(tr("prompt_why", self.lang)).strip() or None
            self.reveal_why(item)
            rating = self.rating()
            outcome = Outcome(item, rating=rating, answer=answer,
                              seconds=round(self.clock() - started, 1))
        else:
            outcome = self.checked(item, started)
        self.saved(self.store.record_attempt(item.item_id, item.kind, lesson_id=item.lesson_id,
                                             answer=outcome.answer, correct=outcome.correct,
                                             rating=outcome.rating, seconds=outcome.seconds))
        return outcome

    def reveal_why(self, item: PracticeItem, numbered: bool = False) -> None:
        self.say(f"-- {tr('model_answer', self.lang)} --")
        self.show(item.why.a)
        self.say(f"-- {tr('key_points', self.lang)} --")
        for n, point in enumerate(item.why.points, start=1):
            self.say(f"  [{n}] {self.text(point)}" if numbered else f"  * {self.text(point)}")

    def rating(self) -> int:
        while True:
            raw = self.ask(tr("prompt_rate", self.lang)).strip()
            if raw in ("1", "2", "3", "4"):
                return int(raw)
            self.say(tr("bad_rating", self.lang))

    def checked(self, item: PracticeItem, started: float) -> Outcome:
        q = item.question
        self.show(q.q)
        order = shuffled_order(q, item.item_id) if isinstance(q, OrderQuestion) else None
        if isinstance(q, (McqQuestion, MultiQuestion)):
            for n, choice in enumerate(q.choices, start=1):
                self.say(f"  [{n}] {self.text(choice)}")
        elif isinstance(q, OrderQuestion):
            for n, original in enumerate(order, start=1):
                self.say(f"  [{n}] {self.text(q.items[original])}")
        prompt = {McqQuestion: "prompt_choice", MultiQuestion: "prompt_multi",
                  NumericQuestion: "prompt_number", OrderQuestion: "prompt_order"}[type(q)]
        while True:
            graded = grade(q, self.ask(tr(prompt, self.lang)), order)
            if graded.problem is None:
                break
            self.say(graded.problem_text(self.lang))
        if graded.correct:
            self.say(tr("correct", self.lang))
        else:
            self.say(tr("wrong", self.lang, answer=answer_text(q, self.lang, order)))
        if graded.note:
            self.say(graded.note_text(self.lang))
        self.say(f"{tr('explanation', self.lang)}:")
        self.show(q.explanation)
        return Outcome(item, correct=graded.correct, answer=graded.given,
                       seconds=round(self.clock() - started, 1))

    def derivation(self, item: PracticeItem) -> int:
        """Predict each next line, reveal it, rate it; the card takes the worst line's rating."""
        d = item.derivation
        self.say(tr("derivation_practice", self.lang, title=d.title.get(self.lang)))
        if d.given:
            self.say(f"{tr('given', self.lang)}: {self.text(d.given)}")
        ratings = []
        for n, line in enumerate(d.steps, start=1):
            self.ask(tr("prompt_predict", self.lang))
            self.say(f"  ({n}) {line.unicode}")
            self.say(f"      {self.text(line.why)}")
            ratings.append(self.rating())
        return min(ratings)


class PlainInterview(PlainSession):
    """The mock interview line by line, driving the same InterviewFlow as the TUI screen."""

    def interview(self, items: list[PracticeItem], library, minutes: float | None,
                  reports_dir: Path) -> tuple[InterviewReport, Path | None]:
        flow = InterviewFlow(items, library, self.store, self.lang, minutes, clock=self.clock)
        if not items:
            self.say(tr("iv_empty", self.lang))
            return flow.report, None
        try:
            while (item := flow.next_question()) is not None:
                self.say()
                self.say(flow.header())
                self.show(item.why.q)
                flow.submit_answer(self.ask(tr("iv_answer_prompt", self.lang)))
                self.reveal_why(item, numbered=True)
                flow.tick(self.ticks(len(item.why.points)))
                self.saved(flow.last_saved)
                if flow.time_up:
                    self.say(tr("iv_time_up", self.lang))
        except EndOfInput:
            flow.end_early()
            self.say()
            self.say(tr("iv_ended", self.lang, n=len(flow.answers)))
        path = flow.finish(reports_dir)
        self.say()
        self.say(flow.score_line())
        self.say(flow.report_line(path))
        return flow.report, path

    def ticks(self, count: int) -> list[int]:
        while True:
            raw = self.ask(tr("iv_tick_prompt", self.lang)).replace(",", " ").split()
            # isascii: '²' is a digit to str.isdigit() but not a number int() reads.
            if all(p.isascii() and p.isdigit() and len(p) <= 4 and 1 <= int(p) <= count
                   for p in raw):
                return sorted({int(p) - 1 for p in raw})
            self.say(tr("bad_choices", self.lang, n=count))
