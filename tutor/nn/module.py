"""The building block of every network: a ``Module``, and the containers that chain modules.

A module is a function with a memory. ``forward(x)`` computes the output and remembers what the
backward pass will need; ``backward(dout)`` receives dL/d(output) and returns dL/d(input), and as a
side effect stores dL/d(parameter) in ``self.grads`` (same keys as ``self.params``).

Two engineering ideas live here, both so that the textbook code is also fast:

* **Reusable buffers.** A training step of a small network is dominated by the *number* of NumPy
  calls and allocations, not by arithmetic. So a layer writes its outputs into arrays it allocated
  once (``self.buffer``) with NumPy's ``out=`` argument. With ``train=False`` (evaluation) fresh
  arrays are returned instead, so a prediction you keep is never overwritten by the next step.
* **One flat parameter vector.** ``Sequential`` copies every parameter into one long vector and gives
  each layer a *view* into it (same memory, layer-shaped). An optimizer can then update the whole
  network with a handful of NumPy calls, however many layers it has — and it does so whether it is
  given ``net.flat_params`` or the dict ``net.params`` (a ``FlatViews``, which knows its vector).
"""

from __future__ import annotations

import operator

import numpy as np

__all__ = ["Module", "Sequential", "Residual", "FlatViews", "ones"]

_ONES: dict[tuple[int, np.dtype], np.ndarray] = {}


def ones(n: int, dtype) -> np.ndarray:
    """A read-only vector of n ones, shared: ``ones(n) @ d`` sums the rows of d in one BLAS call."""
    key = (n, np.dtype(dtype))
    vec = _ONES.get(key)
    if vec is None:
        vec = np.ones(n, dtype)
        vec.flags.writeable = False
        _ONES[key] = vec
    return vec


class FlatViews(dict):
    """``net.params`` (or ``net.grads``) of a Sequential: name → a layer-shaped view into one flat vector.

    It is an ordinary dict. It also remembers the vector, so that ``optimizer.update(net.params,
    net.grads)`` can update every tensor at once instead of one by one (a step of a small network
    costs NumPy calls, not arithmetic: see ``Optimizer.update``).
    """

    def __init__(self, items, flat: np.ndarray, views: list[np.ndarray]) -> None:
        super().__init__(items)
        self._flat, self._views = flat, views

    def flat_vector(self) -> np.ndarray | None:
        """The vector, if this dict still holds exactly its views; None once an entry was added,
        removed or replaced (then the dict alone says what is to be updated)."""
        # the same array objects, in order (operator.is_: an identity check, not an elementwise ==)
        if len(self) == len(self._views) and all(map(operator.is_, self.values(), self._views)):
            return self._flat
        return None


class Module:
    """A differentiable function with parameters ``params`` and their gradients ``grads``."""

    #: Whether ``backward`` must compute dL/dx. The first layer of a network can skip it: nobody
    #: needs the gradient with respect to the data, and for a big first layer it is a third of the work.
    needs_input_grad = True

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self._buffers: dict[str, np.ndarray] = {}

    # -- the contract -------------------------------------------------------------------------
    def forward(self, x, train: bool = True):
        raise NotImplementedError

    def backward(self, dout):
        raise NotImplementedError

    def __call__(self, x, train: bool = True):
        return self.forward(x, train)

    # -- helpers ------------------------------------------------------------------------------
    def add_param(self, name: str, value: np.ndarray) -> None:
        """Register a parameter and a gradient array of the same shape."""
        self.params[name] = value
        self.grads[name] = np.zeros_like(value)

    def buffer(self, name: str, shape, dtype, train: bool = True) -> np.ndarray:
        """A scratch array reused step after step (fresh when ``train`` is False)."""
        shape = tuple(shape)
        if not train:
            return np.empty(shape, dtype)
        buf = self._buffers.get(name)
        if buf is None or buf.shape != shape or buf.dtype != dtype:
            buf = self._buffers[name] = np.empty(shape, dtype)
        return buf

    def leaves(self, prefix: str = ""):
        """Yield (name, module) for every module that holds parameters itself."""
        yield prefix.rstrip("."), self

    @property
    def dtype(self):
        for p in self.params.values():
            return p.dtype
        return None

    def to(self, dtype) -> "Module":
        """Convert parameters to ``dtype`` (gradients follow); returns self."""
        dtype = np.dtype(dtype)
        for k in list(self.params):
            self.params[k] = self.params[k].astype(dtype)
            self.grads[k] = np.zeros_like(self.params[k])
        self._buffers.clear()
        return self

    def zero_grad(self) -> None:
        for g in self.grads.values():
            g.fill(0)

    def num_params(self) -> int:
        return int(sum(p.size for p in self.params.values()))

    def __repr__(self) -> str:
        return type(self).__name__ + "()"


class _Container(Module):
    """A module made of modules: its params/grads are gathered from its children, with dotted keys."""

    def children(self):  # -> iterable of (key, module)
        raise NotImplementedError

    def leaves(self, prefix: str = ""):
        for key, child in self.children():
            yield from child.leaves(f"{prefix}{key}.")

    @property
    def params(self):
        return self._gathered("params")

    @params.setter
    def params(self, value):  # Module.__init__ assigns {}; containers compute theirs instead
        pass

    @property
    def grads(self):
        return self._gathered("grads")

    @grads.setter
    def grads(self, value):
        pass

    @property
    def dtype(self):
        for _, m in self.leaves():
            if m.params:
                return m.dtype
        return None

    def to(self, dtype):
        for _, child in self.children():
            child.to(dtype)
        self._buffers.clear()
        return self

    def zero_grad(self) -> None:
        for _, m in self.leaves():
            m.zero_grad()

    def _gathered(self, attr: str) -> dict:
        """Every leaf's ``params`` (or ``grads``) in one dict, with keys like "0.W"."""
        return {f"{name}.{k}" if name else k: v for name, m in self.leaves() for k, v in getattr(m, attr).items()}


