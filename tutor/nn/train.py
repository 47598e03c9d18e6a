"""The training loop, as a generator of events — so a UI, a CLI or a test can watch training live.

    for event in train(model, loss_fn, optimizer, X, y, epochs=20, batch_size=32):
        print(event)

One step is the whole algorithm of deep learning:  forward → loss → backward → update.

Events
------
Every event is a plain dict of JSON-serialisable values (str, int, float, list, None), so
``json.dumps(event)`` always works; one per line is the JSON-lines stream a UI can read.

``{"event": "start", ...}`` once, first:
    ``total_steps``, ``epochs``, ``steps_per_epoch``, ``batch_size``, ``n_train``, ``n_val``,
    ``num_params``, ``layers`` (names of the layers that have parameters, in order: the order of
    ``grad_norms`` and ``weight_norms`` below), ``seed``.

``{"event": "step", "step": k, "epoch": e, "loss": L, ...}`` every ``log_every`` steps, and at every
step where something below was measured:
    ``step``      number of updates done so far (1, 2, ...); ``epoch`` the epoch it belongs to (1, 2, ...)
    ``loss``      mean training loss of the batches since the previous step event (data loss, without
                  the penalty)
    ``accuracy``  classification only: accuracy on this step's training batch
    ``val_loss``, ``val_accuracy``   when the validation set was evaluated at this step (every
                  ``eval_every`` steps; by default at the end of every epoch)
    ``grad_norms``    every ``grad_norms_every`` steps: per layer, ‖∂L/∂θ‖ over all its parameters
    ``weight_norms``  every ``weight_norms_every`` steps: per layer, ‖θ‖
                  (a norm that overflowed to inf is None: every number in an event is finite)

``{"event": "end", "status": S, "reason": R, "step": k, "epoch": e, "loss": L, ...}`` once, last:
    ``status``    "done" (all steps ran), "diverged" (the loss became NaN or ±inf at ``step``: the
                  update of that step was not applied; training never raises for this) or "stopped"
                  (early stopping, or the ``stop()`` callback asked to stop)
    ``reason``    one human sentence, e.g. "loss became inf at step 12"
    ``loss``      last reported training loss (None if no step finished)
    ``val_loss``, ``val_accuracy``   last validation figures (None without validation data)
    ``best_step``, ``best_loss``     the best monitored loss (validation loss if there is validation
                  data, else training loss) and its step; with early stopping and ``restore_best`` the
                  model ends with the weights of ``best_step``. None when nothing was watched (no
                  validation data and no ``patience``)

Threads: for tiny and small nets one BLAS thread is faster (less hand-off) and leaves a core free
for a UI. This package imports NumPy only, so that is the caller's choice, e.g.
``with threadpoolctl.threadpool_limits(1, "blas"): for event in train(...): ...``.

Reproducibility: batches are drawn from ``np.random.default_rng(seed)``; with a model built after
``tutor.nn.manual_seed(s)`` a run is identical bit for bit every time.
"""

from __future__ import annotations

import math
from typing import Callable, Iterator

import numpy as np

from .losses import BCEWithLogitsLoss, SoftmaxCrossEntropyLoss

__all__ = ["train", "fit", "evaluate", "accuracy"]


def accuracy(loss_fn, pred, target) -> float | None:
    """Fraction of correct classifications, or None for regression losses.

    Cross-entropy: the predicted class is the largest logit. BCE with logits: class 1 when the
    logit is > 0 (i.e. σ(z) > 0.5).
    """
    if isinstance(loss_fn, SoftmaxCrossEntropyLoss):
        target = np.asarray(target)
        labels = target if target.ndim == 1 else target.argmax(axis=1)
        return float(np.mean(pred.argmax(axis=1) == labels))
    if isinstance(loss_fn, BCEWithLogitsLoss):
        return float(np.mean((pred > 0) == (np.asarray(target).reshape(pred.shape) > 0.5)))
    return None


def evaluate(model, loss_fn, X, y, batch_size: int = 4096) -> tuple[float, float | None]:
    """(loss, accuracy) on a data set, in evaluation mode (dropout off, BatchNorm running stats)."""
    dtype = _dtype_of(model)
    X = _as_input(X, dtype)
    y = _as_target(y, loss_fn, dtype)
    if len(X) <= batch_size:
        pred = model.forward(X, train=False)
        return loss_fn.forward(pred, y), accuracy(loss_fn, pred, y)
    # big sets in chunks, weighted by chunk size (losses are means)
    total_loss, total_acc = 0.0, 0.0
    for i in range(0, len(X), batch_size):
        pred = model.forward(X[i:i + batch_size], train=False)
        n = len(pred)
        total_loss += loss_fn.forward(pred, y[i:i + batch_size]) * n
        acc = accuracy(loss_fn, pred, y[i:i + batch_size])
        total_acc = None if acc is None else total_acc + acc * n
    return total_loss / len(X), None if total_acc is None else total_acc / len(X)


