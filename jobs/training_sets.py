"""training_sets: labels from [cutoff, cutoff + horizon) joined to the features known at each
cutoff, for many cutoffs at once.

Cutoffs, per model: ``models.training_cutoffs`` days, ``models.cutoff_step_days`` apart, the
latest at or before ds - the model's horizon (``models.horizons``, else
``models.label_horizon_days``; on the calendar grid of ``features/asof.py`` by default), so
every label window is fully observed by ds. Entity rows
are (person, cutoff) for everyone with an event before the cutoff; every person-entity feature
group in the registry is point-in-time joined to them (``features.pit.pit_join``: the latest
materialised row whose as-of day ended by the cutoff, that was *written* by the cutoff, within
the group's ``ttl_days``), then the group's declared fills apply. Persons the base group
(profile) knows nothing about at a cutoff are left out of that cutoff (they have no features a
model could use; the summary counts them). Item groups are joined the same way for the ranker.
Each cutoff is one ``cutoff`` partition of training.{ltv,churn,ranker}; a rerun replaces them.

The train job holds at most ``models.max_training_rows`` rows of a model's cutoffs (a stable
person sample above it, ``models/training_data.py``), so a set whose rows would exceed that
bound (estimated from the persons known at its cutoffs × the ranker's candidates per person) is
built for a stable sample of persons only, sized to fit (``tailor.sampling.BuildSample``, said in
the commit, the summary and the model's MLflow run as ``sample_build_share``): at 1M customers the
ranker's 41.6M candidate rows, of which train held 2M, are not built. Below the bound (the demo
world, 100k for LTV and churn) every person is in.
"""
from __future__ import annotations

import logging
from dataclasses import asdict

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from tailor.clock import decision_delay
from tailor.features.assemble import candidate_days, person_features_asof
from tailor.features.candidates import candidates_days
from tailor.features.labels import (
    KNOWN,
    asof_group,
    cutoff_frame,
    cutoffs_for,
    interaction_labels,
    known_persons,
    label_windows,
    numeric_feature_columns,
    person_labels,
    split_column,
)
from tailor.features.registry import GROUPS, person_groups
from tailor.features.windows import DAY, day_frame
from tailor.models.catalog import SPECS
from tailor.models.spec import LABEL
from tailor.runtime import JobContext, main
from tailor.sampling import BuildSample

log = logging.getLogger(__name__)

BUILD_SALT = "training-build"   # the persons a training set above the train job's bound keeps


def _group_table(lh, group, cutoffs):
    return lh.read(group.table, partitions={"ds": candidate_days(cutoffs, group.ttl_days)})


