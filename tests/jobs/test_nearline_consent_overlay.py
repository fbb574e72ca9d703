"""A consent revocation sent as an event is in gold.overlay after one nearline run (ingest →
overlay), with the rest of the overlay: restored consent, today's sends, items bought since the
last daily run (also by an anonymous visitor who just logged in). Consent goes by receipt: a
revocation received after the last daily run counts whatever its own date."""
import json
from pathlib import Path

from tailor.privacy import pseudonymise
from tailor.runtime import execute

DS = "2026-09-10"  # the last daily run decided for 2026-09-09: "since" = 2026-09-10T00:00Z
OVERLAY = ("struct<person_id:string,revoked_channels:array<string>,messages_today:int,"
           "bought_items:array<string>,updated_at:timestamp>")


def _write(path: Path, events):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps(e) for e in events) + "\n")


def _ev(eid, etype, ts, **kw):
    return {"event_id": eid, "event_type": etype, "ts": f"2026-09-{ts}Z", **kw}


def _sent(eid, ts, customer):
    return _ev(eid, "message_sent", ts, customer_id=customer, channel="email", message_id=eid,
               action_id="email@18:none", send_hour=18, discount=0.0, propensity=0.5)


def _run(cfg, spark):
    import tailor.jobs.nearline_ingest as ingest
    import tailor.jobs.overlay as overlay

    execute("nearline_ingest", ingest.run, DS, cfg=cfg, spark=spark)
    return execute("overlay", overlay.run, DS, cfg=cfg, spark=spark)


def test_revocation_event_reaches_the_overlay_in_one_nearline_run(spark, cfg, lakehouse, as_table):
    person = {c: pseudonymise(c, cfg.privacy.pseudonym_key, cfg.privacy.person_id_length)
              for c in ("c1", "c2", "c3", "c5")}
    decisions = spark.createDataFrame([("p", "2026-09-09")], "person_id string, ds string")
    lakehouse.write(as_table(decisions, "gold.decisions"), "gold.decisions",
                    mode="overwrite_partitions", partition_by=["ds"])
    landing = Path(cfg.landing_dir)
    _write(landing / "events-2026-09-10-000.jsonl", [
        _sent("m0", "09T18:00:00", "c1"),                  # yesterday: not "today"
        _sent("m1", "10T06:00:00", "c1"), _sent("m2", "10T07:00:00", "c1"),
        _ev("k1", "consent_change", "09T20:00:00", customer_id="c2", channel="push", granted=False),
        _ev("k2", "consent_change", "10T07:00:00", customer_id="c3", channel="push", granted=False),
        _ev("k3", "consent_change", "10T07:30:00", customer_id="c3", channel="push", granted=True),
        _ev("p0", "purchase", "09T12:00:00", customer_id="c5", item_id="I1", price=5.0, quantity=1),
        _ev("l1", "login", "10T10:00:00", customer_id="c5", anonymous_id="a5"),
        _ev("p1", "purchase", "10T10:05:00", anonymous_id="a5", item_id="I7", price=9.0, quantity=1),
    ])
    first = _run(cfg, spark)
    assert first["since"] == "2026-09-10T00:00:00+00:00"
    rows = {r.person_id: r for r in lakehouse.read("gold.overlay").collect()}
    assert rows[person["c1"]].revoked_channels == [] and rows[person["c1"]].messages_today == 2
    # c2's revocation is dated before "since" but arrived after the last daily run (its file
    # is 09-10's): the daily policy never saw it, so the overlay carries it (consent goes by
    # receipt). c3 revoked and re-granted later in the same file: restored.
    assert rows[person["c2"]].revoked_channels == ["push"] and person["c3"] not in rows
    assert rows[person["c5"]].bought_items == ["I7"]

    # Later: c1 revokes email, c2 unsubscribes from sms, c1 converts: one more nearline run.
    _write(landing / "events-2026-09-10-001.jsonl", [
        _ev("k4", "consent_change", "10T11:00:00", customer_id="c1", channel="email", granted=False),
        _ev("u1", "unsubscribe", "10T11:30:00", customer_id="c2", channel="sms"),
        _ev("x1", "conversion", "10T11:40:00", customer_id="c1", channel="email", message_id="m2",
            price=20.0, item_id="I3"),
    ])
    _run(cfg, spark)
    overlay = lakehouse.read("gold.overlay")
    assert overlay.schema.simpleString() == OVERLAY
    rows = {r.person_id: r for r in overlay.collect()}
    assert (rows[person["c1"]].revoked_channels, rows[person["c1"]].messages_today,
            rows[person["c1"]].bought_items) == (["email"], 2, ["I3"])
    assert rows[person["c2"]].revoked_channels == ["push", "sms"]
    assert rows[person["c5"]].bought_items == ["I7"]
    assert {str(r.updated_at) for r in rows.values()} == {"2026-09-11 00:00:00"}
