"""`tutor`: the command line. With no command it opens the TUI; it wires content, store and UI."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tutor.content import Library, bundled_content_dirs, load_library


def default_lang() -> str:
    for var in ("TUTOR_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "ko" if value.lower().startswith("ko") else "en"
    return "en"


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=["ko", "en"], default=argparse.SUPPRESS,
                        help="language of the interface and content (default: from LANG, else en)")
    common.add_argument("--content", action="append", type=Path, default=argparse.SUPPRESS,
                        metavar="DIR", help="an extra lessons/quizzes directory (repeatable)")
    common.add_argument("--db", type=Path, default=argparse.SUPPRESS, metavar="PATH",
                        help="the progress database (default: in the user data directory)")
    common.add_argument("--ascii", action="store_true", default=argparse.SUPPRESS,
                        help="draw with ASCII only (for terminals that draw box characters "
                             "two cells wide)")

    parser = argparse.ArgumentParser(
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
    p.add_argument("--chapter", type=int, choices=range(1, 10), metavar="N")
    p.add_argument("--tags", type=lambda s: [t for t in s.split(",") if t], metavar="T1,T2")
    p.add_argument("--n", type=int, default=10, help="how many questions (default 10)")
    p.add_argument("--due", action="store_true", help="the reviews due now (spaced repetition)")
    p.add_argument("--cram", action="store_true",
                   help="hardest first: everything you have met, least likely remembered first")
    p.add_argument("--seed", type=int, help="the same seed gives the same questions")
    p.add_argument("--plain", action="store_true", help="line by line on stdin/stdout, no TUI")

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
    p.add_argument("--n", type=int, default=8, help="how many questions (default 8)")
    p.add_argument("--minutes", type=float, default=20, help="time for the whole interview")
    p.add_argument("--chapter", type=int, choices=range(1, 10), metavar="N")
    p.add_argument("--difficulty", choices=["E", "M", "H"])
    p.add_argument("--seed", type=int)
    p.add_argument("--plain", action="store_true", help="line by line on stdin/stdout, no TUI")
    return parser


def _options(args: argparse.Namespace) -> argparse.Namespace:
    args.lang = getattr(args, "lang", None) or default_lang()
    args.content = getattr(args, "content", None) or []
    args.db = getattr(args, "db", None)
    args.ascii = getattr(args, "ascii", None)
    return args


def content_paths(args: argparse.Namespace) -> list[Path]:
    return bundled_content_dirs() + list(args.content)


def run_checker():
    """The experiment registry's parameter check, if the experiments package provides one."""
    try:
        from tutor.experiments import check_run_step  # noqa: PLC0415 (optional until it exists)
    except ImportError:
        return None
    return check_run_step


def generator_checker():
    try:
        from tutor.content.generators import check_generator  # noqa: PLC0415
    except ImportError:
        return None
    return check_generator


def load(paths: list[Path]) -> Library:
    return load_library(paths, check_run=run_checker(), check_generator=generator_checker())


def cmd_validate(args: argparse.Namespace) -> int:
    paths = list(args.paths) or content_paths(args)
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        print(f"{path}: no such file or directory", file=sys.stderr)
    lib = load([p for p in paths if p.exists()])
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

    lib = load(content_paths(args))
    store = open_store(args)
    for notice in store.notices:
        print(notice, file=sys.stderr)
    print(format_stats(compute_stats(lib, store), lib, args.lang))
    store.close()
    return 0


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
        PlainSession(store, args.lang, sys.stdin, sys.stdout).run(items, empty)
        store.close()
        return 0
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        print("tutor: the quiz needs a terminal; add --plain to answer line by line",
              file=sys.stderr)
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
    items = interview_items(lib, n=args.n, chapter=args.chapter, difficulty=args.difficulty,
                            seed=args.seed)
    reports = store.path.parent / "reports"
    if args.plain:
        PlainInterview(store, args.lang, sys.stdin, sys.stdout).interview(
            items, lib, args.minutes, reports)
        store.close()
        return 0
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        print("tutor: the interview needs a terminal; add --plain to answer line by line",
              file=sys.stderr)
        return 2
    from tutor.ui.app import TutorApp  # noqa: PLC0415

    app = TutorApp(lib, store, args.lang, start_interview=(items, args.minutes),
                   ascii_only=args.ascii)
    app.run()
    if app.report_path:
        print(f"{app.report_path}")
    store.close()
    return 0


def cmd_tui(args: argparse.Namespace, start_lesson: str | None = None,
            start_playground: bool = False) -> int:
    lib = load(content_paths(args))
    if start_lesson and lib.find_lesson(start_lesson) is None:
        print(f"tutor: no lesson {start_lesson!r}; try one of: "
              + ", ".join(l.short_id for l in lib.lessons.values()), file=sys.stderr)
        return 2
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        print("tutor: the TUI needs a terminal (try `tutor validate` or `tutor stats`)",
              file=sys.stderr)
        return 2
    from tutor.ui.app import TutorApp  # noqa: PLC0415 (only the TUI needs textual)

    store = open_store(args)
    app = TutorApp(lib, store, args.lang, start_lesson=start_lesson,
                   start_playground=start_playground, ascii_only=args.ascii)
    app.run()
    store.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = _options(parser.parse_args(argv))
    try:
        if args.command == "validate":
            return cmd_validate(args)
        if args.command == "stats":
            return cmd_stats(args)
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
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `tutor validate | head`: the reader left; say nothing more.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
