"""Logged feedback, target policies as action distributions, importance weights and the support check.

Shapes used throughout the package (``n`` logged rounds, ``A`` actions):

* ``LoggedFeedback``: per round the logged ``action`` (n,), its ``reward`` (n,) and ``pscore`` (n,),
  the logging policy's probability of the logged action; optionally the whole logging distribution
  ``logging_dist`` (n, A) and a cluster id per round ``groups`` (n,) (e.g. the person: the bootstrap
  then resamples whole persons, whose rounds are not independent).
* a target policy: ``action_dist`` (n, A), row i = the probability of each action in round i's context.
  A deterministic policy is one-hot (:func:`one_hot`); stochastic policies are allowed.
* a reward model's predictions: ``estimated_rewards`` (n, A), q̂(x_i, a) for every action.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

ROW_SUM_TOL = 1e-6     # |sum of a distribution row - 1| allowed
PSCORE_TOL = 1e-6      # |logging_dist[i, action_i] - pscore_i| allowed (relative to pscore)
SUPPORT_TOL = 1e-12    # target probabilities at or below this count as 0 in the support check


class OPEInputError(ValueError):
    """Feedback, target policy or reward predictions that off-policy evaluation cannot use."""


class UnsupportedActionsError(OPEInputError):
    """The target policy puts probability on actions the logs cannot support.

    ``n_rounds``: rounds with such mass; ``actions``: the actions concerned; ``mass``: the share of the
    target's total probability mass on them (over all rounds); ``basis``: ``"logging_dist"`` (target mass
    where the logging probability is 0) or ``"logged_actions"`` (mass on actions that appear in no
    logged round; used when the logging distribution is unknown).
    """

    def __init__(self, policy: str, n_rounds: int, n_total: int, actions: list[int], mass: float,
                 basis: str):
        self.policy, self.n_rounds, self.n_total = policy, n_rounds, n_total
        self.actions, self.mass, self.basis = actions, mass, basis
        shown = ", ".join(str(a) for a in actions[:20]) + (" ..." if len(actions) > 20 else "")
        why = ("where the logging policy's probability is 0" if basis == "logging_dist"
               else "that the logging policy never took in these logs (logging distribution unknown)")
        super().__init__(
            f"target policy {policy!r} puts probability on actions {why}: {n_rounds} of {n_total} rounds, "
            f"actions [{shown}], {mass:.2%} of its mass. An off-policy estimate would rest on no logged "
            f"evidence for them. Restrict the target to supported actions (e.g. renormalise its rows over "
            f"actions with logging probability > 0) or log with exploration over these actions first.")


def _array(name: str, value: Any, ndim: int, dtype: type = float) -> np.ndarray:
    arr = np.asarray(value)
    if arr.ndim != ndim:
        raise OPEInputError(f"{name} must be a {ndim}-d array, got shape {arr.shape}")
    if arr.dtype.kind not in "biuf":
        raise OPEInputError(f"{name} must be numeric, got dtype {arr.dtype}")
    arr = arr.astype(dtype, copy=False)
    if dtype is float and not np.isfinite(arr).all():
        bad = np.flatnonzero(~np.isfinite(arr).reshape(arr.shape[0], -1).all(axis=1))
        raise OPEInputError(f"{name} has NaN or infinite values in {bad.size} rows "
                            f"(first: {bad[:5].tolist()}); drop or fix those rows before evaluating")
    return arr


def check_distribution(name: str, dist: Any, n_rounds: int, n_actions: int) -> np.ndarray:
    """``dist`` as a float (n_rounds, n_actions) array whose rows are probability distributions."""
    arr = _array(name, dist, 2)
    if arr.shape != (n_rounds, n_actions):
        raise OPEInputError(f"{name} must have shape (n_rounds, n_actions) = {(n_rounds, n_actions)}, "
                            f"got {arr.shape}")
    if (arr < 0).any() or (arr > 1).any():
        raise OPEInputError(f"{name} has probabilities outside [0, 1]")
    sums = arr.sum(axis=1)
    off = np.flatnonzero(np.abs(sums - 1.0) > ROW_SUM_TOL)
    if off.size:
        raise OPEInputError(f"{name} rows must sum to 1: {off.size} rows do not (first: row {off[0]} sums "
                            f"to {sums[off[0]]:.6g})")
    return arr


def check_rewards(name: str, estimated_rewards: Any, n_rounds: int, n_actions: int) -> np.ndarray:
    """A reward model's predictions as a float (n_rounds, n_actions) array."""
    arr = _array(name, estimated_rewards, 2)
    if arr.shape != (n_rounds, n_actions):
        raise OPEInputError(f"{name} must have shape (n_rounds, n_actions) = {(n_rounds, n_actions)}, "
                            f"got {arr.shape}: one predicted reward per round and action")
    return arr


