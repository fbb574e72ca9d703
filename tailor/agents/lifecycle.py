"""The lifecycle agent: for each person choose one message action (channel × send hour × offer)
or explicitly no message, ε-greedily, and record the propensity of what it chose.

Pure pandas/numpy on one batch of persons, vectorised over the action bank, so it runs inside
``mapInPandas`` on a cluster and in a unit test on three rows alike.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tailor.agents.actions import NO_MESSAGE, Action
from tailor.agents.holdout import in_holdout
from tailor.privacy import stable_share

DEFAULT_ORDER_VALUE = 40.0
OFFER_LIFT = 15.0  # response lift per unit of discount, scaled by measured discount sensitivity


@dataclass(frozen=True)
class PolicyParams:
    epsilon: float
    holdout_share: float
    holdout_salt: str
    message_cost: float
    min_expected_value: float
    policy_version: str
    ds: str


def expected_values(frame: pd.DataFrame, bank: list[Action], message_cost: float) -> np.ndarray:
    """[persons × actions] expected value of sending each action (currency units)."""
    n = len(frame)
    aov = frame["avg_order_value"].to_numpy(float)
    aov = np.where(aov > 0, aov, DEFAULT_ORDER_VALUE)
    churn = frame["churn_prob"].to_numpy(float)
    pref = frame["preferred_hour"].to_numpy(float)
    sens = np.clip(frame["discount_sensitivity"].to_numpy(float), 0, None)
    values = np.empty((n, len(bank)))
    for j, a in enumerate(bank):
        resp = frame[f"{a.channel}_response"].to_numpy(float)
        hour_fit = np.exp(-np.abs(a.send_hour - pref) / 6.0)
        p = np.clip(resp * hour_fit * (1 + OFFER_LIFT * sens * a.discount), 0, 1)
        values[:, j] = p * aov * (1 - a.discount) * (1 + churn) - a.cost - message_cost
    return values


def choose(frame: pd.DataFrame, bank: list[Action], params: PolicyParams) -> pd.DataFrame:
    """One decision per row of ``frame`` (needs person_id, allowed_channels, the profile's
    response/hour/discount columns, avg_order_value, churn_prob)."""
    values = expected_values(frame, bank, params.message_cost)
    channels = np.array([a.channel for a in bank])
    out = []
    for i, row in enumerate(frame.itertuples(index=False)):
        allowed = list(row.allowed_channels) if row.allowed_channels is not None else []
        out.append(_decide_one(row.person_id, allowed, values[i], channels, bank, params, row))
    return pd.DataFrame(out)


def _decide_one(person_id, allowed, values, channels, bank, params, row) -> dict:
    guardrails = [f"consent_missing:{c}" for c in sorted(set(channels) - set(allowed))]
    base = {"person_id": person_id, "allowed_channels": allowed, "guardrails": guardrails}
    if in_holdout(person_id, params.holdout_salt, params.holdout_share):
        return {**base, **_no_message(1.0, False, True), "guardrails": guardrails + ["holdout"],
                "explanation": "no message: person is in the global holdout (control) group"}
    ok = np.isin(channels, allowed)
    candidates = [NO_MESSAGE] + [bank[j].action_id for j in np.flatnonzero(ok)]
    cand_values = np.concatenate([[params.min_expected_value], values[ok]])
    greedy = int(np.argmax(cand_values))
    explore = stable_share(person_id, f"explore:{params.ds}") < params.epsilon
    k = len(candidates)
    if explore and k > 1:
        pick = int(stable_share(person_id, f"pick:{params.ds}") * k)
    else:
        pick = greedy
    propensity = (1 - params.epsilon) * (pick == greedy) + params.epsilon / k if k > 1 else 1.0
    explore_note = f" (exploration, ε={params.epsilon})" if explore and pick != greedy else ""
    if pick == 0:
        why = ("no consented channel" if k == 1 else
               f"best message value {cand_values[1:].max():.2f} ≤ threshold {params.min_expected_value}"
               if pick == greedy else "random choice")
        return {**base, **_no_message(propensity, explore and pick != greedy, False),
                "explanation": f"no message: {why}{explore_note}"}
    action = next(a for a in bank if a.action_id == candidates[pick])
    resp = getattr(row, f"{action.channel}_response")
    offer = "" if action.discount == 0 else f" with {action.discount:.0%} off"
    explanation = (f"{action.channel} at {action.send_hour}:00{offer}: {action.channel} response "
                   f"{resp:.2f}, prefers {int(row.preferred_hour)}h, churn risk {row.churn_prob:.2f}, "
                   f"expected value {cand_values[pick]:.2f}{explore_note}")
    return {**base, "action_id": action.action_id, "channel": action.channel,
            "send_hour": action.send_hour, "offer": action.offer, "discount": action.discount,
            "propensity": float(propensity), "exploration": bool(explore and pick != greedy),
            "holdout": False, "explanation": explanation}


def _no_message(propensity: float, exploration: bool, holdout: bool) -> dict:
    return {"action_id": NO_MESSAGE, "channel": None, "send_hour": None, "offer": None,
            "discount": 0.0, "propensity": float(propensity), "exploration": exploration,
            "holdout": holdout}


def provenance_json(versions: dict) -> str:
    return json.dumps(versions, sort_keys=True)
