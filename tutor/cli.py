"""`tutor`: the command line. With no command it opens the TUI; it wires content, store and UI."""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tutor.atomicfile import ExportError
from tutor.content.paths import bundled_content_dirs
from tutor.i18n import tr
from tutor.store import StoreError

if TYPE_CHECKING:  # the content models (pydantic) only when content is loaded
    from tutor.content import Library


def default_lang() -> str:
    for var in ("TUTOR_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "ko" if value.lower().startswith("ko") else "en"
    return "en"


def requested_lang(argv: list[str]) -> str:
    """The language asked for on the command line, known before parsing (for its messages)."""
    for n, arg in enumerate(argv):
        value = arg.partition("=")[2] if arg.startswith("--lang=") else (
            argv[n + 1] if arg == "--lang" and n + 1 < len(argv) else None)
        if value in ("ko", "en"):
            return value
    return default_lang()


class Parser(argparse.ArgumentParser):
    """argparse that reports a mistake in one line (usage is one `--help` away)."""

    def error(self, message: str):
        # "argument --n: …" → "--n: …": the option named, the rest in the learner's language.
        message = message.removeprefix("argument ")
        self.exit(2, f"{self.prog}: {message} ({self.prog} --help)\n")


# Numeric options: one range each, checked while parsing, refused in one line in the
# learner's language. A long string is refused before int() (which refuses >4300 digits).
MAX_DIGITS = 30


def _whole(text: str, lang: str, low: int, high: int | None, key: str) -> int:
    raw = text.strip()
    body = raw[1:] if raw[:1] in "+-" else raw
    value = int(raw) if body.isascii() and body.isdigit() and len(body) <= MAX_DIGITS else None
    if value is None or value < low or (high is not None and value > high):
        raise argparse.ArgumentTypeError(tr(key, lang, value=_shown(text), low=low, high=high))
    return value


def _shown(text: str) -> str:
    """The refused value, short and printable, for a one-line message."""
    text = text.encode("utf-8", "replace").decode("utf-8").replace("\n", " ")
    return repr(text if len(text) <= 20 else text[:20] + "…")


def option_types(lang: str):
    def count(text: str) -> int:
        return _whole(text, lang, 1, None, "opt_count")

    def seed(text: str) -> int:
        return _whole(text, lang, 0, 2**63 - 1, "opt_seed")

    def chapter(text: str) -> int:
        return _whole(text, lang, 1, 9, "opt_chapter")

    def minutes(text: str) -> float:
        try:
            value = float(text) if text.isascii() and len(text) <= MAX_DIGITS else math.nan
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and 0 < value <= 24 * 60):
            raise argparse.ArgumentTypeError(tr("opt_minutes", lang, value=_shown(text)))
        return value

    def difficulty(text: str) -> str:
        if text.strip().upper() not in ("E", "M", "H"):
            raise argparse.ArgumentTypeError(tr("opt_difficulty", lang, value=_shown(text)))
        return text.strip().upper()

    return argparse.Namespace(count=count, seed=seed, chapter=chapter, minutes=minutes,
                              difficulty=difficulty)


class _NotPlain(Exception):
    """The command line is not a plain start: the full parser reads it."""


class _StartParser(Parser):
    def error(self, message: str):
        raise _NotPlain(message)


def parse_args(argv: list[str], lang: str) -> argparse.Namespace:
    """The command line, read by the full parser, except a plain start (`tutor`, with global
    options only), which the global options alone read: every command's parser, which
    argparse builds and translates one by one, takes ten times as long to build (4 ms)."""
    if not any(a.startswith("-h") or a.startswith("--h") for a in argv):
        try:
            args, rest = _StartParser(prog="tutor", add_help=False,
                                      parents=[common_options()]).parse_known_args(argv)
        except _NotPlain:
            rest = True
        if not rest:
            args.command = None
            return args
    return build_parser(lang).parse_args(argv)


