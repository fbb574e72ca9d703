"""Anonymous activity before a login belongs to the person who logged in; silver holds no
direct identifier; person ids are the server's pseudonyms."""
from datetime import datetime, timezone

from tailor.identity.resolve import SILVER_COLUMNS, identity_links, resolve_events
from tailor.privacy import pseudonymise

SCHEMA = ("event_id string, event_type string, event_ts timestamp, customer_id string, email string, "
          "anonymous_id string, device_id string, item_id string, category string, price double, "
          "quantity int, channel string, message_id string, action_id string, send_hour int, "
          "discount double, propensity double, granted boolean, event_date string, "
          "landing_file string, ingested_at timestamp")


def _row(eid, etype, hour, customer=None, anon=None, device=None, email=None):
    ts = datetime(2026, 9, 1, hour, tzinfo=timezone.utc)
    return (eid, etype, ts, customer, email, anon, device, "i1", None, None, None, None, None, None,
            None, None, None, None, "2026-09-01", "f", ts)


def test_anonymous_views_are_stitched_and_pseudonymised(spark):
    bronze = spark.createDataFrame([
        _row("e1", "view", 1, anon="a1", device="d1"),                     # before login
        _row("e2", "login", 2, customer="C1", anon="a1", device="d1", email="c1@example.com"),
        _row("e3", "view", 3, anon="a9", device="d1"),                     # new cookie, same device
        _row("e4", "view", 4, anon="a5", device="d5"),                     # never logs in
    ], SCHEMA)
    silver = resolve_events(bronze, identity_links(bronze), "k", 20)
    people = {r.event_id: r.person_id for r in silver.collect()}
    c1 = pseudonymise("C1", "k", 20)
    assert people["e1"] == people["e2"] == people["e3"] == c1
    assert people["e4"].startswith("anon-") and people["e4"] != c1
    assert silver.columns == SILVER_COLUMNS
    assert not {"customer_id", "email", "anonymous_id", "device_id"} & set(silver.columns)
