"""Chapter 7 (lesson 07-00): the vanishing and the exploding gradient, layer by layer, and gradient
clipping.

``case=vanishing`` (the default): the same deep MLP (15 hidden layers of 32) with sigmoid, tanh
and ReLU, each with its matched initialisation (Xavier for sigmoid and tanh, He for ReLU), so a
vanishing sigmoid gradient is not the fault of a bad start. ``case=exploding``: a ReLU net whose
weights are drawn too large, N(0, (gain/√n)²) with gain 2 where He's is √2, trained without
clipping (``no_clip``) and, when ``clip`` > 0, with its gradient clipped to norm ``clip``
(``clip``; see :func:`tutor.nn.clip.clip_grad_norm`).

What a variant reports: ``grad_norms`` in its ``step`` events (the engine's, per Linear layer,
before any clipping) and, in its ``end`` event, the gradient at step 0: ``start_grad_norms`` (per
Linear layer, on the whole training set, before the first update), ``first_last_ratio`` (the
first layer's norm over the last layer's) and ``start_total_norm`` (one norm over every
parameter); with clipping, ``clipped_steps`` (how many updates were clipped).
"""

from __future__ import annotations

import math

import numpy as np

from tutor import nn
from tutor.nn import clip_grad_norm

from .base import P, Experiment, interleave, log_every_for, register, train_variant
from .deep import _circle, _common
from .nets import make_optimizer, mlp

ACTS = ["sigmoid", "tanh", "relu"]


def linear_grad_norms(model) -> list[float]:
    """‖∂L/∂θ‖ of every Linear layer of ``model`` (its weights and bias together), from the
    gradients its last backward left."""
    return [math.sqrt(sum(float(np.vdot(g, g)) for g in m.grads.values()))
            for _, m in model.leaves() if isinstance(m, nn.Linear)]


def start_grad_norms(model, X, y) -> list[float]:
    """The per-Linear-layer gradient norms at step 0: one forward and backward pass of the
    binary cross-entropy on the whole of ``X`` with the initial weights (no update). The train
    loop overwrites every gradient on its first backward, so this leaves no trace in the run."""
    loss_fn = nn.BCEWithLogitsLoss()
    with np.errstate(all="ignore"):
        loss_fn.forward(model.forward(np.asarray(X, np.float32), train=True), np.asarray(y, np.float32))
        model.backward(loss_fn.backward())
    return linear_grad_norms(model)


def step0_figures(norms: list[float]) -> dict:
    """What an ``end`` event says about step 0, from :func:`start_grad_norms`."""
    return {"start_grad_norms": norms,
            "first_last_ratio": norms[0] / norms[-1] if norms[-1] > 0 else None,
            "start_total_norm": math.sqrt(sum(n * n for n in norms))}


class Clipped:
    """An optimizer that clips the gradient to total norm ``max_norm`` before every update
    (``max_norm`` 0: no clipping), and counts the updates it clipped."""

    def __init__(self, optimizer, max_norm: float) -> None:
        self.optimizer, self.max_norm, self.clipped = optimizer, max_norm, 0

    def update(self, params, grads) -> None:
        if self.max_norm > 0 and clip_grad_norm(grads, self.max_norm) > self.max_norm:
            self.clipped += 1
        self.optimizer.update(params, grads)


def gain_init(gain: float):
    """W ~ N(0, (gain/√fan_in)²): He is gain √2; a larger gain grows the signal at every layer."""
    def init(shape, rng=None, dtype=np.float32):
        return nn.init.normal(shape, std=gain / math.sqrt(shape[0]), rng=rng, dtype=dtype)
    return init


def _variant_names(params) -> list[str]:
    if params["case"] == "exploding":
        return ["no_clip", "clip"] if params["clip"] > 0 else ["no_clip"]
    return list(ACTS)


def _specs(params):
    """(variant, mlp kwargs, clipping norm) for the case asked."""
    if params["case"] == "exploding":
        init = gain_init(params["gain"])
        return [(v, {"activation": "relu", "init": init}, params["clip"] if v == "clip" else 0.0)
                for v in _variant_names(params)]
    return [(a, {"activation": a, "init": "auto"}, params["clip"]) for a in ACTS]