def common_options() -> argparse.ArgumentParser:
    """The options every command takes, as a parent parser."""
    common = Parser(add_help=False)
    common.add_argument("--lang", choices=["ko", "en"], default=argparse.SUPPRESS,
                        help="language of the interface and content (default: from LANG, else en)")
    common.add_argument("--content", action="append", type=Path, default=argparse.SUPPRESS,
                        metavar="DIR", help="an extra lessons/quizzes directory (repeatable)")
    common.add_argument("--no-bundled", action="store_true", default=argparse.SUPPRESS,
                        help="use only the --content directories, not the bundled lessons")
    common.add_argument("--db", type=Path, default=argparse.SUPPRESS, metavar="PATH",
                        help="the progress database (default: in the user data directory)")
    common.add_argument("--ascii", action="store_true", default=argparse.SUPPRESS,
                        help="draw with ASCII only (for terminals that draw box characters "
                             "two cells wide)")
    return common


def build_parser(lang: str | None = None) -> argparse.ArgumentParser:
    check = option_types(lang or default_lang())
    common = common_options()
    parser = Parser(
        prog="tutor", parents=[common],
        description="Why Tutor: learn deep learning by asking WHY until it is understood.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("lesson", parents=[common], help="open one lesson, e.g. `tutor lesson 03-02`")
    p.add_argument("lesson_id", help="a lesson id or its CC-NN prefix")

    p = sub.add_parser("validate", parents=[common],
                       help="check lesson and quiz files; exit 1 on any error")
    p.add_argument("paths", nargs="*", type=Path,
                   help="files or directories (default: the bundled content and --content dirs)")

    sub.add_parser("stats", parents=[common], help="a summary of your progress")

    p = sub.add_parser("quiz", parents=[common], help="a quiz or review session")
    p.add_argument("--chapter", type=check.chapter, metavar="N", help="a chapter, 1 to 9")
    p.add_argument("--tags", type=lambda s: [t for t in s.split(",") if t], metavar="T1,T2")
    p.add_argument("--n", type=check.count, default=10, help="how many questions (default 10)")
    p.add_argument("--due", action="store_true", help="the reviews due now (spaced repetition)")
    p.add_argument("--cram", action="store_true",
                   help="hardest first: everything you have met, least likely remembered first")
    p.add_argument("--seed", type=check.seed, help="the same seed gives the same questions")
    p.add_argument("--plain", action="store_true", help="line by line on stdin/stdout, no TUI")

    p = sub.add_parser("progress", parents=[common], help="export, import or reset your progress")
    actions = p.add_subparsers(dest="progress_action", metavar="ACTION", required=True)
    q = actions.add_parser("export", parents=[common], help="write your progress to a JSON file")
    q.add_argument("file", type=Path)
    q = actions.add_parser("import", parents=[common],
                           help="merge a JSON export into your progress (never overwrites newer)")
    q.add_argument("file", type=Path)
    q = actions.add_parser("reset", parents=[common], help="forget progress (asks first)")
    which = q.add_mutually_exclusive_group(required=True)
    which.add_argument("--lesson", metavar="ID")
    which.add_argument("--chapter", type=check.chapter, metavar="N")
    which.add_argument("--all", action="store_true")
    q.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    p = sub.add_parser("export-anki", parents=[common], help="the question banks as an Anki deck")
    p.add_argument("file", type=Path, metavar="FILE.apkg")

    p = sub.add_parser("run", parents=[common], help="run an experiment headless")
    p.add_argument("name", nargs="?", help="the experiment (omit to list them)")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="a parameter (repeatable)")
    p.add_argument("--seed", type=int)
    p.add_argument("--json", action="store_true", help="one JSON object per event on stdout")
    p.add_argument("--save", type=Path, metavar="FILE.png", help="also save the plot as a PNG")

    sub.add_parser("playground", parents=[common], help="a terminal TensorFlow Playground")

    p = sub.add_parser("interview", parents=[common],
                       help="a mock interview; writes a Markdown report")
    p.add_argument("--n", type=check.count, default=8,
                   help="how many questions, not counting follow-ups (default 8)")
    p.add_argument("--minutes", type=check.minutes, default=20,
                   help="time for the whole interview (default 20)")
    p.add_argument("--chapter", type=check.chapter, metavar="N", help="a chapter, 1 to 9")
    p.add_argument("--difficulty", type=check.difficulty, metavar="E|M|H")
    p.add_argument("--seed", type=check.seed)
    p.add_argument("--plain", action="store_true", help="line by line on stdin/stdout, no TUI")
    return parser


