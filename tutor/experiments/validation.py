"""Chapter 3: choosing a hyperparameter (a polynomial's degree) with K-fold cross-validation, and
why a test set that was used for choosing is no longer a fair test.

Data: y = sin(πx) + N(0, noise²) on [−1, 1]; ``n`` development points (one in each of n equal slices) (split into ``folds``
folds for cross-validation) and ``n_test`` held-out test points, drawn from ``seed``. A polynomial of
degree d (least squares, in the Legendre basis for a well-conditioned fit) is a model with d + 1
parameters; the degree is the hyperparameter swept from 1 to ``max_degree``.

One variant, ``main``. Its ``step`` events go by degree (``step`` = d), with
- ``loss``: the training loss (MSE) of the fit on all n development points,
- ``val_loss``: the K-fold validation loss, the mean of the K fold scores.
The ``end`` event lists per degree (index d − 1) what a step event may not carry: ``val_folds`` (the
K fold scores), ``val_std`` (their spread, the standard deviation with 1/K), ``test_loss`` (the fit's
loss on the test points) and ``true_loss`` (its expected loss on fresh data: noise² + the mean
squared error against sin(πx) on a fine grid).
A ``fit`` event per degree draws the fitted curve over sin(πx) and the development points.

The ``end`` event carries the choice: ``chosen_degree`` (the lowest validation loss; also
``best_step``), its validation, test and true losses; ``test_pick_degree``, the degree with the lowest
*test* loss, with that test loss and its true loss; and, over ``repeats`` fresh draws of the whole
data set, the mean of those figures (``mc_…``): the test score of the degree chosen on validation is
about its true loss, while the lowest test score is optimistic.
"""

from __future__ import annotations

import numpy as np

from .base import P, Experiment, register

#: the fine grid on which the true (expected) loss is measured, and the grid a fit is drawn on
_GRID = np.linspace(-1.0, 1.0, 401)
_DRAW = np.linspace(-1.0, 1.0, 101)
#: a wild high-degree curve is drawn clipped to this band (the losses are not clipped)
_CLIP = 2.5


def target(x):
    return np.sin(np.pi * x)


def _vander(x, degree: int) -> np.ndarray:
    return np.polynomial.legendre.legvander(x, degree)


def _fit(V: np.ndarray, y: np.ndarray, d: int) -> np.ndarray:
    """Least-squares coefficients of degree d from the first d + 1 columns of ``V``."""
    return np.linalg.lstsq(V[:, : d + 1], y, rcond=None)[0]


def _mse(V: np.ndarray, c: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((V[:, : len(c)] @ c - y) ** 2))


def draw(rng, n: int, n_test: int, noise: float):
    """n development points spread evenly (one uniform draw in each of n equal slices of [−1, 1], so
    no edge is left bare for a high degree to swing wildly over), n_test test points uniform."""
    x = -1.0 + (np.arange(n) + rng.uniform(0.0, 1.0, n)) * (2.0 / n)
    y = target(x) + noise * rng.standard_normal(n)
    xt = rng.uniform(-1.0, 1.0, n_test)
    yt = target(xt) + noise * rng.standard_normal(n_test)
    return x, y, xt, yt


def folds_of(rng, n: int, k: int) -> list[np.ndarray]:
    """K folds of nearly equal size (sizes differ by at most 1): every example in exactly one."""
    return np.array_split(rng.permutation(n), k)


def sweep(x, y, xt, yt, folds, noise: float, max_degree: int):
    """Per degree 1…max_degree: (train, K fold scores, test, true, coefficients)."""
    D = max_degree
    V, Vt, Vg = _vander(x, D), _vander(xt, D), _vander(_GRID, D)
    fg = target(_GRID)
    rows = []
    for d in range(1, D + 1):
        c = _fit(V, y, d)
        scores = []
        for k, val in enumerate(folds):
            train = np.concatenate([f for j, f in enumerate(folds) if j != k])
            ck = _fit(V[train], y[train], d)
            scores.append(_mse(V[val], ck, y[val]))
        true = noise ** 2 + float(np.mean((Vg[:, : d + 1] @ c - fg) ** 2))
        rows.append((_mse(V, c, y), scores, _mse(Vt, c, yt), true, c))
    return rows


def _picks(rows):
    val = [float(np.mean(r[1])) for r in rows]
    test = [r[2] for r in rows]
    return int(np.argmin(val)), int(np.argmin(test)), val, test


