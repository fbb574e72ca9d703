"""The day after: with as-of days on the calendar grid (the default), the next daily run asks
for the same cutoff and context days as yesterday's, so a features run that keeps what earlier
runs wrote (live clock, or ``clock.replay_keep_written``) computes ds only; with the moving
series (``cutoff_anchor``/``context_anchor: ds``) it recomputes every past day."""
from datetime import datetime, timedelta, timezone

from tailor.features.registry import GROUPS
from tailor.jobs import materialize_features as features_job
from tailor.runtime import JobContext

DS, NEXT = "2026-09-30", "2026-10-01"     # a Wednesday and a Thursday: no grid day between
SCHEMA = ("person_id string, event_type string, event_ts timestamp, item_id string, category string, "
          "price double, quantity int, channel string, message_id string, send_hour int, "
          "discount double, ingested_at timestamp")
START = datetime(2026, 7, 20, 12, tzinfo=timezone.utc)


def _event(person, kind, day, item, price=None, quantity=None, channel=None):
    at = START + timedelta(days=day)
    return (person, kind, at, item, "shoes" if item == "i1" else "hats", price, quantity, channel,
            "m1" if channel else None, 19 if channel else None, 0.0 if channel else None,
            at + timedelta(hours=1))


# 30 persons active every few days from 07-20 to 10-01: every as-of day has rows in every group
# (buyers with 1-5 purchase days, so the clv group has a population to fit).
ROWS = [e for n in range(30) for day in range(n % 5, 74, 3 + n % 4) for e in (
    _event(f"p{n}", "view", day, f"i{1 + (n + day) % 3}", 20.0),
    *([_event(f"p{n}", "purchase", day, "i1", 10.0 + n, 1)] if day % (n % 5 + 2) == 0 else []),
    *([_event(f"p{n}", "message_sent", day, None, channel="email")] if n % 3 == 0 else []))]


def _runs(spark, cfg, as_table):
    from tailor.lakehouse import Lakehouse

    lh = Lakehouse(cfg, spark)
    lh.write(as_table(spark.createDataFrame(ROWS, SCHEMA), "silver.events"), "silver.events",
             mode="overwrite")
    first = features_job.run(JobContext(cfg=cfg, ds=DS, job="features", _spark=spark, _lakehouse=lh))
    after = features_job.run(JobContext(cfg=cfg, ds=NEXT, job="features", _spark=spark,
                                        _lakehouse=lh))
    return first, after


def test_the_next_day_computes_ds_only_on_the_calendar_grid(spark, cfg_with, as_table):
    cfg = cfg_with(clock={"mode": "replay", "run_delay_minutes": 60, "replay_keep_written": True})
    first, after = _runs(spark, cfg, as_table)
    assert all(w["rows"] > 0 for w in first["written"].values()), first["written"]
    assert set(after["written"]) == {f"{g.table}@{NEXT}" for g in GROUPS.values()}
    assert set(after["kept"]) == {k for k in first["written"] if not k.endswith(f"@{DS}")}
    # yesterday's ds is no as-of day of today's run; every other day of yesterday's is
    assert set(first["asof_days"]) - set(after["asof_days"]) == {DS}


def test_the_moving_series_recomputes_every_past_day(spark, cfg_with, as_table):
    cfg = cfg_with(clock={"mode": "replay", "run_delay_minutes": 60, "replay_keep_written": True},
                   models={"cutoff_anchor": "ds"}, policy={"outcomes": {"context_anchor": "ds"}})
    first, after = _runs(spark, cfg, as_table)
    assert not after["kept"] and len(after["asof_days"]) == 9
    assert not set(after["asof_days"]) & set(first["asof_days"])