def _options(args: argparse.Namespace) -> argparse.Namespace:
    args.lang = getattr(args, "lang", None) or default_lang()
    args.content = getattr(args, "content", None) or []
    args.db = getattr(args, "db", None)
    args.ascii = getattr(args, "ascii", None)
    args.no_bundled = getattr(args, "no_bundled", False)
    return args


def content_paths(args: argparse.Namespace) -> list[Path]:
    return ([] if args.no_bundled else bundled_content_dirs()) + list(args.content)


def run_checker():
    """The experiment registry's parameter check for run steps. Imported when first asked: numpy
    and the experiments are not needed to show home when the content cache holds every verdict."""
    def check(name, params):
        from tutor.experiments import check_run_step  # noqa: PLC0415

        return check_run_step(name, params)

    return check


def generator_checker():
    def check(name, params):
        from tutor.content.generators import check_generator  # noqa: PLC0415

        return check_generator(name, params)

    return check


def load(paths: list[Path], cached: bool = True) -> Library:
    """The content under ``paths``; ``cached``: through the user's content cache (start-up),
    else every file is read and checked afresh (``tutor validate``)."""
    from tutor.content import load_library  # noqa: PLC0415 (see the imports)

    cache = None
    if cached:
        from tutor.content.cache import ContentCache  # noqa: PLC0415

        cache = ContentCache.default()
    return load_library(paths, check_run=run_checker(), check_generator=generator_checker(),
                        cache=cache)


def figure_errors(lib: Library, check) -> list:
    """Each lesson's pinned figures (``figures:``) name an experiment and settings that a run
    step could: checked here, as the loader checks run steps, since content does not import
    the experiments. The line is found by reading the lesson's file again (only these files)."""
    from tutor.content.files import ReadError, read_content  # noqa: PLC0415
    from tutor.content.loader import ContentError, _ask  # noqa: PLC0415 (_ask: a crash is a line)
    from tutor.content.yamlsource import YamlSyntaxError, decode, load_yaml  # noqa: PLC0415

    errors = []
    for lesson in lib.lessons.values():
        if not lesson.figures or check is None:
            continue
        file, line = lib.origins[lesson.id]
        try:
            smap = load_yaml(decode(read_content(Path(file))))[1]
        except (ReadError, YamlSyntaxError):
            smap = None  # changed since it loaded: the lesson's own line will do
        for n, fig in enumerate(lesson.figures):
            problem = _ask(check, fig.experiment, dict(fig.set))
            if problem:
                where = smap.line_of(("figures", n, "experiment")) if smap else line
                errors.append(ContentError(file, where, f"figures[{n}]", problem))
    return errors


def cmd_validate(args: argparse.Namespace) -> int:
    paths = list(args.paths) or content_paths(args)
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        print(f"{path}: no such file or directory", file=sys.stderr)
    lib = load([p for p in paths if p.exists()], cached=False)
    lib.errors.extend(figure_errors(lib, run_checker()))
    for error in lib.errors:
        print(error)
    errors = len(lib.errors) + len(missing)
    print(f"{len(lib.lessons)} lessons, {len(lib.questions)} questions, {errors} errors")
    return 1 if errors else 0


def open_store(args: argparse.Namespace):
    from tutor.store import ProgressStore  # noqa: PLC0415

    return ProgressStore(args.db)


def cmd_stats(args: argparse.Namespace) -> int:
    from tutor.practice.stats import compute_stats, format_stats  # noqa: PLC0415
    from tutor.practice.terminal_text import write_markdown  # noqa: PLC0415

    lib = load(content_paths(args))
    store = open_store(args)
    for notice in store.notices:
        print(notice, file=sys.stderr)
    write_markdown(format_stats(compute_stats(lib, store), lib, args.lang), sys.stdout)
    store.close()
    return 0