def _validation(params, seed, stop):
    n, n_test, noise, K, D = (params["n"], params["n_test"], params["noise"], params["folds"],
                              params["max_degree"])
    K = min(K, n)
    rng = np.random.default_rng(seed)
    x, y, xt, yt = draw(rng, n, n_test, noise)
    folds = folds_of(rng, n, K)
    yield {"event": "start", "variant": "main", "total_steps": D, "epochs": 0, "steps_per_epoch": 0,
           "batch_size": n, "n_train": n - len(folds[0]), "n_val": len(folds[0]), "num_params": D + 1,
           "seed": seed}
    points = [[round(float(a), 4), round(float(b), 4)] for a, b in zip(x, y)]
    truth = [round(float(v), 4) for v in target(_DRAW)]
    Vd = _vander(_DRAW, D)
    rows = sweep(x, y, xt, yt, folds, noise, D)
    for d, (train, scores, test, true, c) in enumerate(rows, start=1):
        yield {"event": "step", "variant": "main", "step": d, "epoch": d, "loss": train,
               "val_loss": float(np.mean(scores))}
        curve = np.clip(Vd[:, : d + 1] @ c, -_CLIP, _CLIP)
        yield {"event": "fit", "variant": "main", "step": d, "x": [round(float(v), 4) for v in _DRAW],
               "y_pred": [round(float(v), 4) for v in curve], "y_true": truth, "points": points}
    v, t, val, test = _picks(rows)
    train_pick = int(np.argmin([r[0] for r in rows]))
    end = {"event": "end", "variant": "main", "status": "done", "reason": "", "step": D, "epoch": D,
           "loss": rows[-1][0], "val_loss": val[-1], "best_step": v + 1, "best_loss": val[v],
           "folds": K, "n_test": n_test, "trainings": D * K,
           "chosen_degree": v + 1, "chosen_val_loss": val[v], "chosen_val_std": float(np.std(rows[v][1])),
           "chosen_train_loss": rows[v][0], "chosen_test_loss": test[v], "chosen_true_loss": rows[v][3],
           "train_pick_degree": train_pick + 1, "train_pick_test_loss": test[train_pick],
           "test_pick_degree": t + 1, "test_pick_test_loss": test[t], "test_pick_true_loss": rows[t][3],
           "noise_floor": noise ** 2,
           # per degree 1…max_degree (a step event carries only the contract's keys)
           "val_std": [float(np.std(r[1])) for r in rows], "val_folds": [[float(x) for x in r[1]] for r in rows],
           "test_loss": test, "true_loss": [r[3] for r in rows]}
    # The same choice on many fresh draws of the whole data set: the average tells bias from luck.
    R = params["repeats"]
    if R:
        mc = np.zeros((R, 5))
        rng_mc = np.random.default_rng([seed, 1])
        for i in range(R):
            if stop is not None and stop():
                return
            xi, yi, xti, yti = draw(rng_mc, n, n_test, noise)
            r = sweep(xi, yi, xti, yti, folds_of(rng_mc, n, K), noise, D)
            vi, ti, vali, testi = _picks(r)
            mc[i] = (vali[vi], testi[vi], r[vi][3], testi[ti], r[ti][3])
        m = mc.mean(axis=0)
        end.update({"repeats": R, "mc_val_pick_val_loss": float(m[0]), "mc_val_pick_test_loss": float(m[1]),
                    "mc_val_pick_true_loss": float(m[2]), "mc_test_pick_test_loss": float(m[3]),
                    "mc_test_pick_true_loss": float(m[4])})
    yield end


register(Experiment(
    name="validation",
    title={"ko": "하이퍼파라미터(hyperparameter) 고르기: K-겹 교차 검증과 오염된 테스트 세트",
           "en": "Choosing a hyperparameter: K-fold cross-validation and a contaminated test set"},
    description={
        "ko": "sin(πx)에 잡음을 더한 점들에 1차부터 여러 차수의 다항식을 맞춥니다. 차수마다 훈련 손실과 K-겹 교차 검증"
              "(K-fold cross-validation) 손실을 그립니다. 가로축은 걸음이 아니라 다항식의 차수입니다. 끝에 검증으로 고른 "
              "차수와 테스트로 고른 차수의 테스트 손실을 비교합니다.",
        "en": "Polynomials of degree 1 and up are fitted to noisy points around sin(πx). For each degree the "
              "training loss and the K-fold cross-validation loss are drawn; the x axis is the degree, not a "
              "step. At the end, the degree chosen on validation and the one chosen on the test set are "
              "compared on their test losses."},
    params={
        "n": P("n", "int", 40, "개발용 데이터 점 개수(학습 + 검증)", "development points (training + validation)",
               10, 400),
        "n_test": P("n_test", "int", 20, "테스트 데이터 점 개수", "test points", 5, 1000,
                    label={"ko": "테스트 수(n_test)", "en": "test points"}),
        "noise": P("noise", "float", 0.3, "점에 더한 잡음의 표준편차", "standard deviation of the noise on the points",
                   0.0, 2.0),
        "folds": P("folds", "int", 5, "교차 검증의 겹 수 K", "K, the number of cross-validation folds", 2, 40,
                   label={"ko": "겹 수(K)", "en": "folds (K)"}),
        "max_degree": P("max_degree", "int", 10, "맞춰 볼 가장 높은 다항식 차수", "the highest polynomial degree tried",
                        1, 20, label={"ko": "최대 차수(degree)", "en": "max degree"}),
        "repeats": P("repeats", "int", 200, "새로 뽑은 데이터로 같은 선택을 되풀이하는 횟수(평균용)",
                     "fresh draws of the data on which the same choice is repeated (for the averages)", 0, 2000,
                     label={"ko": "반복 수(repeats)", "en": "repeats"}),
    },
    body=_validation,
))
