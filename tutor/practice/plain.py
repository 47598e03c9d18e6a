"""A quiz or review session line by line on stdin/stdout: for pipes, dumb terminals and tests.

End of input ends the session cleanly; every answer given so far is already saved.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from tutor.content import McqQuestion, MultiQuestion, NumericQuestion, OrderQuestion, render_inline_math
from tutor.i18n import tr

from .grading import answer_text, grade, shuffled_order
from .interview import InterviewAnswer, InterviewReport, follow_up_for
from .session import Outcome, PracticeItem, SessionSummary


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

    def ask(self, prompt: str) -> str:
        self.stdout.write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            raise EndOfInput
        if not self.stdin.isatty():
            # Piped input is not echoed by a terminal; echo it so the transcript reads right.
            self.stdout.write(line if line.endswith("\n") else line + "\n")
        return line.rstrip("\n")

    def text(self, bilingual) -> str:
        return render_inline_math(bilingual.get(self.lang))

    def run(self, items: list[PracticeItem], empty_key: str = "session_empty") -> SessionSummary:
        summary = SessionSummary()
        if not items:
            self.say(tr(empty_key, self.lang))
            return summary
        try:
            for i, item in enumerate(items, start=1):
                self.say()
                self.say(tr("q_header", self.lang, i=i, n=len(items), id=item.item_id,
                            chapter=item.chapter, tags=", ".join(item.tags)))
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
                f"{tag} ({round(share * 100)}%)" for tag, share, _ in weak)))

    def one(self, item: PracticeItem) -> Outcome:
        started = self.clock()
        if item.derivation is not None:
            rating = self.derivation(item)
            outcome = Outcome(item, rating=rating, seconds=round(self.clock() - started, 1))
        elif item.why is not None:
            self.say(self.text(item.why.q))
            answer = self.ask(tr("prompt_why", self.lang)).strip() or None
            self.reveal_why(item)
            rating = self.rating()
            outcome = Outcome(item, rating=rating, answer=answer,
                              seconds=round(self.clock() - started, 1))
        else:
            outcome = self.checked(item, started)
        self.store.record_attempt(item.item_id, item.kind, lesson_id=item.lesson_id,
                                  answer=outcome.answer, correct=outcome.correct,
                                  rating=outcome.rating, seconds=outcome.seconds)
        return outcome

    def reveal_why(self, item: PracticeItem) -> None:
        self.say(f"-- {tr('model_answer', self.lang)} --")
        self.say(self.text(item.why.a))
        self.say(f"-- {tr('key_points', self.lang)} --")
        for point in item.why.points:
            self.say(f"  * {self.text(point)}")

    def rating(self) -> int:
        while True:
            raw = self.ask(tr("prompt_rate", self.lang)).strip()
            if raw in ("1", "2", "3", "4"):
                return int(raw)
            self.say(tr("bad_rating", self.lang))

    def checked(self, item: PracticeItem, started: float) -> Outcome:
        q = item.question
        self.say(self.text(q.q))
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
        self.say(f"{tr('explanation', self.lang)}: {self.text(q.explanation)}")
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
    """The mock interview line by line; writes the same Markdown report as the TUI."""

    def interview(self, items: list[PracticeItem], library, minutes: float | None,
                  reports_dir) -> tuple[InterviewReport, object]:
        report = InterviewReport([], self.lang, minutes)
        if not items:
            self.say(tr("iv_empty", self.lang))
            return report, None
        started = self.clock()
        deadline = started + minutes * 60 if minutes else None
        queue = list(items)
        asked: set[str] = set()
        try:
            while queue:
                item = queue.pop(0)
                follow = item.item_id not in {i.item_id for i in items}
                asked.add(item.item_id)
                left = "-" if deadline is None else _clock(deadline - self.clock())
                self.say()
                self.say(tr("iv_header", self.lang, i=len(report.answers) + 1,
                            n=len(items), left=left)
                         + (f" · {tr('iv_follow_up', self.lang)}" if follow else ""))
                self.say(self.text(item.why.q))
                asked_at = self.clock()
                answer = self.ask(tr("iv_answer_prompt", self.lang)).strip()
                seconds = round(self.clock() - asked_at, 1)
                self.reveal_why_numbered(item)
                ticked = self.ticks(len(item.why.points))
                result = InterviewAnswer(item, answer, ticked, seconds, is_follow_up=follow)
                report.answers.append(result)
                self.store.record_attempt(item.item_id, "why", lesson_id=item.lesson_id,
                                          answer=answer or None, rating=result.rating,
                                          seconds=seconds)
                if deadline is not None and self.clock() >= deadline:
                    self.say(tr("iv_time_up", self.lang))
                    break
                nxt = follow_up_for(result, library, asked)
                if nxt is not None:
                    queue.insert(0, nxt)
        except EndOfInput:
            self.say()
            self.say(tr("ended_early", self.lang))
        got, total = report.total_points
        self.say()
        self.say(tr("iv_score", self.lang, got=got, total=total,
                    minutes=(self.clock() - started) / 60))
        path = report.write(reports_dir) if report.answers else None
        if path:
            self.say(tr("iv_report", self.lang, path=path))
        return report, path

    def reveal_why_numbered(self, item: PracticeItem) -> None:
        self.say(f"-- {tr('model_answer', self.lang)} --")
        self.say(self.text(item.why.a))
        self.say(f"-- {tr('key_points', self.lang)} --")
        for n, point in enumerate(item.why.points, start=1):
            self.say(f"  [{n}] {self.text(point)}")

    def ticks(self, count: int) -> list[int]:
        while True:
            raw = self.ask(tr("iv_tick_prompt", self.lang)).replace(",", " ").split()
            if all(p.isdigit() and 1 <= int(p) <= count for p in raw):
                return sorted({int(p) - 1 for p in raw})
            self.say(tr("bad_choices", self.lang, n=count))


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"
