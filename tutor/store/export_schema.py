"""What a progress export may contain: every field with the types and ranges the store uses.

``progress import`` checks the whole file against these models before it writes anything, so a
crafted or damaged export is refused with one line naming the record (``attempts[12].rating``)
instead of being merged and breaking the tutor at its next start.
"""

from __future__ import annotations

import json
import reprlib
from datetime import datetime
from typing import Annotated, Any, Literal

import fsrs
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import BadExport

EXPORT_FORMAT = "why-tutor-progress"
MAX_EXPORT_BYTES = 64 << 20   # a lifetime of answers is a few MiB
MAX_ROWS = 1_000_000        # per table; a learner answers a few thousand questions a year
MAX_ID = 200                # lesson and item ids are short slugs
MAX_ANSWER = 20_000         # a long written answer, with room to spare
MAX_CARD_JSON = 2_000       # an fsrs card is about 200 characters
MAX_STEPS = 10_000
MAX_SECONDS = 10_000_000.0  # over 100 days on one question is not a real measurement


def _aware_time(text: str) -> str:
    """ISO text with a timezone: the store compares and schedules by these."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{_show(text)} is not an ISO time") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{_show(text)} has no timezone")
    return text


def _card_json(text: str) -> str:
    """The fsrs package's JSON for one card, with values the scheduler can work with."""
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):
        raise ValueError("card_json is not JSON") from None
    try:
        card = CardData.model_validate(raw)
        fsrs.Card.from_json(text)
    except ValidationError as err:
        where, reason = _first_error(err, raw)
        raise ValueError(f"card_json.{where}: {reason}") from None
    except (KeyError, TypeError, ValueError, OverflowError) as err:
        raise ValueError(f"card_json is not an fsrs card ({err})") from None
    if card.state != 1 and (card.stability is None or card.difficulty is None):
        raise ValueError("card_json: a reviewed card needs stability and difficulty")
    return text


Id = Annotated[str, Field(min_length=1, max_length=MAX_ID)]
Time = Annotated[str, Field(max_length=64), AfterValidator(_aware_time)]
Kind = Literal["why", "quiz", "derivation"]
Rating = Annotated[int, Field(ge=1, le=4)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class CardData(_Record):
    card_id: Annotated[int, Field(ge=0, le=2**63 - 1)]
    state: Annotated[int, Field(ge=1, le=3)]
    step: Annotated[int, Field(ge=0, le=100)] | None
    stability: Annotated[float, Field(gt=0, le=1e6)] | None
    difficulty: Annotated[float, Field(ge=1, le=10)] | None
    due: Time
    last_review: Time | None


class LessonRow(_Record):
    lesson_id: Id
    step: Annotated[int, Field(ge=0, le=MAX_STEPS)]
    total_steps: Annotated[int, Field(ge=0, le=MAX_STEPS)]
    completed_at: Time | None
    updated_at: Time

    @model_validator(mode="after")
    def _step_within_lesson(self) -> LessonRow:
        if self.step > max(self.total_steps - 1, 0):
            raise ValueError(f"step {self.step} is beyond the lesson's {self.total_steps} steps")
        return self


class AttemptRow(_Record):
    item_id: Id
    kind: Kind
    lesson_id: Id | None
    answer: Annotated[str, Field(max_length=MAX_ANSWER)] | None
    correct: Annotated[int, Field(ge=0, le=1)] | None
    rating: Rating | None
    seconds: Annotated[float, Field(ge=0, le=MAX_SECONDS)] | None
    created_at: Time


class CardRow(_Record):
    item_id: Id
    kind: Kind
    lesson_id: Id | None
    card_json: Annotated[str, Field(max_length=MAX_CARD_JSON), AfterValidator(_card_json)]
    due: Time
    created_at: Time


class ReviewRow(_Record):
    item_id: Id
    rating: Rating
    reviewed_at: Time
    duration_ms: Annotated[int, Field(ge=0, le=int(MAX_SECONDS * 1000))] | None


class Export(_Record):
    format: Literal["why-tutor-progress"]
    schema_version: Annotated[int, Field(alias="schema", ge=1)]
    exported_at: Time
    lesson_progress: Annotated[list[LessonRow], Field(max_length=MAX_ROWS)]
    attempts: Annotated[list[AttemptRow], Field(max_length=MAX_ROWS)]
    review_cards: Annotated[list[CardRow], Field(max_length=MAX_ROWS)]
    review_log: Annotated[list[ReviewRow], Field(max_length=MAX_ROWS)]


def validate_export(data: Any, known_schema: int) -> Export:
    """The export as checked records, or BadExport naming the first wrong field."""
    if isinstance(data, Export):
        return data
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise BadExport("import_not_export")
    schema = data.get("schema")
    if type(schema) is int and schema > known_schema:
        raise BadExport("import_bad_record", where="schema",
                        reason=f"{schema} is from a newer Why Tutor (this one knows "
                               f"{known_schema})")
    try:
        return Export.model_validate(data)
    except ValidationError as err:
        where, reason = _first_error(err, data)
        raise BadExport("import_bad_record", where=where, reason=reason) from None


_short = reprlib.Repr()
_short.maxstring = 40
_short.maxother = 40


def _show(value: Any) -> str:
    return _short.repr(value)


def _bound(limit: float) -> str:
    return f"{limit:g}" if isinstance(limit, float) else str(limit)


def _first_error(err: ValidationError, data: Any) -> tuple[str, str]:
    """``attempts[12].rating`` and why, for the first error pydantic found."""
    first = err.errors(include_url=False)[0]
    where = ""
    for part in first["loc"]:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    return where or "(top level)", _reason(first)


def _reason(error: dict) -> str:
    kind, ctx, value = error["type"], error.get("ctx", {}), error.get("input")
    if kind == "missing":
        return "missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "greater_than_equal":
        return f"{_show(value)} is below the minimum {_bound(ctx['ge'])}"
    if kind == "greater_than":
        return f"{_show(value)} is not above {_bound(ctx['gt'])}"
    if kind == "less_than_equal":
        return f"{_show(value)} is above the maximum {_bound(ctx['le'])}"
    if kind == "string_too_long":
        return f"text of {len(value)} characters is longer than {ctx['max_length']}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "too_long":
        return f"{len(value)} records, more than {ctx['max_length']}"
    if kind == "literal_error":
        return f"{_show(value)} is not one of {ctx['expected']}"
    if kind == "finite_number":
        return f"{_show(value)} is not a finite number"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind.endswith("_type") or kind.endswith("_parsing"):
        wanted = {"int": "a whole number", "float": "a number", "string": "text",
                  "list": "a list", "model": "an object", "dict": "an object",
                  "model_attributes": "an object"}.get(kind.rsplit("_", 1)[0], kind)
        return f"expected {wanted}, got {type(value).__name__} {_show(value)}"
    return error["msg"]

