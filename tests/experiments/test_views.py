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


def test_heatmaps_and_histograms_draw_in_the_terminal_and_on_a_figure():
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415
    from rich.console import Console  # noqa: PLC0415

    title = {"ko": "가중치", "en": "weights"}
    state = fold([
        {"event": "begin", "experiment": "x", "params": {}, "variants": ["l1", "l2"], "seed": 0,
         "title": title, "plot": {"y": "loss", "log_y": False, "x": "step"}},
        {"event": "heatmap", "variant": "l1", "name": "surface", "title": title, "log": True,
         "grid": [[1.0, 2.0], [3.0, 4.0]], "x_range": [-1, 1], "y_range": [-1, 1]},
        {"event": "heatmap", "variant": "l2", "name": "surface", "title": title,
         "grid": [[1.0, None], [3.0, 4.0]], "x_range": [-1, 1], "y_range": [-1, 1]},
        {"event": "histogram", "variant": "l1", "title": title, "edges": [-1, 0, 1], "counts": [3, 40]},
        {"event": "histogram", "variant": "l2", "title": title, "edges": [-1, 0, 1], "counts": [20, 20]}])
    shown = [type(v).__name__ for v in VIEWS if v.shows(state)]
    assert shown == ["Heatmaps", "Histograms"]
    out = io.StringIO()
    console = Console(file=out, width=100, color_system=None)
    for view in VIEWS:
        if view.shows(state):
            view.terminal(console, state, "ko")
            fig, ax = plt.subplots()
            try:
                view.png(ax, state, "ko")
                assert ax.get_title() == "가중치"
            finally:
                plt.close(fig)
    lines = out.getvalue().splitlines()
    assert lines[1] == "가중치" and lines[-1].count("█") == 20 and lines[-4].endswith(" 40")
