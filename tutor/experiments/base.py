"""The experiment registry's building blocks: typed parameters, experiments, the event wrapper.

An experiment's ``body(params, seed, stop)`` yields the events of its variants (each tagged with
``"variant"``); ``Experiment.run`` wraps it with the ``begin`` event first and the ``finish`` event
last (the contract: :mod:`tutor.experiments.events`). Imports NumPy and tutor.nn only.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterator

import numpy as np

from tutor.nn.train import train

from .events import Bilingual as Text  # {"ko": ..., "en": ...}: the one shape of text in a run
from .events import finite
from .labels import LABELS, VARIANT_LABELS, variant_label  # noqa: F401 (variant_label: the package exports it)
from .state import RunState

REGISTRY: dict[str, "Experiment"] = {}


# -- parameters ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # "int" | "float" | "str" | "bool" | "choice"
    default: Any
    help: Text
    low: float | None = None
    high: float | None = None
    choices: list | None = None
    #: for "str" parameters: f(value) -> None, or an error: a {"ko","en"} text, or English only
    #: (e.g. for hidden="4,2")
    check: Callable[[str], "Text | str | None"] | None = None
    #: the short name a form shows; ``register`` gives every parameter its entry in LABELS
    label: Text | None = None

    def label_in(self, lang: str) -> str:
        label = self.label or {"en": self.name}
        return label.get(lang, label["en"])

    def to_dict(self) -> dict:
        d = {"name": self.name, "kind": self.kind, "default": self.default, "help": self.help}
        if self.low is not None:
            d["low"] = self.low
        if self.high is not None:
            d["high"] = self.high
        if self.choices is not None:
            d["choices"] = list(self.choices)
        return d

    def bounds_text(self) -> str:
        if self.choices is not None:
            return "|".join(str(c) for c in self.choices)
        if self.low is not None or self.high is not None:
            return f"{_fmt(self.low)}…{_fmt(self.high)}"
        return ""

    def coerce(self, value: Any, experiment: str) -> Any:
        """The typed, checked value; raises ParamError (one line, ko and en) when wrong.

        Text ("3", "true", "XOR") and typed values (3, True) are both accepted, so a lesson's
        YAML, a panel field and ``--set`` go through this one check.
        """
        n = self.name
        allowed = self.bounds_text()
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            if str(value).strip().lower() in ("1", "true", "yes", "on"):
                return True
            if str(value).strip().lower() in ("0", "false", "no", "off"):
                return False
            raise self._error(f"{n} must be true or false, got {value!r}",
                              f"{n}은(는) true 또는 false여야 합니다. 입력값: {value!r}")
        if self.kind == "int":
            bad = self._error(f"{n} must be a whole number, got {value!r}",
                              f"{n}은(는) 정수여야 합니다. 입력값: {value!r}", allowed)
            if isinstance(value, bool):
                raise bad
            if isinstance(value, str):
                text = value.strip()
                try:
                    value = int(text)
                except ValueError:
                    try:  # "1e3" or "10.0" are whole numbers too
                        f = float(text)
                    except ValueError:
                        f = math.nan
                    if not (math.isfinite(f) and f.is_integer()):
                        raise bad from None
                    value = int(f)
            elif isinstance(value, float):
                if not value.is_integer():
                    raise bad
                value = int(value)
            elif not isinstance(value, (int, np.integer)):
                raise bad
            return self._in_bounds(int(value), experiment)
        if self.kind == "float":
            bad = self._error(f"{n} must be a number, got {value!r}",
                              f"{n}은(는) 숫자여야 합니다. 입력값: {value!r}", allowed)
            if isinstance(value, bool):
                raise bad
            if isinstance(value, str):
                try:
                    value = float(value.strip())
                except ValueError:
                    raise bad from None
            elif not isinstance(value, (int, float, np.integer, np.floating)):
                raise bad
            value = float(value)
            if not math.isfinite(value):
                raise self._error(f"{n} must be a finite number, got {value!r}",
                                  f"{n}은(는) 유한한 숫자여야 합니다. 입력값: {value!r}", allowed)
            return self._in_bounds(value, experiment)
        if self.kind == "choice":
            text = str(value).strip()
            for c in self.choices:
                if str(c).lower() == text.lower():
                    return c   # the registry's spelling: "XOR" in a lesson runs "xor"
            listed = ", ".join(map(str, self.choices))
            raise self._error(f"{n}={value!r} is not one of {listed} for {experiment}",
                              f"{n}={value!r}: {experiment}에서 고를 수 있는 값은 {listed}입니다")
        # str
        if not isinstance(value, str):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = str(value)  # hidden: 8 in YAML means "8"
            else:
                raise self._error(f"{n} must be text, got {value!r}",
                                  f"{n}은(는) 글자여야 합니다. 입력값: {value!r}")
        value = value.strip()
        if self.check is not None:
            problem = self.check(value)
            if problem:
                en, ko = (problem["en"], problem["ko"]) if isinstance(problem, dict) else (problem,) * 2
                raise self._error(f"{n}={value!r} for {experiment}: {en}",
                                  f"{n}={value!r} ({experiment}): {ko}")
        return value

    def _in_bounds(self, value, experiment):
        n, v, allowed = self.name, _fmt(value), self.bounds_text()
        if self.low is not None and value < self.low:
            raise self._error(f"{n}={v} is below the minimum {_fmt(self.low)} for {experiment}",
                              f"{n}={v}은(는) {experiment}의 최솟값 {_fmt(self.low)}보다 작습니다",
                              allowed)
        if self.high is not None and value > self.high:
            raise self._error(f"{n}={v} is above the maximum {_fmt(self.high)} for {experiment}",
                              f"{n}={v}은(는) {experiment}의 최댓값 {_fmt(self.high)}보다 큽니다",
                              allowed)
        return value

    def _error(self, en: str, ko: str, allowed: str = "") -> "ParamError":
        if allowed:
            en, ko = f"{en} (allowed: {allowed})", f"{ko} (허용 범위: {allowed})"
        return ParamError(en, ko, self.name)


class ParamError(ValueError):
    """A wrong parameter value: ``str()`` is the English line, ``in_lang(lang)`` the learner's."""

    def __init__(self, en: str, ko: str | None = None, param: str | None = None) -> None:
        super().__init__(en)
        self.text = {"en": en, "ko": ko or en}
        self.param = param

    def in_lang(self, lang: str) -> str:
        return self.text.get(lang, self.text["en"])


