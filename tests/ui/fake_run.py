"""A stand-in for `python -m tutor.experiments NAME --json`: prints contract events
(tutor/experiments/events.py) as JSON lines.

    python fake_run.py NAME --json [--set key=value ...] [--lang L]

Extra keys only the fake knows: ``delay`` (seconds between step events, default 0.005) and
``steps``. ``lr`` above 5 diverges. Names: ``optimizers`` and ``learning_rate`` run several
variants; ``playground`` emits ``boundary`` events; ``activations`` ``grad_norms``; ``uat``
``fit``; ``softmax_digits`` a ``confusion`` matrix at the end.
"""

from __future__ import annotations

import json
import math
import signal
import sys
import time


def emit(event: dict) -> None:
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def parse(argv: list[str]) -> tuple[str, dict, int]:
    name, params, seed = argv[0], {}, 0
    i = 1
    while i < len(argv):
        if argv[i] == "--set":
            key, _, value = argv[i + 1].partition("=")
            try:
                params[key] = float(value) if "." in value or "e" in value else int(value)
            except ValueError:
                params[key] = value
            i += 2
        else:
            i += 1
    return name, params, int(params.pop("seed", seed))


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    name, params, seed = parse(sys.argv[1:])
    if name == "bad":
        print("unknown experiment 'bad' (known: linreg_gd, playground)", file=sys.stderr)
        return 2
    steps = int(params.get("steps", 200))
    delay = float(params.get("delay", 0.005))
    lr = float(params.get("lr", 0.1))
    variants = {"optimizers": ["sgd", "momentum", "rmsprop", "adam"],
                "learning_rate": ["small", "right", "large"],
                "activations": ["sigmoid", "relu"]}.get(name, ["main"])
    emit({"event": "begin", "experiment": name, "params": {"lr": lr, "steps": steps, **params},
          "variants": variants, "seed": seed, "title": {"ko": f"가짜 {name}", "en": f"fake {name}"},
          "plot": {"y": "loss", "log_y": name != "playground", "x": "step"}})
    rates = {"small": 0.001, "right": 0.1, "large": 50.0}
    state = {}
    for v in variants:
        emit({"event": "start", "variant": v, "total_steps": steps, "layers": ["l1", "l2", "l3"]})
        state[v] = {"status": "done", "reason": "all steps ran", "loss": 1.0, "step": 0}
    for k in range(1, steps + 1):
        for j, v in enumerate(variants):
            s = state[v]
            if s["status"] != "done":
                continue
            r = rates.get(v, lr)
            if r > 5 and k > 40:
                s.update(status="diverged", step=k,
                         reason=f"loss became inf at step {k}")
                emit({"event": "end", "variant": v, "status": "diverged", "reason": s["reason"],
                      "step": k, "loss": None})
                continue
            loss = (math.exp(k / 8) if r > 5 else math.exp(-k * min(r, 1) / 20 * (j + 1)) + 0.01)
            s.update(loss=loss, step=k)
            ev = {"event": "step", "variant": v, "step": k, "epoch": 1 + k // 50, "loss": loss}
            if k % 10 == 0:
                ev["val_loss"] = loss * 1.1 + 0.005
                ev["accuracy"] = min(1.0, 0.5 + k / (2 * steps))
                ev["val_accuracy"] = ev["accuracy"] - 0.02
            if name == "activations" and k % 10 == 0:
                ev["grad_norms"] = [10 ** (-(3 - i) * (2 if v == "sigmoid" else 0.2)) for i in range(3)]
            emit(ev)
            if name == "playground" and k % 20 == 0:
                n = 16
                grid = [[1 / (1 + math.exp(-((x / n * 2 - 1) ** 2 + (y / n * 2 - 1) ** 2 - 0.5) * k / 20))
                         for x in range(n)] for y in range(n)]
                pts = [[math.cos(a / 5) * 0.5, math.sin(a / 5) * 0.5, 0] for a in range(30)]
                pts += [[math.cos(a / 5) * 0.9, math.sin(a / 5) * 0.9, 1] for a in range(30)]
                emit({"event": "boundary", "variant": v, "step": k, "x_range": [-1, 1],
                      "y_range": [-1, 1], "grid": grid, "points": pts})
            if name == "uat" and k % 20 == 0:
                xs = [i / 20 for i in range(-20, 21)]
                emit({"event": "fit", "variant": v, "step": k, "x": xs,
                      "y_true": [math.sin(3 * x) for x in xs],
                      "y_pred": [math.sin(3 * x) * min(1, k / steps) for x in xs]})
        time.sleep(delay)
    for v in variants:
        s = state[v]
        if s["status"] == "done":
            emit({"event": "end", "variant": v, "status": "done", "reason": s["reason"],
                  "step": s["step"], "loss": s["loss"]})
    if name == "softmax_digits":
        emit({"event": "confusion", "variant": "main", "matrix": [[9, 1, 0], [0, 8, 2], [1, 0, 9]],
              "labels": ["0", "1", "2"], "rows": "actual"})
    statuses = {v: s["status"] for v, s in state.items()}
    overall = "done" if len(variants) > 1 else statuses["main"]
    msg = {"ko": "완료", "en": "done"}
    diverged = [(v, s) for v, s in state.items() if s["status"] == "diverged"]
    if diverged:
        v, s = diverged[0]
        msg = {"ko": f"{s['step']}단계에서 발산: 학습률 (learning rate)이 너무 큽니다",
               "en": f"diverged at step {s['step']}: the learning rate is too large"}
    emit({"event": "finish", "status": overall,
          "variants": {v: {"status": s["status"], "reason": s["reason"], "step": s["step"],
                           "loss": s["loss"] if s["status"] == "done" else None}
                       for v, s in state.items()},
          "message": msg})
    return 0


if __name__ == "__main__":
    sys.exit(main())
