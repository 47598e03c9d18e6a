"""``python -m tutor.experiments NAME --json [--set KEY=VALUE ...] [--seed N] [--lang ko|en]``

One experiment run as a JSON-lines stream on stdout (the contract: :mod:`tutor.experiments.events`),
nothing else on stdout. This is the child the TUI's run panel starts, so the UI depends only on
this package, not on the CLI above it. A wrong name or value: one line on stderr, exit 2.
``--seed N`` is ``--set seed=N``: the seed is a parameter like any other.
"""

from __future__ import annotations

import argparse
import os
import sys


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):   # one line, not the usage block
        self.exit(2, f"tutor.experiments: {message}\n")


def _parser() -> argparse.ArgumentParser:
    ap = _Parser(prog="python -m tutor.experiments", description=__doc__.splitlines()[0])
    ap.add_argument("name")
    ap.add_argument("--json", action="store_true", required=True, help="one JSON object per event")
    ap.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--seed", type=int)
    ap.add_argument("--lang", choices=("ko", "en"), default="en", help="the language of errors")
    return ap


def limit_blas_threads() -> None:
    """The lessons' matrices are small: one BLAS thread is faster than several fighting over two
    cores (measured: overfitting 3.3 s instead of 6–9 s), and every run of an experiment — the
    TUI's, ``tutor run``'s, the tests' that pin a lesson's figures — must sum in the same order to
    give the same digits. Before NumPy is imported the environment does it; after, threadpoolctl."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    if "numpy" in sys.modules:
        from threadpoolctl import threadpool_limits  # noqa: PLC0415

        threadpool_limits(limits=int(os.environ["OPENBLAS_NUM_THREADS"]), user_api="blas")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    limit_blas_threads()
    from . import REGISTRY, ParamError, parse_sets  # noqa: PLC0415 (NumPy after limit_blas_threads)
    from .events import write_lines  # noqa: PLC0415

    try:
        params = parse_sets(args.name, args.sets, args.seed)
    except ParamError as err:
        sys.stderr.write(f"tutor.experiments: {err.in_lang(args.lang)}\n")
        return 2
    try:
        write_lines(REGISTRY[args.name].run(params), sys.stdout)
    except BrokenPipeError:   # the reader went away (the panel stopped the run): nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
