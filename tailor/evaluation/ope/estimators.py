"""Off-policy estimators of a target policy's value V(π) = E_x E_{a~π(·|x)} [r(x, a)].

Notation: w_i = π(a_i|x_i) / pscore_i (importance weight of logged round i), q̂(x, a) a reward model's
prediction (supplied by the caller as ``estimated_rewards`` (n, A)), q̂(x_i, π) = Σ_a π(a|x_i) q̂(x_i, a).

| estimator | value |
|---|---|
| ``IPS(clip)``      | mean(min(w, clip) r) |
| ``SNIPS``          | mean(w r) / mean(w) |
| ``DM``             | mean(q̂(x, π)) |
| ``DR(clip)``       | mean(q̂(x, π) + min(w, clip) (r - q̂(x, a))) — ``clip`` < ∞ is clipped-weight DR |
| ``SNDR``           | mean(q̂(x, π)) + mean(w (r - q̂(x, a))) / mean(w) |
| ``SwitchDR(tau)``  | mean(q̂(x, π) + 1{w ≤ tau} w (r - q̂(x, a))) |
| ``DRos(lam)``      | mean(q̂(x, π) + w_λ (r - q̂(x, a))), w_λ = λ w / (w² + λ) (optimistic shrinkage) |

The definitions are those of Open Bandit Pipeline 0.5.7 (``InverseProbabilityWeighting(lambda_)``,
``SelfNormalizedInverseProbabilityWeighting``, ``DirectMethod``, ``DoublyRobust(lambda_)``,
``SelfNormalizedDoublyRobust``, ``SwitchDoublyRobust(lambda_)``, ``DoublyRobustWithShrinkage(lambda_)``);
``bench/ope_obd.py`` checks that both give the same numbers on the same data.

Every estimator reduces to per-round :class:`Terms`: value = mean(direct) + mean(num) / mean(den). That
form lets the bootstrap re-estimate self-normalised estimators exactly on each resample (the normaliser
is recomputed per resample) without re-running the estimator.
"""
from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from tailor.evaluation.ope.data import (
    LoggedFeedback,
    OPEInputError,
    check_distribution,
    check_rewards,
    check_support,
    importance_weights,
)


@dataclass(frozen=True, eq=False)
class Terms:
    """Per-round pieces of an estimate: ``value = mean(direct) + mean(num) / mean(den)``.

    ``num`` / ``den`` are None for additive estimators (then value = mean(direct)).
    """

    direct: np.ndarray
    num: np.ndarray | None = None
    den: np.ndarray | None = None

    def value(self) -> float:
        return float(self.resampled(np.ones((1, self.direct.shape[0])))[0])

    def resampled(self, counts: np.ndarray) -> np.ndarray:
        """The estimate on each resample; ``counts`` (B, n) = how often each round is drawn in each."""
        size = counts.sum(axis=1)
        out = counts @ self.direct / size
        if self.num is not None:
            den = counts @ self.den
            if (den <= 0).any():
                raise OPEInputError("self-normalised estimate undefined: the target policy's importance "
                                    "weights sum to 0 (it gives probability 0 to every logged action)")
            out = out + (counts @ self.num) / den
        return out

    def round_values(self) -> np.ndarray:
        """Per-round contributions whose mean is the estimate (normaliser fixed at its full-sample value)."""
        if self.num is None or self.den is None:
            return self.direct
        return self.direct + self.num / self.den.mean()


class Estimator(ABC):
    """One off-policy estimator. Subclasses implement :meth:`_terms` only."""

    uses_reward_model: ClassVar[bool] = False
    additive: ClassVar[bool] = True

    @property
    @abstractmethod
    def name(self) -> str:
        """Short name including non-default parameters, e.g. ``"switch-dr(tau=20)"``."""

    @abstractmethod
    def _terms(self, feedback: LoggedFeedback, action_dist: np.ndarray, weights: np.ndarray,
               estimated_rewards: np.ndarray | None) -> Terms:
        """Per-round terms from validated inputs."""

    def terms(self, feedback: LoggedFeedback, action_dist: np.ndarray,
              estimated_rewards: np.ndarray | None = None, policy: str = "target") -> Terms:
        """Validate the inputs (shapes, distributions, support) and return the per-round terms."""
        action_dist = check_distribution(f"action_dist of {policy!r}", action_dist, feedback.n_rounds,
                                         feedback.n_actions)
        check_support(feedback, action_dist, policy)
        if self.uses_reward_model:
            if estimated_rewards is None:
                raise OPEInputError(f"{self.name} needs estimated_rewards (n_rounds, n_actions) from a "
                                    f"reward model; pass its predictions for every round and action")
            estimated_rewards = check_rewards("estimated_rewards", estimated_rewards, feedback.n_rounds,
                                              feedback.n_actions)
        return self._terms(feedback, action_dist, importance_weights(feedback, action_dist),
                           estimated_rewards)

    def estimate(self, feedback: LoggedFeedback, action_dist: np.ndarray,
                 estimated_rewards: np.ndarray | None = None) -> float:
        """The estimated value of the target policy ``action_dist`` (n, A) on ``feedback``."""
        return self.terms(feedback, action_dist, estimated_rewards).value()

    def round_values(self, feedback: LoggedFeedback, action_dist: np.ndarray,
                     estimated_rewards: np.ndarray | None = None) -> np.ndarray:
        """Per-round contributions (n,) whose mean is the estimate. Additive estimators only: for a
        self-normalised one the rounds share a normaliser, so use the bootstrap of :mod:`.evaluate`."""
        if not self.additive:
            raise TypeError(f"{self.name} is self-normalised, not additive: its rounds share the normaliser "
                            f"mean(w). Use evaluate()/compare(), whose bootstrap re-normalises per resample")
        return self.terms(feedback, action_dist, estimated_rewards).direct

    def __repr__(self) -> str:
        return self.name