@dataclass(frozen=True, eq=False)
class LoggedFeedback:
    """Rounds logged by a (possibly unknown-in-full) logging policy, validated on construction.

    ``pscore`` must lie in (0, 1]: a logged action had a positive probability. Rows without a logged
    propensity cannot be weighted; drop them before and pass their count as ``n_excluded`` (reported
    with every estimate, never used in it).
    """

    action: np.ndarray
    reward: np.ndarray
    pscore: np.ndarray
    n_actions: int
    logging_dist: np.ndarray | None = None
    groups: np.ndarray | None = None
    n_excluded: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.n_actions, bool) or not isinstance(self.n_actions, (int, np.integer)) \
                or self.n_actions < 1:
            raise OPEInputError(f"n_actions must be a positive int, got {self.n_actions!r}")
        action = np.asarray(self.action)
        if action.dtype.kind == "f":
            if not np.isfinite(action).all() or (action != np.round(action)).any():
                raise OPEInputError("action must hold integer action indices (found NaN or fractions)")
        action = _array("action", action, 1, dtype=np.int64)
        n = action.shape[0]
        if n == 0:
            raise OPEInputError("no logged rounds: nothing to evaluate")
        if action.min() < 0 or action.max() >= self.n_actions:
            raise OPEInputError(f"action values must be in [0, {self.n_actions}), got "
                                f"[{action.min()}, {action.max()}]")
        reward = _array("reward", self.reward, 1)
        pscore = _array("pscore", self.pscore, 1)
        for name, arr in (("reward", reward), ("pscore", pscore)):
            if arr.shape[0] != n:
                raise OPEInputError(f"{name} has {arr.shape[0]} rounds, action has {n}")
        if (pscore <= 0).any() or (pscore > 1).any():
            bad = int(((pscore <= 0) | (pscore > 1)).sum())
            raise OPEInputError(f"pscore must be in (0, 1] (the logging policy's probability of the logged "
                                f"action); {bad} rounds are not. Drop rows without a usable propensity "
                                f"and count them in n_excluded")
        logging_dist = None
        if self.logging_dist is not None:
            logging_dist = check_distribution("logging_dist", self.logging_dist, n, int(self.n_actions))
            mismatch = np.abs(logging_dist[np.arange(n), action] - pscore) > PSCORE_TOL * pscore
            if mismatch.any():
                raise OPEInputError(f"logging_dist disagrees with pscore in {int(mismatch.sum())} rounds "
                                    f"(logging_dist[i, action_i] must equal pscore_i)")
        groups = None
        if self.groups is not None:
            groups = np.asarray(self.groups)
            if groups.shape != (n,):
                raise OPEInputError(f"groups must have shape ({n},), got {groups.shape}")
            groups = np.unique(groups, return_inverse=True)[1].reshape(n)
        if not isinstance(self.n_excluded, (int, np.integer)) or self.n_excluded < 0:
            raise OPEInputError(f"n_excluded must be a non-negative int, got {self.n_excluded!r}")
        for key, value in (("action", action), ("reward", reward), ("pscore", pscore),
                           ("logging_dist", logging_dist), ("groups", groups),
                           ("n_actions", int(self.n_actions)), ("n_excluded", int(self.n_excluded))):
            object.__setattr__(self, key, value)

    @property
    def n_rounds(self) -> int:
        return int(self.action.shape[0])


def one_hot(actions: Any, n_actions: int) -> np.ndarray:
    """The action distribution (n, n_actions) of the deterministic policy that took ``actions``."""
    actions = np.asarray(actions, dtype=np.int64)
    if actions.ndim != 1 or (actions.size and (actions.min() < 0 or actions.max() >= n_actions)):
        raise OPEInputError(f"actions must be a 1-d array of indices in [0, {n_actions})")
    dist = np.zeros((actions.shape[0], n_actions))
    dist[np.arange(actions.shape[0]), actions] = 1.0
    return dist


def uniform(n_rounds: int, n_actions: int) -> np.ndarray:
    """The uniformly random policy's action distribution (n_rounds, n_actions)."""
    return np.full((n_rounds, n_actions), 1.0 / n_actions)


def epsilon_greedy(actions: Any, n_actions: int, epsilon: float) -> np.ndarray:
    """Take ``actions`` with probability 1 - epsilon, else a uniformly random action."""
    if not 0.0 <= epsilon <= 1.0:
        raise OPEInputError(f"epsilon must be in [0, 1], got {epsilon}")
    greedy = one_hot(actions, n_actions)
    return (1.0 - epsilon) * greedy + epsilon * uniform(greedy.shape[0], n_actions)


def importance_weights(feedback: LoggedFeedback, action_dist: np.ndarray) -> np.ndarray:
    """w_i = π_target(a_i | x_i) / π_logging(a_i | x_i) for every logged round."""
    return action_dist[np.arange(feedback.n_rounds), feedback.action] / feedback.pscore


def check_support(feedback: LoggedFeedback, action_dist: np.ndarray, policy: str = "target") -> None:
    """Refuse a target policy that puts mass on actions the logs cannot support.

    What is checked:

    * ``logging_dist`` known: every (round, action) where the target's probability is > 0 and the logging
      probability is 0. This is exact: no estimator here can learn about such an action in that context.
    * ``logging_dist`` unknown: only actions that appear in *no* logged round while the target gives them
      probability somewhere. An action that was logged in some contexts but had probability 0 in the
      context where the target uses it cannot be detected from (action, pscore) alone: importance weights
      stay finite there and the estimate silently extrapolates. Pass ``logging_dist`` to rule that out.
    """
    mass = action_dist > SUPPORT_TOL
    if feedback.logging_dist is not None:
        bad = mass & (feedback.logging_dist <= 0)
        basis = "logging_dist"
    else:
        logged = np.zeros(feedback.n_actions, dtype=bool)
        logged[feedback.action] = True
        bad = mass & ~logged[None, :]
        basis = "logged_actions"
    if bad.any():
        rows = bad.any(axis=1)
        raise UnsupportedActionsError(
            policy=policy, n_rounds=int(rows.sum()), n_total=feedback.n_rounds,
            actions=np.flatnonzero(bad.any(axis=0)).tolist(),
            mass=float((action_dist * bad).sum() / action_dist.sum()), basis=basis)


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size (Σw)² / Σw² of importance weights (n when all weights are equal)."""
    total_sq = float(np.square(weights).sum())
    return float(weights.sum()) ** 2 / total_sq if total_sq > 0 else 0.0
