"""Every experiment's pictures drawn by the real run panel: each registered experiment's short run
(the golden settings) fed to a RunPanel at 80×24 in Korean and at 120×40 in English, drawn after
every quarter of its events, must leave the panel done with its pictures shown and nothing raised.

The lesson walks do not wait for runs to finish, so a view that breaks on the second draw of a
picture (it happened: heatmaps compared as arrays) would otherwise reach a learner first.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tutor.experiments import REGISTRY, parse_sets
from tutor.ui.run.panel import RunPanel

sys.path.insert(0, str(Path(__file__).parents[1] / "experiments"))
sys.path.insert(0, str(Path(__file__).parent))
from test_golden import SHORT  # noqa: E402 (the short settings every experiment has)
from test_runs import PanelApp  # noqa: E402

PICTURES = {"boundary": ".run-boundary", "trajectory": ".run-boundary", "fit": ".run-fit",
            "confusion": ".run-table", "gradcheck": ".run-table", "heatmap": ".run-tiles",
            "histogram": ".run-histogram"}


@pytest.mark.parametrize("lang,size", [("ko", (80, 24)), ("en", (120, 40))])
@pytest.mark.parametrize("name", sorted(REGISTRY))
async def test_the_panel_draws_every_run(name, lang, size):
    events = list(REGISTRY[name].run(parse_sets(name, SHORT.get(name, []), 0)))
    app = PanelApp(name, {}, None, lang)
    async with app.run_test(size=size) as pilot:
        panel = app.query_one(RunPanel)
        quarter = max(1, len(events) // 4)
        for i in range(0, len(events), quarter):
            panel.consume(events[i:i + quarter])
            panel.redraw(force=True)
            await pilot.pause()
        panel.redraw(force=True)
        await pilot.pause()
        assert panel.phase in ("done", "diverged"), (name, panel.phase)
        kinds = {e["event"] for e in events}
        for kind, selector in PICTURES.items():
            if kind in kinds:
                assert not panel.query_one(selector).has_class("hidden"), (name, kind)
        if any(e.get("grad_norms") for e in events if e["event"] == "step"):
            assert not panel.query_one(".run-bars").has_class("hidden"), name
