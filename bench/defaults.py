"""How long each experiment's default run takes, as a learner starts it: ``tutor run NAME --json``
in a fresh process (interpreter, imports, the run, every event written), with the settings a
lesson gets when it sets nothing. The tracker asks that a default run finish in under 20 s on 2
cores; this is the measurement behind that claim.

Runs are interleaved (every experiment once, then again, ...) so the shared machine's noise falls
on all alike; the median and the largest wall clock of each are reported, with the CPU seconds
of the child (its rusage), which a busy machine disturbs much less.

    python bench/defaults.py                    # every experiment, 3 rounds
    python bench/defaults.py --runs 5 --only seq2seq,remedies
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tutor.experiments import REGISTRY  # noqa: E402

LIMIT = 20.0   # seconds: the tracker's bound on a default run


def one_run(name: str) -> tuple[float, float]:
    """Wall and CPU seconds of one ``tutor run NAME --json`` in a new process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tutor", "run", name, "--json"], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ))
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="rounds over the experiments")
    parser.add_argument("--only", default="", help="comma-separated experiment names")
    args = parser.parse_args(argv)
    names = [n for n in args.only.split(",") if n] or sorted(REGISTRY)
    walls: dict[str, list[float]] = {n: [] for n in names}
    cpus: dict[str, list[float]] = {n: [] for n in names}
    for _ in range(args.runs):
        for name in names:
            wall, cpu = one_run(name)
            walls[name].append(wall)
            cpus[name].append(cpu)
    print(f"{'experiment':<20} {'median s':>9} {'max s':>7} {'cpu s':>6}  (load {os.getloadavg()[0]:.1f})")
    over = 0
    for name in names:
        worst = max(walls[name])
        over += worst >= LIMIT
        print(f"{name:<20} {statistics.median(walls[name]):>9.2f} {worst:>7.2f} "
              f"{statistics.median(cpus[name]):>6.2f}{'  over ' + str(LIMIT) + ' s' if worst >= LIMIT else ''}")
    print(f"{len(names)} experiments, {args.runs} runs each, {over} over {LIMIT:.0f} s at their slowest")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
