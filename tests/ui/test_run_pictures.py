"""The run contract's heatmap and histogram pictures, and curves of a run's own key, in the panel."""

from __future__ import annotations

import numpy as np
import pytest

from tutor.experiments.state import fold
from tutor.ui.run.panel import RunPanel
from tutor.ui.widgets.plots import histogram_text
from tutor.ui.widgets.tiles import Tile, layout, tiles_text

from test_runs import PanelApp, fake  # noqa: F401 (the fixture)

BILINGUAL = {"ko": "손실 단면", "en": "loss slice"}


def screen_text(app) -> str:
    """What the terminal shows, as plain lines."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip) for strip in strips)


def begin(plot=None, variants=("plain", "skip")):
    return {"event": "begin", "experiment": "optimizers", "params": {"seed": 0}, "variants": list(variants),
            "seed": 0, "title": {"ko": "t", "en": "t"},
            "plot": plot or {"y": "loss", "log_y": True, "x": "step"}}


def test_tiles_fit_the_space_and_keep_their_aspect():
    tiles = [Tile("a", np.arange(21 * 21, dtype=float).reshape(21, 21)) for _ in range(2)]
    cols, scale = layout(tiles, 40, 14, 2)
    assert cols == 2 and 0 < scale < 1          # two side by side, shrunk to fit 40 columns
    text = tiles_text(tiles, 40, 14).plain.splitlines()
    assert all(len(line) <= 40 for line in text)
    pixels_wide = text[1].split(" ")[0].count("▀")
    assert pixels_wide == round(21 * scale)
    # a 3×3 filter alone is scaled up, not drawn 3 cells wide
    big = tiles_text([Tile("f", np.eye(3))], 40, 14).plain.splitlines()
    assert big[1].count("▀") >= 9


def test_a_title_too_wide_for_its_tile_gives_way_to_the_short_one():
    tiles = [Tile("위치 인코딩 있음(with_pe)", np.eye(4), short_title="with_pe") for _ in range(2)]
    assert tiles_text(tiles, 36, 10).plain.splitlines()[0].split() == ["with_pe", "with_pe"]
    assert tiles_text(tiles[:1], 60, 10).plain.splitlines()[0].strip() == "위치 인코딩 있음(with_pe)"


def test_tiles_mark_range_and_ascii():
    grid = np.array([[1.0, 10.0], [100.0, 1000.0]])
    text = tiles_text([Tile("log", grid, log=True, mark=(0.0, 0.0))], 20, 10).plain
    assert "×" in text and "1…1000 log" in text
    ascii_text = tiles_text([Tile("log", grid, log=True, mark=(0.0, 0.0))], 20, 10, ascii_only=True).plain
    assert ascii_text.isascii() and "x" in ascii_text


def test_histogram_bars_share_one_count_scale():
    text = histogram_text([("l1", "red", [-1, 0, 1], [2, 10]), ("l2", "blue", [-1, 0, 1], [5, 5])],
                          "peak {n}", height=2).plain.splitlines()
    assert text[0] == "l1  peak 10" and text[1][1] == "█" and text[3].startswith("-1")
    assert text[5].strip() == "" or text[5][1] != "█"        # l2's 5 of 10 fills only the lower line


def test_a_run_key_of_its_own_is_folded_and_named():
    state = fold([begin({"y": "moves", "log_y": False, "x": "step", "label": {"ko": "이동 수", "en": "moves"}},
                        variants=("main",)),
                  {"event": "step", "variant": "main", "step": 1, "moves": 30.0},
                  {"event": "step", "variant": "main", "step": 2, "moves": 12.0}])
    assert state.variants["main"].curve("moves").y == [30.0, 12.0]
    assert state.y_label("ko") == "이동 수"


@pytest.mark.parametrize("lang,size", [("ko", (80, 24)), ("en", (120, 40))])
async def test_heatmaps_histograms_and_own_curves_are_drawn(fake, lang, size):  # noqa: F811
    app = PanelApp("optimizers", {"steps": 5, "delay": 0.0}, None, lang)
    async with app.run_test(size=size) as pilot:
        panel = app.query_one(RunPanel)
        grid = (np.add.outer(np.linspace(-1, 1, 21) ** 2, np.linspace(-1, 1, 21) ** 2) + 0.1).tolist()
        panel.consume([begin({"y": "moves", "log_y": False, "x": "step",
                              "label": {"ko": "이동 수", "en": "moves"}}),
                       {"event": "step", "variant": "plain", "step": 1, "moves": 30.0},
                       {"event": "step", "variant": "plain", "step": 2, "moves": 20.0},
                       {"event": "heatmap", "variant": "plain", "name": "surface", "title": BILINGUAL,
                        "grid": grid, "x_range": [-1, 1], "y_range": [-1, 1], "mark": [0, 0], "log": True},
                       {"event": "heatmap", "variant": "skip", "name": "surface", "title": BILINGUAL,
                        "grid": grid, "x_range": [-1, 1], "y_range": [-1, 1], "mark": [0, 0], "log": True},
                       {"event": "histogram", "variant": "plain", "title": {"ko": "가중치", "en": "weights"},
                        "edges": [-1, -0.5, 0, 0.5, 1], "counts": [1, 8, 8, 1]}])
        panel.redraw(force=True)
        await pilot.pause()
        # the same pictures again, then one changed: drawn again without a fuss (arrays compared by value)
        panel.consume([{"event": "heatmap", "variant": "plain", "name": "surface", "title": BILINGUAL,
                        "grid": grid, "x_range": [-1, 1], "y_range": [-1, 1], "mark": [0, 0], "log": True}])
        panel.redraw(force=True)
        await pilot.pause()
        panel.consume([{"event": "heatmap", "variant": "plain", "name": "surface", "title": BILINGUAL,
                        "grid": (np.array(grid) * 2).tolist(), "x_range": [-1, 1], "y_range": [-1, 1],
                        "mark": [0, 0], "log": True}])
        panel.redraw(force=True)
        await pilot.pause()
        assert not panel.query_one(".run-tiles").has_class("hidden")
        assert not panel.query_one(".run-histogram").has_class("hidden")
        screen = screen_text(app)
        assert BILINGUAL[lang] in screen or BILINGUAL[lang][:6] in screen
        assert ("이동 수" if lang == "ko" else "moves") in screen
        assert "▀" in screen


def test_gradient_bars_of_five_variants_fit_80_columns_without_wrapping():
    from rich.cells import cell_len  # noqa: PLC0415

    from tutor.ui.widgets.plots import bars_text  # noqa: PLC0415

    columns = [(f"이름 {i}(v{i})", "red", [10.0 ** -i, 1.0]) for i in range(5)]
    lines = bars_text(["L1", "L2"], columns, total_width=44).plain.splitlines()
    assert len(lines) == 3 and all(cell_len(line) <= 44 for line in lines)
    assert lines[0].split() == ["v0", "v1", "v2", "v3", "v4"]      # narrow: each variant by its id
    assert lines[2].count("█") > lines[1].count("█")              # 1 is longer than 10⁻ⁱ on a log scale
