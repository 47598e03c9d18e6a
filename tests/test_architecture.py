"""The rooms stay separate: content, store and nn never pull in the UI libraries; the layers of
.importlinter hold (`lint-imports`, also run by `make test`)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

import pytest


@pytest.mark.parametrize("module", ["tutor.content", "tutor.store", "tutor.nn", "tutor.experiments"])
def test_core_packages_do_not_import_ui_libraries(module):
    code = (f"import sys, json, {module}; "
            "print(json.dumps(sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('textual', 'rich'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_nn_imports_numpy_only():
    code = ("import sys, json, tutor.nn, tutor.nn.optim, tutor.nn.data, tutor.nn.gradcheck; "
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # cython_runtime is a module numpy itself creates at import.
    third_party = (set(json.loads(out.stdout)) - set(sys.stdlib_module_names)
                   - {"tutor", "numpy", "cython_runtime"})
    assert {m for m in third_party if not m.startswith("_")} == set()


def test_the_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stdout[-3000:]
    assert "3 kept, 0 broken" in out.stdout


def test_the_run_contract_and_fold_import_without_numpy():
    # the TUI imports them at start-up cost only if they stay plain Python
    code = ("import sys, json, tutor.experiments.events, tutor.experiments.state, "
            "tutor.experiments.palette; print(json.dumps('numpy' in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) is False
