"""Chapter 2: tabular Q-learning in a tiny grid world, with the exploration rate ε and the discount γ.

The world is a 4 × 4 grid. The agent starts in the top-left cell (row 0, column 0) and the episode
ends when it reaches the goal in the bottom-right cell (row 3, column 3). It has four moves (up,
right, down, left); a move into the border leaves it where it is. **Every move costs 1** (reward
−1), the move into the goal too, so the undiscounted return of an episode is −(moves taken) and the
shortest path, 6 moves, is the best possible. An episode is cut off after ``MAX_MOVES`` moves.

Behaviour is ε-greedy: with probability ε a random move, otherwise the move with the largest Q
(ties broken at random). After every move the table is updated by the Q-learning rule

    Q(s, a) ← Q(s, a) + α [r + γ max_a' Q(s', a') − Q(s, a)]      (no max term when s' is the goal)

with α = ``lr``. The table starts at 0, above every true value (they are all negative): an
optimistic start that makes even a greedy agent (ε = 0) try what it has not tried yet.

One variant, ``main``. A step event is one episode: ``step`` is the episode number and ``loss`` is
the episode's **cost**, −return = the number of moves it took (the run panel draws a ``loss``
curve; lower is better, 6 is the floor). The ``end`` event adds what the lesson reads: the learned
greedy policy as arrows (``policy``, one string per row, ``G`` at the goal), the learned values
V(s) = max_a Q(s, a) (``values``, rounded), the start's value (``value_start``) next to its true
value under γ, −(1 − γ⁶)/(1 − γ) (``value_start_true``), how many moves the greedy policy takes from
the start (``greedy_moves``; −1 when it never reaches the goal), the mean cost of the last 20
episodes (``mean_cost_last20``) and the returns (``return_last``, ``return_best``). NumPy only.
"""

from __future__ import annotations

import numpy as np

from .base import P, Experiment, register

ROWS = COLS = 4
START, GOAL = (0, 0), (3, 3)
MOVES = [(-1, 0), (0, 1), (1, 0), (0, -1)]   # up, right, down, left
ARROWS = "↑→↓←"
MAX_MOVES = 100
SHORTEST = 6


def move(state: tuple[int, int], action: int) -> tuple[int, int]:
    """Where ``action`` takes the agent from ``state`` (a move into the border stays put)."""
    r, c = state[0] + MOVES[action][0], state[1] + MOVES[action][1]
    if 0 <= r < ROWS and 0 <= c < COLS:
        return r, c
    return state


def q_update(q: float, r: float, next_best: float, alpha: float, gamma: float, terminal: bool) -> float:
    """One Q-learning update: a step of size α from Q toward the target r + γ max Q(s′, ·)."""
    target = r if terminal else r + gamma * next_best
    return q + alpha * (target - q)


def true_value(distance: int, gamma: float) -> float:
    """The discounted return of ``distance`` moves that each cost 1: −(1 + γ + … + γ^(d−1))."""
    return -sum(gamma ** k for k in range(distance))


def greedy(Q: np.ndarray, state, rng) -> int:
    row = Q[state]
    best = np.flatnonzero(row == row.max())
    return int(rng.choice(best))


def greedy_moves(Q: np.ndarray) -> int:
    """Moves the greedy policy (first best action on ties) takes from the start; −1 if it loops."""
    s, seen = START, set()
    for n in range(1, ROWS * COLS + 1):
        seen.add(s)
        s = move(s, int(np.argmax(Q[s])))
        if s == GOAL:
            return n
        if s in seen:
            return -1
    return -1


def policy_rows(Q: np.ndarray) -> list[str]:
    out = []
    for r in range(ROWS):
        out.append("".join("G" if (r, c) == GOAL else ARROWS[int(np.argmax(Q[r, c]))] for c in range(COLS)))
    return out


