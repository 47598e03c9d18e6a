"""Benchmark of live runs in the TUI (issue 5): what live plotting costs, and how responsive keys stay.

1. Live-plot cost. The same run (`python -m tutor.experiments NAME --json ...`, a child process) is
   consumed twice, interleaved, ``--repeats`` times:
     headless  the JSON lines read by tutor.ui.run.process.RunProcess and thrown away (no UI);
     tui       a RunPanel in a Textual app (run_test, headless driver: layout, rendering and the
               compositor run, only the terminal writes are dropped) drawing the loss curves, the
               metrics and the decision boundary live.
   Throughput = training steps (all variants) / (time of the last line − time of the first line),
   both taken by the reader thread as lines arrive. Target: tui ≥ 0.9 × headless.
2. Responsiveness. While the TUI run trains, ``--presses`` key presses (``l``: toggle log scale)
   at random 50–150 ms intervals; latency = from just before ``pilot.press`` to the moment the
   panel's action runs. Target: every press handled within 50 ms.

    python bench/liveplot.py                       # playground, 3 repeats
    python bench/liveplot.py --experiment optimizers --repeats 5
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual.app import App  # noqa: E402

from tutor.ui.run import process as runner  # noqa: E402
from tutor.ui.run.panel import RunPanel  # noqa: E402
from tutor.ui.styles import APP_STYLES, STEP_STYLES  # noqa: E402



def steps_of(finish: dict | None, events: list[dict]) -> int:
    if finish and finish.get("variants"):
        return sum(int(v.get("step") or 0) for v in finish["variants"].values())
    return sum(1 for e in events if e.get("event") == "step")


def run_headless(name: str, params: dict, seed: int) -> tuple[float, int]:
    run = runner.RunProcess(runner.command_for(name, {**params, "seed": seed}))
    run.start()
    finish = None
    while True:
        for ev in run.drain():
            if ev.get("event") == "finish":
                finish = ev
        if run.finished:
            for ev in run.drain():
                if ev.get("event") == "finish":
                    finish = ev
            break
        time.sleep(0.1)
    run.stop()
    return steps_of(finish, []) / (run.last_line_at - run.first_line_at), steps_of(finish, [])


class BenchApp(App):
    CSS_PATH = [*APP_STYLES, *STEP_STYLES]
    lang = "en"

    def __init__(self, name: str, params: dict, seed: int):
        super().__init__()
        self.exp, self.params, self.seed = name, params, seed

    def compose(self):
        # instant: the bench measures what drawing costs while the child streams, not the pace
        yield RunPanel(self.exp, self.params, None, "en", seed=self.seed, id="panel",
                       speed=len(runner.SPEEDS) - 1)


ui_cpu: list[float] = []   # CPU time of the TUI process (UI + reader thread) per second of run


async def run_tui(name: str, params: dict, seed: int, presses: int,
                  size: tuple[int, int]) -> tuple[float, int, list[float], int]:
    app = BenchApp(name, params, seed)
    latencies: list[float] = []
    async with app.run_test(size=size) as pilot:
        panel = app.query_one(RunPanel)
        handled: list[float] = []
        original = panel.action_toggle_log

        def timed_toggle() -> None:
            handled.append(time.perf_counter())
            original()

        panel.action_toggle_log = timed_toggle
        cpu0, wall0 = os.times(), time.monotonic()
        panel.start()
        while panel.phase in ("starting",) or panel.run_state.events < 20:
            await pilot.pause(0.02)
        rng = random.Random(seed)
        for _ in range(presses):
            if panel.phase not in ("starting", "running"):
                break
            await asyncio.sleep(rng.uniform(0.05, 0.15))
            before = len(handled)
            t0 = time.perf_counter()
            await pilot.press("l")
            while len(handled) == before and time.perf_counter() - t0 < 2:
                await asyncio.sleep(0.001)
            if len(handled) > before:
                latencies.append(handled[-1] - t0)
        while panel.phase in ("starting", "running"):
            await pilot.pause(0.05)
        cpu1, wall1 = os.times(), time.monotonic()
        ui_cpu.append((cpu1.user + cpu1.system - cpu0.user - cpu0.system) / (wall1 - wall0))
        run = panel.process
        redraws = panel.redraws
        steps = steps_of(panel.run_state.finish, [])
    return steps / (run.last_line_at - run.first_line_at), steps, latencies, redraws


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--experiment", default="playground")
    ap.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--presses", type=int, default=30)
    ap.add_argument("--size", default="120x40")
    args = ap.parse_args()
    params = dict(s.split("=", 1) for s in args.sets)
    size = tuple(int(v) for v in args.size.split("x"))
    print(f"liveplot: {args.experiment} {params or ''} · {os.cpu_count()} cores · "
          f"Python {platform.python_version()} · size {size[0]}x{size[1]}")
    headless, tui, lat, redraw_counts = [], [], [], []
    for i in range(args.repeats):
        rate_h, steps = run_headless(args.experiment, params, seed=i)
        rate_t, steps_t, latencies, redraws = asyncio.run(
            run_tui(args.experiment, params, i, args.presses, size))
        headless.append(rate_h)
        tui.append(rate_t)
        lat.extend(latencies)
        redraw_counts.append(redraws)
        print(f"  run {i + 1}: headless {rate_h:8.0f} steps/s · tui {rate_t:8.0f} steps/s "
              f"({rate_t / rate_h:.2f}×) · {steps} steps · {redraws} panel redraws · "
              f"{len(latencies)} presses, max {1000 * max(latencies or [0]):.1f} ms · "
              f"UI process CPU {100 * ui_cpu[-1]:.0f}% of a core")
    med_h, med_t = statistics.median(headless), statistics.median(tui)
    lat_ms = sorted(1000 * x for x in lat)
    p95 = lat_ms[int(0.95 * (len(lat_ms) - 1))] if lat_ms else float("nan")
    print(f"live-plot cost: headless median {med_h:.0f} steps/s, tui median {med_t:.0f} steps/s "
          f"-> ratio {med_t / med_h:.2f} (target >= 0.90)")
    if lat_ms:
        print(f"key latency while training: n={len(lat_ms)} median {statistics.median(lat_ms):.1f} ms, "
              f"p95 {p95:.1f} ms, max {lat_ms[-1]:.1f} ms (target <= 50 ms); "
              f"{sum(x <= 50 for x in lat_ms)}/{len(lat_ms)} within 50 ms")
    ok = med_t / med_h >= 0.9 and (not lat_ms or lat_ms[-1] <= 50)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