def _fmt(x) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        return f"{x:g}"
    return str(x)


def P(name, kind, default, ko, en, low=None, high=None, choices=None, check=None, label=None) -> Param:
    """A parameter: its help in Korean and English; ``label`` ({"ko", "en"}) for a name that
    LABELS does not know yet (a new experiment's own parameter)."""
    return Param(name, kind, default, {"ko": ko, "en": en}, low, high, choices, check, label)


def int_list(low: int, high: int, max_len: int) -> Callable[[str], str | None]:
    """A checker for comma lists of whole numbers, e.g. hidden="4,2" or widths="2,4,8"."""
    def check(text: str) -> Text | None:
        if text == "":
            return None
        parts = [p.strip() for p in text.split(",")]
        if len(parts) > max_len:
            return {"en": f"at most {max_len} numbers", "ko": f"숫자는 {max_len}개까지입니다"}
        for p in parts:
            if not p.isdigit():
                return {"en": f"expected whole numbers separated by commas, got {p!r}",
                        "ko": f"쉼표로 나눈 정수여야 합니다. 입력값: {p!r}"}
            if not low <= int(p) <= high:
                return {"en": f"each number must be in {low}…{high}, got {p}",
                        "ko": f"각 숫자는 {low}…{high} 사이여야 합니다. 입력값: {p}"}
        return None
    return check


def parse_int_list(text: str) -> list[int]:
    return [int(p) for p in text.split(",") if p.strip()] if text.strip() else []


SEED = P("seed", "int", 0, "난수 시드(seed): 같은 시드면 같은 결과", "random seed: the same seed gives the same run",
         0, 2**31 - 1)


