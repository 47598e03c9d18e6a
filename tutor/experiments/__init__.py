"""Named experiments that lessons launch with ``run:`` steps, and ``tutor run`` runs headless.

    from tutor.experiments import REGISTRY, resolve
    for event in REGISTRY["learning_rate"].run({"steps": 50}, seed=0):
        print(event)

The events follow the contract in :mod:`tutor.experiments.events`; :mod:`tutor.experiments.state`
folds them. ``python -m tutor.experiments NAME --json`` runs one in a child process.

Adding an experiment: one module here that ``register``s it (every module that is not one of the
building blocks in ``_PARTS`` is imported when the registry is first used).

The registry is loaded on first use: ``events`` and ``state`` are plain Python, so a UI can import
them without NumPy. The experiments import NumPy and tutor.nn only.
"""

from __future__ import annotations

import importlib
import pkgutil

#: The building blocks; every other module of this package registers experiments.
_PARTS = {"__main__", "base", "events", "labels", "nets", "palette", "state"}
__all__ = ["REGISTRY", "Experiment", "Param", "ParamError", "check_run_step", "coerce_params",
           "param_label", "parse_sets", "resolve", "split_sets", "variant_label"]


def __getattr__(name: str):
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    base = importlib.import_module(".base", __name__)
    for module in sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name not in _PARTS):
        importlib.import_module(f".{module}", __name__)
    value = getattr(base, name)
    globals()[name] = value
    return value
