"""Every landing line is one valid event per the tailor.events contract."""
from __future__ import annotations

from collections import Counter

from tailor.events import EVENT_FIELDS, EVENT_TYPES, validate_event


def test_every_event_validates(small_events):
    reasons = Counter(validate_event({k: v for k, v in e.items() if k != "_file"})
                      for e in small_events)
    assert reasons == Counter({None: len(small_events)})


def test_every_event_type_occurs(small_events):
    assert {e["event_type"] for e in small_events} == set(EVENT_TYPES)


def test_only_contract_fields(small_events):
    fields = set().union(*(e.keys() for e in small_events)) - {"_file"}
    assert fields <= set(EVENT_FIELDS)


def test_timestamps_are_utc_z_and_in_their_day_file(small_events):
    for e in small_events:
        assert e["ts"].endswith("Z") and len(e["ts"]) == len("2026-09-01T00:00:00Z")
        assert e["_file"] == f"events-{e['ts'][:10]}-000.jsonl"


def test_files_are_in_time_order(small_events):
    by_file: dict[str, list[str]] = {}
    for e in small_events:
        by_file.setdefault(e["_file"], []).append(e["ts"])
    for stamps in by_file.values():
        assert stamps == sorted(stamps)


def test_event_ids_are_unique(small_events):
    ids = [e["event_id"] for e in small_events]
    assert len(ids) == len(set(ids))


def test_emails_only_on_logins_and_match_the_customer(small_events):
    for e in small_events:
        if "email" in e:
            assert e["event_type"] == "login"
            assert e["email"] == e["customer_id"].lower() + "@example.com"
        if e["event_type"] == "login":
            assert "email" in e