def has_terminal(command: str, lang: str) -> bool:
    if sys.stdin is not None and sys.stdin.isatty() and sys.stdout.isatty():
        return True
    print(tr("needs_terminal", lang, command=command), file=sys.stderr)
    return False


def tolerant_stdin():
    """stdin for a plain session: any bytes read (invalid UTF-8 becomes �), never a crash."""
    if sys.stdin is None:  # `tutor quiz --plain <&-`: nothing to read, the session ends at once
        import io  # noqa: PLC0415

        return io.StringIO("")
    try:
        sys.stdin.reconfigure(errors="replace")
    except (AttributeError, ValueError, OSError):  # already text (a test's StringIO)
        pass
    return sys.stdin


def cmd_quiz(args: argparse.Namespace) -> int:
    from tutor.practice.plain import PlainSession  # noqa: PLC0415
    from tutor.practice.session import select_items  # noqa: PLC0415

    lib = load(content_paths(args))
    store = open_store(args)
    for notice in store.notices:
        print(notice, file=sys.stderr)
    items = select_items(lib, store, chapter=args.chapter, tags=args.tags, n=args.n,
                         due=args.due, cram=args.cram, seed=args.seed)
    empty = "session_empty_due" if args.due else "session_empty"
    if args.plain:
        PlainSession(store, args.lang, tolerant_stdin(), sys.stdout).run(items, empty)
        store.close()
        return 0
    if not has_terminal("quiz", args.lang):
        return 2
    from tutor.ui.app import TutorApp  # noqa: PLC0415

    app = TutorApp(lib, store, args.lang, start_quiz=(items, empty), ascii_only=args.ascii)
    app.run()
    store.close()
    return 0


def cmd_interview(args: argparse.Namespace) -> int:
    from tutor.practice.interview import interview_items  # noqa: PLC0415
    from tutor.practice.plain import PlainInterview  # noqa: PLC0415

    lib = load(content_paths(args))
    store = open_store(args)
    for notice in store.notices:
        print(notice, file=sys.stderr)
    items = interview_items(lib, n=args.n, chapter=args.chapter, difficulty=args.difficulty,
                            seed=args.seed)
    reports = store.path.parent / "reports"
    if args.plain:
        PlainInterview(store, args.lang, tolerant_stdin(), sys.stdout).interview(
            items, lib, args.minutes, reports)
        store.close()
        return 0
    if not has_terminal("interview", args.lang):
        return 2
    from tutor.ui.app import TutorApp  # noqa: PLC0415

    app = TutorApp(lib, store, args.lang, start_interview=(items, args.minutes),
                   ascii_only=args.ascii)
    app.run()
    if app.report_path:
        print(tr("iv_report", args.lang, path=app.report_path))
    store.close()
    return 0


def cmd_progress(args: argparse.Namespace) -> int:
    from tutor.atomicfile import ExportError  # noqa: PLC0415
    from tutor.store import BadExport, StoreError  # noqa: PLC0415

    lang = args.lang
    try:
        return _progress_action(args)
    except BadExport as err:  # the file given is wrong, like a usage error
        say_error(f"tutor: {args.file}: {err.text(lang)}")
        return 2
    except StoreError as err:
        say_error(f"tutor: {err.text(lang)}")
        return 1
    except ExportError as err:
        say_error(f"tutor: {err.text(lang)}")
        return 1


