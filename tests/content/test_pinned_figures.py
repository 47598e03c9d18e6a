"""Pinned figures: a number a lesson quotes from a run cannot drift from what the run gives.

Every figure a bundled lesson declares in ``figures:`` is rerun with its settings (each distinct
run once, by scripts/figures.py's cache) and written with its format; the lesson's text must be
exactly that. The declaration itself is checked by the model (format, step, text in that step),
and by ``tutor validate`` (experiment and settings, through the injected run checker).
"""

from __future__ import annotations

import importlib.util
import re
import textwrap
from pathlib import Path

import pytest
from pydantic import ValidationError

from tutor.cli import figure_errors, load, main
from tutor.content.models import Figure, Lesson, format_figure, quotes

ROOT = Path(__file__).parents[2]
SPEC = importlib.util.spec_from_file_location("figures_script", ROOT / "scripts" / "figures.py")
figures_script = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(figures_script)

LESSONS = figures_script.lessons()
DECLARED = [(lesson, fig) for lesson in LESSONS for fig in lesson.figures]


# --------------------------------------------------------------------------- the bundled lessons

@pytest.mark.parametrize("lesson, fig", DECLARED,
                         ids=[f"{lesson.short_id}-{fig.name}" for lesson, fig in DECLARED])
def test_declared_figure_is_what_a_fresh_run_gives(lesson, fig):
    got = figures_script.fresh(fig)
    assert (fig.text_in("ko"), fig.text_in("en")) == (got, got), \
        f"{lesson.id} {fig.name}: the run gives {got!r} (python scripts/figures.py {lesson.short_id})"


def test_the_reviewed_lessons_keep_their_figures():
    """The lessons the review found wrong all declare figures: a lesson may pin more as it
    grows, never fewer than it was given."""
    declared = {lesson.short_id: len(lesson.figures) for lesson in LESSONS}
    at_least = {"03-05": 4, "03-06": 4, "04-01": 2, "05-01": 4, "05-02": 2, "06-01": 2,
                "07-01": 2, "07-02": 2, "07-03": 4}
    short = {k: declared.get(k, 0) for k, n in at_least.items() if declared.get(k, 0) < n}
    assert not short, short


SEED_PHRASE = re.compile(r"seed 0|시드 0")


def test_a_lesson_that_quotes_a_seeded_run_declares_its_figures():
    """Prose saying "(seed 0)" quotes a run: such a lesson must pin what it quotes."""
    for lesson in LESSONS:
        for step in lesson.steps:
            prose = getattr(step, "prose", None)
            if prose is not None and SEED_PHRASE.search(prose.en + prose.ko):
                assert lesson.figures, f"{lesson.id} quotes a seeded run but declares no figures:"


def test_each_distinct_run_runs_once():
    figures_script._finish.cache_clear()
    batch = [fig for lesson in LESSONS if lesson.short_id == "03-05" for fig in lesson.figures]
    for fig in batch:
        figures_script.fresh(fig)
    info = figures_script._finish.cache_info()
    assert (info.misses, info.hits) == (1, len(batch) - 1)


# --------------------------------------------------------------------------- the declaration

def lesson_data(**figure) -> dict:
    fig = {"name": "loss-he", "experiment": "init", "set": {"seed": 0},
           "value": "variants.he.loss", "format": ".3f", "step": 0, "text": "0.027", **figure}
    return {"id": "03-99-pinned", "chapter": 3, "title": {"ko": "가", "en": "a"},
            "steps": [{"prose": {"ko": "He는 0.027입니다. 1996년", "en": "He reaches 0.027. In 1996"}},
                      {"run": {"experiment": "init"}}],
            "figures": [fig]}


def refused(data: dict) -> str:
    with pytest.raises(ValidationError) as info:
        Lesson.model_validate(data)
    err = info.value.errors()[0]
    return f"{'.'.join(map(str, err['loc']))}: {err['msg']}"


