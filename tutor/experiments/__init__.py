"""Named experiments that lessons launch with ``run:`` steps, and ``tutor run`` runs headless.

    from tutor.experiments import REGISTRY, resolve
    for event in REGISTRY["learning_rate"].run({"steps": 50}, seed=0):
        print(event)

Events and the registry follow /work/notes/run-contract.md. Imports NumPy and tutor.nn only.
"""

from .base import (REGISTRY, Experiment, Param, ParamError, check_run_step, coerce_params,
                   parse_sets, resolve, split_sets, variant_label)
from . import basics, deep, fitting, playground, training  # noqa: F401  (they register their experiments)

__all__ = ["REGISTRY", "Experiment", "Param", "ParamError", "check_run_step", "coerce_params",
           "parse_sets", "resolve", "split_sets", "variant_label"]
