"""A training run as a child process whose JSON-lines events the UI reads without ever waiting.

    run = RunProcess(command_for("linreg_gd", {"lr": 0.1, "seed": 0}))
    run.start()
    ...                      # every ~100 ms, on the UI thread:
    events = run.drain()     # everything that arrived since the last call (maybe nothing)
    ...
    run.terminate()          # SIGTERM now, without waiting (the UI thread may call it)
    run.stop()               # SIGTERM, SIGKILL after 0.5 s, reaped: no process left behind
                             # (it blocks: the panel calls it from a thread worker)

    pacer = Pacer()          # the panel's: events handed on at a watchable pace
    pacer.feed(run.drain()); shown = pacer.take(dt)

Why a child process: training is numpy work that holds the GIL for long stretches; in a thread it
would make the interface stutter. A child (``python -m tutor.experiments NAME --json``, the
contract is :mod:`tutor.experiments.events`) trains on its own core and streams one event per
line; stopping it is a signal, immediate and complete.

Why polling: a reader thread parses lines into a list under a lock and never touches the UI. The
widget drains that list from a UI timer (every 100 ms), so the UI does one update per tick however
fast the run steps — never one UI call per training step, never more than 10 redraws a second,
and the reader thread never blocks on the UI (``call_from_thread`` would).

Why pacing lives here, on the reading side, not in the child: a lesson's run of 500 steps takes
0.3–0.8 s, too fast to watch. The child still runs at full speed (its stream is what the golden
files pin, and a paced child could not be told a new speed without a channel back);
the :class:`Pacer` holds what arrived and hands it on at so many steps a second. A new speed,
"instant" included, takes effect at the next tick; stopping drops what was not shown yet, so the
panel's "stopped at step N" is the step the learner saw.
"""

from __future__ import annotations

import atexit
import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections import deque
from typing import Sequence

#: How the run command starts; tests and benchmarks may point it at a stand-in script.
COMMAND_PREFIX: list[str] = [sys.executable, "-m", "tutor.experiments"]

STOP_GRACE = 0.5  # seconds between SIGTERM and SIGKILL

_LIVE: "weakref.WeakSet[RunProcess]" = weakref.WeakSet()


def format_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(format_value(v) for v in value)
    return str(value)


def command_for(name: str, params: dict, prefix: Sequence[str] | None = None,
                lang: str | None = None) -> list[str]:
    """``[python, -m, tutor.experiments, NAME, --json, --set, k=v, ..., --lang L]``: typed
    values written back as text the registry's one coercion reads as the same value (the seed is
    a parameter like any other)."""
    argv = list(prefix or COMMAND_PREFIX) + [name, "--json"]
    for key, value in params.items():
        argv += ["--set", f"{key}={format_value(value)}"]
    if lang is not None:
        argv += ["--lang", lang]
    return argv


