"""Chapter 6: any differentiable function can be a layer. A physics formula with learnable constants,
trained end to end by gradient descent, beside a plain MLP on the same data.

The data: a damped oscillation y = A·e^(−γt)·cos(ωt + φ) with A = 1, γ = 0.3, ω = 2, φ = 0.5, sampled
at ``n`` random times in [0, 6] with Gaussian noise (``noise``). Two variants learn it from those
points alone, with the same optimizer (Adam), learning rate and steps:

- ``formula``: one layer, :class:`DampedOscillation`, whose four parameters are A, γ, ω and φ. It
  starts from A = 0.5, γ = 0, ω = ``omega_start``, φ = 0. Its ``end`` carries the learnt constants
  (``A``, ``gamma``, ``omega``, ``phi``).
- ``mlp``: an ordinary network [1, 32, 32, 1] with tanh, from a random start.

Both ends carry ``train_error`` (mean squared error against the noise-free curve on [0, 6], where the
data were) and ``extrapolation_error`` (the same on (6, 12], where no data were), and ``num_params``.
``fit`` events draw each curve over the noise-free target on [0, 12], with the training points.
"""

from __future__ import annotations

import numpy as np

from tutor import nn
from tutor.nn import optim

from .base import P, Experiment, every, interleave, log_every_for, register, train_variant
from .events import Bilingual as Text
from .nets import lr_param, mlp, steps_param

VARIANTS = ["formula", "mlp"]
TRUE = {"A": 1.0, "gamma": 0.3, "omega": 2.0, "phi": 0.5}
T_TRAIN = 6.0      # data on [0, 6]; the pictures and the extrapolation error go on to 2 × 6
GRID = 240


def damped(t, A, gamma, omega, phi):
    return A * np.exp(-gamma * t) * np.cos(omega * t + phi)


class DampedOscillation(nn.Module):
    """y = A·e^(−γt)·cos(ωt + φ), elementwise in t, with A, γ, ω, φ learnable (one number each).

    Backward is the chain rule for a layer y = g(t; θ): ∂L/∂θ = Σ over the examples of ∂L/∂y · ∂y/∂θ,
    with (writing E = e^(−γt), c = cos(ωt + φ), s = sin(ωt + φ))
        ∂y/∂A = E·c,   ∂y/∂γ = −t·A·E·c,   ∂y/∂ω = −t·A·E·s,   ∂y/∂φ = −A·E·s,
    and ∂L/∂t = ∂L/∂y · A·E·(−γc − ωs), handed to the layer before (none here, but a layer must).
    """

    NAMES = ("A", "gamma", "omega", "phi")

    def __init__(self, A: float = 0.5, gamma: float = 0.0, omega: float = 1.0, phi: float = 0.0) -> None:
        super().__init__()
        for name, value in zip(self.NAMES, (A, gamma, omega, phi)):
            self.add_param(name, np.array([value], dtype=np.float32))

    def forward(self, t, train=True):
        A, g, w, p = (self.params[k] for k in self.NAMES)
        self.t = t
        self.E = np.exp(-g * t)
        self.c = np.cos(w * t + p)
        self.s = np.sin(w * t + p)
        return A * self.E * self.c

    def backward(self, dout):
        A, g, w, _ = (self.params[k] for k in self.NAMES)
        t, E, c, s = self.t, self.E, self.c, self.s
        self.grads["A"][...] = np.sum(dout * E * c)
        self.grads["gamma"][...] = np.sum(dout * (-t) * A * E * c)
        self.grads["omega"][...] = np.sum(dout * (-t) * A * E * s)
        self.grads["phi"][...] = np.sum(dout * (-A) * E * s)
        return dout * (A * E * (-g * c - w * s))

    def constants(self) -> dict:
        return {k: float(self.params[k][0]) for k in self.NAMES}


def data(n: int, noise: float, seed: int):
    """n noisy samples of the true curve at random times in [0, 6], sorted."""
    rng = np.random.default_rng(seed)
    t = np.sort(rng.uniform(0.0, T_TRAIN, n)).reshape(-1, 1)
    y = damped(t, **TRUE) + noise * rng.standard_normal((n, 1))
    return t.astype(np.float32), y.astype(np.float32)


def _r(values) -> list:
    return [round(float(v), 4) for v in np.asarray(values).reshape(-1)]