def _body(params, seed, stop):
    X, y, Xv, yv = _circle(params, seed)
    sizes = [2] + [params["width"]] * params["layers"] + [1]
    steps = params["steps"]
    gens = []
    for name, kwargs, clip in _specs(params):
        nn.manual_seed(seed)
        model = mlp(sizes, **kwargs)
        figures = step0_figures(start_grad_norms(model, X, y))
        opt = Clipped(make_optimizer(params["optimizer"], params["lr"]), clip)

        def on_end(e, figures=figures, opt=opt, clip=clip):
            e.update(figures)
            if clip > 0:
                e["clipped_steps"] = opt.clipped

        gens.append(train_variant(name, model, nn.BCEWithLogitsLoss(), opt, X, y, X_val=Xv, y_val=yv,
                                  steps=steps, batch_size=params["batch_size"], seed=seed, stop=stop,
                                  log_every=log_every_for(steps), eval_every=max(1, steps // 50),
                                  grad_norms_every=max(1, steps // 20), on_end=on_end))
    yield from interleave(gens)


def _g(x) -> str:
    return "—" if x is None else f"{x:.2g}"


def _report(variants: dict) -> dict | None:
    """The finish message: the step-0 figures the panel does not show, and the final losses."""
    if "sigmoid" in variants:
        parts = [f"{v} {_g(variants[v].get('first_last_ratio'))}" for v in ACTS if v in variants]
        losses = [f"{v} {_g(variants[v].get('val_loss'))}" for v in ACTS if v in variants]
        return {"ko": "완료했습니다(done). 0걸음의 첫 층 ÷ 마지막 층 그라디언트 크기: " + ", ".join(parts)
                      + ". 검증 손실: " + ", ".join(losses) + ".",
                "en": "done. First-layer ÷ last-layer gradient norm at step 0: " + ", ".join(parts)
                      + ". Validation loss: " + ", ".join(losses) + "."}
    first = next(iter(variants.values()))
    ko = f"완료했습니다(done). 0걸음의 전체 그라디언트 크기 ‖g‖ = {_g(first.get('start_total_norm'))}."
    en = f"done. Total gradient norm at step 0: ‖g‖ = {_g(first.get('start_total_norm'))}."
    for v, s in variants.items():
        if s.get("status") == "diverged":
            ko += f" {v}: {s.get('step')}번째 걸음에서 발산."
            en += f" {v}: diverged at step {s.get('step')}."
        else:
            clipped = s.get("clipped_steps")
            ko += f" {v}: 검증 손실 {_g(s.get('val_loss'))}" + (f", 클리핑한 걸음 {clipped}번." if clipped is not None else ".")
            en += f" {v}: validation loss {_g(s.get('val_loss'))}" + (f", {clipped} steps clipped." if clipped is not None else ".")
    return {"ko": ko, "en": en}


register(Experiment(
    name="vanishing",
    title={"ko": "기울기 소실(vanishing gradient)과 기울기 폭주(exploding gradient): 층별 그라디언트",
           "en": "The vanishing and the exploding gradient, layer by layer"},
    description={
        "ko": "15층 신경망을 시그모이드, tanh, ReLU로(각자 짝이 맞는 초기화로) 학습하고 층별 그라디언트 크기 ‖∂L/∂θ‖를 막대로 봅니다. "
              "학습 전 0걸음의 첫 층 ÷ 마지막 층 비율은 끝 요약(first_last_ratio)에 있습니다. case=exploding은 가중치를 너무 크게 "
              "뽑은 ReLU 신경망을 그대로(no_clip), 그리고 clip > 0이면 그라디언트 노름을 clip으로 자른 채(clip) 학습합니다.",
        "en": "A 15-layer net trained with sigmoid, tanh and ReLU (each with its matched initialisation), with the "
              "per-layer gradient norms ‖∂L/∂θ‖ as bars; the first-layer ÷ last-layer ratio at step 0, before "
              "training, is in the end summary (first_last_ratio). case=exploding trains a ReLU net whose weights "
              "are drawn too large, as it is (no_clip) and, if clip > 0, with its gradient norm clipped to clip (clip)."},
    params={
        **_common(15, 32, 0.05, "momentum", 600),
        "case": P("case", "choice", "vanishing",
                  "vanishing = 시그모이드·tanh·ReLU 비교, exploding = 너무 큰 가중치의 ReLU 신경망, 클리핑 없이와 있게",
                  "vanishing = sigmoid vs tanh vs ReLU; exploding = a ReLU net with too-large weights, without and with clipping",
                  choices=["vanishing", "exploding"], label={"ko": "경우(case)", "en": "case"}),
        "clip": P("clip", "float", 0.0,
                  "그라디언트 클리핑(gradient clipping)의 최대 노름 c: ‖g‖ > c이면 g ← g·c/‖g‖ (0 = 끔)",
                  "gradient clipping's maximum norm c: if ‖g‖ > c then g ← g·c/‖g‖ (0 = off)", 0.0, 100.0,
                  label={"ko": "클리핑 노름(clip)", "en": "clip norm"}),
        "gain": P("gain", "float", 2.0,
                  "exploding에서 가중치 표준편차 = gain/√n (He 초기화는 √2 ≈ 1.41)",
                  "exploding: weight standard deviation = gain/√n (He initialisation is √2 ≈ 1.41)", 0.1, 4.0,
                  label={"ko": "초기화 배율(gain)", "en": "init gain"}),
    },
    variants_for=_variant_names,
    variant_labels={"no_clip": {"ko": "클리핑 없음(no_clip)", "en": "no_clip"},
                    "clip": {"ko": "클리핑(clip)", "en": "clip"}},
    body=_body,
    report=_report,
    diverge_cause={"ko": "그라디언트가 폭주(exploding gradient)해 한 걸음이 너무 커졌습니다. 그라디언트 클리핑(clip > 0)이 걸음의 길이를 제한합니다",
                   "en": "the gradient exploded, so a step was far too long; gradient clipping (clip > 0) caps the step's length"},
))
