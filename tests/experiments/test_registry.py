"""The registry: typed parameters, check_run_step's one-line messages, parse_sets, resolve."""

import json

import pytest

from tutor.experiments import REGISTRY, Experiment, Param, check_run_step, parse_sets, resolve

EXPECTED = {"perceptron_gates", "linreg_gd", "learning_rate", "optimizers", "init", "activations",
            "batchnorm", "skip_connections", "uat", "overfitting", "mse_vs_ce", "softmax_digits",
            "gradcheck", "playground"}


def test_every_issue_experiment_is_registered():
    assert EXPECTED <= set(REGISTRY)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_experiment_shape(name):
    exp = REGISTRY[name]
    assert isinstance(exp, Experiment) and exp.name == name
    for text in (exp.title, exp.description):
        assert text["ko"].strip() and text["en"].strip()
    for key, p in exp.params.items():
        assert isinstance(p, Param) and p.name == key
        assert p.kind in ("int", "float", "str", "bool", "choice")
        assert p.help["ko"] and p.help["en"]
        # every default passes its own check
        assert check_run_step(name, {key: p.default}) is None, (name, key)
    params = resolve(name, {})
    json.dumps(params)
    assert set(params) == set(exp.params)
    assert "seed" in params


def test_same_names_for_the_same_idea():
    # no near-synonyms for the shared ideas
    names = {k for exp in REGISTRY.values() for k in exp.params}
    for bad in ("learning_rate", "lr_rate", "n_steps", "iters", "batch", "bs", "act", "hidden_sizes", "depth"):
        assert bad not in names


def test_lesson_run_steps_are_valid():
    assert check_run_step("perceptron_gates", {"gate": "xor", "layers": 1}) is None
    assert check_run_step("perceptron_gates", {"gate": "xor", "layers": 2}) is None
    assert check_run_step("linreg_gd", {"lr": 0.1, "steps": 50}) is None
    assert check_run_step("learning_rate", {}) is None


@pytest.mark.parametrize("name, params, expected", [
    ("foo", {}, "unknown experiment 'foo' (known: "),
    ("linreg_gd", {"lrr": 1}, "unknown parameter 'lrr' for linreg_gd (known: seed, lr, steps"),
    ("linreg_gd", {"lr": 1e9}, "lr=1e+09 is above the maximum 1000 for linreg_gd"),
    ("linreg_gd", {"lr": 0}, "lr=0 is below the minimum 1e-05 for linreg_gd"),
    ("linreg_gd", {"steps": "abc"}, "steps must be a whole number, got 'abc'"),
    ("linreg_gd", {"steps": 2.5}, "steps must be a whole number, got 2.5"),
    ("linreg_gd", {"lr": "fast"}, "lr must be a number, got 'fast'"),
    ("perceptron_gates", {"gate": "nor"}, "gate='nor' is not one of and, nand, or, xor for perceptron_gates"),
    ("playground", {"features": "x1,x3"}, "unknown feature 'x3'"),
    ("playground", {"hidden": "4,a"}, "expected whole numbers"),
    ("playground", {"hidden": "4,9"}, "each number must be in 1…8"),
])
def test_check_run_step_messages(name, params, expected):
    msg = check_run_step(name, params)
    assert msg is not None and expected in msg
    assert "\n" not in msg


def test_parse_sets_types():
    p = parse_sets("playground", ["lr=0.1", "dataset=SPIRAL", "batch_size=5", "hidden=8,8", "features=x1,x2,x1x2"])
    assert p == {"lr": 0.1, "dataset": "spiral", "batch_size": 5, "hidden": "8,8", "features": "x1,x2,x1x2"}
    assert parse_sets("linreg_gd", ["steps=10.0"]) == {"steps": 10}
    for bad in (["lrr=1"], ["lr=abc"], ["lr=1e9"], ["lr"], ["lr=nan"]):
        with pytest.raises(ValueError) as err:
            parse_sets("linreg_gd", bad)
        assert "\n" not in str(err.value)
    with pytest.raises(ValueError, match="unknown experiment"):
        parse_sets("nope", [])


def test_resolve_fills_defaults_and_checks():
    p = resolve("linreg_gd", {"lr": 0.5})
    assert p["lr"] == 0.5 and p["steps"] == REGISTRY["linreg_gd"].params["steps"].default
    with pytest.raises(ValueError):
        resolve("linreg_gd", {"lr": -1})


def test_import_pulls_in_no_ui_library():
    import subprocess
    import sys
    code = ("import sys, json, tutor.experiments; "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'matplotlib'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_every_registry_parameter_has_a_label_and_help_and_no_label_is_stale():
    from tutor.experiments.labels import LABELS  # noqa: PLC0415

    used = set()
    for name, exp in REGISTRY.items():
        for key, p in exp.params.items():
            used.add(key)
            assert p.label is not None, (name, key)
            assert p.label.get("ko") and p.label.get("en"), (name, key)
            assert p.help.get("ko") and p.help.get("en"), (name, key)
    # A parameter's label comes from LABELS (names several experiments share) or from its own
    # P(label=...) (a new experiment's own names); a LABELS entry nobody uses is stale.
    assert set(LABELS) <= used, sorted(set(LABELS) - used)
