"""Optimizers: how to turn a gradient into a step. Definitions and hyper-parameter names follow the
``torch.optim`` documentation, so the same settings give the same numbers.

``optimizer.update(params, grads)`` changes the parameters in place. ``params`` and ``grads`` are
dicts of arrays with the same keys (``model.params``, ``model.grads``), or two single arrays —
typically a network's flat vectors, ``update(net.flat_params, net.flat_grads)``, which updates
every layer with a handful of NumPy calls. ``update(net.params, net.grads)`` does the same: a
Sequential's dicts know their flat vector. Every rule here is elementwise, so both give exactly the
same result. Optimizer state (momentum, running averages, the step count t) is kept per key (the
flat vector's key is "").

Notation: θ parameters, g gradient, t the step number (1, 2, ...), λ weight decay, η learning rate.

The penalties ``L1`` and ``L2`` add a regularisation term to the loss and its gradient to ``grads``
before any optimizer's update; they work with all of them.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "L1", "L2",
           "l1_penalty", "l2_penalty"]


class Optimizer:
    """Base class: keeps per-parameter state and a scratch buffer, and walks the params dict."""

    def __init__(self, lr: float) -> None:
        if lr < 0:
            raise ValueError("learning rate must be ≥ 0")
        self.lr = lr
        self.state: dict[str, dict[str, np.ndarray | int]] = {}

    def update(self, params, grads) -> None:
        """One step for every tensor: ``params`` and ``grads`` are dicts with the same keys, or two
        arrays (e.g. a network's ``flat_params`` and ``flat_grads``). The gradients are not modified."""
        # A Sequential's dicts are views into one flat vector each (see FlatViews). Every rule here
        # is elementwise, so updating the vector once gives the same numbers as tensor by tensor,
        # with a few NumPy calls instead of a few per tensor: a small network's step is mostly calls.
        flat_params, flat_grads = _flat_vector(params), _flat_vector(grads)
        if flat_params is not None and flat_grads is not None:
            params, grads = flat_params, flat_grads
        if isinstance(params, np.ndarray):
            params, grads = {"": params}, {"": grads}
        for key, p in params.items():
            st = self.state.get(key)
            if st is None:
                st = self.state[key] = {"t": 0, "tmp": np.empty_like(p)}
            st["t"] += 1
            self.step(p, grads[key], st)

    def step(self, p, g, state) -> None:  # one parameter tensor, in place
        raise NotImplementedError

    def zeros(self, state, name, like):
        """A state array (e.g. the momentum buffer), created at zero on first use."""
        if name not in state:
            state[name] = np.zeros_like(like)
        return state[name]

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in vars(self).items() if k != "state")
        return f"{type(self).__name__}({args})"