class RunProcess:
    """One child run. ``drain()`` hands over parsed events; ``stop()`` ends it for good."""

    def __init__(self, argv: Sequence[str], env: dict | None = None):
        self.argv = list(argv)
        self.env = env
        self.proc: subprocess.Popen | None = None
        self._events: deque = deque()
        self._lock = threading.Lock()
        self._stderr: deque[str] = deque(maxlen=20)
        self._threads: list[threading.Thread] = []
        self.lines = 0           # JSON lines read so far
        self.bad_lines = 0       # lines that were not JSON (should be none)
        self.stopping = False
        self.started_at: float | None = None
        self.first_line_at: float | None = None   # when the reader got the first / last line
        self.last_line_at: float | None = None

    # -- life cycle ------------------------------------------------------------------------

    def start(self) -> None:
        env = dict(os.environ if self.env is None else self.env)
        env.setdefault("PYTHONUNBUFFERED", "1")
        env.pop("TEXTUAL", None)
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(
            self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, bufsize=1 << 16,
            # its own session: a Ctrl+C meant for the TUI does not reach it, and stop() owns it
            start_new_session=True)
        _LIVE.add(self)
        for target, name in ((self._read_stdout, "run-stdout"), (self._read_stderr, "run-stderr")):
            t = threading.Thread(target=target, name=name, daemon=True)
            t.start()
            self._threads.append(t)

    def _read_stdout(self) -> None:
        # Each line is handed over as it arrives: a batch would hold its last line until the
        # next one came (a slow step, or a child that has printed all it will for a while).
        assert self.proc is not None and self.proc.stdout is not None
        loads = json.loads
        for raw in self.proc.stdout:
            try:
                event = loads(raw)
            except ValueError:
                self.bad_lines += 1
                continue
            now = time.monotonic()
            if self.first_line_at is None:
                self.first_line_at = now
            self.last_line_at = now
            with self._lock:
                self._events.append(event)
                self.lines += 1

    def _read_stderr(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip()
            if line:
                self._stderr.append(line)

    def drain(self) -> list:
        """Everything read since the last call, in order (the UI thread calls this)."""
        with self._lock:
            if not self._events:
                return []
            events = list(self._events)
            self._events.clear()
        return events

    @property
    def finished(self) -> bool:
        """The child has exited and every line it wrote has been read."""
        if self.proc is None or self.proc.poll() is None:
            return False
        if self._threads and self._threads[0].is_alive():
            self._threads[0].join(0.05)
            if self._threads[0].is_alive():
                return False
        with self._lock:
            return not self._events

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def returncode(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    @property
    def stderr_tail(self) -> str:
        return "\n".join(self._stderr)

    @property
    def pid(self) -> int | None:
        return None if self.proc is None else self.proc.pid

    def stop(self) -> None:
        """End the child now: SIGTERM, SIGKILL after ``STOP_GRACE`` seconds, then reap it."""
        proc = self.proc
        if proc is None:
            return
        self.stopping = True
        if proc.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                proc.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                proc.wait()
        else:
            proc.wait()
        for t in self._threads:
            t.join(0.5)
        for stream in (proc.stdout, proc.stderr):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        _LIVE.discard(self)

    def terminate(self) -> None:
        """SIGTERM now, without waiting: what :meth:`stop` does first. The UI thread calls this,
        then :meth:`stop` in a thread worker for the grace period, SIGKILL and reaping."""
        if self.proc is None:
            return
        self.stopping = True
        if self.proc.poll() is None:
            self._signal(signal.SIGTERM)

    def _signal(self, sig: int) -> None:
        assert self.proc is not None
        try:
            # the whole process group: whatever the run itself started goes too
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            try:
                self.proc.send_signal(sig)
            except ProcessLookupError:
                pass


#: Speeds, as multiples of the lesson pace; ``math.inf`` draws everything as soon as it arrives.
SPEEDS: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 4.0, math.inf)
NORMAL_SPEED = SPEEDS.index(1.0)
#: At 1× a run is drawn over about this many seconds, whatever its number of steps (3–8 s is
#: long enough to watch a curve fall and short enough not to wait).
PACE_SECONDS = 5.0
#: Events placed in training time by their ``step`` (others go with their neighbours).
_STEPPED = ("step", "boundary", "fit", "trajectory", "end")


class Pacer:
    """Holds a run's events and hands them on at ``total_steps / seconds × speed`` steps a second.

    The total comes from the ``start`` events (the largest over the variants). A run without one
    (e.g. a gradient check) is handed on at once; so is everything at the speed "instant". The
    pace never runs ahead of the child: when the held events run out, the pace waits for more.
    """

    def __init__(self, seconds: float = PACE_SECONDS, speed: int = NORMAL_SPEED) -> None:
        self.seconds = seconds
        self.speed = speed
        self.events: deque = deque()
        self.total = 0
        self.shown = 0.0  # events up to this step have been handed on

    @property
    def factor(self) -> float:
        return SPEEDS[self.speed]

    @property
    def instant(self) -> bool:
        return math.isinf(self.factor) or self.seconds <= 0

    def set_speed(self, index: int) -> bool:
        """Change the speed (clamped to SPEEDS); True when it changed."""
        index = max(0, min(len(SPEEDS) - 1, index))
        changed = index != self.speed
        self.speed = index
        return changed

    def feed(self, events: list) -> None:
        for ev in events:
            if ev.get("event") == "start":
                total = ev.get("total_steps")
                if isinstance(total, (int, float)) and total > self.total:
                    self.total = int(total)
        self.events.extend(events)

    def take(self, dt: float) -> list:
        """What is due after ``dt`` more seconds, in order."""
        if not self.events:
            return []
        if self.instant or self.total <= 0:
            out = list(self.events)
            self.events.clear()
            return out
        self.shown += self.total / self.seconds * self.factor * dt
        out = []
        events = self.events
        last = None
        while events:
            ev = events[0]
            step = ev.get("step") if ev.get("event") in _STEPPED else None
            if isinstance(step, (int, float)):
                if step > self.shown:
                    break
                last = step
            out.append(events.popleft())
        if not events and last is not None:
            self.shown = min(self.shown, float(last))   # wait for the child, then go on from here
        return out

    def clear(self) -> None:
        self.events.clear()
        self.total = 0
        self.shown = 0.0

    @property
    def pending(self) -> int:
        return len(self.events)


def stop_all() -> None:
    """Stop every run still alive (at interpreter exit, whatever happened to the UI)."""
    for run in list(_LIVE):
        try:
            run.stop()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


atexit.register(stop_all)
