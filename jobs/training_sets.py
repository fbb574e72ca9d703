"""training_sets: labels from (cutoff, cutoff + horizon] joined to features as of the cutoff.

cutoff = ds - models.label_horizon_days, so labels are fully observed by ds. Features come from
the ``ds = cutoff`` partitions, which only contain events before the cutoff (point in time).
"""
from __future__ import annotations

from pyspark.sql import functions as F

from features.candidates import candidates
from features.labels import (interaction_labels, label_window, numeric_feature_columns,
                             person_labels, split_column)
from features.registry import GROUPS
from tailor.runtime import JobContext, main


def run(ctx: JobContext) -> dict:
    """Build training.ltv, training.churn and training.ranker for the cutoff."""
    cfg, lh = ctx.cfg, ctx.lakehouse
    horizon = cfg.models.label_horizon_days
    if horizon not in cfg.features.extra_asof_days:
        raise ValueError(f"models.label_horizon_days={horizon} must be listed in "
                         f"features.extra_asof_days={cfg.features.extra_asof_days} so the "
                         "features job materialises the cutoff's features")
    cutoff = ctx.shift(-horizon)
    cutoff_end = ctx.day_end(cutoff)
    profile = lh.read(GROUPS["profile"].table, partitions={"ds": cutoff})
    behaviour = lh.read(GROUPS["behaviour"].table, partitions={"ds": cutoff}).drop("ds")
    items = lh.read(GROUPS["item_stats"].table, partitions={"ds": cutoff})
    events = lh.read("silver.events")
    future = label_window(events, cutoff_end, horizon).cache()
    split = split_column(cfg.models.split_salt, cfg.models.test_share)

    persons = (profile.drop("ds").join(behaviour, "person_id", "left").fillna(0)
               .join(person_labels(future), "person_id", "left")
               .fillna({"future_spend": 0.0, "future_purchases": 0})
               .withColumn("cutoff", F.lit(cutoff)).withColumn("split", split))
    feats = [c for c in numeric_feature_columns(profile.drop("ds").join(behaviour, "person_id"))]
    keep = ["person_id", "cutoff", "split", *feats]
    ltv = persons.select(*keep, F.col("future_spend").cast("double").alias("label"))
    churn = persons.where(F.col("frequency") > 0).select(
        *keep, (F.col("future_purchases") == 0).cast("int").alias("label"))
    ranker = (candidates(profile, items, events, cutoff_end, cfg.models.ranker.candidates_per_user)
              .join(interaction_labels(future), ["person_id", "item_id"], "left")
              .fillna({"label": 0.0}).withColumn("cutoff", F.lit(cutoff)).withColumn("split", split))
    out = {}
    for name, frame in (("ltv", ltv), ("churn", churn), ("ranker", ranker)):
        res = lh.write(frame, f"training.{name}", mode="overwrite_partitions",
                       partition_by=["cutoff"], replace_partitions={"cutoff": cutoff})
        out[name] = {"version": res.version, "rows": res.rows_written}
    future.unpersist()
    return {"cutoff": cutoff, "tables": out, "feature_columns": feats,
            "inputs": {t: lh.version(t) for t in (GROUPS["profile"].table, GROUPS["behaviour"].table,
                                                   GROUPS["item_stats"].table, "silver.events")}}


if __name__ == "__main__":
    main(run, "training_sets")
