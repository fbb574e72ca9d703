"""Recorded propensities are the true ε-greedy probabilities of the chosen action."""
import pandas as pd

from tailor.agents.actions import build_bank
from tailor.agents.heuristic import HeuristicPolicy
from tailor.agents.lifecycle import PolicyParams, choose
from tailor.config import HeuristicConfig

BANK = build_bank({"channels": {"email": {"cost": 0.0}, "sms": {"cost": 0.0}},
                   "send_hours": [9, 18], "offers": {"none": 0.0}}, quiet_hours=[])
ALL = ["email", "sms"]


def heuristic(eps):
    return HeuristicPolicy(BANK, HeuristicConfig(), epsilon=eps, message_cost=0.0,
                           min_expected_value=0.0)


def persons(n):
    return pd.DataFrame({"person_id": [f"p{i}" for i in range(n)], "allowed_channels": [ALL] * n,
                         "avg_order_value": 50.0, "churn_prob": 0.5, "preferred_hour": 18,
                         "discount_sensitivity": 0.0, "email_response": 0.3, "sms_response": 0.01,
                         "push_response": 0.0, "in_app_response": 0.0})


def test_greedy_and_explored_propensities():
    eps = 0.2
    out = choose(persons(2000), heuristic(eps), PolicyParams(0.0, "h", "v", "2026-09-01"))
    k = 1 + len(BANK)  # no_message + 4 actions
    greedy = out[~out["exploration"]]
    assert (greedy["action_id"] == "email@18:none").all()
    assert abs(greedy["propensity"].iloc[0] - (1 - eps + eps / k)) < 1e-12
    explored = out[out["exploration"]]
    assert ((explored["propensity"] - eps / k).abs() < 1e-12).all()
    # about ε·(k-1)/k of persons are explored away from the greedy action
    assert abs(len(explored) / len(out) - eps * (k - 1) / k) < 0.03


def test_holdout_share_is_respected_and_never_messaged():
    out = choose(persons(4000), heuristic(0.1), PolicyParams(0.1, "h", "v", "2026-09-01"))
    hold = out[out["holdout"]]
    assert abs(len(hold) / len(out) - 0.1) < 0.02
    assert (hold["action_id"] == "no_message").all() and (hold["propensity"] == 1.0).all()
