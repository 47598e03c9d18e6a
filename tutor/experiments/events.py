"""The run contract: the events one experiment run yields, in code. This docstring is its documentation.

A run is a stream of plain dicts, each with an ``"event"`` key naming its kind. In process,
``Experiment.run`` yields them; across the process boundary, ``python -m tutor.experiments NAME
--json`` (and ``tutor run NAME --json``) writes each as one line of JSON made by :func:`to_json`.
Every consumer (the TUI's run panel, ``tutor run`` in the terminal and as a PNG, the tests) folds
them with :class:`tutor.experiments.state.RunState`, the only fold there is.

Order::

    begin
    (start | step | end | boundary | fit | trajectory | confusion | gradcheck | heatmap | histogram)*
    finish

- ``begin`` once, first: the experiment, its parameters (every one, typed, the seed among them),
  the variant names and how to plot the run.
- per variant (``"variant"`` names it; ``"main"`` when the experiment has one): ``start`` once
  (the engine's, see :mod:`tutor.nn.train`), then ``step`` events, then ``end`` once. A variant
  that diverged ends with ``status: "diverged"`` and a bilingual ``message`` saying what it means.
- pictures, optional, any time after the variant's ``start``: ``boundary`` (a 2-D classifier's
  p(class 1) on a grid; wall-clock throttled, at most ~every 0.2 s, so their number depends on the
  machine), ``fit`` (a 1-D fitted curve over its target), ``trajectory`` (a path on a 2-D loss
  surface), ``confusion`` (a matrix, at the end), ``gradcheck`` (per-layer gradient errors),
  ``heatmap`` (a named grid of values: a 2-D slice of the loss surface, a filter, a feature map;
  the latest of each variant and name is drawn, side by side), ``histogram`` (binned values, e.g.
  a layer's weights; the latest per variant).
- ``plot`` in ``begin`` says which step key the curves draw (``y``: ``loss`` unless the run says
  otherwise, e.g. ``error`` or ``return``) and, in ``label``, what to call it when it is not a loss.
- ``finish`` once, last: the run's status (``done``, ``diverged`` for a single variant that did,
  ``stopped`` when asked to stop) and a per-variant summary (its ``end`` event's figures, with the
  last reported metrics filling what the end left empty).

Values: JSON's (str, int, float, bool, None, lists, dicts); every number is finite (NaN and ±inf
become None, by :func:`finite`, applied once, in ``Experiment.run``). Bilingual text is a
``{"ko": …, "en": …}`` dict. Unknown keys are allowed: an experiment may add figures of its own to
its ``end`` (``accuracy``, ``w``, ``error`` …) and they land in ``finish``.

Adding an event kind: a TypedDict here, a ``KINDS`` entry, a branch in ``RunState.consume``, and
a view that draws it (``tutor/headless/views.py`` for the terminal and the PNG, ``tutor/ui/run/``
for the TUI).
"""

from __future__ import annotations

import json
import math
from typing import IO, Any, Iterable, Literal, TypedDict, Union

Bilingual = dict   # {"ko": str, "en": str}


class Plot(TypedDict, total=False):
    y: str          # the step key drawn: "loss", "accuracy", or a key of the run's own ("error")
    log_y: bool
    x: str
    label: Bilingual  # what y is, when it is not a loss (the legend and the status line say it)


class Begin(TypedDict):
    event: Literal["begin"]
    experiment: str
    params: dict[str, Any]
    variants: list[str]
    seed: int
    title: Bilingual
    plot: Plot


class Start(TypedDict, total=False):
    event: Literal["start"]
    variant: str
    total_steps: int
    epochs: int
    steps_per_epoch: int
    batch_size: int
    n_train: int
    n_val: int
    num_params: int
    layers: list[str]        # the layers with parameters: the order of grad_norms
    seed: int


class Step(TypedDict, total=False):
    event: Literal["step"]
    variant: str
    step: int
    epoch: int
    loss: float | None       # None on a step that only measured norms or validation
    accuracy: float
    val_loss: float | None
    val_accuracy: float | None
    grad_norms: list[float | None]
    weight_norms: list[float | None]
    grad_w: float            # mse_vs_ce: the size of this step's weight gradient