def _qlearning(params, seed, stop):
    rng = np.random.default_rng(seed)
    eps, gamma, alpha, episodes = params["epsilon"], params["gamma"], params["lr"], params["episodes"]
    Q = np.zeros((ROWS, COLS, len(MOVES)))
    yield {"event": "start", "variant": "main", "total_steps": episodes, "epochs": episodes,
           "steps_per_epoch": 1, "batch_size": 1, "n_train": ROWS * COLS, "n_val": 0,
           "num_params": int(Q.size), "layers": ["q_table"], "seed": seed}
    costs: list[int] = []
    for episode in range(1, episodes + 1):
        s, moves = START, 0
        while s != GOAL and moves < MAX_MOVES:
            a = int(rng.integers(len(MOVES))) if rng.random() < eps else greedy(Q, s, rng)
            s2 = move(s, a)
            terminal = s2 == GOAL
            Q[s][a] = q_update(Q[s][a], -1.0, float(Q[s2].max()), alpha, gamma, terminal)
            s, moves = s2, moves + 1
        costs.append(moves)
        yield {"event": "step", "variant": "main", "step": episode, "epoch": episode, "loss": float(moves)}
        if stop is not None and stop():
            break
    done = len(costs)
    V = Q.max(axis=2)
    V[GOAL] = 0.0
    status = "done" if done == episodes else "stopped"
    yield {"event": "end", "variant": "main", "status": status,
           "reason": f"{done} episodes" if status == "done" else "stopped by request",
           "step": done, "epoch": done, "loss": float(costs[-1]) if costs else None,
           "val_loss": None, "val_accuracy": None, "best_step": None, "best_loss": None,
           "policy": policy_rows(Q), "values": [[round(float(v), 3) for v in row] for row in V],
           "value_start": float(V[START]), "value_start_true": true_value(SHORTEST, gamma),
           "greedy_moves": greedy_moves(Q), "shortest_moves": SHORTEST,
           "mean_cost_last20": float(np.mean(costs[-20:])) if costs else None,
           "return_last": -float(costs[-1]) if costs else None,
           "return_best": -float(min(costs)) if costs else None,
           "epsilon": eps, "gamma": gamma}


register(Experiment(
    name="qlearning",
    title={"ko": "Q-러닝(Q-learning): 4 × 4 격자 세계에서 탐험과 할인",
           "en": "Q-learning in a 4 × 4 grid world: exploration and discounting"},
    description={
        "ko": "왼쪽 위에서 출발해 오른쪽 아래 목표까지 가는 4 × 4 격자 세계입니다. 한 번 움직일 때마다 보상 −1이라, "
              "가장 짧은 길(6번)이 가장 좋습니다. 곡선은 에피소드마다의 비용, 즉 −보상 합(움직인 횟수)입니다. "
              "낮을수록 좋고 6이 바닥입니다. ε은 무작위로 움직일 확률(탐험), γ는 할인율입니다.",
        "en": "A 4 × 4 grid world: start top-left, goal bottom-right. Every move has reward −1, so the "
              "shortest path (6 moves) is best. The curve is each episode's cost, −return (the moves it "
              "took): lower is better, 6 is the floor. ε is the chance of a random move (exploration), "
              "γ the discount factor."},
    params={
        "epsilon": P("epsilon", "float", 0.1, "탐험률 ε: 무작위로 움직일 확률", "exploration rate ε: the chance of a random move",
                     0.0, 1.0, label={"ko": "탐험률(epsilon)", "en": "exploration ε"}),
        "gamma": P("gamma", "float", 0.9, "할인율 γ: 한 걸음 뒤의 보상에 곱하는 값", "discount factor γ: what a reward one move later is multiplied by",
                   0.0, 1.0, label={"ko": "할인율(gamma)", "en": "discount γ"}),
        "episodes": P("episodes", "int", 200, "에피소드 수: 출발부터 목표까지 몇 번 해 보는지", "episodes: how many runs from start to goal",
                      1, 2000, label={"ko": "에피소드(episodes)", "en": "episodes"}),
        "lr": P("lr", "float", 0.5, "학습률 α: 목표값 쪽으로 Q를 얼마나 옮기는지", "learning rate α: how far Q moves toward its target",
                0.01, 1.0),
    },
    variants=["main"],
    plot={"y": "loss", "log_y": False, "x": "step",
          "label": {"ko": "에피소드당 이동 수", "en": "moves per episode"}},
    diverge_cause={"ko": "Q-러닝은 발산하지 않습니다", "en": "Q-learning here does not diverge"},
    body=_qlearning,
))