# -- experiments -----------------------------------------------------------------------------------

@dataclass
class Experiment:
    name: str
    title: Text
    description: Text
    params: dict[str, Param]
    body: Callable[[dict, int, Callable[[], bool] | None], Iterator[dict]]
    variants: list[str] | None = None
    #: variant names for given parameters (when they depend on them, e.g. uat's widths)
    variants_for: Callable[[dict], list[str]] | None = None
    plot: dict = field(default_factory=lambda: {"y": "loss", "log_y": True, "x": "step"})
    #: what a divergence most likely means here
    diverge_cause: Text = field(default_factory=lambda: {
        "ko": "학습률(learning rate)이 너무 큽니다. 한 걸음이 최솟값을 지나쳐 더 먼 곳에 떨어지기를 반복합니다",
        "en": "the learning rate is too large: every step overshoots the minimum and lands further away"})
    #: names of this experiment's own variants, for those the shared table does not know
    variant_labels: dict[str, Text] = field(default_factory=dict)
    #: what a finished run measured, in words, from its variants' summaries (the finish
    #: message; None keeps the usual one): for figures the panel's status lines do not show
    report: Callable[[dict], Text | None] | None = None

    def __post_init__(self) -> None:
        # One table for every view (panel, terminal, PNG): a new experiment brings its names.
        for name, label in self.variant_labels.items():
            VARIANT_LABELS.setdefault(name, label)

    def variant_names(self, params: dict) -> list[str]:
        if self.variants_for is not None:
            return self.variants_for(params)
        return list(self.variants) if self.variants else ["main"]

    def run(self, params: dict | None = None, seed: int | None = None,
            stop: Callable[[], bool] | None = None) -> Iterator[dict]:
        """The events of one run (the contract: :mod:`tutor.experiments.events`): begin, the
        variants' events, finish. Every number in them is finite."""
        params = resolve(self.name, params or {})
        if seed is not None:
            params["seed"] = seed
        names = self.variant_names(params)
        state = RunState()
        begin = {"event": "begin", "experiment": self.name, "params": dict(params), "variants": names,
                 "seed": params["seed"], "title": self.title, "plot": dict(self.plot)}
        state.consume(begin)
        yield begin
        requested = False
        body = self.body(params, params["seed"], stop)
        try:
            for event in body:
                event = finite(event)
                if event.get("event") == "end" and event["status"] == "diverged":
                    event.setdefault("message", diverged_message(event, self.diverge_cause))
                state.consume(event)
                yield event
                if stop is not None and stop():
                    requested = True
                    break
        finally:
            body.close()
        if stop is not None and not requested and stop():
            requested = True
        variants = state.summary()
        if requested:
            status = "stopped"
        elif len(names) == 1:
            status = variants[names[0]]["status"]
        else:
            status = "done"
        message = self.report(variants) if self.report is not None and status == "done" else None
        yield {"event": "finish", "status": status, "variants": variants,
               "message": message or finish_message(status, variants, len(names) > 1)}


def diverged_message(end: dict, cause: Text) -> Text:
    step = end.get("step")
    return {"ko": f"{step}번째 걸음(step)에서 발산(diverged): {cause['ko']}.",
            "en": f"diverged at step {step}: {cause['en']}."}


def finish_message(status: str, variants: dict, comparison: bool) -> Text:
    diverged = [(v, s) for v, s in variants.items() if s.get("status") == "diverged"]
    if status == "stopped":
        ko, en = "중지했습니다(stopped).", "stopped."
    elif status == "diverged":
        msg = next(iter(variants.values())).get("message") or {"ko": "발산했습니다.", "en": "diverged."}
        return msg
    else:
        ko, en = "완료했습니다(done).", "done."
    for v, s in diverged:
        m = s.get("message")
        if m and comparison:
            ko += f" {v}: {m['ko']}"
            en += f" {v}: {m['en']}"
    return {"ko": ko, "en": en}