def _learnable_layer(params, seed, stop):
    t, y = data(params["n"], params["noise"], seed)
    grid = np.linspace(0.0, 2 * T_TRAIN, GRID).reshape(-1, 1).astype(np.float32)
    truth = damped(grid.astype(np.float64), **TRUE)
    inside = grid[:, 0] <= T_TRAIN
    points = [[round(float(a), 4), round(float(b), 4)] for a, b in zip(t[:, 0], y[:, 0])]
    steps = params["steps"]
    gens = []
    for name in VARIANTS:
        nn.manual_seed(seed)
        if name == "formula":
            layer = DampedOscillation(A=0.5, gamma=0.0, omega=params["omega_start"], phi=0.0)
            model = nn.Sequential(layer)
        else:
            layer, model = None, mlp([1, 32, 32, 1], "tanh", init="default")

        def fit(step, model=model):
            return {"event": "fit", "step": step, "x": _r(grid), "y_pred": _r(model.forward(grid, train=False)),
                    "y_true": _r(truth), "points": points}

        def on_step(e, fit=fit, due=every(steps, 20)):
            return [fit(e["step"])] if due(e["step"]) else None

        def on_end(e, fit=fit, model=model, layer=layer):
            pred = model.forward(grid, train=False).astype(np.float64)
            e["train_error"] = float(np.mean((pred - truth)[inside] ** 2))
            e["extrapolation_error"] = float(np.mean((pred - truth)[~inside] ** 2))
            e["num_params"] = int(model.flat_params.size)
            if layer is not None:
                e.update(layer.constants())
            return [fit(e["step"])]

        gens.append(train_variant(name, model, nn.MSELoss(), optim.Adam(params["lr"]), t, y, steps=steps,
                                  seed=seed, stop=stop, log_every=log_every_for(steps), on_step=on_step,
                                  on_end=on_end))
    yield from interleave(gens)


def _report(variants: dict) -> Text | None:
    """The learnt constants and both extrapolation errors, which the status lines do not show."""
    f, m = variants.get("formula", {}), variants.get("mlp", {})
    keys = ("A", "gamma", "omega", "phi", "extrapolation_error")
    if not all(isinstance(f.get(k), (int, float)) for k in keys) or \
            not isinstance(m.get("extrapolation_error"), (int, float)):
        return None
    c = f"A = {f['A']:.2f}, γ = {f['gamma']:.2f}, ω = {f['omega']:.2f}, φ = {f['phi']:.2f}"
    return {"ko": f"완료했습니다(done). 공식 층이 배운 상수: {c} (참값 1, 0.3, 2, 0.5). 데이터 밖(t > 6) 오차: "
                  f"공식 {f['extrapolation_error']:.2g}, 신경망 {m['extrapolation_error']:.2g}.",
            "en": f"done. The formula layer learnt {c} (true: 1, 0.3, 2, 0.5). Error beyond the data (t > 6): "
                  f"formula {f['extrapolation_error']:.2g}, MLP {m['extrapolation_error']:.2g}."}


register(Experiment(
    name="learnable_layer",
    report=_report,
    title={"ko": "공식도 층이 될 수 있다: 감쇠 진동의 상수를 경사 하강법으로", "en": "A formula as a layer: a damped oscillation's constants by gradient descent"},
    description={
        "ko": "감쇠 진동 y = A·e^(−γt)·cos(ωt + φ)에서 t ∈ [0, 6]의 잡음 섞인 점만 줍니다. formula는 이 공식 자체가 "
              "층이고 A, γ, ω, φ 네 개가 파라미터입니다. mlp는 보통 신경망입니다. 둘 다 같은 Adam으로 학습하고, "
              "데이터가 없는 t > 6에서 누가 맞히는지 봅니다.",
        "en": "Noisy points of a damped oscillation y = A·e^(−γt)·cos(ωt + φ) on t ∈ [0, 6]. In formula the formula "
              "itself is the layer, with A, γ, ω and φ its four parameters; mlp is an ordinary network. Both train "
              "with the same Adam; watch which one is right for t > 6, where there were no data."},
    params={
        "n": P("n", "int", 60, "훈련 데이터 점 개수 (t ∈ [0, 6])", "training points (t in [0, 6])", 5, 1000),
        "noise": P("noise", "float", 0.05, "데이터 잡음(noise)의 표준편차", "standard deviation of the noise", 0.0, 1.0),
        "omega_start": P("omega_start", "float", 1.0, "formula가 출발하는 ω 값 (참값 2)", "the ω formula starts from (true: 2)",
                         0.0, 10.0, label={"ko": "ω 시작값", "en": "ω start"}),
        "lr": lr_param(0.02, high=1.0),
        "steps": steps_param(2000, high=20000),
    },
    variants=VARIANTS,
    variant_labels={"formula": {"ko": "공식 층(formula)", "en": "formula"},
                    "mlp": {"ko": "보통 신경망(mlp)", "en": "mlp"}},
    body=_learnable_layer,
))
