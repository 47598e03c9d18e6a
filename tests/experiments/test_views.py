"""tutor run's views (tutor/headless/views.py): each kind shows when its events are there, and draws
itself in the terminal and on a figure."""

from __future__ import annotations

import io

import pytest

from tutor.experiments import REGISTRY
from tutor.experiments.state import fold
from tutor.headless.views import VIEWS

RUNS = {  # a short run, and the views that show for it, in order
    "linreg_gd": ({"steps": 10}, ["Curves", "Fit", "Summary"]),
    "perceptron_gates": ({"steps": 30}, ["Curves", "Boundary", "Summary"]),
    "optimizers": ({"steps": 10}, ["Curves", "Trajectory", "Summary"]),
    "activations": ({"steps": 10}, ["Curves", "GradNorms", "Summary"]),
    "softmax_digits": ({"epochs": 1}, ["Curves", "Confusion", "Summary"]),
    "gradcheck": ({}, ["Gradcheck", "Summary"]),
}


@pytest.fixture(scope="module")
def states():
    return {name: fold(REGISTRY[name].run(params, seed=0)) for name, (params, _) in RUNS.items()}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_the_views_that_show(states, name):
    assert [type(v).__name__ for v in VIEWS if v.shows(states[name])] == RUNS[name][1]


@pytest.mark.parametrize("name", sorted(RUNS))
def test_each_view_draws_itself_in_the_terminal_and_on_a_figure(states, name):
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415
    from rich.console import Console  # noqa: PLC0415

    state = states[name]
    out = io.StringIO()
    console = Console(file=out, width=100, color_system=None)
    for view in VIEWS:
        if view.shows(state):
            before = out.tell()
            view.terminal(console, state, "en")
            if view.png is not None:
                fig, ax = plt.subplots()
                try:
                    view.png(ax, state, "en")
                    assert ax.get_title(), (name, type(view).__name__)   # every panel says what it is
                finally:
                    plt.close(fig)
            else:
                assert out.tell() > before, (name, type(view).__name__)  # terminal-only: it printed
    text = out.getvalue()
    assert state.finish["message"]["en"] in text
