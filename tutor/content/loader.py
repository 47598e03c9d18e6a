"""Load lesson, quiz and chapter files into a validated :class:`Library`.

One bad file never stops the others: its errors are collected (``file:line: field: message``)
and the rest of the content loads. Paths that are skipped (a FIFO, a device, a folder we may
not list, a path that does not exist) are errors too, with no line, so ``tutor validate`` shows
them. Checks that span files (duplicate ids, references to questions that do not exist, unknown
experiments or generators) run once everything is read.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .cache import ContentCache, content_key, listing
from .models import (
    Chapter,
    ChapterList,
    DerivationStep,
    GeneratedQuestion,
    Lesson,
    Question,
    QuizBank,
    QuizRef,
    QuizStep,
    RunStep,
    WhyStep,
)
from .files import ReadError, content_files, read_content
from .index import HomeIndex
from .textsafety import excerpt, safe_text
from .yamlsource import SourceMap, YamlSyntaxError, decode, load_yaml

# Given (experiment name, parameters) or (generator name, parameters): None when fine,
# else a message. Injected by the CLI so content does not import the experiments package.
Checker = Callable[[str, dict[str, Any]], "str | None"]

_question_adapter: TypeAdapter = TypeAdapter(Question)


# A message may echo what it complains about; a hostile value must not make it a page long.
MAX_MESSAGE_CHARS = 300


@dataclass(frozen=True)
class ContentError:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        # Line 0: the fault is the file or folder itself. Printed text is made safe, since a
        # file name or an echoed value may carry what a terminal would obey.
        where = f"{self.field}: " if self.field else ""
        line = f":{self.line}" if self.line else ""
        message = self.message
        if len(message) > MAX_MESSAGE_CHARS:
            message = message[: MAX_MESSAGE_CHARS - 1] + "…"
        text = safe_text(f"{self.file}{line}: {where}{message}")
        return text.replace("\n", "\\n").replace("\t", " ")  # one line, even for "a\nb.yaml"


@dataclass
class Library:
    chapters: dict[int, Chapter] = field(default_factory=dict)
    lessons: dict[str, Lesson] = field(default_factory=dict)
    questions: dict[str, Any] = field(default_factory=dict)
    errors: list[ContentError] = field(default_factory=list)
    files_read: int = 0
    # id -> (file, line) of where it was defined, for messages that point at both places.
    origins: dict[str, tuple[str, int]] = field(default_factory=dict)

    @property
    def bad_files(self) -> list[str]:
        return sorted({e.file for e in self.errors})

    def lessons_in(self, chapter: int) -> list[Lesson]:
        return [l for l in self.lessons.values() if l.chapter == chapter]

    def find_lesson(self, key: str) -> Lesson | None:
        """A lesson by full id or by its ``CC-NN`` prefix."""
        if key in self.lessons:
            return self.lessons[key]
        matches = [l for l in self.lessons.values() if l.id.startswith(key)]
        return matches[0] if len(matches) == 1 else None

    def question(self, ref: str):
        return self.questions.get(ref)

    def lesson_items(self) -> Iterator[tuple[str, Lesson, int]]:
        """(item id, lesson, step index) of every lesson step that is a review item: why and
        derivation steps, and questions written in the lesson itself."""
        for lesson in self.lessons.values():
            for index, step in enumerate(lesson.steps):
                if isinstance(step, WhyStep):
                    yield lesson.why_id(index), lesson, index
                elif isinstance(step, DerivationStep):
                    yield lesson.derivation_id(index), lesson, index
                elif isinstance(step, QuizStep) and not isinstance(step.quiz, QuizRef):
                    yield step.quiz.id, lesson, index

    def review_item_ids(self) -> list[str]:
        """The id of every review item (and FSRS card) the content defines: bank questions
        and the lesson items above. The one definition, for the practice sessions and the
        home index alike."""
        ids = dict.fromkeys(self.questions)
        ids.update(dict.fromkeys(item_id for item_id, _, _ in self.lesson_items()))
        return list(ids)


def _display(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    # abspath, not resolve(): the name shown is the one in the folder, even for a symlink
    # (whose target may be a device, or a loop that resolve() cannot end).
    return os.path.abspath(path) if rel.startswith("..") else rel


def format_field(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _real_loc(loc: tuple, data: Any) -> tuple:
    """Drop pydantic's union tags from an error location, keeping only keys present in the data."""
    real: list = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            real.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            real.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and part not in node:
            # Either a union tag (skip it) or a missing / unknown key (keep it, it is the field).
            if part in _UNION_TAGS:
                continue
            real.append(part)
            node = None
        else:
            continue
    return tuple(real)


_UNION_TAGS = {"prose", "why", "derivation", "quiz", "run", "ref", "inline", "mcq", "multi",
               "numeric", "order", "short", "generated",
               "function-after[_math_renders(), MarkdownText]"}


