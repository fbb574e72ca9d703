"""policy_outcomes: logged decisions → training.policy, the data the policy learns from and is
judged on (``features/outcomes.py`` says what a decision point, its outcome and reward are).

Decision days: the ``policy.outcomes.lookback_days`` days whose attribution window has closed
by the end of ds (the newest is ds − ceil(attribution_hours / 24)). Each decision point gets the
person's features as the daily run knew them when it decided (point in time, as of the end of
the day before the decision plus the run delay: what the policy serving that day saw) and the
channels consent allowed then. Each decision day is one ``decision_date`` partition; a rerun
replaces the table (older days leave the window; the Delta log keeps every version).

train_policy holds at most ``policy.learning.max_rows`` rows of the window (a stable person
sample above it), so above that bound — counted on the window's decision events, an upper bound
of its points — the table is built for a stable sample of persons only, sized to fit
(``tailor.sampling.BuildSample``: in the commit, the summary and the policy's MLflow run as
``sample_build_share``); the summary's ``by_source`` counts describe that sample. At 1M
customers about 6M decision points, of which train_policy held 500k, are no longer built.
"""
from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta

from pyspark.sql import functions as F

from tailor.agents.guardian import consent_state_at
from tailor.clock import decision_delay, decision_instant
from tailor.features.assemble import known_markers, person_features_asof
from tailor.features.labels import numeric_feature_columns
from tailor.features.outcomes import (
    decision_days,
    decision_events,
    decision_points,
    outcomes,
    with_reward,
)
from tailor.runtime import JobContext, main
from tailor.sampling import BuildSample

TABLE = "training.policy"
BUILD_SALT = "policy-build"     # the persons a window above train_policy's bound keeps


def run(ctx: JobContext) -> dict:
    """Build training.policy for the decision days of ds."""
    cfg, lh = ctx.cfg, ctx.lakehouse
    o = cfg.policy.outcomes
    days = decision_days(ctx.ds, o.lookback_days, o.attribution_hours)
    events = lh.read("silver.events")
    # train_policy holds at most policy.learning.max_rows of the table: build that sample only
    # (the decision events of the window bound the points from above; one column-pruned scan)
    sample = BuildSample.for_rows(decision_events(events, days[-1], days[0]).count(),
                                  cfg.policy.learning.max_rows, BUILD_SALT)
    events = sample.restrict(events)
    bank = cfg.load_actions()
    costs = {ch: float(spec.get("cost", 0.0)) for ch, spec in bank["channels"].items()}
    points = with_reward(outcomes(decision_points(events, days[-1], days[0]), events,
                                  o.attribution_hours), costs, cfg.policy.message_cost)

    # as of the decision instant of the day before: what the policy deciding that day knew
    delay_s = int(decision_delay(cfg).total_seconds())
    points = points.withColumn(
        "known_at", (F.to_timestamp("decision_date").cast("long") + F.lit(delay_s))
        .cast("timestamp"))
    feature_days = [(date.fromisoformat(d) - timedelta(days=1)).isoformat() for d in days]
    plan = {"strategy": cfg.features.pit_strategy,
            "broadcast_max_bytes": cfg.features.pit_broadcast_max_mb * 2**20}
    joined = person_features_asof(lh, points, feature_days, **plan)

    # the channels consent allowed when each day's decisions were made (one plan for all days)
    instants = ctx.spark.createDataFrame(
        [(day, decision_instant(cfg, prev)) for day, prev in zip(days, feature_days)],
        "decision_date string, known_by timestamp")
    allowed = consent_state_at(events, instants, "decision_date")
    joined = (joined.join(allowed, ["person_id", "decision_date"], "left")
              .withColumn("allowed_channels",
                          F.coalesce("allowed_channels", F.array().cast("array<string>"))))
    base = [c for c in points.columns]
    features = [c for c in numeric_feature_columns(joined.drop(*base))
                if c not in known_markers()]
    frame = joined.select(*base, "allowed_channels", *features)
    # the whole table is the run's window: a feature group added to the registry adds columns,
    # so each run replaces the table (its history stays in the Delta log)
    result = lh.write(frame, TABLE, mode="overwrite", partition_by=["decision_date"],
                      metadata=sample.metadata())
    stats = {r["source"]: {"rows": r["n"], "usable_for_ope": r["usable"],
                           "without_propensity": r["no_p"], "overridden": r["overridden"],
                           "reward": r["reward"]}
             for r in lh.read(TABLE, version=result.version, partitions={"decision_date": days})
             .groupBy("source").agg(
                 F.count("*").alias("n"), F.sum(F.col("usable_for_ope").cast("int")).alias("usable"),
                 F.sum(F.col("propensity").isNull().cast("int")).alias("no_p"),
                 F.sum(F.col("overridden_by").isNotNull().cast("int")).alias("overridden"),
                 F.round(F.avg("reward"), 4).alias("reward")).collect()}
    return {"table": TABLE, "version": result.version, "rows": result.rows_written,
            "decision_days": [days[-1], days[0]], "features": len(features), "by_source": stats,
            "sample": asdict(sample)}


if __name__ == "__main__":
    main(run, "policy_outcomes")
