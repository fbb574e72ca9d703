"""The lifecycle agent never chooses a channel outside the person's consented channels."""
import numpy as np
import pandas as pd

from tailor.agents.actions import build_bank
from tailor.agents.heuristic import HeuristicPolicy
from tailor.agents.lifecycle import PolicyParams, choose
from tailor.config import HeuristicConfig

BANK = build_bank({"channels": {"email": {"cost": 0.0}, "push": {"cost": 0.0}, "sms": {"cost": 0.0},
                                "in_app": {"cost": 0.0}},
                   "send_hours": [9, 18, 23], "offers": {"none": 0.0, "pct10": 0.1}}, quiet_hours=[23])


def frame(n, allowed):
    rng = np.random.default_rng(0)
    return pd.DataFrame({
        "person_id": [f"p{i}" for i in range(n)], "allowed_channels": [allowed] * n,
        "avg_order_value": rng.uniform(10, 100, n), "churn_prob": rng.uniform(0, 1, n),
        "preferred_hour": 18, "discount_sensitivity": rng.uniform(-0.1, 0.3, n),
        **{f"{c}_response": rng.uniform(0.05, 0.5, n) for c in ("email", "push", "sms", "in_app")}})


def policy(eps=0.5):
    return HeuristicPolicy(BANK, HeuristicConfig(), epsilon=eps, message_cost=0.01,
                           min_expected_value=0.0)


PARAMS = PolicyParams(0.0, "h", "test", "2026-09-01")


def test_refused_channels_are_never_chosen_even_when_exploring():
    out = choose(frame(400, ["email"]), policy(eps=1.0), PARAMS)
    assert set(out["channel"].dropna()) <= {"email"}
    assert (out["channel"] == "email").any()


def test_person_without_consent_gets_no_message_with_propensity_one():
    out = choose(frame(50, []), policy(), PARAMS)
    assert (out["action_id"] == "no_message").all() and (out["propensity"] == 1.0).all()
    assert all("consent_missing:email" in g for g in out["guardrails"])


def test_quiet_hours_are_removed_from_the_bank():
    assert all(a.send_hour != 23 for a in BANK)
