"""A small logged world for policy tests: uniform random decisions over a tiny bank where
email at 18:00 converts far more often than anything else."""
import numpy as np
import pandas as pd
import pytest

from tailor.agents.actions import build_bank

BANK = build_bank({"channels": {"email": {"cost": 0.01}, "push": {"cost": 0.0}},
                   "send_hours": [9, 18], "offers": {"none": 0.0}}, quiet_hours=[])


def logged(n: int, seed: int = 0) -> pd.DataFrame:
    """training.policy-like rows: uniform over no_message + the bank, reward by a known rule."""
    rng = np.random.default_rng(seed)
    ids = ["no_message", *(a.action_id for a in BANK)]
    pick = rng.integers(0, len(ids), n)
    action = np.array(ids, dtype=object)[pick]
    channel = np.array([None, *(a.channel for a in BANK)], dtype=object)[pick]
    hour = np.array([np.nan, *(a.send_hour for a in BANK)])[pick]
    best = (channel == "email") & (hour == 18)
    converted = rng.uniform(size=n) < np.where(best, 0.3, np.where(channel == None, 0.0, 0.01))  # noqa: E711
    value = np.where(converted, 50.0, 0.0)
    cost = np.where(channel == "email", 0.06, np.where(channel == "push", 0.05, 0.0))
    return pd.DataFrame({
        "person_id": [f"p{i % (n // 3)}" for i in range(n)], "action_id": action,
        "channel": channel, "send_hour": hour, "discount": 0.0,
        "propensity": 1.0 / len(ids), "conversions": converted.astype(int),
        "conversion_value": value, "unsubscribed": False, "reward": value - cost,
        "usable_for_ope": True, "overridden_by": None,
        "allowed_channels": [["email", "push"]] * n,
        "email_response": rng.uniform(0, 0.3, n), "preferred_hour": 18.0})


@pytest.fixture(scope="session")
def logged_rows():
    return logged(6000)


def consent_events(spark, rows):
    """Silver-shaped events from (person_id, event_type, channel, granted, event_ts, ingested_at)
    rows with timestamps as strings (received = ingested_at: no server stamp)."""
    return (spark.createDataFrame(rows, "person_id string, event_type string, channel string, "
                                        "granted boolean, event_ts string, ingested_at string")
            .selectExpr("person_id", "event_type", "channel", "granted",
                        "cast(event_ts as timestamp) event_ts",
                        "cast(ingested_at as timestamp) ingested_at"))