def _dtype_of(model):
    dtype = getattr(model, "dtype", None)
    return np.dtype(dtype) if dtype is not None else np.dtype(np.float32)


def _as_input(X, dtype):
    X = np.asarray(X)
    return X.astype(dtype, copy=False) if np.issubdtype(X.dtype, np.floating) else X


def _as_target(y, loss_fn, dtype):
    y = np.asarray(y)
    if isinstance(loss_fn, SoftmaxCrossEntropyLoss) and y.ndim == 1:
        return y.astype(np.intp, copy=False)  # class labels stay integers
    return y.astype(dtype, copy=False)


def _layers_with_params(model):
    if hasattr(model, "leaves"):
        return [(f"{name}:{type(m).__name__}" if name else type(m).__name__, m) for name, m in model.leaves() if m.params]
    return [(type(model).__name__, model)]


def _norms(tensors_per_layer) -> list[float | None]:
    """‖θ‖ = sqrt(Σ θ²) over all of a layer's tensors (None if it overflowed: JSON has no inf)."""
    norms = []
    for tensors in tensors_per_layer:
        norm = math.sqrt(sum(float(np.vdot(t, t)) for t in tensors))  # vdot: one BLAS call, no copy
        norms.append(norm if math.isfinite(norm) else None)
    return norms


