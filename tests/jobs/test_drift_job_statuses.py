"""The drift job compares today's person features with the exact training snapshot of the churn
champion (found through MLflow's data_versions, read by Delta time travel) and sets each
feature's status from the thresholds; a block makes ``assert_trainable`` refuse training.

Real Delta tables (delta-rs), a real MLflow store with a real champion, real Spark for the write.
"""
import pytest

from tailor.drift import DriftBlocked, DriftConfig, assert_trainable
from tailor.jobs.drift import drift_run
from tailor.lakehouse import Lakehouse
from tailor.runtime import JobContext

DS = "2026-10-15"
CUTOFF = "2026-09-24"   # the champion came from the run a week before DS (its cutoff: DS - 21)


@pytest.fixture
def world(drift_world):
    return drift_world(CUTOFF, DS)


def test_statuses_follow_thresholds_and_block_stops_training(world, spark):
    cfg = world
    lh = Lakehouse(cfg, spark)
    ctx = JobContext(cfg=cfg, ds=DS, job="drift", _spark=spark, _lakehouse=lh)

    summary = drift_run(ctx, DriftConfig(warn_psi=0.1, block_psi=0.25, models=["churn"]))
    rows = lh.read_arrow("ops.feature_drift", partitions={"ds": DS}).to_pandas()
    got = dict(zip(rows["feature"], rows["status"]))
    psi = dict(zip(rows["feature"], rows["psi"]))
    assert got == {"recency_days": "ok", "frequency": "warn", "basket": "block"}, psi
    assert set(rows["reference_version"]) == {0} and set(rows["reference_cutoff"]) == {CUTOFF}
    assert summary["status"] == "block" and summary["block"] and summary["warn"]
    with pytest.raises(DriftBlocked, match="churn.basket"):
        assert_trainable(cfg, DS, lh)

    # same data, looser thresholds: the rerun replaces the day's rows and training may go on
    summary = drift_run(ctx, DriftConfig(warn_psi=0.1, block_psi=50.0, models=["churn"]))
    rows = lh.read_arrow("ops.feature_drift", partitions={"ds": DS}).to_pandas()
    assert len(rows) == 3 and set(rows["status"]) == {"ok", "warn"}
    assert summary["status"] == "warn" and "WARNING" in summary["summary"]
    assert assert_trainable(cfg, DS, lh)["drift"] == "warn"