def _flat_vector(tensors):
    """The one vector behind a Sequential's ``params``/``grads`` dict (a FlatViews), else None."""
    flat_vector = getattr(tensors, "flat_vector", None)
    return flat_vector() if flat_vector is not None else None


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum and weight decay.

    g ← g + λθ ;  b ← μ b + (1 - dampening) g  (b = g at t = 1) ;  g ← g + μ b if nesterov else b ;
    θ ← θ - η g
    Momentum is a velocity: steps that agree accumulate, steps that oscillate cancel.
    """

    def __init__(self, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False) -> None:
        super().__init__(lr)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        self.momentum, self.dampening = momentum, dampening
        self.weight_decay, self.nesterov = weight_decay, nesterov

    def step(self, p, g, state):
        tmp = state["tmp"]
        if self.weight_decay:
            # g ← g + λθ   (in a scratch array: the caller's gradient stays untouched)
            np.multiply(p, self.weight_decay, out=tmp)
            tmp += g
            g = tmp
        if self.momentum:
            mu = self.momentum
            if "momentum_buffer" not in state:
                # b = g on the first step
                b = state["momentum_buffer"] = np.array(g)
            else:
                b = state["momentum_buffer"]
                # b ← μ b + (1 - dampening) g
                b *= mu
                b += (1.0 - self.dampening) * g if self.dampening else g
            # Nesterov looks ahead: g ← g + μ b ; plain momentum steps along b
            g = g + mu * b if self.nesterov else b
        # θ ← θ - η g
        np.multiply(g, self.lr, out=tmp)
        p -= tmp


class Adagrad(Optimizer):
    """Adagrad: each parameter's step is scaled by the root of its summed squared gradients.

    g ← g + λθ ;  s ← s + g² ;  θ ← θ - η_t g / (sqrt(s) + eps),  η_t = η / (1 + (t-1)·lr_decay)
    Rarely-updated parameters keep large steps; the sum only grows, so steps only shrink.
    """

    def __init__(self, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10) -> None:
        super().__init__(lr)
        self.lr_decay, self.weight_decay = lr_decay, weight_decay
        self.initial_accumulator_value, self.eps = initial_accumulator_value, eps

    def step(self, p, g, state):
        tmp = state["tmp"]
        if self.weight_decay:
            g = g + self.weight_decay * p
        if "sum" not in state:
            state["sum"] = np.full_like(p, self.initial_accumulator_value)
        s = state["sum"]
        lr_t = self.lr / (1 + (state["t"] - 1) * self.lr_decay)
        # s ← s + g²
        np.multiply(g, g, out=tmp)
        s += tmp
        # θ ← θ - η_t g / (sqrt(s) + eps)
        np.sqrt(s, out=tmp)
        tmp += self.eps
        np.divide(g, tmp, out=tmp)
        tmp *= lr_t
        p -= tmp


class RMSprop(Optimizer):
    """RMSprop: divide by a *moving* average of squared gradients, so steps do not die out.

    g ← g + λθ ;  v ← α v + (1 - α) g² ;  (centered: ḡ ← α ḡ + (1 - α) g,  ṽ = v - ḡ²)
    without momentum: θ ← θ - η g / (sqrt(ṽ) + eps)
    with momentum μ:  b ← μ b + g / (sqrt(ṽ) + eps) ;  θ ← θ - η b
    """

    def __init__(self, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False) -> None:
        super().__init__(lr)
        self.alpha, self.eps, self.weight_decay = alpha, eps, weight_decay
        self.momentum, self.centered = momentum, centered

    def step(self, p, g, state):
        tmp = state["tmp"]
        a = self.alpha
        if self.weight_decay:
            g = g + self.weight_decay * p
        v = self.zeros(state, "square_avg", p)
        # v ← α v + (1 - α) g²
        v *= a
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - a
        v += tmp
        if self.centered:
            gbar = self.zeros(state, "grad_avg", p)
            # ḡ ← α ḡ + (1 - α) g ;  ṽ = v - ḡ²
            gbar *= a
            gbar += (1.0 - a) * g
            np.multiply(gbar, gbar, out=tmp)
            np.subtract(v, tmp, out=tmp)
            np.sqrt(tmp, out=tmp)
        else:
            np.sqrt(v, out=tmp)
        tmp += self.eps
        # the normalised gradient g / (sqrt(ṽ) + eps)
        np.divide(g, tmp, out=tmp)
        if self.momentum:
            b = self.zeros(state, "momentum_buffer", p)
            # b ← μ b + g / (sqrt(ṽ) + eps)
            b *= self.momentum
            b += tmp
            np.multiply(b, self.lr, out=tmp)
        else:
            tmp *= self.lr
        # θ ← θ - η · (that)
        p -= tmp


class Adam(Optimizer):
    """Adam: momentum (first moment m) + RMSprop (second moment v), both bias-corrected.

    g ← g + λθ ;  m ← β₁ m + (1 - β₁) g ;  v ← β₂ v + (1 - β₂) g²
    m̂ = m / (1 - β₁ᵗ) ;  v̂ = v / (1 - β₂ᵗ) ;  θ ← θ - η m̂ / (sqrt(v̂) + eps)
    The bias correction undoes the pull towards 0 of averages that start at 0.
    """

    decoupled = False

    def __init__(self, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(lr)
        self.betas, self.eps, self.weight_decay = tuple(betas), eps, weight_decay

    def step(self, p, g, state):
        tmp = state["tmp"]
        b1, b2 = self.betas
        t = state["t"]
        if self.weight_decay:
            if self.decoupled:
                # AdamW: θ ← θ (1 - η λ), apart from the gradient
                p *= 1.0 - self.lr * self.weight_decay
            else:
                # Adam's L2: g ← g + λθ
                g = g + self.weight_decay * p
        m = self.zeros(state, "exp_avg", p)
        v = self.zeros(state, "exp_avg_sq", p)
        # m ← β₁ m + (1 - β₁) g
        m *= b1
        np.multiply(g, 1.0 - b1, out=tmp)
        m += tmp
        # v ← β₂ v + (1 - β₂) g²
        v *= b2
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - b2
        v += tmp
        # θ ← θ - η m̂ / (sqrt(v̂) + eps). The bias corrections are scalars, so fold them into the
        # step size and eps (Kingma & Ba's "more efficient order"; the same numbers up to rounding):
        #   θ ← θ - α_t m / (sqrt(v) + ε_t),   α_t = η sqrt(1-β₂ᵗ) / (1-β₁ᵗ),   ε_t = eps sqrt(1-β₂ᵗ)
        root_bias2 = math.sqrt(1.0 - b2**t)
        alpha_t = self.lr * root_bias2 / (1.0 - b1**t)
        np.sqrt(v, out=tmp)
        tmp += self.eps * root_bias2
        tmp *= 1.0 / alpha_t  # so that m / tmp is already the step
        np.divide(m, tmp, out=tmp)
        p -= tmp


class AdamW(Adam):
    """AdamW: Adam with *decoupled* weight decay, θ ← θ(1 - ηλ) before the Adam step.

    With Adam's L2 (g + λθ) the decay is divided by sqrt(v̂) like the gradient, so weights with large
    gradients are barely decayed; decoupling makes the decay the same for all.
    """

    decoupled = True

    def __init__(self, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2) -> None:
        super().__init__(lr, betas, eps, weight_decay)


# -- penalties -------------------------------------------------------------------------------------

def _weights(params, only_weights):
    """The tensors a penalty applies to: by default weights only (keys ending in W), not biases."""
    if isinstance(params, np.ndarray):
        return {"": params}
    return {k: v for k, v in params.items() if not only_weights or k.split(".")[-1].startswith("W")}


class L2:
    """L2 penalty (ridge, "weight decay"): R = (λ/2) Σ θ²,  ∂R/∂θ = λ θ.

    ``penalty.loss(params)`` is the term to add to the loss; ``penalty.add_grad(params, grads)``
    adds its gradient in place. Biases and BatchNorm's γ/β are left alone unless only_weights=False.
    """

    def __init__(self, lam: float, only_weights: bool = True) -> None:
        self.lam, self.only_weights = lam, only_weights

    def loss(self, params) -> float:
        return 0.5 * self.lam * sum(float(np.vdot(w, w)) for w in _weights(params, self.only_weights).values())

    def add_grad(self, params, grads) -> None:
        g = {"": grads} if isinstance(grads, np.ndarray) else grads
        for k, w in _weights(params, self.only_weights).items():
            g[k] += self.lam * w

    def __repr__(self) -> str:
        return f"L2({self.lam})"


class L1:
    """L1 penalty (lasso): R = λ Σ |θ|,  ∂R/∂θ = λ sign(θ) — pushes weights to exactly zero (sparsity)."""

    def __init__(self, lam: float, only_weights: bool = True) -> None:
        self.lam, self.only_weights = lam, only_weights

    def loss(self, params) -> float:
        return self.lam * sum(float(np.abs(w).sum()) for w in _weights(params, self.only_weights).values())

    def add_grad(self, params, grads) -> None:
        g = {"": grads} if isinstance(grads, np.ndarray) else grads
        for k, w in _weights(params, self.only_weights).items():
            g[k] += self.lam * np.sign(w)

    def __repr__(self) -> str:
        return f"L1({self.lam})"


def l2_penalty(lam: float, only_weights: bool = True) -> L2:
    return L2(lam, only_weights)


def l1_penalty(lam: float, only_weights: bool = True) -> L1:
    return L1(lam, only_weights)