def _progress_action(args: argparse.Namespace) -> int:
    import json  # noqa: PLC0415

    from tutor.atomicfile import check_target, write_atomic  # noqa: PLC0415
    from tutor.store.db import (  # noqa: PLC0415
        SCHEMA_VERSION,
        export_progress,
        import_progress,
        reset_progress,
    )
    from tutor.store.export_schema import MAX_EXPORT_BYTES, validate_export  # noqa: PLC0415

    ko, lang = args.lang == "ko", args.lang
    if args.progress_action == "import":
        # Read and check the whole file before the progress file is even opened.
        try:
            with args.file.open("rb") as f:
                raw = f.read(MAX_EXPORT_BYTES + 1)
        except FileNotFoundError:
            say_error(f"tutor: {args.file}: " + tr("import_no_file", lang))
            return 2
        except OSError as err:
            say_error(f"tutor: {args.file}: " + tr("import_cannot_read", lang,
                                                  reason=err.strerror))
            return 2
        if len(raw) > MAX_EXPORT_BYTES:
            say_error(f"tutor: {args.file}: " + tr("import_too_big", lang,
                                                  mib=MAX_EXPORT_BYTES >> 20))
            return 2
        try:
            data = json.loads(raw.decode("utf-8"))
        except RecursionError:
            say_error(f"tutor: {args.file}: " + tr("import_too_deep", lang))
            return 2
        except ValueError as err:  # JSON syntax, bad UTF-8, a number too long to read
            say_error(f"tutor: {args.file}: " + tr("import_not_json", lang,
                                                  reason=str(err).splitlines()[0]))
            return 2
        checked = validate_export(data, SCHEMA_VERSION)
    if args.progress_action == "export":
        check_target(args.file)  # before the progress file is opened (or created)
    store = open_store(args)
    try:
        if args.progress_action == "export":
            data = export_progress(store)
            write_atomic(args.file, json.dumps(data, ensure_ascii=False, indent=1))
            print(f"{args.file}: {len(data['attempts'])} " + ("개의 답, " if ko else "answers, ")
                  + f"{len(data['review_cards'])} " + ("개의 복습 카드" if ko else "review cards"))
            return 0
        if args.progress_action == "import":
            counts = import_progress(store, checked)
            print((f"가져옴: 레슨 {counts.lessons}, 답 {counts.attempts}, 카드 {counts.cards}, "
                   f"복습 기록 {counts.reviews}") if ko else
                  (f"merged: {counts.lessons} lessons, {counts.attempts} answers, {counts.cards} "
                   f"cards, {counts.reviews} reviews"))
            return 0
        return _reset(args, store, reset_progress)
    finally:
        store.close()


def _reset(args: argparse.Namespace, store, reset_progress) -> int:
    ko = args.lang == "ko"
    lib = load(content_paths(args))
    if args.all:
        target, lesson_ids = ("모든 진도" if ko else "all progress"), None
    elif args.chapter:
        lesson_ids = [l.id for l in lib.lessons_in(args.chapter)]
        target = f"{args.chapter}장" if ko else f"chapter {args.chapter}"
    else:
        lesson = lib.find_lesson(args.lesson)
        lesson_ids = [lesson.id if lesson else args.lesson]
        target = lesson_ids[0]
    if not args.yes:
        if not sys.stdin.isatty():
            print("tutor: resetting needs confirmation: run it in a terminal or add --yes",
                  file=sys.stderr)
            return 2
        prompt = (f"{target}을(를) 지웁니다. 되돌릴 수 없습니다. 계속하려면 yes를 입력하세요: " if ko
                  else f"This forgets {target} and cannot be undone. Type yes to go on: ")
        if input(prompt).strip().lower() != "yes":
            print("취소했습니다." if ko else "Cancelled; nothing was changed.")
            return 1
    removed = reset_progress(store, lesson_ids)
    print((f"{target}: {removed}개 기록을 지웠습니다.") if ko else f"{target}: {removed} records removed.")
    return 0


def cmd_export_anki(args: argparse.Namespace) -> int:
    from tutor.atomicfile import ExportError  # noqa: PLC0415
    from tutor.practice.anki import export_anki  # noqa: PLC0415

    lib = load(content_paths(args))
    try:
        count = export_anki(lib, args.file, args.lang)
    except ExportError as err:
        say_error(f"tutor: {err.text(args.lang)}")
        return 1
    print(f"{args.file}: {count} " + ("개의 카드" if args.lang == "ko" else "cards"))
    return 0