def run(ctx: JobContext) -> dict:
    """Build training.ltv, training.churn and training.ranker for every cutoff of the run."""
    cfg, lh, spark = ctx.cfg, ctx.lakehouse, ctx.spark
    cutoffs = cutoffs_for(ctx.ds, cfg)          # every model's cutoffs (their horizons differ)
    cut = cutoff_frame(spark, cutoffs, decision_delay(cfg))
    events = lh.read("silver.events")
    split = split_column(cfg.models.split_salt, cfg.models.test_share)

    def future(source: DataFrame, horizon: int, mine: list[str]) -> DataFrame:
        """Label windows [cutoff, cutoff + horizon) of a model's cutoffs, from ``source`` (the
        events, or the sampled persons' events). Not cached: an in-memory copy of every event
        column cost more than the label readers' own column-pruned scans (100k × 30: the job
        239.6 → 213.5 s, same rows)."""
        return label_windows(source, cut.where(F.col("cutoff").isin(mine)), horizon)

    plan = {"strategy": cfg.features.pit_strategy,
            "broadcast_max_bytes": cfg.features.pit_broadcast_max_mb * 2**20}
    groups = person_groups()
    base = groups[0]
    persons = person_features_asof(lh, known_persons(events, cut), cutoffs, **plan).cache()
    known = F.col(KNOWN.format(base.name)).isNotNull()
    coverage = {r["cutoff"]: {"persons": r["n"], "without_" + base.name: r["n"] - r["k"],
                              **{f"with_{g.name}": r[g.name] for g in groups}}
                for r in persons.groupBy("cutoff").agg(
                    F.count("*").alias("n"), F.count(KNOWN.format(base.name)).alias("k"),
                    *[F.count(KNOWN.format(g.name)).alias(g.name) for g in groups]).collect()}
    persons = (persons.where(known).drop("ts", "known_at", *[KNOWN.format(g.name) for g in groups])
               .withColumn("split", split))
    feats = [c for c in numeric_feature_columns(persons)
             if c not in ("future_spend", "future_purchases")]
    keep = ["person_id", "cutoff", "split", *feats]

    # Ranker: item groups as of each cutoff (same point-in-time rules), candidates at each.
    item_frames = {}
    for name in ("item_stats", "covisitation"):
        if name not in GROUPS:
            continue
        g = GROUPS[name]
        table = _group_table(lh, g, cutoffs)
        ids = table.select(g.entity).distinct().crossJoin(F.broadcast(cut))
        item_frames[name] = (asof_group(ids, table, g, **plan).where(F.col(KNOWN.format(g.name)).isNotNull())
                             .drop("ts", "known_at", KNOWN.format(g.name)))
    def candidate_rows(mine: list[str], people: DataFrame, source: DataFrame) -> DataFrame:
        """The ranker's candidates of ``people`` at every cutoff of ``mine`` in one plan (keyed
        by cutoff); ``source``: their events (person-level inputs only: the item groups come
        from their tables, so a person sample does not change an item's statistics)."""
        def by_day(frame: DataFrame) -> DataFrame:
            return frame.where(F.col("cutoff").isin(mine)).withColumnRenamed("cutoff", DAY)
        return (candidates_days(
            by_day(people), by_day(item_frames["item_stats"]), source,
            day_frame(spark, dict.fromkeys(mine)), cfg.models.ranker.candidates_per_user,
            covisitation=by_day(item_frames["covisitation"]) if "covisitation" in item_frames
            else None, seen=cfg.models.ranker.seen_items)
            .withColumnRenamed(DAY, "cutoff"))

    def known_rows(mine: list[str]) -> int:
        return sum(coverage.get(c, {}).get("persons", 0)
                   - coverage.get(c, {}).get("without_" + base.name, 0) for c in mine)

    out = {}
    for name, spec in SPECS.items():
        mine, horizon = cutoffs_for(ctx.ds, cfg, name), cfg.models.horizon(name)
        per_person = 1 if spec.rows == "persons" else cfg.models.ranker.candidates_per_user
        # the train job holds at most models.max_training_rows of it: build that sample only
        # (upper bound: every known person, a full candidate list each)
        sample = BuildSample.for_rows(known_rows(mine) * per_person,
                                      cfg.models.max_training_rows, BUILD_SALT)
        people, theirs = sample.restrict(persons), sample.restrict(events)
        source = theirs if "covisitation" in item_frames else events
        labels = future(theirs, horizon, mine)
        if spec.rows == "persons":
            frame = (people.where(F.col("cutoff").isin(mine))
                     .join(person_labels(labels, ["person_id", "cutoff"]), ["person_id", "cutoff"],
                           "left")
                     .fillna({"future_spend": 0.0, "future_purchases": 0}))
            frame = spec.in_population(frame).select(*keep, F.expr(spec.label).alias(LABEL))
        else:
            frame = (candidate_rows(mine, people, source)
                     .join(interaction_labels(labels, ["person_id", "item_id", "cutoff"]),
                           ["person_id", "item_id", "cutoff"], "left")
                     .fillna({"label": 0.0}).withColumn("split", split))
            frame = spec.in_population(frame)
            if spec.label != LABEL:
                frame = frame.withColumn(LABEL, F.expr(spec.label))
        res = lh.write(frame, f"training.{name}", mode="overwrite_partitions",
                       partition_by=["cutoff"], replace_partitions={"cutoff": mine},
                       metadata=sample.metadata())
        out[name] = {"version": res.version, "rows": res.rows_written, "cutoffs": mine,
                     "horizon_days": horizon, "sample": asdict(sample)}
    persons.unpersist()
    empty = [c for c in cutoffs if coverage.get(c, {}).get("persons", 0) -
             coverage.get(c, {}).get("without_" + base.name, 0) == 0]
    if empty:
        log.warning("training_sets: no %s values were known (event and write time) at cutoffs %s; "
                    "those cutoffs have no rows. Materialise features for them before the cutoff "
                    "(written_at <= cutoff) or drop them from models.training_cutoffs.",
                    base.table, empty)
    if out["ltv"]["rows"] == 0:
        raise ValueError(
            f"no training rows for any cutoff {cutoffs}: {base.table} has no row whose as-of day "
            f"ended and whose written_at is at or before a cutoff. Feature rows written after a "
            f"cutoff (backfills) are never used for it; materialise features on time or choose "
            f"later cutoffs.")
    tables = [g.table for g in groups] + [GROUPS[n].table for n in item_frames] + ["silver.events"]
    return {"cutoffs": cutoffs, "tables": out, "feature_columns": feats, "coverage": coverage,
            "empty_cutoffs": empty, "inputs": {t: lh.version(t) for t in tables}}


if __name__ == "__main__":
    main(run, "training_sets")
