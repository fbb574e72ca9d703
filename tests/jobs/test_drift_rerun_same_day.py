"""A champion trained for this very ds (the day's first run promoted it; this is a rerun) is
not a drift reference: no time has passed since it learned. The rerun skips drift like the
first run did and does not block training, even though today's features differ from its
training snapshot as much as in test_drift_job_statuses.py (where that blocks)."""
from tailor.drift import DriftConfig, assert_trainable
from tailor.jobs.drift import drift_run
from tailor.lakehouse import Lakehouse
from tailor.runtime import JobContext

DS = "2026-10-15"
SAME_DAY_CUTOFF = "2026-10-01"   # DS - label_horizon_days: the newest cutoff DS's run trains on


def test_same_day_champion_is_not_a_reference(drift_world, spark):
    cfg = drift_world(SAME_DAY_CUTOFF, DS)
    lh = Lakehouse(cfg, spark)
    ctx = JobContext(cfg=cfg, ds=DS, job="drift", _spark=spark, _lakehouse=lh)

    summary = drift_run(ctx, DriftConfig(warn_psi=0.1, block_psi=0.25, models=["churn"]))

    assert summary["status"] == "skipped"
    assert "trained for this ds" in summary["models"]["churn"]
    assert not lh.exists("ops.feature_drift")
    assert assert_trainable(cfg, DS, lh)["blocked"] == []