def register(exp: Experiment) -> Experiment:
    params = {"seed": SEED, **{k: v for k, v in exp.params.items() if k != "seed"}}
    missing = [k for k, p in params.items() if p.label is None and k not in LABELS]
    if missing:
        raise ValueError(f"{exp.name}: no label for {', '.join(missing)} (P(..., label=...) or LABELS)")
    exp.params = {k: p if p.label is not None else replace(p, label=LABELS[k]) for k, p in params.items()}
    REGISTRY[exp.name] = exp
    return exp


def param_label(experiment: str, name: str, lang: str) -> str:
    """The form label of ``experiment``'s parameter ``name`` in ``lang`` (the name if unknown)."""
    exp = REGISTRY.get(experiment)
    p = exp.params.get(name) if exp is not None else None
    if p is not None:
        return p.label_in(lang)
    entry = LABELS.get(name)
    return entry.get(lang, entry["en"]) if entry else name


# -- checking and parsing --------------------------------------------------------------------------

def _unknown_experiment(name) -> str:
    return f"unknown experiment {name!r} (known: {', '.join(sorted(REGISTRY))})"


def coerce_params(name: str, raw: dict) -> dict:
    """The one coercion of run parameters: raw values (text from a field or ``--set``, or YAML's
    typed values) → the typed values the run gets. Raises ParamError (one line naming the
    parameter, ko and en). Validation at load, the run panel, ``tutor run`` and ``resolve`` all
    call this, so what was validated is what runs (a lesson's ``gate: XOR`` runs ``xor``)."""
    exp = REGISTRY.get(name)
    if exp is None:
        raise ParamError(_unknown_experiment(name), f"알 수 없는 실험 {name!r} "
                         f"(있는 실험: {', '.join(sorted(REGISTRY))})")
    out = {}
    for key, value in raw.items():
        p = exp.params.get(key)
        if p is None:
            known = ", ".join(exp.params)
            raise ParamError(f"unknown parameter {key!r} for {name} (known: {known})",
                             f"{name}에 없는 파라미터(parameter) {key!r} (있는 것: {known})", key)
        out[key] = p.coerce(value, name)
    return out


def check_run_step(name: str, params: dict) -> str | None:
    """None when a lesson's ``run:`` step is fine, else one line saying what is wrong."""
    try:
        coerce_params(name, dict(params or {}))
    except ValueError as err:
        return str(err)
    return None


def split_sets(sets: list[str]) -> dict:
    """["lr=0.1", "optimizer=adam"] → {"lr": "0.1", ...} (still text); ParamError on "lr"."""
    raw = {}
    for item in sets or []:
        if "=" not in item:
            raise ParamError(f"expected key=value, got {item!r}",
                             f"키=값 형식이어야 합니다. 입력값: {item!r}")
        key, value = item.split("=", 1)
        raw[key.strip()] = value
    return raw


def parse_sets(name: str, sets: list[str], seed: int | None = None) -> dict:
    """["lr=0.1", "optimizer=adam"] (and ``--seed``: the parameter seed) → typed values;
    ParamError(one line) on any problem, the unknown experiment first."""
    if name not in REGISTRY:
        coerce_params(name, {})   # raises: unknown experiment
    raw = split_sets(sets)
    if seed is not None:
        raw["seed"] = seed
    return coerce_params(name, raw)


def resolve(name: str, params: dict | None = None) -> dict:
    """Every parameter of ``name``, the given ones (checked) and the defaults for the rest."""
    given = coerce_params(name, dict(params or {}))
    exp = REGISTRY[name]
    return {k: given.get(k, p.default) for k, p in exp.params.items()}


# -- helpers for bodies ----------------------------------------------------------------------------

def interleave(gens: list[Iterator[dict]]) -> Iterator[dict]:
    """Round-robin over several variants' event streams, so comparisons race live."""
    active = list(gens)
    while active:
        for g in list(active):
            try:
                yield next(g)
            except StopIteration:
                active.remove(g)


