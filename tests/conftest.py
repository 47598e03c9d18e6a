from pathlib import Path

import pytest

from tutor.experiments.__main__ import limit_blas_threads

# The tests run experiments in process: with one BLAS thread, as the TUI and `tutor run` do, so a
# figure pinned here is the figure the learner sees.
limit_blas_threads()

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture(autouse=True)
def content_cache_dir(tmp_path_factory, monkeypatch) -> Path:
    """Every test's content cache is its own, never the user's."""
    folder = tmp_path_factory.mktemp("content-cache")
    monkeypatch.setenv("TUTOR_CACHE_DIR", str(folder))
    return folder


def pytest_collection_modifyitems(items):
    """The longest tests first (the two bank walks, then the lesson walks), so that with several
    workers (`make test` runs `-n auto --dist worksteal`: an idle worker takes half of a busy one's
    queue) none of them is left running alone at the end."""
    def rank(item) -> int:
        if "test_every_bank_and_review_item" in item.nodeid:
            return 0
        return 1 if "test_walk_content" in item.nodeid else 2
    items.sort(key=rank)
