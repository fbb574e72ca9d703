"""On a simulated world taken through the real ingest and identity jobs (replay clock), every
group's one-pass ``compute_days`` gives, for as-of days of the features job, exactly the rows
and values of ``compute`` run day by day on the events that had arrived by each day's run.
Slow (a world through ingest and identity, every group twice): ``make test-full``; the synthetic
edge cases of the same property run in CI (test_compute_days_matches_compute.py)."""
import pytest

from tailor.clock import run_instant
from tailor.features.registry import GROUPS
from tailor.jobs.materialize_features import asof_days
from tailor.runtime import JobContext, execute

DS = "2026-09-30"   # day 30 of the world


@pytest.mark.slow
def test_compute_days_equals_compute_on_a_simulated_world(spark, cfg_with, tmp_path,
                                                          compare_with_per_day):
    import tailor.jobs.identity as identity
    import tailor.jobs.ingest as ingest
    from tailor.lakehouse import Lakehouse
    from tailor.simulator import simulate

    cfg = cfg_with(clock={"mode": "replay"})
    simulate(users=300, days=30, seed=5, out_dir=tmp_path, items=60, progress=False)
    execute("ingest", ingest.run, DS, cfg=cfg, spark=spark)
    execute("identity", identity.run, DS, cfg=cfg, spark=spark)
    events = Lakehouse(cfg, spark).read("silver.events").cache()
    days = asof_days(JobContext(cfg=cfg, ds=DS, job="features", _spark=spark))
    chosen = [days[0], days[len(days) // 2], days[-3]]   # ds, a cutoff, an early context day
    try:
        for group in GROUPS.values():
            compared = compare_with_per_day(group, events, {d: run_instant(cfg, d) for d in chosen})
            assert compared > 3 * 5, f"{group.table}: the world gave too few rows to compare"
    finally:
        events.unpersist()