def _check_threshold(name: str, value: float) -> float:
    value = float(value)
    if math.isnan(value) or value < 0:
        raise OPEInputError(f"{name} must be >= 0 (inf = no threshold), got {value}")
    return value


def _model_terms(feedback: LoggedFeedback, action_dist: np.ndarray,
                 estimated_rewards: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """q̂(x_i, π) and the residual r_i - q̂(x_i, a_i) of every round."""
    baseline = (action_dist * estimated_rewards).sum(axis=1)
    residual = feedback.reward - estimated_rewards[np.arange(feedback.n_rounds), feedback.action]
    return baseline, residual


def _suffix(param: str, value: float) -> str:
    return "" if math.isinf(value) else f"({param}={value:g})"


@dataclass(frozen=True)
class IPS(Estimator):
    """Inverse propensity scoring; weights above ``clip`` are clipped to it (clipped IPS)."""

    clip: float = math.inf

    def __post_init__(self) -> None:
        _check_threshold("clip", self.clip)

    @property
    def name(self) -> str:
        return "ips" + _suffix("clip", self.clip)

    def _terms(self, feedback, action_dist, weights, estimated_rewards):
        return Terms(np.minimum(weights, self.clip) * feedback.reward)


@dataclass(frozen=True)
class SNIPS(Estimator):
    """Self-normalised IPS: mean(w r) / mean(w). Invariant to a constant shift of all rewards."""

    additive: ClassVar[bool] = False

    @property
    def name(self) -> str:
        return "snips"

    def _terms(self, feedback, action_dist, weights, estimated_rewards):
        return Terms(np.zeros(feedback.n_rounds), weights * feedback.reward, weights)


@dataclass(frozen=True)
class DM(Estimator):
    """Direct method: the reward model's prediction averaged over the target policy's actions."""

    uses_reward_model: ClassVar[bool] = True

    @property
    def name(self) -> str:
        return "dm"

    def _terms(self, feedback, action_dist, weights, estimated_rewards):
        return Terms((action_dist * estimated_rewards).sum(axis=1))


@dataclass(frozen=True)
class DR(Estimator):
    """Doubly robust; with a finite ``clip`` the weights are clipped (clipped-weight DR)."""

    clip: float = math.inf
    uses_reward_model: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _check_threshold("clip", self.clip)

    @property
    def name(self) -> str:
        return "dr" + _suffix("clip", self.clip)

    def _terms(self, feedback, action_dist, weights, estimated_rewards):
        baseline, residual = _model_terms(feedback, action_dist, estimated_rewards)
        return Terms(baseline + np.minimum(weights, self.clip) * residual)


@dataclass(frozen=True)
class SNDR(Estimator):
    """Self-normalised DR: the DR correction term divided by mean(w) instead of 1."""

    uses_reward_model: ClassVar[bool] = True
    additive: ClassVar[bool] = False

    @property
    def name(self) -> str:
        return "sndr"

    def _terms(self, feedback, action_dist, weights, estimated_rewards):
        baseline, residual = _model_terms(feedback, action_dist, estimated_rewards)
        return Terms(baseline, weights * residual, weights)


@dataclass(frozen=True)
class SwitchDR(Estimator):
    """Switch-DR: DR where w ≤ ``tau``, the reward model alone (DM) where the weight is larger."""

    tau: float
    uses_reward_model: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _check_threshold("tau", self.tau)

    @property
    def name(self) -> str:
        return f"switch-dr(tau={self.tau:g})"

    def _terms(self, feedback, action_dist, weights, estimated_rewards):
        baseline, residual = _model_terms(feedback, action_dist, estimated_rewards)
        return Terms(baseline + np.where(weights <= self.tau, weights, 0.0) * residual)


@dataclass(frozen=True)
class DRos(Estimator):
    """DR with optimistic shrinkage (Su et al. 2020): w → λ w / (w² + λ); λ = 0 is DM, λ = ∞ is DR."""

    lam: float
    uses_reward_model: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _check_threshold("lam", self.lam)

    @property
    def name(self) -> str:
        return f"dr-os(lam={self.lam:g})"

    def _terms(self, feedback, action_dist, weights, estimated_rewards):
        baseline, residual = _model_terms(feedback, action_dist, estimated_rewards)
        if math.isinf(self.lam):
            shrunk = weights
        else:
            denom = weights ** 2 + self.lam
            shrunk = np.divide(self.lam * weights, denom, out=np.zeros_like(weights), where=denom > 0)
        return Terms(baseline + shrunk * residual)


# Default thresholds of the variance-controlled estimators: fixed a priori (not tuned on any benchmark).
# An importance weight of 20 means the target takes the logged action 20x as often as the logger did.
DEFAULT_TAU = 20.0   # switch-DR: rounds with a larger weight fall back to the reward model
DEFAULT_CLIP = 20.0  # clipped DR: weights are capped here
DEFAULT_LAM = 20.0   # DRos: shrinkage λ (weights above ~sqrt(λ) are pulled down)


def default_estimators(tau: float = DEFAULT_TAU, clip: float = DEFAULT_CLIP,
                       lam: float = DEFAULT_LAM) -> tuple[Estimator, ...]:
    """IPS, SNIPS, DM, DR, SNDR, switch-DR(tau), clipped DR(clip) and DRos(lam)."""
    return (IPS(), SNIPS(), DM(), DR(), SNDR(), SwitchDR(tau), DR(clip=clip), DRos(lam))
