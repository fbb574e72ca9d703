"""Above drift.max_rows, drift compares stable samples of persons (each side bounded in the
drift process) and still finds what moved; n_reference / n_current say what was compared."""
from tailor.drift import DriftConfig
from tailor.jobs.drift import drift_run
from tailor.lakehouse import Lakehouse
from tailor.runtime import JobContext

DS, CUTOFF = "2026-10-15", "2026-09-24"


def test_both_sides_are_sampled_and_the_shift_is_still_found(drift_world, spark):
    cfg = drift_world(CUTOFF, DS)                       # 1,500 persons on each side
    lh = Lakehouse(cfg, spark)
    ctx = JobContext(cfg=cfg, ds=DS, job="drift", _spark=spark, _lakehouse=lh)

    drift_run(ctx, DriftConfig(models=["churn"], max_rows=1000))

    rows = lh.read_arrow("ops.feature_drift", partitions={"ds": DS}).to_pandas()
    assert rows["n_reference"].between(850, 1150).all(), rows
    assert rows["n_current"].between(850, 1150).all(), rows
    got = dict(zip(rows["feature"], rows["status"]))
    assert got["basket"] == "block" and got["recency_days"] == "ok", rows