def _message(err: dict, loc: tuple) -> str:
    kind = err["type"]
    key = loc[-1] if loc else ""
    if kind == "missing":
        if key in ("ko", "en"):
            return f"missing '{key}' text"
        return f"missing '{key}'"
    if kind == "extra_forbidden":
        return f"unknown key '{key}'"
    if kind in ("string_type",):
        return f"expected text, got {type(err.get('input')).__name__}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, got {excerpt(err.get('input'))}"
    if kind in ("float_type", "float_parsing"):
        return f"expected a number, got {excerpt(err.get('input'))}"
    if kind in ("list_type",):
        return "expected a list"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping of keys, got {type(err.get('input')).__name__}"
    if kind == "too_short":
        return "must not be empty" if err.get("ctx", {}).get("min_length") == 1 else err["msg"].lower()
    if kind == "union_tag_invalid":
        expected = err.get("ctx", {}).get("expected_tags", "")
        return f"unknown type {excerpt(err.get('ctx', {}).get('tag'))} (expected one of {expected})"
    if kind == "union_tag_not_found":
        return "missing 'type'"
    if kind == "string_pattern_mismatch":
        what = "tag" if "tags" in loc else "id"
        return (f"{excerpt(err.get('input'))} is not a valid {what} (lowercase letters, digits "
                f"and '-', no spaces)")
    if kind == "string_too_long":
        return f"longer than {err.get('ctx', {}).get('max_length')} characters"
    if kind == "finite_number":
        return "must be a finite number"
    if kind == "value_error":
        return err["msg"].removeprefix("Value error, ")
    if kind == "literal_error":
        return f"{excerpt(err.get('input'))}: {err['msg'].lower()}"
    return err["msg"]


def _errors_from_validation(exc: ValidationError, data: Any, smap: SourceMap, file: str,
                            prefix: tuple = ()) -> list[ContentError]:
    out = []
    seen = set()
    for err in exc.errors():
        loc = _real_loc(tuple(err["loc"]), data)
        if err["type"] in ("union_tag_invalid", "union_tag_not_found") and \
                err.get("ctx", {}).get("discriminator") == "'type'":
            loc += ("type",)
        full = prefix + loc
        line = smap.line_of(full)
        item = ContentError(file, line, format_field(full), _message(err, loc))
        if (item.line, item.field, item.message) not in seen:
            seen.add((item.line, item.field, item.message))
            out.append(item)
    return out


def _ask(checker: Checker, name: str, params: dict[str, Any]) -> str | None:
    """A checker's verdict, one short line; its own crash on odd content is reported, not raised."""
    try:
        problem = checker(name, params)
    except Exception as err:  # noqa: BLE001 (a bug in a checker must not stop validation)
        problem = f"cannot check {excerpt(name)}: {type(err).__name__}: {err}"
    return " ".join(problem.split()) if problem else None


