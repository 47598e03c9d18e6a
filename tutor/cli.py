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
    common.add_argument("--no-bundled", action="store_true", default=argparse.SUPPRESS,
                        help="use only the --content directories, not the bundled lessons")
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
    which.add_argument("--chapter", type=int, choices=range(1, 10), metavar="N")
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
    args.no_bundled = getattr(args, "no_bundled", False)
    return args


def content_paths(args: argparse.Namespace) -> list[Path]:
    return ([] if args.no_bundled else bundled_content_dirs()) + list(args.content)


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


def has_terminal(command: str) -> bool:
    if sys.stdin.isatty() and sys.stdout.isatty():
        return True
    print(f"tutor: the {command} needs a terminal; add --plain to answer line by line",
          file=sys.stderr)
    return False


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
    if not has_terminal("quiz"):
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
    if not has_terminal("interview"):
        return 2
    from tutor.ui.app import TutorApp  # noqa: PLC0415

    app = TutorApp(lib, store, args.lang, start_interview=(items, args.minutes),
                   ascii_only=args.ascii)
    app.run()
    if app.report_path:
        print(f"{app.report_path}")
    store.close()
    return 0


def cmd_progress(args: argparse.Namespace) -> int:
    import json  # noqa: PLC0415

    from tutor.store.db import BadExport, export_progress, import_progress, reset_progress  # noqa: PLC0415

    store = open_store(args)
    ko = args.lang == "ko"
    if args.progress_action == "export":
        data = export_progress(store)
        args.file.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"{args.file}: {len(data['attempts'])} " + ("개의 답, " if ko else "answers, ")
              + f"{len(data['review_cards'])} " + ("개의 복습 카드" if ko else "review cards"))
        return 0
    if args.progress_action == "import":
        try:
            data = json.loads(args.file.read_text(encoding="utf-8"))
            counts = import_progress(store, data)
        except FileNotFoundError:
            print(f"tutor: {args.file}: no such file", file=sys.stderr)
            return 2
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            print(f"tutor: {args.file}: not JSON ({err}); nothing was imported", file=sys.stderr)
            return 2
        except BadExport as err:
            print(f"tutor: {args.file}: {err}", file=sys.stderr)
            return 2
        print((f"가져옴: 레슨 {counts.lessons}, 답 {counts.attempts}, 카드 {counts.cards}, "
               f"복습 기록 {counts.reviews}") if ko else
              (f"merged: {counts.lessons} lessons, {counts.attempts} answers, {counts.cards} "
               f"cards, {counts.reviews} reviews"))
        return 0
    # reset
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
    from tutor.practice.anki import export_anki  # noqa: PLC0415

    lib = load(content_paths(args))
    count = export_anki(lib, args.file, args.lang)
    print(f"{args.file}: {count} " + ("개의 카드" if args.lang == "ko" else "cards"))
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
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `tutor validate | head`: the reader left; say nothing more.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