class End(TypedDict, total=False):
    event: Literal["end"]
    variant: str
    status: Literal["done", "diverged", "stopped"]
    reason: str
    step: int
    epoch: int
    loss: float | None
    val_loss: float | None
    val_accuracy: float | None
    best_step: int | None
    best_loss: float | None
    message: Bilingual       # diverged only: what the divergence teaches


class Boundary(TypedDict, total=False):
    event: Literal["boundary"]
    variant: str
    step: int
    x_range: list[float]
    y_range: list[float]
    grid: list[list[float]]          # rows from y_range[0] to y_range[1]
    points: list[list[float]]        # [x, y, class]
    test_points: list[list[float]]


class Fit(TypedDict, total=False):
    event: Literal["fit"]
    variant: str
    step: int
    x: list[float]
    y_pred: list[float]
    y_true: list[float]
    points: list[list[float]]        # [x, y] training points, when they differ from the target


class Trajectory(TypedDict, total=False):
    event: Literal["trajectory"]
    variant: str
    points: list[list[float]]
    append: bool                     # the points continue the variant's path
    surface: dict                    # {"x": [...], "y": [...], "z": [[...]]}
    start: list[float]
    saddle: list[float]
    minima: list[list[float]]
    formula: str


class Confusion(TypedDict, total=False):
    event: Literal["confusion"]
    variant: str
    matrix: list[list[int]]
    labels: list
    rows: Literal["actual"]


class Gradcheck(TypedDict, total=False):
    event: Literal["gradcheck"]
    variant: str
    rows: list[list]                 # [layer, ‖analytic‖, ‖numerical‖, relative error]
    eps: float


class Heatmap(TypedDict, total=False):
    event: Literal["heatmap"]
    variant: str
    step: int                        # when it was taken
    name: str                        # one picture of the variant: "surface", "filter 1", …
    title: Bilingual
    grid: list[list[float | None]]   # rows from y_range[0] to y_range[1]
    x_range: list[float]
    y_range: list[float]
    mark: list[float]                # [x, y]: a point to mark (the trained weights)
    log: bool                        # colour by the logarithm of the value (a loss surface)


class Histogram(TypedDict, total=False):
    event: Literal["histogram"]
    variant: str
    step: int
    title: Bilingual
    edges: list[float]               # k + 1 bin edges, increasing
    counts: list[int]                # k counts


class Finish(TypedDict):
    event: Literal["finish"]
    status: Literal["done", "diverged", "stopped"]
    variants: dict[str, dict[str, Any]]
    message: Bilingual


Event = Union[Begin, Start, Step, End, Boundary, Fit, Trajectory, Confusion, Gradcheck, Heatmap,
              Histogram, Finish]

KINDS: dict[str, type] = {
    "begin": Begin, "start": Start, "step": Step, "end": End, "boundary": Boundary, "fit": Fit,
    "trajectory": Trajectory, "confusion": Confusion, "gradcheck": Gradcheck, "heatmap": Heatmap,
    "histogram": Histogram, "finish": Finish,
}
#: The figures a step reports, which the finish summary carries forward.
METRICS = ("loss", "val_loss", "accuracy", "val_accuracy")


def finite(obj):
    """NaN and ±inf become None (JSON has no such numbers), in dicts and lists."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [finite(v) for v in obj]
    return obj


def to_json(event: dict) -> str:
    """One line of JSON for ``event``, every number finite (a NaN that slipped in becomes null)."""
    try:
        return json.dumps(event, ensure_ascii=False, allow_nan=False)
    except ValueError:
        return json.dumps(finite(event), ensure_ascii=False, allow_nan=False)


def write_lines(events: Iterable[dict], out: IO[str]) -> list[dict]:
    """The JSON-lines stream: each event as one line on ``out``, flushed at once (a reader waits
    for it); returns the events written."""
    kept = []
    for event in events:
        out.write(to_json(event) + "\n")
        out.flush()
        kept.append(event)
    return kept
