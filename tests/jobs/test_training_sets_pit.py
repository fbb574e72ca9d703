"""training_sets builds every cutoff at once, point in time: a feature partition backfilled
after a cutoff is not used for it (the previous on-time partition is), a short-TTL group expires
to its fills, a person no on-time profile knows is left out, labels come from each cutoff's own
window, and a person sits in one split across all cutoffs."""

from pyspark.sql import functions as F

from tailor.features.labels import cutoffs_for
from tailor.features.registry import GROUPS, person_groups
from tailor.jobs.training_sets import run
from tailor.runtime import execute
from tests.support.silver_events import SCHEMA, at, end, ev

DS = "2026-09-30"                       # horizon 7, 2 cutoffs 7 days apart: 09-23 and 09-16


EVENTS = [ev("p1", "view", at(2)), ev("p1", "purchase", at(3), price=20.0),
          ev("p1", "view", at(14), "i2", "hats"), ev("p1", "purchase", at(18), price=30.0),
          ev("p1", "view", at(22)), ev("p1", "purchase", at(25), price=40.0),
          ev("p2", "view", at(21), "i2", "hats"), ev("p2", "purchase", at(26), "i2", "hats", 5.0),
          ev("p3", "view", at(2), "i3", "bags"), ev("p3", "purchase", at(5), "i3", "bags", 7.0)]
# as-of day -> written_at: 09-09 and 09-16 written on time, 09-23 backfilled two days late.
PARTITIONS = {"2026-09-09": end(9), "2026-09-16": end(16), "2026-09-23": end(25)}


def test_multi_cutoff_point_in_time(spark, cfg, lakehouse, as_table):
    cfg = cfg.model_copy(update={"models": cfg.models.model_copy(update={
        "label_horizon_days": 7, "training_cutoffs": 2, "cutoff_step_days": 7,
        "cutoff_anchor": "ds"})})
    assert cutoffs_for(DS, cfg) == ["2026-09-23", "2026-09-16"]
    events = spark.createDataFrame(EVENTS, SCHEMA)
    lakehouse.write(as_table(events, "silver.events"), "silver.events", mode="overwrite")
    computed = {}
    for day, written in PARTITIONS.items():
        for g in GROUPS.values():
            frame = g.compute(events, end(int(day[-2:])))
            computed[(g.name, day)] = {r[g.entity]: r.asDict() for r in frame.collect()}
            lakehouse.write(frame.withColumn("ds", F.lit(day)).withColumn("written_at", F.lit(written)),
                            g.table, mode="overwrite_partitions", partition_by=["ds"],
                            replace_partitions={"ds": day})

    summary = execute("training_sets", run, DS, cfg=cfg, spark=spark)

    ltv = lakehouse.read_arrow("training.ltv").to_pandas()
    rows = {(r.person_id, r.cutoff): r for r in ltv.itertuples(index=False)}
    # p2's first event is on 09-21: unknown at 09-16; at 09-23 only the backfilled profile knows
    # p2, so p2 is left out (and counted) rather than joined to a value written later.
    assert set(rows) == {("p1", "2026-09-16"), ("p3", "2026-09-16"),
                         ("p1", "2026-09-23"), ("p3", "2026-09-23")}
    assert summary["coverage"]["2026-09-23"]["without_profile"] == 1
    # labels: each cutoff's own 7-day window
    assert rows[("p1", "2026-09-16")].label == 30.0 and rows[("p1", "2026-09-23")].label == 40.0
    assert rows[("p3", "2026-09-23")].label == 0.0
    # profile at cutoff 09-23 = the on-time 09-16 partition, not the backfilled 09-23 one
    profile_cols = [c for c in summary["feature_columns"]
                    if c in computed[("profile", "2026-09-16")]["p1"]]
    assert profile_cols
    old, late = computed[("profile", "2026-09-16")]["p1"], computed[("profile", "2026-09-23")]["p1"]
    assert any(old[c] != late[c] for c in profile_cols)
    for c in profile_cols:
        assert getattr(rows[("p1", "2026-09-23")], c) == old[c], c
        assert getattr(rows[("p1", "2026-09-16")], c) == old[c], c
    # behaviour (TTL 7 days): the 09-16 value is exactly 7 days old at 09-23 → expired → fills
    behaviour = GROUPS["behaviour"]
    for c, fill in behaviour.fills.items():
        if c in summary["feature_columns"]:
            assert getattr(rows[("p1", "2026-09-23")], c) == fill, c
    fresh = computed[("behaviour", "2026-09-16")]["p1"]
    assert rows[("p1", "2026-09-16")].views_7d == fresh["views_7d"] > 0
    # no nulls in features (the training contract), one split per person across cutoffs
    assert not ltv[summary["feature_columns"]].isna().any().any()
    assert ltv.groupby("person_id")["split"].nunique().max() == 1
    assert {g.name for g in person_groups()} <= {k[len("with_"):] for k in
                                                 summary["coverage"]["2026-09-16"] if k.startswith("with_")}
    ranker = lakehouse.read_arrow("training.ranker").to_pandas()
    assert set(ranker["cutoff"]) == {"2026-09-16", "2026-09-23"}
    churn = lakehouse.read_arrow("training.churn").to_pandas()
    assert set(churn["cutoff"]) <= {"2026-09-16", "2026-09-23"} and len(churn) > 0
