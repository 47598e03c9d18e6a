"""`tutor run`: one-line messages for bad --set / --save (checked before the run), the learner's
language in the table and the PNG, and the PNG written atomically."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tutor.headless import check_save, hangul_font


def tutor(*args, timeout=60):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run([sys.executable, "-m", "tutor", "run", *args], capture_output=True,
                          text=True, timeout=timeout, env=env)


@pytest.mark.parametrize("args, line", [
    (["linreg_gd", "--set", "steps=abc"],
     "tutor run: steps must be a whole number, got 'abc' (allowed: 1…2000)"),
    (["linreg_gd", "--set", "steps=9999"],
     "tutor run: steps=9999 is above the maximum 2000 for linreg_gd (allowed: 1…2000)"),
    (["perceptron_gates", "--set", "gate=nor"],
     "tutor run: gate='nor' is not one of and, nand, or, xor for perceptron_gates"),
    (["linreg_gd", "--set", "steps=9999", "--lang", "ko"],
     "tutor run: steps=9999은(는) linreg_gd의 최댓값 2000보다 큽니다 (허용 범위: 1…2000)"),
    (["linreg_gd", "--set", "nope=1", "--lang", "ko"],
     "tutor run: linreg_gd에 없는 파라미터(parameter) 'nope' (있는 것: seed, lr, steps, noise, n)"),
    (["linreg_gd", "--seed", "-3"],
     "tutor run: seed=-3 is below the minimum 0 for linreg_gd (allowed: 0…2147483647)"),
])
def test_bad_set_names_the_parameter_and_its_range(args, line):
    r = tutor(*args)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.splitlines() == [line]


def test_bad_save_is_refused_before_the_run(tmp_path):
    cases = [
        (tmp_path, f"tutor run: --save {tmp_path}: is a directory; give a file name"),
        (tmp_path / "plot", f"tutor run: --save {tmp_path / 'plot'}: no file extension; "
                            "use one of .png, .svg, .pdf"),
        (tmp_path / "plot.jpg", f"tutor run: --save {tmp_path / 'plot.jpg'}: cannot write .jpg "
                                "files; use one of .png, .svg, .pdf"),
        (tmp_path / "no" / "p.png", f"tutor run: --save {tmp_path / 'no' / 'p.png'}: folder "
                                    f"{tmp_path / 'no'} does not exist"),
    ]
    for target, line in cases:
        t0 = time.monotonic()
        # 200000 steps would take minutes: a quick exit means the run never started
        r = tutor("playground", "--set", "steps=200000", "--save", str(target), "--json")
        assert r.returncode == 2 and r.stdout == "", target
        assert r.stderr.splitlines() == [line]
        assert time.monotonic() - t0 < 20
    assert sorted(p.name for p in tmp_path.iterdir()) == []     # nothing written, no temp file
    assert check_save(tmp_path / "x.PNG", "en")[1] is None
    assert check_save(tmp_path, "ko")[1] == f"--save {tmp_path}: 폴더입니다. 파일 이름을 주세요"


def test_save_writes_atomically_and_in_the_format_asked(tmp_path):
    old = tmp_path / "keep.png"
    old.write_bytes(b"old")
    r = tutor("linreg_gd", "--set", "steps=20", "--save", str(old), "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert old.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = tmp_path / "p.svg"
    r = tutor("linreg_gd", "--set", "steps=20", "--save", str(svg), "--json")
    assert r.returncode == 0 and svg.read_text()[:200].find("<svg") >= 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.png", "p.svg"]   # no .part left


def test_table_and_variants_in_korean(tmp_path):
    r = tutor("learning_rate", "--set", "steps=40", "--lang", "ko", "--save", str(tmp_path / "k.png"))
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "너무 큼(too_large)" in out and "발산(diverged)" in out and "완료(done)" in out
    assert "알맞음(right) 학습" in out          # the curve's legend
    assert (tmp_path / "k.png").read_bytes()[:4] == b"\x89PNG"
    r = tutor("--lang", "ko")
    assert r.returncode == 0 and "이름" in r.stdout and "파라미터(parameter)" in r.stdout


def test_korean_png_without_a_hangul_font_says_so(tmp_path, monkeypatch):
    from tutor import headless  # noqa: PLC0415
    from tutor.experiments.state import fold  # noqa: PLC0415

    monkeypatch.setattr(headless.png, "hangul_font", lambda: None)
    events = list(__import__("tutor.experiments", fromlist=["REGISTRY"]).REGISTRY["linreg_gd"]
                  .run({"steps": 10}))
    texts: list[str] = []
    import matplotlib.figure  # noqa: PLC0415

    real_text = matplotlib.figure.Figure.text
    monkeypatch.setattr(matplotlib.figure.Figure, "text",
                        lambda self, x, y, s, *a, **k: texts.append(s) or real_text(self, x, y, s, *a, **k))
    headless.save_png(fold(events), tmp_path / "f.png", "ko")
    # the suptitle in English (the title's "en"), then the footnote
    assert texts == ["Linear regression by gradient descent  (linreg_gd, seed 0)",
                     "No font with Hangul is installed: the labels are in English."]
    assert (tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG"


def test_hangul_font_ignores_a_last_resort_font():
    name = hangul_font()
    assert name is None or "Last Resort" not in name