class TestDeclaration:
    def test_a_good_figure_loads(self):
        fig = Lesson.model_validate(lesson_data()).figures[0]
        assert (fig.experiment, fig.text_in("ko"), fig.text_in("en")) == ("init", "0.027", "0.027")

    def test_text_per_language(self):
        data = lesson_data(text={"ko": "0.027", "en": "0.027"})
        assert Lesson.model_validate(data).figures[0].text_in("en") == "0.027"

    def test_text_not_in_its_step(self):
        assert refused(lesson_data(text="0.028")) == \
            "figures.0: Value error, text '0.028' does not appear in the ko text of step 0"

    def test_text_only_in_one_language(self):
        assert refused(lesson_data(text={"ko": "0.027", "en": "0.0270"})) == \
            "figures.0: Value error, text '0.0270' does not appear in the en text of step 0"

    def test_a_number_inside_another_is_not_a_quote(self):
        assert refused(lesson_data(text="99", format="d")).endswith(
            "text '99' does not appear in the ko text of step 0")
        assert quotes("SGD는 96걸음", "96") and not quotes("9.96", "96") and not quotes("0.965", "0.96")

    def test_step_out_of_range(self):
        assert refused(lesson_data(step=5)) == \
            "figures.0: Value error, step 5 is not among the 2 steps (count from 0)"

    def test_a_step_without_text(self):
        assert refused(lesson_data(step=1)).endswith("does not appear in the ko text of step 1")

    def test_bad_format(self):
        assert refused(lesson_data(format=".3q")) == (
            "figures.0.format: Value error, format '.3q' is not a Python format spec for a number "
            "(e.g. '.3f', '.2g', 'd')")

    def test_seed_required(self):
        assert refused(lesson_data(set={})) == \
            "figures.0.set: Value error, set must name the seed the figure comes from (e.g. seed: 0)"

    def test_value_path_syntax(self):
        assert refused(lesson_data(value="variants..he")).startswith(
            "figures.0.value: String should match pattern")

    def test_names_differ(self):
        data = lesson_data()
        data["figures"] = data["figures"] * 2
        assert refused(data) == "figures: Value error, two figures are named 'loss-he'"


class TestReading:
    fig = Figure.model_validate({"name": "n", "experiment": "x", "set": {"seed": 0},
                                 "value": "variants.a.norms.1", "format": ".2f", "step": 0,
                                 "text": "0.50"})

    def test_reads_dicts_and_lists(self):
        assert self.fig.quote({"variants": {"a": {"norms": [1.0, 0.5]}}}) == "0.50"

    def test_missing_key_says_what_there_is(self):
        with pytest.raises(ValueError, match=r"^variants\.a\.norms\.1: variants has no 'a' "
                                             r"\(it has: b, c\)$"):
            self.fig.quote({"variants": {"b": {}, "c": {}}})

    def test_index_past_the_end(self):
        with pytest.raises(ValueError, match=r"variants\.a\.norms has no '1' \(it has: 0…0\)"):
            self.fig.quote({"variants": {"a": {"norms": [1.0]}}})

    def test_null_is_not_a_number(self):
        with pytest.raises(ValueError, match=r"^variants\.a\.norms\.1 is None, not a number$"):
            self.fig.quote({"variants": {"a": {"norms": [1.0, None]}}})

    def test_formats(self):
        assert [format_figure(96.0, "d"), format_figure(7.64e-5, ".1e"), format_figure(0.9499, ".1%"),
                format_figure(0.11551, ".2f")] == ["96", "7.6e-05", "95.0%", "0.12"]


# --------------------------------------------------------------------------- tutor validate

def write_lesson(folder: Path, figure: str) -> Path:
    path = folder / "03-99-pinned.yaml"
    path.write_text(textwrap.dedent("""\
        id: 03-99-pinned
        chapter: 3
        title: {ko: "가", en: "a"}
        steps:
          - prose: {ko: "He는 0.027입니다", en: "He reaches 0.027"}
        figures:
          - name: loss-he
        """) + textwrap.indent(textwrap.dedent(figure), "    "), encoding="utf-8")
    return path