class Sequential(_Container):
    """Layers applied one after the other: f(x) = f_L(...f_2(f_1(x))).

    Backpropagation is the chain rule read backwards: each layer turns dL/d(its output) into
    dL/d(its input), which is exactly the dout of the layer before it.

    All parameters live in one flat vector ``flat_params`` (and gradients in ``flat_grads``); the
    layers hold views into it, so ``optimizer.update(net.flat_params, net.flat_grads)`` updates
    every layer at once. ``net.params`` is the same memory seen as a dict with keys like ``"0.W"``
    (a ``FlatViews``: ``optimizer.update(net.params, net.grads)`` is just as fast). The vector is
    built with the network; after giving a layer a new parameter, call ``flatten_parameters()``.
    """

    def __init__(self, *layers: Module) -> None:
        super().__init__()
        self.layers = list(layers)
        self.flatten_parameters()

    def children(self):
        return ((str(i), layer) for i, layer in enumerate(self.layers))

    def flatten_parameters(self) -> None:
        """Move every parameter into one contiguous vector and hand each layer a view of it."""
        leaves = [(name, m) for name, m in self.leaves() if m.params]
        self.flat_params = self.flat_grads = None
        # What self.params is made of, listed once for a cheap dict every step: (key, leaf, its name
        # in the leaf), and the views in that order.
        self._flattened_layers = list(self.layers)
        self._keys: list[tuple[str, Module, str]] = []
        self._views: dict[str, list[np.ndarray]] = {"params": [], "grads": []}
        if not leaves:
            return
        dtype = leaves[0][1].dtype
        total = sum(m.num_params() for _, m in leaves)
        self.flat_params = np.empty(total, dtype)
        self.flat_grads = np.zeros(total, dtype)
        start = 0
        for name, m in leaves:
            for k in list(m.params):
                p = m.params[k]
                stop = start + p.size
                view = self.flat_params[start:stop].reshape(p.shape)
                view[...] = p
                m.params[k] = view
                m.grads[k] = self.flat_grads[start:stop].reshape(p.shape)
                self._keys.append((f"{name}.{k}" if name else k, m, k))
                self._views["params"].append(m.params[k])
                self._views["grads"].append(m.grads[k])
                start = stop
        # A nested Sequential's own flat vector would now be stale: the outer network owns the memory.
        for inner in _containers_inside(self):
            if isinstance(inner, Sequential):
                inner.flat_params = inner.flat_grads = None

    def to(self, dtype):
        super().to(dtype)
        self.flatten_parameters()
        return self

    def _gathered(self, attr):
        flat = self.flat_params if attr == "params" else self.flat_grads
        # No flat vector (no parameters, or nested in a network that owns the memory), or the layers
        # were changed after it was built: walk the layers as any container does.
        if flat is None or self.layers != self._flattened_layers:
            return super()._gathered(attr)
        # Else the keys listed by flatten_parameters; each tensor is looked up now, so a tensor a
        # layer was given since is the one in the dict (and then the dict is no longer flat).
        return FlatViews({key: getattr(m, attr)[k] for key, m, k in self._keys}, flat, self._views[attr])

    def zero_grad(self) -> None:
        if self.flat_grads is not None:
            self.flat_grads.fill(0)
        else:
            super().zero_grad()

    @property
    def needs_input_grad(self):
        return self.__dict__.get("_needs_input_grad", True)

    @needs_input_grad.setter
    def needs_input_grad(self, flag: bool) -> None:
        # Only the first layer with parameters needs to know: layers before it have nothing to learn,
        # so when dL/dx is not wanted their backward is skipped entirely.
        self.__dict__["_needs_input_grad"] = flag
        for layer in self.layers:
            if layer.params:
                layer.needs_input_grad = flag
                break

    def _first_learning_layer(self) -> int:
        for i, layer in enumerate(self.layers):
            if layer.params:
                return i
        return len(self.layers)

    def forward(self, x, train: bool = True):
        for layer in self.layers:
            x = layer.forward(x, train)
        return x

    def backward(self, dout):
        stop = 0 if self.needs_input_grad else self._first_learning_layer()
        for layer in reversed(self.layers[stop:]):
            dout = layer.backward(dout)
        return dout if self.needs_input_grad else None

    def __getitem__(self, i):
        return self.layers[i]

    def __len__(self):
        return len(self.layers)

    def __repr__(self) -> str:
        inner = ",\n".join("  " + repr(layer).replace("\n", "\n  ") for layer in self.layers)
        return f"Sequential(\n{inner}\n)"


def _containers_inside(container):
    """Every container nested (at any depth) inside ``container``."""
    for _, child in container.children():
        if isinstance(child, _Container):
            yield child
            yield from _containers_inside(child)


class Residual(_Container):
    """A skip connection: y = x + block(x).

    Backward: dL/dx = dout + block.backward(dout). The "+ dout" is a gradient highway — even if the
    block's gradient vanishes, the signal reaches earlier layers unchanged.
    """

    def __init__(self, block: Module) -> None:
        super().__init__()
        self.block = block

    def children(self):
        return (("block", self.block),)

    def forward(self, x, train: bool = True):
        out = self.buffer("y", x.shape, x.dtype, train)
        # y = x + block(x)
        np.add(x, self.block.forward(x, train), out=out)
        return out

    def backward(self, dout):
        dx = self.buffer("dx", dout.shape, dout.dtype)
        # dL/dx = dout + dL/dx through the block
        np.add(dout, self.block.backward(dout), out=dx)
        return dx

    def __repr__(self) -> str:
        return f"Residual({self.block!r})"
