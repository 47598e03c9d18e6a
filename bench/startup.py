"""Start-up benchmark (issue 11): how long a learner waits for the home screen, as a ratio
against a bare Textual app (Header, one line, Footer).

Method: each program is started in a fresh pseudo-terminal of 80x24 (what a learner's terminal
is to it), and the clock runs from just before the process is spawned until its screen output,
with escape sequences stripped, contains the marker text: the bare app's one line, or the
tutor's last chapter heading (the home screen's list is drawn in one frame, so the last row
being there means the menu is). This is what a learner waits for: interpreter start, imports,
content loading, the store, and Textual's first frame, with nothing of the app's own
instrumentation in the way. The process is then killed.

Content: the bundled course (1x) and a generated copy of it with four times the lessons and
questions (4x): every lesson and bank file copied four times into a temporary folder with
unique ids (``--no-bundled --content DIR``). Runs are interleaved (bare, 1x, 4x, bare, ...) so
the shared machine's noise falls on all of them alike; medians and spread are reported.

The tutor's content cache (``TUTOR_CACHE_DIR``) lives in a temporary folder: one untimed
warm-up start per content fills it (the parsed files, and the home index of that content), as a
learner's first start does, then every timed start draws home from the index. ``--cold`` times
starts with an empty cache instead. The cache is keyed by the code too: in a checkout where
someone edits ``tutor/content`` or ``tutor/experiments`` during the runs, the next start is a
cold one (the max column shows it; the median is meant to be robust to one or two). The progress database is a
temporary file too, so a learner's own progress is never touched.

    python bench/startup.py                 # 5 interleaved runs
    python bench/startup.py --runs 9 --json startup.json

The cpu columns are the CPU seconds each program used until the marker was on screen (its
rusage): on a busy machine the wall clock also counts waiting for a core, CPU time much less.
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import fcntl
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tutor.content.paths import bundled_content_dirs  # noqa: E402
from tutor.i18n import tr  # noqa: E402

COLS, ROWS = 80, 24
TIMEOUT = 30.0
BARE_MARKER = "bare-app-ready"
BARE_APP = f"""
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App):
    def compose(self):
        yield Header()
        yield Static({BARE_MARKER!r})
        yield Footer()

Bare().run()
"""
# CSI and OSC sequences, and the lone ESC-x two-byte ones: what is left is the text drawn.
_ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]")


def time_to_marker(argv: list[str], marker: str, env: dict[str, str]) -> tuple[float, float]:
    """Seconds from spawning ``argv`` in an 80x24 pty until ``marker`` is on its screen, and
    the CPU seconds the program used by then (user + system, from its rusage)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    wanted = marker.encode("utf-8")
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                            start_new_session=True, close_fds=True)
    os.close(slave)
    seen = b""
    try:
        while True:
            left = TIMEOUT - (time.perf_counter() - start)
            if left <= 0:
                raise RuntimeError(f"{marker!r} not on screen after {TIMEOUT:.0f} s: "
                                   f"{_ESCAPES.sub(b'', seen)[-300:]!r}")
            ready, _, _ = select.select([master], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the pty: it exited before drawing the marker
                raise RuntimeError(f"exited before {marker!r} was shown: "
                                   f"{_ESCAPES.sub(b'', seen)[-300:]!r}") from None
            seen += chunk
            if wanted in _ESCAPES.sub(b"", seen):
                wall = time.perf_counter() - start
                os.killpg(proc.pid, signal.SIGKILL)
                _, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = status
                return wall, usage.ru_utime + usage.ru_stime
    finally:
        if proc.returncode is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
        os.close(master)


def make_copies(target: Path, times: int) -> Path:
    """The bundled lessons and banks ``times`` over, with unique ids, in ``target``."""
    folders = bundled_content_dirs()
    sources = [(folder, path) for folder in folders for path in sorted(folder.rglob("*.y*ml"))]
    defined = set()
    for _, path in sources:
        defined.update(re.findall(r"\bid:\s*([A-Za-z0-9][A-Za-z0-9-]*)", path.read_text("utf-8")))
    # Every defined id wherever it stands (its definition, a ref, a follow-up), longest first.
    any_id = re.compile(r"(?<![\w-])(" + "|".join(sorted(map(re.escape, defined), key=len,
                                                             reverse=True)) + r")(?![\w-])")
    for copy in range(times):
        for folder, source in sources:
            if copy and source.name == "chapters.yaml":
                continue  # one chapter list is enough
            text = source.read_text("utf-8")
            if copy:
                text = any_id.sub(lambda m: _renamed(m.group(1), copy), text)
            out = target / folder.name / f"copy{copy}" / source.relative_to(folder)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, "utf-8")
    return target


def _renamed(item_id: str, copy: int) -> str:
    lesson = re.match(r"^(\d\d)-(\d\d)-(.*)$", item_id)
    if lesson:  # CC-NN-slug: a copy gets its own NN, so short ids stay unique too
        chapter, number, rest = lesson.groups()
        return f"{chapter}-{int(number) + 20 * copy:02d}-{rest}"
    return f"{item_id}-c{copy}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--times", type=int, default=4, help="the larger course, x bundled")
    parser.add_argument("--cold", action="store_true", help="an empty content cache every start")
    parser.add_argument("--json", type=Path, help="also write the timings here")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tutor-startup-"))
    try:
        big = make_copies(work / "big", args.times)
        env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(COLS), LINES=str(ROWS),
                   TUTOR_LANG="en", TUTOR_CACHE_DIR=str(work / "cache"))
        env.pop("TEXTUAL", None)
        tutor = [sys.executable, "-m", "tutor", "--lang", "en", "--db", str(work / "p.db")]
        marker = tr("chapter", "en", n=1, title="")  # "Chapter 1. ", a row of the lesson list
        cases = {
            "bare": ([sys.executable, "-c", BARE_APP], BARE_MARKER),
            "1x": (tutor, marker),
            f"{args.times}x": (tutor + ["--no-bundled", "--content", str(big)], marker),
        }
        check = subprocess.run([sys.executable, "-m", "tutor", "validate", str(big)],
                               capture_output=True, text=True, env=env, check=False)
        print(f"{args.times}x content: {(check.stdout + check.stderr).strip()[-300:]}")
        # An installed tutor has its bytecode (pip compiles it); a checkout run with
        # PYTHONDONTWRITEBYTECODE would compile every module on every start instead.
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "tutor")],
                       check=True, env=env)
        if not args.cold:
            for name, (argv, mark) in cases.items():
                time_to_marker(argv, mark, env)  # fills the cache, warms the OS file cache
        times: dict[str, list[float]] = {name: [] for name in cases}
        cpu: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, (argv, mark) in cases.items():
                if args.cold:
                    shutil.rmtree(work / "cache", ignore_errors=True)
                wall, used = time_to_marker(argv, mark, env)
                times[name].append(wall)
                cpu[name].append(used)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    bare, bare_cpu = statistics.median(times["bare"]), statistics.median(cpu["bare"])
    print(f"{'':6} {'median':>8} {'min':>7} {'max':>7} {'ratio':>6}   {'cpu':>6} {'ratio':>6}"
          f"   (seconds, {args.runs} runs, {'cold' if args.cold else 'warm'} cache)")
    for name, values in times.items():
        median, used = statistics.median(values), statistics.median(cpu[name])
        print(f"{name:6} {median:8.3f} {min(values):7.3f} {max(values):7.3f} "
              f"{median / bare:6.2f}x   {used:6.3f} {used / bare_cpu:6.2f}x")
    if args.json:
        args.json.write_text(json.dumps({"runs": times, "cpu": cpu, "cold": args.cold}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