def load_library(paths: Iterable[Path | str], check_run: Checker | None = None,
                 check_generator: Checker | None = None,
                 cache: ContentCache | None = None) -> Library:
    """Read every YAML file under ``paths`` (files or directories).

    With a ``cache``, a file unchanged since it was last read without fault is not parsed
    again (its data is validated as usual), and checker verdicts already given are reused.
    """
    lib = Library()
    ref_sites: list[tuple[str, str, int, str]] = []  # (ref, file, line, field)
    run_sites: list[tuple[RunStep, str, int, str]] = []
    gen_sites: list[tuple[GeneratedQuestion, str, int, str]] = []
    follow_sites: list[tuple[str, str, int, str]] = []

    def define(item_id: str, file: str, line: int, fld: str) -> bool:
        if item_id in lib.origins:
            first_file, first_line = lib.origins[item_id]
            lib.errors.append(ContentError(file, line, fld,
                                           f"duplicate id {item_id!r} (first defined at "
                                           f"{first_file}:{first_line})"))
            return False
        lib.origins[item_id] = (file, line)
        return True

    def add_question(question, file: str, smap: SourceMap, loc: tuple) -> None:
        line = smap.line_of(loc + ("id",))
        if not define(question.id, file, line, format_field(loc + ("id",))):
            return
        lib.questions[question.id] = question
        for i, follow in enumerate(question.follow_up):
            follow_sites.append((follow, file, smap.line_of(loc + ("follow_up", i)),
                                 format_field(loc + ("follow_up", i))))
        if isinstance(question, GeneratedQuestion):
            gen_sites.append((question, file, smap.line_of(loc + ("generator",)),
                              format_field(loc + ("generator",))))

    def parse(path: Path) -> tuple[Any, SourceMap]:
        info = None
        if cache is not None:
            try:
                info = os.stat(path)
            except OSError:
                info = None  # read_content says why
            cached = cache.lookup(path, info) if info is not None else None
            if cached is not None:
                return cached
        data, smap = load_yaml(decode(read_content(path)))
        if cache is not None and info is not None and not smap.problems and \
                isinstance(data, dict):
            cache.store(path, info, data, smap)
        return data, smap

    def verdict(kind: str, checker: Checker, name: str, params: dict[str, Any]) -> str | None:
        if cache is None:
            return _ask(checker, name, params)
        return cache.verdict(kind, name, params, lambda: _ask(checker, name, params))

    def load_file(path: Path, file: str) -> None:
        try:
            data, smap = parse(path)
        except ReadError as err:
            lib.errors.append(ContentError(file, 0, "", err.message))
            return
        except YamlSyntaxError as err:
            lib.errors.append(ContentError(file, err.line, "", err.message))
            return
        if smap.problems:
            for where, line, message in smap.problems:
                lib.errors.append(ContentError(file, line, format_field(where), message))
            return
        if not isinstance(data, dict):
            lib.errors.append(ContentError(file, 1, "", "expected a mapping at the top of the file "
                                           "(a lesson, `questions:` or `chapters:`)"))
            return

        if "questions" in data:
            try:
                bank = QuizBank.model_validate(data)
            except ValidationError as exc:
                lib.errors.extend(_errors_from_validation(exc, data, smap, file))
                # Keep the good questions of a bank with some bad ones.
                raws = data.get("questions")
                for i, raw in enumerate(raws if isinstance(raws, list) else []):
                    try:
                        add_question(_question_adapter.validate_python(raw), file, smap,
                                     ("questions", i))
                    except ValidationError:
                        pass
                return
            for i, question in enumerate(bank.questions):
                add_question(question, file, smap, ("questions", i))
        elif "chapters" in data:
            try:
                chapters = ChapterList.model_validate(data)
            except ValidationError as exc:
                lib.errors.extend(_errors_from_validation(exc, data, smap, file))
                return
            for chapter in chapters.chapters:
                lib.chapters.setdefault(chapter.number, chapter)
        else:
            try:
                lesson = Lesson.model_validate(data)
            except ValidationError as exc:
                lib.errors.extend(_errors_from_validation(exc, data, smap, file))
                return
            if not define(lesson.id, file, smap.line_of(("id",)), "id"):
                return
            lib.lessons[lesson.id] = lesson
            for i, step in enumerate(lesson.steps):
                loc = ("steps", i)
                if isinstance(step, QuizStep):
                    if isinstance(step.quiz, QuizRef):
                        ref_sites.append((step.quiz.ref, file, smap.line_of(loc + ("quiz", "ref")),
                                          format_field(loc + ("quiz", "ref"))))
                    else:
                        add_question(step.quiz, file, smap, loc + ("quiz",))
                elif isinstance(step, RunStep):
                    run_sites.append((step, file, smap.line_of(loc + ("run", "experiment")),
                                      format_field(loc + ("run",))))

    paths = [Path(p) for p in paths]
    files, skipped = content_files(paths)
    # Looked at before anything is read: a file changed while loading leaves a home index
    # that no longer matches it, never one that matches a version that was not read.
    content = listing(files, skipped) if cache is not None else None
    for item in skipped:
        lib.errors.append(ContentError(_display(item.path), 0, "", item.message))
    for path in files:
        file = _display(path)
        lib.files_read += 1
        try:
            load_file(path, file)
        except (RecursionError, MemoryError) as err:
            # The bounds above should make these impossible; if one slips through, this file
            # is reported and the others still load.
            lib.errors.append(ContentError(file, 0, "", f"too large or too deeply nested to "
                                                        f"check ({type(err).__name__})"))

    for ref, file, line, fld in ref_sites:
        if ref not in lib.questions:
            lib.errors.append(ContentError(file, line, fld, f"no question with id {excerpt(ref)}"))
    for ref, file, line, fld in follow_sites:
        if ref not in lib.questions:
            lib.errors.append(ContentError(file, line, fld,
                                           f"follow-up {excerpt(ref)} is not a question id"))
    if check_run is not None:
        for step, file, line, fld in run_sites:
            problem = verdict("run", check_run, step.run.experiment, dict(step.run.set))
            if problem:
                lib.errors.append(ContentError(file, line, fld, problem))
    if check_generator is not None:
        for question, file, line, fld in gen_sites:
            problem = verdict("generator", check_generator, question.generator,
                              dict(question.params))
            if problem:
                lib.errors.append(ContentError(file, line, fld, problem))

    lib.lessons = dict(sorted(lib.lessons.items()))
    if cache is not None:
        cache.store_home(content_key(paths), content, HomeIndex.of(lib))
        cache.save()
    return lib
