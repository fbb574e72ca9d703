"""The front door: estimates with bootstrap CIs for several target policies, and paired differences.

``evaluate`` returns one :class:`OPEResult` per (policy, estimator); ``compare`` one :class:`OPEComparison`
per estimator for V(a) - V(b), both policies estimated on the *same* resamples (what a promotion gate
needs: promote only if ``ci_low`` of DR(challenger - champion) > 0). Records are flat (``as_dict``) so a
list of them is a table (pandas, Spark, Delta) as it is.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from tailor.evaluation.ope.bootstrap import Bootstrap
from tailor.evaluation.ope.data import (
    LoggedFeedback,
    OPEInputError,
    check_distribution,
    effective_sample_size,
    importance_weights,
)
from tailor.evaluation.ope.estimators import Estimator, Terms, default_estimators

RewardPredictions = np.ndarray | Mapping[str | None, np.ndarray] | None


@dataclass(frozen=True)
class OPEResult:
    """One estimate. ``ess`` (Kish) and ``max_weight`` describe the target policy's importance weights
    on these logs (the same for every estimator of that policy); ``n`` rounds used, ``n_excluded``
    rounds dropped before evaluation (e.g. no logged propensity)."""

    policy: str
    estimator: str
    value: float
    ci_low: float
    ci_high: float
    ess: float
    max_weight: float
    n: int
    n_excluded: int
    n_boot: int
    alpha: float

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class OPEComparison:
    """V(policy_a) - V(policy_b) by one estimator, with a paired bootstrap interval."""

    policy_a: str
    policy_b: str
    estimator: str
    value: float
    ci_low: float
    ci_high: float
    value_a: float
    value_b: float
    n: int
    n_excluded: int
    n_boot: int
    alpha: float

    def as_dict(self) -> dict:
        return asdict(self)


def _rewards_for(estimated_rewards: RewardPredictions, policy: str) -> np.ndarray | None:
    if not isinstance(estimated_rewards, Mapping):   # None or one array for every policy
        return estimated_rewards
    if policy in estimated_rewards:
        return estimated_rewards[policy]
    return estimated_rewards.get(None)


def _all_terms(feedback: LoggedFeedback, policies: Mapping[str, np.ndarray], estimators: Sequence[Estimator],
               estimated_rewards: RewardPredictions) -> dict[tuple[str, str], Terms]:
    if not policies:
        raise OPEInputError("no target policies given")
    names = [est.name for est in estimators]
    if not names or len(set(names)) != len(names):
        raise OPEInputError(f"estimators must be a non-empty list with distinct names, got {names}")
    return {(policy, est.name): est.terms(feedback, dist, _rewards_for(estimated_rewards, policy), policy)
            for policy, dist in policies.items() for est in estimators}


def _draws(terms: Mapping[tuple[str, str], Terms], feedback: LoggedFeedback,
           bootstrap: Bootstrap) -> dict[tuple[str, str], np.ndarray]:
    """Every term set re-estimated on the same resamples: key -> (n_boot,) draws."""
    parts: dict[tuple[str, str], list[np.ndarray]] = {key: [] for key in terms}
    for counts in bootstrap.counts(feedback.n_rounds, feedback.groups):
        for key, term in terms.items():
            parts[key].append(term.resampled(counts))
    return {key: np.concatenate(chunks) for key, chunks in parts.items()}


def bootstrap_values(feedback: LoggedFeedback, policies: Mapping[str, np.ndarray],
                     estimated_rewards: RewardPredictions = None,
                     estimators: Sequence[Estimator] | None = None,
                     bootstrap: Bootstrap | None = None) -> dict[tuple[str, str], np.ndarray]:
    """The estimate of every (policy, estimator) on each bootstrap resample: key -> (n_boot,) values.

    The raw draws behind :func:`evaluate`'s intervals, e.g. for coverage studies or error distributions.
    """
    estimators = tuple(estimators) if estimators is not None else default_estimators()
    terms = _all_terms(feedback, policies, estimators, estimated_rewards)
    return _draws(terms, feedback, bootstrap or Bootstrap())


def evaluate(feedback: LoggedFeedback, policies: Mapping[str, np.ndarray],
             estimated_rewards: RewardPredictions = None,
             estimators: Sequence[Estimator] | None = None,
             bootstrap: Bootstrap | None = None) -> list[OPEResult]:
    """Estimate every policy with every estimator, each with a bootstrap CI on shared resamples.

    ``policies``: name -> action_dist (n, A). ``estimated_rewards``: one (n, A) array of reward-model
    predictions for all policies, or a mapping policy name -> array with key ``None`` as the default;
    needed only by model-based estimators (DM, DR and variants); they are held fixed across resamples,
    so the intervals leave out the reward model's own estimation error (visible in DM's narrow CIs). Raises
    :class:`~tailor.evaluation.ope.data.UnsupportedActionsError` for a policy the logs cannot support.
    """
    estimators = tuple(estimators) if estimators is not None else default_estimators()
    bootstrap = bootstrap or Bootstrap()
    terms = _all_terms(feedback, policies, estimators, estimated_rewards)
    draws = _draws(terms, feedback, bootstrap)
    results = []
    for policy, dist in policies.items():
        weights = importance_weights(feedback, check_distribution("action_dist", dist, feedback.n_rounds,
                                                                  feedback.n_actions))
        for est in estimators:
            low, high = bootstrap.interval(draws[policy, est.name])
            results.append(OPEResult(
                policy=policy, estimator=est.name, value=terms[policy, est.name].value(), ci_low=low,
                ci_high=high, ess=effective_sample_size(weights), max_weight=float(weights.max()),
                n=feedback.n_rounds, n_excluded=feedback.n_excluded, n_boot=bootstrap.size,
                alpha=bootstrap.alpha))
    return results


def compare(feedback: LoggedFeedback, policy_a: tuple[str, np.ndarray], policy_b: tuple[str, np.ndarray],
            estimated_rewards: RewardPredictions = None,
            estimators: Sequence[Estimator] | None = None,
            bootstrap: Bootstrap | None = None) -> list[OPEComparison]:
    """V(a) - V(b) per estimator, with a paired bootstrap CI (both policies on the same resamples).

    ``policy_a`` / ``policy_b``: (name, action_dist). A policy compared with itself gives exactly 0.
    """
    (name_a, dist_a), (name_b, dist_b) = policy_a, policy_b
    if name_a == name_b and dist_a is not dist_b:
        raise OPEInputError(f"two different policies are both named {name_a!r}")
    estimators = tuple(estimators) if estimators is not None else default_estimators()
    bootstrap = bootstrap or Bootstrap()
    policies = {name_a: dist_a, name_b: dist_b}
    terms = _all_terms(feedback, policies, estimators, estimated_rewards)
    draws = _draws(terms, feedback, bootstrap)
    out = []
    for est in estimators:
        value_a, value_b = terms[name_a, est.name].value(), terms[name_b, est.name].value()
        low, high = bootstrap.interval(draws[name_a, est.name] - draws[name_b, est.name])
        out.append(OPEComparison(
            policy_a=name_a, policy_b=name_b, estimator=est.name, value=value_a - value_b, ci_low=low,
            ci_high=high, value_a=value_a, value_b=value_b, n=feedback.n_rounds,
            n_excluded=feedback.n_excluded, n_boot=bootstrap.size, alpha=bootstrap.alpha))
    return out


def records(results: Sequence[OPEResult | OPEComparison]) -> list[dict]:
    """Results as a list of flat dicts (one table row each)."""
    return [result.as_dict() for result in results]
