"""Off-policy evaluation of Tailor's policies on logged decisions (``training.policy`` rows).

Turns logged rows into :class:`~tailor.evaluation.ope.LoggedFeedback` (only rows usable for
importance weighting: a logged propensity and no request-time override — the rest are counted as
excluded), asks each policy for its action probabilities on the logged contexts (behind the same
consent the logging policy saw), and estimates three things per policy with bootstrap CIs that
resample whole persons:

* ``reward``: attributed conversion value − action cost per decision (what the gate compares);
* ``unsubscribe``: unsubscribes per decision (a guardrail);
* ``discount``: discount spend per decision — the value given away, conversion value × d / (1 − d).

Messages per decision need no estimation: they are the policy's own probabilities.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from tailor.agents.actions import Action
from tailor.agents.learned import Predictions, RewardModels
from tailor.agents.policy import Policy, action_ids, allowed_mask
from tailor.evaluation.ope import (
    DM,
    DR,
    IPS,
    SNDR,
    SNIPS,
    Bootstrap,
    DRos,
    Estimator,
    LoggedFeedback,
    SwitchDR,
    compare,
    evaluate,
)

OUTCOMES = ("reward", "unsubscribe", "discount")


def estimators(ope) -> dict[str, Estimator]:
    """Every estimator by its configuration key (``policy.gate.estimator``), thresholds from
    ``ope`` (the ``ope`` config section)."""
    return {"ips": IPS(), "snips": SNIPS(), "dm": DM(), "dr": DR(), "sndr": SNDR(),
            "switch-dr": SwitchDR(ope.switch_tau), "dr-clip": DR(clip=ope.clip),
            "dros": DRos(ope.dros_lambda)}


@dataclass
class LoggedData:
    """Logged decisions ready for OPE: feedback per outcome, contexts, consent masks."""

    feedback: dict[str, LoggedFeedback]
    context: pd.DataFrame
    allowed: np.ndarray
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.context)


def logged_data(rows: pd.DataFrame, bank: Sequence[Action]) -> LoggedData:
    """``training.policy`` rows → feedback for each outcome. Rows without a usable propensity,
    overridden rows and actions outside today's bank are excluded (counted by reason)."""
    ids = action_ids(bank)
    index = {a: i for i, a in enumerate(ids)}
    excluded = {"no_propensity_or_overridden": int((~rows["usable_for_ope"].astype(bool)).sum())}
    rows = rows[rows["usable_for_ope"].astype(bool)]
    known = rows["action_id"].isin(index)
    excluded["action_not_in_bank"] = int((~known).sum())
    rows = rows[known].reset_index(drop=True)
    allowed = allowed_mask(rows["allowed_channels"].tolist(), bank)
    action = rows["action_id"].map(index).to_numpy(int)
    # a logged action outside the consent we reconstructed: the logging policy saw other consent
    consistent = allowed[np.arange(len(rows)), action]
    excluded["consent_mismatch"] = int((~consistent).sum())
    rows, allowed, action = rows[consistent].reset_index(drop=True), allowed[consistent], action[consistent]
    discount = rows["discount"].fillna(0.0).to_numpy(float)
    spend = rows["conversion_value"].to_numpy(float) * discount / np.maximum(1 - discount, 1e-9)
    outcome = {"reward": rows["reward"].to_numpy(float),
               "unsubscribe": rows["unsubscribed"].astype(float).to_numpy(),
               "discount": spend}
    groups = pd.factorize(rows["person_id"])[0]
    n_excluded = sum(excluded.values())
    feedback = {k: LoggedFeedback(action=action, reward=v, pscore=rows["propensity"].to_numpy(float),
                                  n_actions=len(ids), groups=groups, n_excluded=n_excluded)
                for k, v in outcome.items()}
    return LoggedData(feedback, rows, allowed, excluded)


def predicted_outcomes(models: RewardModels, data: LoggedData, bank: Sequence[Action],
                       message_cost: float, predicted: Predictions | None = None
                       ) -> dict[str, np.ndarray]:
    """A reward model's (n, A) predictions of each outcome on the logged contexts (for DM / DR);
    ``predicted``: its predictions on ``data.context``, if already made."""
    conv, value, unsub = predicted if predicted is not None else models.predict(data.context, bank)
    expected = conv.mean(axis=0) * value
    cost = np.array([0.0, *(a.cost + message_cost for a in bank)])
    discount = np.array([0.0, *(a.discount for a in bank)])
    return {"reward": expected - cost[None, :], "unsubscribe": unsub,
            "discount": expected * discount / np.maximum(1 - discount, 1e-9)}


@dataclass(frozen=True)
class PolicyEvaluation:
    """Estimates of every policy and outcome, plus the paired comparison the gate uses."""

    results: list[dict]            # policy, outcome, estimator, value, ci_low, ci_high, ess, ...
    messages: dict[str, float]     # expected messages per decision, per policy
    comparison: dict | None        # challenger − champion on the reward, gate estimator
    excluded: dict[str, int]
    n: int


def evaluate_policies(data: LoggedData, policies: Mapping[str, Policy],
                      predictions: Mapping[str, np.ndarray], estimator_set: Mapping[str, Estimator],
                      bootstrap: Bootstrap, pair: tuple[str, str] | None = None,
                      gate_estimator: str | None = None,
                      given: Mapping[str, np.ndarray] | None = None) -> PolicyEvaluation:
    """Every policy × outcome × estimator with CIs; ``pair`` = (challenger, champion) compared
    on the reward with ``gate_estimator`` (paired resamples). ``given``: action probabilities on
    ``data`` already computed for some of the policies (by name)."""
    given = dict(given or {})
    dists = {name: given[name] if name in given else p.probabilities(data.context, data.allowed)
             for name, p in policies.items()}
    results = []
    for outcome, fb in data.feedback.items():
        chosen = list(estimator_set.values()) if outcome == "reward" else [
            estimator_set[gate_estimator or "dr"]]
        for r in evaluate(fb, dists, predictions[outcome], chosen, bootstrap):
            results.append({**r.as_dict(), "outcome": outcome})
    messages = {name: float((1 - d[:, 0]).mean()) for name, d in dists.items()}
    comparison = None
    if pair is not None:
        a, b = pair
        est = estimator_set[gate_estimator or "dr"]
        comparison = compare(data.feedback["reward"], (a, dists[a]), (b, dists[b]),
                             predictions["reward"], [est], bootstrap)[0].as_dict()
    return PolicyEvaluation(results, messages, comparison, data.excluded, data.n)
