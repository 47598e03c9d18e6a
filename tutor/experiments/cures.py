"""Chapter 7 (lesson 07-05): the cures of the vanishing gradient side by side.

One deep sigmoid MLP (10 hidden layers of 32, PyTorch's default initialisation), trained as it is
(``plain``) and with one cure each: ReLU in place of the sigmoid, with He initialisation, its
matched start (``relu``; ``relu_init=default`` keeps the plain net's initialisation instead), He
initialisation of the sigmoid net (``he``), batch normalisation (``batchnorm``) and skip
connections (``skip``). Same data, same seed, same optimizer and learning rate for all: one toy
run, which the lesson says is not a ranking of the cures in general.

Built on :mod:`tutor.experiments.deep`'s ``_variants`` (the training loop of the batchnorm and
skip_connections experiments). Two things are added here:

- ``grad_norms`` are kept for the Linear layers only (and the ``start`` event's ``layers`` named
  ``L1``, ``L2``, …), so every variant has the same bars: a BatchNorm layer has parameters of its
  own, which would otherwise shift the batchnorm variant's bars against the others.
- the ``end`` event carries the step-0 gradient (``start_grad_norms``, ``first_last_ratio``,
  ``start_total_norm``, as in :mod:`tutor.experiments.vanishing`), measured on a copy built
  from the same seed (the same weights bit for bit), and ``first_grad_norms`` (deep's: the first
  measurement during training) for the Linear layers.
"""

from __future__ import annotations

from tutor import nn

from .base import P, Experiment, register
from .deep import _circle, _common, _variants
from .nets import mlp
from .vanishing import start_grad_norms, step0_figures

VARIANTS = ["plain", "relu", "he", "batchnorm", "skip"]


def _specs(params):
    base = {"activation": "sigmoid", "init": "default"}
    return [("plain", base),
            ("relu", {"activation": "relu", "init": params["relu_init"]}),
            ("he", {**base, "init": "he"}),
            ("batchnorm", {**base, "batchnorm": True}),
            ("skip", {**base, "residual": True})]


def _linear_only(events):
    """The Linear layers' entries of grad_norms (and of first_grad_norms), per variant."""
    keep: dict[str, list[int]] = {}
    for e in events:
        kind, v = e.get("event"), e.get("variant")
        if kind == "start" and e.get("layers"):
            keep[v] = [i for i, name in enumerate(e["layers"]) if name.endswith("Linear")]
            e["layers"] = [f"L{k + 1}" for k in range(len(keep[v]))]
        idx = keep.get(v)
        if idx is not None:
            for key in ("grad_norms", "first_grad_norms"):
                if e.get(key) is not None:
                    e[key] = [e[key][i] for i in idx]
        yield e


def _body(params, seed, stop):
    X, y, _, _ = _circle(params, seed)
    sizes = [2] + [params["width"]] * params["layers"] + [1]
    specs = _specs(params)
    step0 = {}
    for name, kwargs in specs:
        nn.manual_seed(seed)          # _variants builds each net the same way: the same weights
        step0[name] = step0_figures(start_grad_norms(mlp(sizes, **kwargs), X, y))
    for e in _linear_only(_variants(params, seed, stop, specs)):
        if e.get("event") == "end":
            e.update(step0[e["variant"]])
        yield e


def _g(x) -> str:
    return "—" if x is None else f"{x:.2g}"


def _report(variants: dict) -> dict:
    """The finish message: every variant's validation loss and its step-0 first ÷ last ratio."""
    parts = [(v, s) for v, s in variants.items()]
    losses = ", ".join(f"{v} {_g(s.get('val_loss'))}" for v, s in parts)
    ratios = ", ".join(f"{v} {_g(s.get('first_last_ratio'))}" for v, s in parts)
    return {"ko": f"완료했습니다(done). 검증 손실: {losses}. 0걸음의 첫 층 ÷ 마지막 층 그라디언트 크기: {ratios}.",
            "en": f"done. Validation loss: {losses}. First-layer ÷ last-layer gradient norm at step 0: {ratios}."}


register(Experiment(
    name="cures",
    title={"ko": "기울기 소실(vanishing gradient)의 해결책 나란히: ReLU, 초기화, 배치 정규화, 스킵 연결",
           "en": "The cures of the vanishing gradient side by side: ReLU, initialisation, batch norm, skip connections"},
    description={
        "ko": "10층 시그모이드 신경망을 그대로(plain), 그리고 해결책을 하나씩 넣어 학습합니다: ReLU와 He 초기화(relu), "
              "시그모이드에 He 초기화(he), 배치 정규화(batchnorm), 스킵 연결(skip). 모두 같은 데이터, 시드, 학습률입니다. "
              "막대는 선형 층(L1…)의 그라디언트 크기이고, 끝 요약에 0걸음의 첫 층 ÷ 마지막 층 비율(first_last_ratio)이 있습니다.",
        "en": "A 10-layer sigmoid net trained as it is (plain) and with one cure each: ReLU with He initialisation "
              "(relu), He initialisation of the sigmoid net (he), batch normalisation (batchnorm) and skip "
              "connections (skip), all with the same data, seed and learning rate. The bars are the Linear layers' "
              "(L1…) gradient norms; the end summary has the step-0 first-layer ÷ last-layer ratio (first_last_ratio)."},
    params={
        **_common(10, 32, 0.1, "momentum", 600),
        "relu_init": P("relu_init", "choice", "he",
                       "relu 변형의 초기화: he = He 초기화(짝), default = 기본 망과 같은 PyTorch 기본 초기화",
                       "the relu variant's initialisation: he = He (its match), default = the plain net's PyTorch default",
                       choices=["he", "default"], label={"ko": "ReLU 초기화(relu_init)", "en": "ReLU's init"}),
    },
    variants=VARIANTS,
    variant_labels={"skip": {"ko": "스킵 연결(skip)", "en": "skip"}},
    body=_body,
    report=_report,
    diverge_cause={"ko": "학습률(learning rate)이 이 변형에는 너무 큽니다", "en": "the learning rate is too large for this variant"},
))
