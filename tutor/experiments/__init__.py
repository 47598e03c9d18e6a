"""Named experiments that lessons launch with ``run:`` steps, and ``tutor run`` runs headless.

    from tutor.experiments import REGISTRY, resolve
    for event in REGISTRY["learning_rate"].run({"steps": 50}, seed=0):
        print(event)

Events and the registry follow /work/notes/run-contract.md. Imports NumPy and tutor.nn only.
"""

from .base import (REGISTRY, Experiment, Param, check_run_step, parse_sets, resolve)
from . import basics, deep, fitting, playground, training  # noqa: F401  (they register their experiments)

__all__ = ["REGISTRY", "Experiment", "Param", "check_run_step", "parse_sets", "resolve"]