def train(model, loss_fn, optimizer, X, y, *, X_val=None, y_val=None, epochs: int | None = None,
          steps: int | None = None, batch_size: int | None = None, shuffle: bool = True,
          seed: int = 0, log_every: int = 1, eval_every: int | None = None,
          grad_norms_every: int = 0, weight_norms_every: int = 0, penalty=None,
          patience: int | None = None, min_delta: float = 0.0, restore_best: bool = True,
          stop: Callable[[], bool] | None = None) -> Iterator[dict]:
    """Train ``model`` on (X, y), yielding the events described in the module docstring.

    Length: ``steps`` updates, or ``epochs`` passes over the data (default 10 epochs).
    ``batch_size=None`` (or ≥ len(X)) is full-batch gradient descent: no shuffling, no copying.
    ``penalty``: an ``optim.L1``/``optim.L2`` (or a list of them) added to the loss's gradient.
    ``patience``: early stopping after that many evaluations without an improvement > ``min_delta``.
    ``stop``: called once per step; returning True ends the run with status "stopped".
    """
    dtype = _dtype_of(model)
    X = _as_input(X, dtype)
    y = _as_target(y, loss_fn, dtype)
    has_val = X_val is not None and y_val is not None
    if has_val:
        X_val, y_val = _as_input(X_val, dtype), _as_target(y_val, loss_fn, dtype)
    n = len(X)
    full_batch = batch_size is None or batch_size >= n
    bs = n if full_batch else int(batch_size)
    steps_per_epoch = math.ceil(n / bs)
    if steps is None:
        steps = (10 if epochs is None else epochs) * steps_per_epoch
    epochs = math.ceil(steps / steps_per_epoch)
    eval_every = eval_every or steps_per_epoch
    # evaluate only when there is something to watch: a validation set, or early stopping's loss
    watching = has_val or patience is not None
    penalties = [] if penalty is None else (list(penalty) if isinstance(penalty, (list, tuple)) else [penalty])

    # the optimizer sees one flat vector when the model has one (a few NumPy calls per update)
    flat = getattr(model, "flat_params", None)
    params, grads = (model.flat_params, model.flat_grads) if flat is not None else (model.params, model.grads)
    layers = _layers_with_params(model)
    rng = np.random.default_rng(seed)

    yield {
        "event": "start", "total_steps": steps, "epochs": epochs, "steps_per_epoch": steps_per_epoch,
        "batch_size": bs, "n_train": n, "n_val": len(X_val) if has_val else 0,
        "num_params": int(sum(p.size for p in model.params.values())),
        "layers": [name for name, _ in layers], "seed": seed,
    }

    # Mutable run state shared with the loop below (which returns (status, reason) when it ends).
    run = {"step": 0, "epoch": 1, "loss": None, "val_loss": None, "val_accuracy": None,
           "best_loss": math.inf, "best_step": 0}
    batch_buffers: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def loop():
        step, epoch = 0, 1
        loss_sum, loss_count = 0.0, 0
        best_params, bad_evals = None, 0
        while step < steps:
            if full_batch:
                batches = ((X, y),)
            else:
                order = rng.permutation(n) if shuffle else np.arange(n)
                batches = (_gather(X, y, order[i:i + bs], batch_buffers) for i in range(0, n, bs))
            for Xb, yb in batches:
                if step >= steps:
                    break
                run["step"], run["epoch"] = step, epoch
                if stop is not None and stop():
                    return "stopped", f"stopped by request after step {step}"
                # 1. forward → loss
                pred = model.forward(Xb, train=True)
                loss = loss_fn.forward(pred, yb)
                step += 1
                run["step"] = step
                if not math.isfinite(loss):
                    return "diverged", f"loss became {loss} at step {step}"
                loss_sum += loss
                loss_count += 1
                event = None
                if step % log_every == 0 or step == steps:
                    event = {"event": "step", "step": step, "epoch": epoch, "loss": None}
                    acc = accuracy(loss_fn, pred, yb)
                    if acc is not None:
                        event["accuracy"] = acc
                # 2. backward: every layer overwrites its grads, so there is nothing to zero first
                model.backward(loss_fn.backward())
                for pen in penalties:
                    pen.add_grad(model.params, model.grads)
                if grad_norms_every and step % grad_norms_every == 0:
                    event = event or {"event": "step", "step": step, "epoch": epoch, "loss": None}
                    event["grad_norms"] = _norms(m.grads.values() for _, m in layers)
                # 3. update
                optimizer.update(params, grads)
                if weight_norms_every and step % weight_norms_every == 0:
                    event = event or {"event": "step", "step": step, "epoch": epoch, "loss": None}
                    event["weight_norms"] = _norms(m.params.values() for _, m in layers)
                # 4. now and then: validation, early stopping
                stop_early = False
                if watching and (step % eval_every == 0 or step == steps):
                    event = event or {"event": "step", "step": step, "epoch": epoch, "loss": None}
                    monitored = loss_sum / loss_count
                    if has_val:
                        val_loss, val_acc = evaluate(model, loss_fn, X_val, y_val)
                        run["val_loss"], run["val_accuracy"] = val_loss, val_acc
                        event["val_loss"] = val_loss
                        if val_acc is not None:
                            event["val_accuracy"] = val_acc
                        monitored = val_loss
                    if not math.isfinite(monitored):
                        return "diverged", f"validation loss became {monitored} at step {step}"
                    if monitored < run["best_loss"] - min_delta:
                        run["best_loss"], run["best_step"], bad_evals = monitored, step, 0
                        if patience is not None and restore_best:
                            best_params = _snapshot(model)
                    else:
                        bad_evals += 1
                        stop_early = patience is not None and bad_evals >= patience
                if event is not None:
                    run["loss"] = event["loss"] = loss_sum / loss_count
                    loss_sum, loss_count = 0.0, 0
                    yield event
                if stop_early:
                    if best_params is not None:
                        _restore(model, best_params)
                    return "stopped", (f"early stopping: no improvement for {patience} evaluations "
                                       f"(best at step {run['best_step']})")
            if step < steps:
                epoch += 1
        return "done", f"finished {steps} steps"

    # nobody needs dL/dX: the first layer may skip computing it (restored when we finish)
    saved_input_grad = model.needs_input_grad
    model.needs_input_grad = False
    try:
        # overflow in a diverging run is reported as status "diverged", not as warnings
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            status, reason = yield from loop()
    finally:
        model.needs_input_grad = saved_input_grad
    yield {
        "event": "end", "status": status, "reason": reason, "step": run["step"], "epoch": run["epoch"],
        "loss": run["loss"], "val_loss": run["val_loss"], "val_accuracy": run["val_accuracy"],
        "best_step": run["best_step"] or None,
        "best_loss": run["best_loss"] if math.isfinite(run["best_loss"]) else None,
    }


def _gather(X, y, idx, buffers):
    """The mini-batch X[idx], y[idx], copied into arrays reused from step to step."""
    bufs = buffers.get(len(idx))
    if bufs is None:
        bufs = buffers[len(idx)] = (np.empty((len(idx), *X.shape[1:]), X.dtype),
                                    np.empty((len(idx), *y.shape[1:]), y.dtype))
    # mode="clip": the indices are valid anyway, and the default mode="raise" copies through a temporary
    np.take(X, idx, axis=0, out=bufs[0], mode="clip")
    np.take(y, idx, axis=0, out=bufs[1], mode="clip")
    return bufs


def _snapshot(model):
    flat = getattr(model, "flat_params", None)
    if flat is not None:
        return flat.copy()
    return {k: v.copy() for k, v in model.params.items()}


def _restore(model, saved):
    if isinstance(saved, np.ndarray):
        model.flat_params[...] = saved
    else:
        for k, v in model.params.items():
            v[...] = saved[k]


def fit(*args, **kwargs) -> dict:
    """Run ``train`` to the end and return its final event (for scripts and tests)."""
    event = None
    for event in train(*args, **kwargs):
        pass
    return event
