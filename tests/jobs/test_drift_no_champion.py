"""Before any model became champion there is no reference: the drift job skips with a clear
summary, writes nothing, and training is not blocked."""
from tailor.drift import DriftConfig, assert_trainable
from tailor.jobs.drift import drift_run
from tailor.lakehouse import Lakehouse
from tailor.runtime import JobContext


def test_skips_without_champion(cfg):
    lh = Lakehouse(cfg)  # no Spark needed on this path
    ctx = JobContext(cfg=cfg, ds="2026-10-15", job="drift", _lakehouse=lh)

    summary = drift_run(ctx, DriftConfig(models=["churn", "ltv"]))

    assert summary["status"] == "skipped"
    assert "no champion" in summary["summary"] and "no champion" in summary["models"]["churn"]
    assert not lh.exists("ops.feature_drift")
    assert assert_trainable(cfg, "2026-10-15", lh) == {"drift": "not measured", "blocked": []}
