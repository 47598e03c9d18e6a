"""The numbers a learner checks: lessons done, reviews due, retention, accuracy, streak."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from tutor.content import GeneratedQuestion, Library, render_inline_math
from tutor.i18n import tag_name, tr

from .session import PracticeItem, all_items, due_count, instantiate
from .terminal_text import markdown_to_plain


@dataclass
class Stats:
    lessons_done: dict[int, tuple[int, int]] = field(default_factory=dict)  # chapter -> (done, all)
    reviews_due: int = 0
    review_items: int = 0
    retention: float | None = None  # share of reviews of already-seen items not rated Again
    accuracy_by_tag: dict[str, tuple[int, int]] = field(default_factory=dict)  # tag -> (right, n)
    streak_days: int = 0
    study_days: int = 0
    # (item id, FSRS difficulty 1-10, retrievability now): the items this learner finds hardest.
    weakest: list[tuple[str, float, float]] = field(default_factory=list)


def compute_stats(library: Library, store, now: datetime | None = None,
                  today: date | None = None) -> Stats:
    now = now or datetime.now(timezone.utc)
    stats = Stats()
    progress = store.progress()
    for number in range(1, 10):
        lessons = library.lessons_in(number)
        if lessons:
            done = sum(1 for l in lessons if progress.get(l.id) and progress[l.id].completed)
            stats.lessons_done[number] = (done, len(lessons))

    stats.reviews_due = due_count(all_items(library), store, now)
    items = store.review_items()
    stats.review_items = len(items)

    # Retention: of the reviews of items that had been reviewed before, how many were recalled
    # (rated Hard or better) — the measure FSRS's desired retention aims at.
    seen: set[str] = set()
    recalled = repeats = 0
    for item_id, rating, _ in store.review_log():
        if item_id in seen:
            repeats += 1
            recalled += rating >= 2
        seen.add(item_id)
    stats.retention = recalled / repeats if repeats else None

    known = all_items(library)
    right: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    days: set[date] = set()
    for attempt in store.attempts():
        days.add(datetime.fromisoformat(attempt["created_at"]).astimezone().date())
        if attempt["correct"] is None or attempt["item_id"] not in known:
            continue
        for tag in known[attempt["item_id"]].tags:
            total[tag] += 1
            right[tag] += attempt["correct"]
    stats.accuracy_by_tag = {t: (right[t], total[t]) for t in sorted(total)}

    stats.study_days = len(days)
    day = today or datetime.now().date()
    if day not in days:
        day -= timedelta(days=1)  # a streak is not broken until today is over
    while day in days:
        stats.streak_days += 1
        day -= timedelta(days=1)

    rated = [i for i in items if i.card.difficulty is not None]
    rated.sort(key=lambda i: (-i.card.difficulty, store.retrievability(i, now), i.item_id))
    stats.weakest = [(i.item_id, i.card.difficulty, store.retrievability(i, now))
                     for i in rated[:10]]
    return stats


def format_stats(stats: Stats, library: Library, lang: str) -> str:
    """The stats as Markdown, in ``lang``, with tag names and question titles (never ids)."""
    lines = ["# " + tr("st_title", lang), ""]
    for number, (done, count) in stats.lessons_done.items():
        chapter = library.chapters.get(number)
        title = chapter.title.get(lang) if chapter else ""
        lines.append("- " + tr("st_chapter", lang, n=number, title=title, done=done, count=count))
    lines.append("")
    lines.append("- " + tr("st_reviews", lang, due=stats.reviews_due, items=stats.review_items))
    if stats.retention is not None:
        lines.append("- " + tr("st_retention", lang, share=f"{stats.retention:.0%}"))
    lines.append("- " + tr("st_streak", lang, days=stats.streak_days, total=stats.study_days))
    if stats.accuracy_by_tag:
        lines += ["", "## " + tr("st_by_tag", lang), ""]
        ranked = sorted(stats.accuracy_by_tag.items(), key=lambda kv: (kv[1][0] / kv[1][1], kv[0]))
        for tag, (right, n) in ranked:
            lines.append(f"- {_escape(tag_name(tag, lang))}: {right}/{n} ({right / n:.0%})")
    if stats.weakest:
        known = all_items(library)
        lines += ["", "## " + tr("st_weakest", lang, n=len(stats.weakest)), ""]
        for item_id, difficulty, r in stats.weakest:
            title = item_title(known[item_id], lang) if item_id in known else tr("st_gone", lang)
            lines.append(f"- {_escape(title)} — " + tr("st_weak_item", lang, difficulty=f"{difficulty:.1f}",
                                                     recall=f"{r:.0%}"))
    return "\n".join(lines)


def item_title(item: PracticeItem, lang: str, width: int = 60) -> str:
    """What a learner recognises an item by: its question (shortened), or a derivation's title."""
    if item.derivation is not None:
        text = item.derivation.title.get(lang)
    elif item.why is not None:
        text = item.why.q.get(lang)
    else:
        question = item.question
        if isinstance(question, GeneratedQuestion):
            try:
                question = instantiate(item, 0).question
            except Exception:  # noqa: BLE001 (a broken generator must not break the stats)
                question = None
        text = question.q.get(lang) if question is not None and hasattr(question, "q") else ""
    words = " ".join(markdown_to_plain(render_inline_math(text)).split())
    if not words:
        words = ", ".join(tag_name(t, lang) for t in item.tags) or tr("st_gone", lang)
    return words if len(words) <= width else words[:width - 1].rstrip() + "…"


def _escape(text: str) -> str:
    """Plain text placed in Markdown stays literal (a `*` in a question is not emphasis)."""
    return re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", text)
