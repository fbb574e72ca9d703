"""world.json records the arguments, the counts and demo customers that really exist."""
from __future__ import annotations

import json
from collections import Counter


def test_arguments_and_counts(small_world, small_events):
    world = json.loads((small_world / "world.json").read_text())
    assert world["arguments"]["users"] == 200 and world["arguments"]["days"] == 10
    assert world["counts"]["events"] == len(small_events)
    by_type = {k: v for k, v in world["counts"]["events_by_type"].items() if v}
    assert by_type == dict(Counter(e["event_type"] for e in small_events))
    assert len(world["files"]) == world["counts"]["files"] == 10
    assert "seconds" not in json.dumps(world["counts"])  # timings would break byte-identity
    assert world["ground_truth"] == {"identity": "ground_truth/identity.parquet",
                                     "users": "ground_truth/users.parquet"}


def test_examples_are_active_and_opted_out_customers(small_world, small_events):
    examples = json.loads((small_world / "world.json").read_text())["examples"]
    assert examples["active"] and examples["opted_out_everywhere"]
    for customer in examples["active"]:
        assert any(e["event_type"] == "purchase" and e.get("customer_id") == customer
                   for e in small_events)
    for customer in examples["opted_out_everywhere"]:
        consent = [e["granted"] for e in small_events
                   if e["event_type"] == "consent_change" and e["customer_id"] == customer]
        assert len(consent) >= 4 and not any(consent)
        assert not any(e["event_type"] == "message_sent" and e["customer_id"] == customer
                       for e in small_events)
