"""Per-model horizons: each model's cutoffs end its own label window by ds (the latest cutoff is
ds - its horizon) and its labels count exactly that window; the features job materialises the
union of every model's cutoffs."""
from datetime import datetime, timedelta

from pyspark.sql import functions as F

from tailor.features.labels import cutoffs_for
from tailor.features.registry import GROUPS
from tailor.jobs.training_sets import run
from tailor.runtime import execute
from tests.support.silver_events import SCHEMA, at, end, ev

DS = "2026-09-30"            # default horizon 7 (cutoff 09-23), LTV 14 (cutoff 09-16)


EVENTS = [ev("p1", "view", at(2)), ev("p1", "purchase", at(3), price=20.0),
          ev("p1", "purchase", at(18), price=30.0), ev("p1", "purchase", at(25), price=40.0),
          ev("p2", "view", at(4), "i2", "hats"), ev("p2", "purchase", at(5), "i2", "hats", 5.0),
          ev("p2", "purchase", at(29), "i2", "hats", 9.0)]


def horizons_cfg(cfg):
    return cfg.model_copy(update={"models": cfg.models.model_copy(update={
        "label_horizon_days": 7, "horizons": {"ltv": 14}, "training_cutoffs": 1,
        "cutoff_step_days": 7, "cutoff_anchor": "ds"})})


def test_cutoffs_per_model_and_their_union(cfg):
    cfg = horizons_cfg(cfg)
    assert cutoffs_for(DS, cfg, "ltv") == ["2026-09-16"]
    assert cutoffs_for(DS, cfg, "churn") == cutoffs_for(DS, cfg, "ranker") == ["2026-09-23"]
    assert cutoffs_for(DS, cfg) == ["2026-09-23", "2026-09-16"]     # what the features job writes
    assert (cfg.models.horizon("ltv"), cfg.models.horizon("churn")) == (14, 7)


def test_each_model_is_labelled_over_its_own_horizon(spark, cfg, lakehouse, as_table):
    cfg = horizons_cfg(cfg)
    events = spark.createDataFrame(EVENTS, SCHEMA)
    lakehouse.write(as_table(events, "silver.events"), "silver.events", mode="overwrite")
    for day in ("2026-09-16", "2026-09-23"):
        for g in GROUPS.values():
            lakehouse.write(g.compute(events, end(int(day[-2:])))
                            .withColumn("ds", F.lit(day))
                            .withColumn("written_at", F.lit(end(int(day[-2:])))),
                            g.table, mode="overwrite_partitions", partition_by=["ds"],
                            replace_partitions={"ds": day})

    summary = execute("training_sets", run, DS, cfg=cfg, spark=spark)

    assert summary["tables"]["ltv"]["cutoffs"] == ["2026-09-16"]
    assert summary["tables"]["ltv"]["horizon_days"] == 14
    ltv = lakehouse.read_arrow("training.ltv").to_pandas().set_index("person_id")
    churn = lakehouse.read_arrow("training.churn").to_pandas().set_index("person_id")
    assert set(ltv["cutoff"]) == {"2026-09-16"} and set(churn["cutoff"]) == {"2026-09-23"}
    # LTV: spend in (09-16, 09-30]: p1's 30 + 40, p2's 9 (its window ends with ds, not later)
    assert ltv.loc["p1", "label"] == 70.0 and ltv.loc["p2", "label"] == 9.0
    # churn: no purchase in (09-23, 09-30]: p1's last purchase was 09-25, p2 bought on 09-29
    assert churn.loc["p1", "label"] == 0 and churn.loc["p2", "label"] == 0
    for name in ("ltv", "churn"):
        info = summary["tables"][name]
        for cutoff in info["cutoffs"]:   # no label window reaches past ds
            window_end = datetime.fromisoformat(cutoff) + timedelta(days=info["horizon_days"])
            assert window_end.date().isoformat() <= DS