def log_every_for(steps: int, target: int = 300) -> int:
    return max(1, steps // target)


def train_variant(variant: str, model, loss_fn, optimizer, X, y, *, stop=None, blowup: float = 1e4,
                  on_step: Callable[[dict], list[dict] | None] | None = None,
                  on_end: Callable[[dict], list[dict] | None] | None = None, **kwargs) -> Iterator[dict]:
    """The engine's ``train`` for one variant: events tagged, extra events after step events
    (``on_step`` may also add fields to the step event), and a divergence rule of our own: a loss
    above ``blowup`` × the first loss (and above 1e3) ends the run as diverged, long before float32
    overflows to inf.
    """
    gen = train(model, loss_fn, optimizer, X, y, stop=stop, **kwargs)
    if on_step is not None:
        on_step = _quiet(on_step)
    if on_end is not None:
        on_end = _quiet(on_end)
    first = None
    try:
        for e in gen:
            e["variant"] = variant
            if e["event"] == "step":
                loss = e.get("loss")
                if loss is not None and math.isfinite(loss):
                    if first is None:
                        first = max(loss, 1e-3)
                    elif loss > blowup * first and loss > 1e3:
                        yield e
                        end = {"event": "end", "variant": variant, "status": "diverged",
                               "reason": f"loss grew to {loss:.3g} at step {e['step']} "
                                         f"({loss / first:.3g} × the first loss)",
                               "step": e["step"], "epoch": e["epoch"], "loss": loss,
                               "val_loss": e.get("val_loss"), "val_accuracy": e.get("val_accuracy"),
                               "best_step": None, "best_loss": None}
                        yield end
                        return
                extra = on_step(e) if on_step else None
                yield e
                for x in extra or ():
                    x["variant"] = variant
                    yield x
            elif e["event"] == "end":
                extra = on_end(e) if on_end else None
                for x in extra or ():
                    x["variant"] = variant
                    yield x
                yield e
            else:
                yield e
    finally:
        gen.close()


def _quiet(f):
    """Our own evaluations of a diverging model overflow too: no warnings, like the engine."""
    def g(*args):
        with np.errstate(all="ignore"):
            return f(*args)
    return g


def every(steps: int, count: int) -> Callable[[int], bool]:
    """A stateful ``due(step)``: True about ``count`` times over ``steps`` (at the first step seen
    at or after each multiple of steps/count) and at the last step. One per variant."""
    k = max(1, steps // max(count, 1))
    state = {"next": k}

    def due(step: int) -> bool:
        if step >= state["next"] or step == steps:
            state["next"] = (step // k + 1) * k
            return True
        return False
    return due


# -- 2-D pictures -----------------------------------------------------------------------------------

def boundary_event(predict_prob: Callable[[np.ndarray], np.ndarray], step: int, x_range, y_range,
                   points, res: int = 32, test_points=None) -> dict:
    """Predicted probability of class 1 on a res×res grid (rows from y=lo to hi)."""
    xs = np.linspace(x_range[0], x_range[1], res)
    ys = np.linspace(y_range[0], y_range[1], res)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)
    with np.errstate(all="ignore"):
        p = np.asarray(predict_prob(grid), dtype=float).reshape(res, res)
    p = np.nan_to_num(p, nan=0.5, posinf=1.0, neginf=0.0)
    ev = {"event": "boundary", "step": int(step), "x_range": [float(x_range[0]), float(x_range[1])],
          "y_range": [float(y_range[0]), float(y_range[1])],
          "grid": [[round(float(v), 4) for v in row] for row in p], "points": points}
    if test_points is not None:
        ev["test_points"] = test_points
    return ev


def points_of(X, y) -> list:
    return [[round(float(a), 4), round(float(b), 4), int(round(float(c)))]
            for (a, b), c in zip(np.asarray(X)[:, :2], np.asarray(y).reshape(-1))]


def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    return 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))


class Clock:
    """Wall-clock throttle for optional pictures (the contract: at most ~every 0.2 s)."""

    def __init__(self, period: float = 0.2) -> None:
        self.period, self.last = period, -1e9

    def due(self) -> bool:
        now = time.monotonic()
        if now - self.last >= self.period:
            self.last = now
            return True
        return False
