"""The lookup server's local overlay, the nearline overlay (gold.overlay rows) and the daily
guardian (gold.decisions' allowed channels) reach the same verdict on every tricky sequence,
because all three apply tailor/consent.py. The server sees the events as POSTed (stamped with
its receive time, in receipt order); the pipeline sees them as bronze/silver rows, some with
the server's ``received_at``, some (as from the simulator or an import) with only the landing
file's ``ingested_at``."""
from datetime import datetime, timedelta, timezone

from pyspark.sql import functions as F

from tailor.agents.guardian import consent_state
from tailor.events import iso_utc
from tailor.nearline import compute_overlay
from tailor.serving.overlay import Overlay
from tailor.serving.records import CHANNEL_CODES

from .scenarios import SCENARIOS

T0 = datetime(2026, 9, 1, tzinfo=timezone.utc)
AS_OF = T0 + timedelta(hours=1)


def _events(name: str, changes):
    """(landing-style dicts in receipt order, silver-style rows) for one person per scenario."""
    person = f"p-{abs(hash(name)) % 10**8}"
    posted, rows = [], []
    for i, (received, ts, granted) in enumerate(sorted(changes, key=lambda c: c[0])):
        etype = "consent_change" if granted or i % 2 else "unsubscribe"
        r_at, t_at = T0 + timedelta(seconds=received), T0 + timedelta(seconds=ts)
        event = {"event_id": f"{person}-{i}", "event_type": etype, "customer_id": person,
                 "channel": "email", "ts": iso_utc(t_at.timestamp()),
                 "received_at": iso_utc(r_at.timestamp())}
        if etype == "consent_change":
            event["granted"] = granted
        posted.append(event)
        via_server = i % 2 == 0  # the others arrived in a landing file at their receipt
        rows.append((person, event["event_id"], etype, "email", event.get("granted"),
                     min(t_at, T0 + timedelta(days=365)),
                     r_at if via_server else None,
                     r_at + timedelta(minutes=30) if via_server else r_at))
    return person, posted, rows


def test_server_nearline_and_daily_agree(spark):
    now = AS_OF.timestamp()
    overlay = Overlay(lambda raw: raw, consent_ttl=7 * 86400.0, clock=lambda: now)
    rows, persons = [], {}
    for name, (changes, expected) in SCENARIOS.items():
        person, posted, person_rows = _events(name, changes)
        overlay.apply_events(posted)
        rows += person_rows
        persons[person] = (name, expected)
    events = spark.createDataFrame(rows, "person_id string, event_id string, event_type string, "
                                         "channel string, granted boolean, event_ts timestamp, "
                                         "received_at timestamp, ingested_at timestamp")
    events = events.withColumn("item_id", F.lit(None).cast("string"))
    nearline = {r.person_id: r.revoked_channels for r in
                compute_overlay(events, since=None, as_of=AS_OF + timedelta(hours=1)).collect()}
    daily = {r.person_id: r.allowed_channels for r in
             consent_state(events, AS_OF + timedelta(hours=1)).collect()}

    email = CHANNEL_CODES["email"]
    for person, (name, expected) in persons.items():
        server_revoked = email in overlay.view.get(person.encode(), (frozenset(),))[0]
        nearline_revoked = "email" in nearline.get(person, [])
        daily_granted = "email" in daily.get(person, [])
        assert (server_revoked, nearline_revoked, daily_granted) == (
            not expected, not expected, expected), name
