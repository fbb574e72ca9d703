"""The lifecycle agent: for each person, one message action (channel × send hour × offer) or
explicitly no message, drawn from a policy's probabilities, with its exact propensity, the
guardrails that constrained it and an explanation.

The policy (``policy.py``: learned, heuristic or uniform) only proposes probabilities over the
actions consent allows; the guardrails around it are hard: no consent, no message on that
channel; the global holdout (``holdout.py``) is never messaged (propensity 1); quiet hours are
not in the bank. Pure pandas/numpy on one batch of persons, so it runs inside ``mapInPandas``
on a cluster and in a unit test on three rows alike.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tailor.agents.actions import NO_MESSAGE
from tailor.agents.holdout import in_holdout
from tailor.agents.policy import Policy, allowed_mask, draw


@dataclass(frozen=True)
class PolicyParams:
    holdout_share: float
    holdout_salt: str
    policy_version: str
    ds: str


def choose(frame: pd.DataFrame, policy: Policy, params: PolicyParams) -> pd.DataFrame:
    """One decision per row of ``frame`` (person_id, allowed_channels and the features the
    policy reads): action, channel, send hour, offer, propensity, exploration, holdout,
    guardrails, explanation, and ``policy_action_id`` (what the policy drew before the holdout
    rule: the counterfactual that incrementality compares against)."""
    allowed_channels = [list(c) if c is not None else [] for c in frame["allowed_channels"]]
    allowed = allowed_mask(allowed_channels, policy.bank)
    scored = policy.score(frame, allowed)
    probs = scored.probs
    if (probs[~allowed] > 0).any():
        raise ValueError(f"{policy.label} proposed an action consent does not allow")
    person_ids = frame["person_id"].astype(str).tolist()
    picked = draw(probs, person_ids, f"decide:{params.ds}")
    mode = np.argmax(probs, axis=1)
    out = []
    for i, pid in enumerate(person_ids):
        out.append(_decision(pid, allowed_channels[i], int(picked[i]), int(mode[i]), probs[i],
                             None if scored.values is None else scored.values[i],
                             policy, params, scored.note))
    return pd.DataFrame(out)


def _decision(pid, channels, pick, mode, probs, values, policy, params, note) -> dict:
    guardrails = [f"consent_missing:{c}" for c in sorted({a.channel for a in policy.bank})
                  if c not in channels]
    base = {"person_id": pid, "allowed_channels": channels, "guardrails": guardrails,
            "policy_action_id": policy.action_ids[pick]}
    if in_holdout(pid, params.holdout_salt, params.holdout_share):
        return {**base, **_no_message(1.0, False, True), "guardrails": guardrails + ["holdout"],
                "explanation": "no message: person is in the global holdout (control) group"}
    explored = pick != mode
    k = int((probs > 0).sum())
    why = (f" (exploration: drawn with probability {probs[pick]:.3f}, the policy's first "
           f"choice was {policy.action_ids[mode]})" if explored else "")
    value = "" if values is None else f", expected value {values[pick]:.2f}"
    if pick == 0:
        reason = ("no consented channel" if k == 1 else
                  f"no message is the best choice{value}" if not explored else "drawn")
        return {**base, **_no_message(float(probs[0]), explored, False),
                "explanation": f"no message: {reason}{why} [{policy.label}; {note}]"}
    action = policy.bank[pick - 1]
    offer = "" if action.discount == 0 else f" with {action.discount:.0%} off"
    return {**base, "action_id": action.action_id, "channel": action.channel,
            "send_hour": action.send_hour, "offer": action.offer, "discount": action.discount,
            "propensity": float(probs[pick]), "exploration": bool(explored), "holdout": False,
            "explanation": f"{action.channel} at {action.send_hour}:00{offer}{value}{why} "
                           f"[{policy.label}; {note}]"}


def _no_message(propensity: float, exploration: bool, holdout: bool) -> dict:
    return {"action_id": NO_MESSAGE, "channel": None, "send_hour": None, "offer": None,
            "discount": 0.0, "propensity": float(propensity), "exploration": exploration,
            "holdout": holdout}
