"""A training run as a child process whose JSON-lines events the UI reads without ever waiting.

    run = RunProcess(command_for("linreg_gd", {"lr": 0.1}, seed=0))
    run.start()
    ...                      # every ~100 ms, on the UI thread:
    events = run.drain()     # everything that arrived since the last call (maybe nothing)
    ...
    run.stop()               # SIGTERM, SIGKILL after 0.5 s, reaped: no process left behind

Why a child process: training is numpy work that holds the GIL for long stretches; in a thread it
would make the interface stutter. A child (`tutor run NAME --json`, see run-contract.md) trains on
its own core and streams one event per line; stopping it is a signal, immediate and complete.

Why polling: a reader thread parses lines into a list under a lock and never touches the UI. The
widget drains that list from a UI timer (every 100 ms), so the UI does one update per tick however
fast the run steps — never one UI call per training step, never more than 10 redraws a second,
and the reader thread never blocks on the UI (``call_from_thread`` would).
"""

from __future__ import annotations

import atexit
import json
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
COMMAND_PREFIX: list[str] = [sys.executable, "-m", "tutor", "run"]

STOP_GRACE = 0.5  # seconds between SIGTERM and SIGKILL

_LIVE: "weakref.WeakSet[RunProcess]" = weakref.WeakSet()


def format_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(format_value(v) for v in value)
    return str(value)


def command_for(name: str, params: dict, seed: int | None = None,
                prefix: Sequence[str] | None = None) -> list[str]:
    """``[python, -m, tutor, run, NAME, --json, --seed, S, --set, k=v, ...]``."""
    argv = list(prefix or COMMAND_PREFIX) + [name, "--json"]
    if seed is not None:
        argv += ["--seed", str(seed)]
    for key, value in params.items():
        argv += ["--set", f"{key}={format_value(value)}"]
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
        assert self.proc is not None and self.proc.stdout is not None
        loads = json.loads
        batch: list = []
        last = time.monotonic()
        for raw in self.proc.stdout:
            try:
                event = loads(raw)
            except ValueError:
                self.bad_lines += 1
                continue
            batch.append(event)
            now = time.monotonic()
            if self.first_line_at is None:
                self.first_line_at = now
            self.last_line_at = now
            # hand over in small batches: fewer lock round trips when the run is fast
            if len(batch) >= 64 or now - last > 0.02:
                with self._lock:
                    self._events.extend(batch)
                    self.lines += len(batch)
                batch = []
                last = now
        with self._lock:
            self._events.extend(batch)
            self.lines += len(batch)

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


def stop_all() -> None:
    """Stop every run still alive (at interpreter exit, whatever happened to the UI)."""
    for run in list(_LIVE):
        try:
            run.stop()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


atexit.register(stop_all)
