"""What a learner sees at 80×24, pinned as SVG snapshots (pytest-textual-snapshot).

The sample content (tests/data/good) keeps them stable while the course grows; a change to a
screen shows up as a diff to look at. Regenerate after a deliberate change with
`.venv/bin/python -m pytest tests/ui/test_snapshots.py --snapshot-update` and read the SVGs.
Each is taken once the screen has stopped moving (``settle``): a lesson opened mid-way scrolls
to its step a frame or two after it is drawn, and how many frames depends on the machine.
"""

import sys
from pathlib import Path

import pytest

from tutor.content import load_library
from tutor.store import ProgressStore
from tutor.ui.app import TutorApp

sys.path.insert(0, str(Path(__file__).parent))
from learner import settle  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data"
SIZE = (80, 24)


def settled(*keys: str):
    """Before the snapshot: wait for the screen to settle, press ``keys``, settle again."""
    async def run_before(pilot) -> None:
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)
    return run_before


def app_at(tmp_path, lang: str, step: int | None = None) -> TutorApp:
    library = load_library([DATA / "good"])
    assert not library.errors
    store = ProgressStore(tmp_path / "p.sqlite3")
    if step is not None:
        store.save_position("03-90-sample", step, 7)
    return TutorApp(library, store, lang, start_lesson="03-90" if step is not None else None)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_home(snap_compare, tmp_path, lang):
    assert snap_compare(app_at(tmp_path, lang), terminal_size=SIZE, run_before=settled())


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_why_card_revealed(snap_compare, tmp_path, lang):
    assert snap_compare(app_at(tmp_path, lang, step=1), terminal_size=SIZE,
                        run_before=settled("space"))


def test_derivation_mid_way(snap_compare, tmp_path):
    assert snap_compare(app_at(tmp_path, "en", step=2), terminal_size=SIZE,
                        run_before=settled("space", "space"))


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_mcq_answered(snap_compare, tmp_path, lang):
    assert snap_compare(app_at(tmp_path, lang, step=3), terminal_size=SIZE,
                        run_before=settled("2"))


def test_run_panel(snap_compare, tmp_path):
    assert snap_compare(app_at(tmp_path, "en", step=5), terminal_size=SIZE, run_before=settled())
