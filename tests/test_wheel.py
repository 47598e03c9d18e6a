"""The built wheel carries the lessons and quizzes: `tutor validate` works from anywhere."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_installed_wheel_finds_bundled_content(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPO)],
                   check=True, capture_output=True, text=True)
    [wheel] = dist.glob("why_tutor-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = venv / "bin" / "pip"
    subprocess.run([str(pip), "install", "--quiet", str(wheel)], check=True,
                   capture_output=True, text=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run([str(venv / "bin" / "tutor"), "validate"], cwd=elsewhere,
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    lessons = int(summary.split()[0])
    assert lessons >= 1 and summary.endswith(" 0 errors")
    # And it is the packaged copy, not this checkout, that was read.
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "from tutor.content import bundled_content_dirs as b; print(b()[0])"],
                           cwd=elsewhere, capture_output=True, text=True, env=env).stdout
    assert "_bundled" in where and str(REPO) not in where