GOOD = """\
    experiment: init
    set: {seed: 0}
    value: variants.he.loss
    format: ".3f"
    step: 0
    text: "0.027"
    """


class TestValidate:
    def run(self, path: Path, capsys) -> tuple[int, str]:
        code = main(["validate", "--lang", "en", str(path)])
        return code, capsys.readouterr().out

    def test_good(self, tmp_path, capsys):
        code, out = self.run(write_lesson(tmp_path, GOOD), capsys)
        assert (code, out.splitlines()[-1]) == (0, "1 lessons, 0 questions, 0 errors")

    def test_unknown_experiment_at_its_line(self, tmp_path, capsys):
        path = write_lesson(tmp_path, GOOD.replace("experiment: init", "experiment: nope"))
        code, out = self.run(path, capsys)
        assert code == 1
        assert out.splitlines()[0].startswith(f"{path}:8: figures[0]: unknown experiment 'nope' (known: ")

    def test_bad_setting_at_its_line(self, tmp_path, capsys):
        path = write_lesson(tmp_path, GOOD.replace("{seed: 0}", "{seed: 0, lr: 99}"))
        code, out = self.run(path, capsys)
        assert (code, out.splitlines()[0]) == \
            (1, f"{path}:8: figures[0]: lr=99 is above the maximum 1 for init (allowed: 1e-05…1)")

    def test_text_not_in_the_prose_at_its_line(self, tmp_path, capsys):
        path = write_lesson(tmp_path, GOOD.replace('text: "0.027"', 'text: "0.028"'))
        code, out = self.run(path, capsys)
        assert (code, out.splitlines()[0]) == \
            (1, f"{path}:7: figures[0]: text '0.028' does not appear in the ko text of step 0")


    def test_a_crashing_checker_is_one_line(self, tmp_path):
        path = write_lesson(tmp_path, GOOD)

        def crash(name, params):
            raise RuntimeError("boom")

        [error] = figure_errors(load([path], cached=False), crash)
        assert str(error) == f"{path}:8: figures[0]: cannot check 'init': RuntimeError: boom"


# --------------------------------------------------------------------------- scripts/figures.py

class TestScript:
    def test_one_lesson(self, capsys):
        assert figures_script.main(["07-02"]) == 0
        out = capsys.readouterr().out.splitlines()
        assert out == ["07-02-skip-connections val-loss-plain: run gives '0.695', text says '0.695'  ok",
                       "07-02-skip-connections val-loss-residual: run gives '0.132', text says '0.132'  ok",
                       "07-02-skip-connections roughness-plain: run gives '0.250', text says '0.250'  ok",
                       "07-02-skip-connections roughness-residual: run gives '0.078', text says '0.078'  ok",
                       "07-02-skip-connections nonconvex-plain: run gives '54%', text says '54%'  ok",
                       "07-02-skip-connections nonconvex-residual: run gives '17%', text says '17%'  ok",
                       "6 figures, 0 differ"]

    def test_unknown_lesson(self, capsys):
        assert figures_script.main(["99-99"]) == 2
        assert capsys.readouterr().err == "no lesson '99-99'\n"

    def test_a_drifted_text_is_reported(self):
        data = lesson_data(text="0.025")
        data["steps"][0]["prose"] = {"ko": "He는 0.025입니다", "en": "He reaches 0.025"}
        lines = list(figures_script.report([Lesson.model_validate(data)]))
        assert lines == [(False, "03-99-pinned loss-he: run gives '0.027', text says '0.025'  DIFFERS")]

    def test_a_value_the_run_lacks_is_reported(self):
        lesson = Lesson.model_validate(lesson_data(value="variants.he.nothing"))
        [(ok, line)] = figures_script.report([lesson])
        assert not ok and line.startswith(
            "03-99-pinned loss-he: cannot read the run: variants.he.nothing: variants.he has no "
            "'nothing' (it has: status, reason, step")
