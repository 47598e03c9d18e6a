"""The question banks as an Anki deck, for learners who review on their phones."""

from __future__ import annotations

import hashlib
import html
import sqlite3
from pathlib import Path

import genanki

from tutor.atomicfile import ExportError, replacing
from tutor.content import (
    GeneratedQuestion,
    Library,
    McqQuestion,
    MultiQuestion,
    OrderQuestion,
    WhyQuestion,
    render_inline_math,
)
from tutor.i18n import tr

from .grading import answer_text


def _stable_id(text: str) -> int:
    """Anki wants fixed 31-bit ids, so re-exports update the same deck instead of a new one."""
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16) >> 1


def _html(markdown: str) -> str:
    return html.escape(render_inline_math(markdown)).replace("\n", "<br>")


MODEL = genanki.Model(
    _stable_id("why-tutor-model-v1"),
    "Why Tutor question",
    fields=[{"name": "Id"}, {"name": "Question"}, {"name": "Answer"}],
    templates=[{
        "name": "Card 1",
        "qfmt": "{{Question}}",
        "afmt": "{{FrontSide}}<hr id=answer>{{Answer}}",
    }],
    css=".card { font-family: sans-serif; font-size: 18px; text-align: left; }",
)


def question_note(question, lang: str) -> genanki.Note:
    if isinstance(question, GeneratedQuestion):
        from tutor.content.generators import generate  # noqa: PLC0415

        question = generate(question, seed=0)
    front = _html(question.q.get(lang))
    if isinstance(question, (McqQuestion, MultiQuestion)):
        front += "<br>" + "<br>".join(f"[{i + 1}] {_html(c.get(lang))}"
                                      for i, c in enumerate(question.choices))
    order = None
    if isinstance(question, OrderQuestion):
        order = list(range(len(question.items)))
        front += "<br>" + "<br>".join(f"- {_html(item.get(lang))}" for item in question.items)
    if isinstance(question, WhyQuestion):
        back = _html(question.a.get(lang)) + "<br><br><b>" + html.escape(tr("key_points", lang)) \
            + "</b><br>" + "<br>".join(f"• {_html(p.get(lang))}" for p in question.points)
    else:
        back = f"<b>{html.escape(answer_text(question, lang, order))}</b><br><br>" \
            + _html(question.explanation.get(lang))
    return genanki.Note(model=MODEL, fields=[question.id, front, back],
                        guid=genanki.guid_for(question.id, lang), tags=list(question.tags))


def export_anki(library: Library, path: Path, lang: str) -> int:
    """Write every bank question as an Anki note; returns how many. The deck replaces ``path``
    only once complete (an earlier deck there survives a failure); ExportError says why."""
    deck = genanki.Deck(_stable_id(f"why-tutor-deck-{lang}"),
                        "Why Tutor (한국어)" if lang == "ko" else "Why Tutor")
    for question in library.questions.values():
        deck.add_note(question_note(question, lang))
    try:
        with replacing(path) as tmp:
            genanki.Package(deck).write_to_file(str(tmp))
    except sqlite3.Error as err:  # genanki builds the collection in a temporary SQLite file
        raise ExportError.of("export_not_written", path=path, reason=err) from None
    return len(deck.notes)