def cmd_tui(args: argparse.Namespace, start_lesson: str | None = None,
            start_playground: bool = False) -> int:
    """The TUI. When the content cache holds a home index for the content as it is, home is
    drawn from it and the library loads in the background; else (a first start, a changed
    file, or one lesson asked for) the library loads first, as every other command does."""
    from tutor.content.cache import cached_home  # noqa: PLC0415

    paths = content_paths(args)
    home = None if start_lesson else cached_home(paths)
    lib = None if home is not None else load(paths)
    if start_lesson and lib.find_lesson(start_lesson) is None:
        print(tr("no_lesson", args.lang, ref=_shown(start_lesson),
                 ids=", ".join(l.short_id for l in lib.lessons.values())), file=sys.stderr)
        return 2
    if sys.stdin is None or not sys.stdin.isatty() or not sys.stdout.isatty():
        print(tr("tui_needs_terminal", args.lang), file=sys.stderr)
        return 2
    from tutor.ui.app import TutorApp  # noqa: PLC0415 (only the TUI needs textual)

    store = open_store(args)
    app = TutorApp(lib, store, args.lang, home=home, load_library=lambda: load(paths),
                   start_lesson=start_lesson, start_playground=start_playground,
                   ascii_only=args.ascii)
    app.run()
    store.close()
    return 0


class OutputFailed(Exception):
    """stdout refused a write (a closed pipe, a full disk): nothing more can be shown."""


class GuardedOutput:
    """sys.stdout whose write failures become one OutputFailed, caught once in main()."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text: str) -> int:
        try:
            return self.stream.write(text)
        except OSError as err:
            raise OutputFailed(err) from None

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError as err:
            raise OutputFailed(err) from None

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


def say_error(line: str) -> None:
    try:
        print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError, AttributeError):  # stderr is closed too: the exit code says it
        pass


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    lang = requested_lang(argv)
    if sys.stdout is None:  # started with stdout closed (`>&-`)
        say_error(tr("out_failed", lang, reason=tr("out_closed", lang)))
        return 1
    try:  # Korean text on a stdout that cannot encode it prints as '?' instead of crashing
        sys.stdout.reconfigure(errors="replace")
    except (AttributeError, ValueError, OSError):
        pass
    real_stdout, sys.stdout = sys.stdout, GuardedOutput(sys.stdout)
    try:
        try:
            code = dispatch(parse_args(argv, lang))
        except SystemExit as done:  # --help, or argparse refusing an option
            code = done.code if isinstance(done.code, int) else int(done.code is not None)
        sys.stdout.flush()  # a full disk or a closed pipe shows here, not at exit
        return code
    except KeyboardInterrupt:
        return 130
    except OutputFailed as failure:
        err = failure.args[0]
        _silence(real_stdout)
        reason = tr("out_pipe", lang) if isinstance(err, BrokenPipeError) else err.strerror
        say_error(tr("out_failed", lang, reason=reason))
        return 1
    except (StoreError, ExportError) as err:  # one line, ready for the learner
        say_error(f"tutor: {err.text(lang) if isinstance(err, StoreError) else err}")
        return 1
    finally:
        sys.stdout = real_stdout


def _silence(stream) -> None:
    """Point stdout at /dev/null so the exit's final flush does not fail a second time."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def dispatch(args: argparse.Namespace) -> int:
    args = _options(args)
    if args.command == "validate":
        return cmd_validate(args)
    if args.command == "stats":
        return cmd_stats(args)
    if args.command == "progress":
        return cmd_progress(args)
    if args.command == "export-anki":
        return cmd_export_anki(args)
    if args.command == "run":
        from tutor.headless import run_command  # noqa: PLC0415

        return run_command(args.name, args.sets, args.seed, args.json, args.save, args.lang)
    if args.command == "playground":
        return cmd_tui(args, start_playground=True)
    if args.command == "interview":
        return cmd_interview(args)
    if args.command == "quiz":
        return cmd_quiz(args)
    if args.command == "lesson":
        return cmd_tui(args, start_lesson=args.lesson_id)
    return cmd_tui(args)


if __name__ == "__main__":
    sys.exit(main())
