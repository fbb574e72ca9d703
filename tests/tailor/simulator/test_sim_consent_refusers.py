"""Nobody gets a message on a channel they have not consented to; refusers get none at all."""
from __future__ import annotations

import polars as pl


def test_users_who_refused_every_channel_never_get_messages(small_world, small_events):
    truth = pl.read_parquet(small_world / "ground_truth" / "users.parquet")
    refusers = set(truth.filter(pl.col("refuses_all"))["customer_id"])
    assert refusers, "the small world should contain customers who refuse every channel"
    initial: dict[str, list[bool]] = {}
    for e in small_events:
        if e["event_type"] == "consent_change" and e["customer_id"] in refusers:
            initial.setdefault(e["customer_id"], []).append(e["granted"])
    assert all(len(v) >= 4 and not any(v) for v in initial.values())
    messaged = {e["customer_id"] for e in small_events if e["event_type"] == "message_sent"}
    assert not refusers & messaged
    served = [e for e in small_events
              if e["event_type"] == "decision_served" and e["customer_id"] in refusers]
    assert served and all(e["action_id"] == "no_message" and e["propensity"] == 1.0
                          for e in served)


def test_messages_only_on_consented_channels(small_events):
    state: dict[tuple[str, str], bool] = {}
    sent = 0
    for e in sorted(small_events, key=lambda e: e["ts"]):
        key = (e.get("customer_id"), e.get("channel"))
        if e["event_type"] == "consent_change":
            state[key] = e["granted"]
        elif e["event_type"] == "unsubscribe":
            state[key] = False
        elif e["event_type"] == "message_sent":
            assert state.get(key, False), f"message without consent: {e}"
            sent += 1
    assert sent > 50

