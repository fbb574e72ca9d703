"""On the calendar grid consecutive days share their training cutoffs, so yesterday's champion
has today's latest cutoff: drift must still measure it (time passed since it learned), telling
a later day from a rerun by the ds its training run logged — and still skip the rerun."""
from tailor.drift import DriftConfig
from tailor.features.labels import cutoffs_for
from tailor.jobs.drift import drift_run
from tailor.lakehouse import Lakehouse
from tailor.runtime import JobContext

TRAINED, NEXT = "2026-10-15", "2026-10-16"
SETTINGS = DriftConfig(warn_psi=0.1, block_psi=0.25, models=["churn"])


def _drift(cfg, spark, ds):
    lh = Lakehouse(cfg, spark)
    return drift_run(JobContext(cfg=cfg, ds=ds, job="drift", _spark=spark, _lakehouse=lh),
                     SETTINGS)


def test_yesterdays_champion_is_measured_though_it_has_todays_cutoff(drift_world, cfg, spark):
    cutoff = cutoffs_for(TRAINED, cfg, "churn")[0]
    assert cutoff == cutoffs_for(NEXT, cfg, "churn")[0] == "2026-09-27"     # a Sunday: shared
    world = drift_world(cutoff, NEXT, trained_ds=TRAINED)
    summary = _drift(world, spark, NEXT)
    assert summary["status"] == "block", summary          # the basket moved (conftest)
    assert any(f.startswith("churn.basket") for f in summary["block"]), summary["block"]


def test_a_rerun_of_the_training_day_is_still_skipped(drift_world, spark):
    cfg = drift_world("2026-09-27", TRAINED, trained_ds=TRAINED)
    summary = _drift(cfg, spark, TRAINED)
    assert summary["status"] == "skipped" and "trained for this ds" in summary["models"]["churn"]
