"""decide: scores + features + consent → gold.decisions, one row per person: top-K items,
the next-best message action (or none) with its propensity, explanation and provenance.

The policy that decides is ``policy.serve`` (``tailor/agents/registry.py``): the learned
champion, or the heuristic until one passed the gate. The challenger, if there is one, decides
for everyone too, into ``gold.shadow_decisions`` — never served, logged next to what was, so it
can be judged on real traffic.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pandas as pd
from pyspark.sql import functions as F

from tailor.agents.actions import build_bank
from tailor.agents.guardian import consent_state
from tailor.agents.lifecycle import PolicyParams, choose
from tailor.agents.registry import serving_policy, shadow_policy
from tailor.catalog import table
from tailor.clock import run_instant
from tailor.features.assemble import person_features
from tailor.features.registry import GROUPS
from tailor.runtime import JobContext, main

DECISIONS = table("gold.decisions")
SHADOW = table("gold.shadow_decisions")


def _decider(policy, params: PolicyParams, provenance: dict[str, str], columns: list[str]):
    """``mapInPandas`` body: a batch of persons → a batch of decision rows."""

    def decide(frames):
        for pdf in frames:
            if pdf.empty:
                continue
            chosen = choose(pdf, policy, params)
            out = pdf[["person_id", "items", "item_scores", "ltv_pred", "churn_prob"]].merge(
                chosen, on="person_id")
            out["ds"], out["policy_version"] = params.ds, params.policy_version
            for key, value in provenance.items():
                out[key] = value
            out["decided_at"] = pd.Timestamp(datetime.now(timezone.utc))
            out["send_hour"] = out["send_hour"].astype("Int32")
            yield out[columns]

    return decide


def run(ctx: JobContext) -> dict:
    """Decide for every person scored on ds."""
    cfg, lh = ctx.cfg, ctx.lakehouse
    features = person_features(lh, ctx.ds).drop("ds")
    scores = (lh.read("gold.user_scores", partitions={"ds": ctx.ds})
              .select("person_id", "ltv_pred", "churn_prob"))
    recs = (lh.read("gold.recommendations", partitions={"ds": ctx.ds})
            .groupBy("person_id").agg(F.sort_array(F.collect_list(F.struct("rank", "item_id", "score")))
                                      .alias("ranked"))
            .select("person_id", F.col("ranked.item_id").alias("items"),
                    F.col("ranked.score").alias("item_scores")))
    consent = consent_state(lh.read("silver.events"), run_instant(cfg, ctx.ds))
    frame = (features.join(scores, "person_id").join(recs, "person_id", "left")
             .join(consent, "person_id", "left")
             .withColumn("items", F.coalesce("items", F.array().cast("array<string>")))
             .withColumn("item_scores", F.coalesce("item_scores", F.array().cast("array<double>")))
             .withColumn("allowed_channels",
                         F.coalesce("allowed_channels", F.array().cast("array<string>"))))

    model_versions = _model_versions(ctx)
    provenance = {
        "model_versions": json.dumps(model_versions, sort_keys=True),
        "feature_versions": json.dumps({g.table: lh.version(g.table) for g in GROUPS.values()},
                                       sort_keys=True),
        "data_versions": json.dumps({t: lh.version(t) for t in
                                     ("silver.events", "gold.user_scores", "gold.recommendations")},
                                    sort_keys=True),
    }
    p = cfg.policy
    bank = build_bank(cfg.load_actions(), p.quiet_hours)
    threads = cfg.spark.task_cpus   # the policies score inside Spark tasks
    policy = serving_policy(cfg, bank).with_threads(threads)
    params = PolicyParams(p.holdout_share, p.holdout_salt, policy.label, ctx.ds)
    # the challenger decides first, in shadow: its choice is logged beside every served decision
    shadow = shadow_policy(cfg, bank)
    shadow = None if shadow is None else shadow.with_threads(threads)
    shadow_summary, shadow_pick = None, None
    if shadow is not None:   # two passes over the joined frame: computed once
        frame = frame.cache()
        sparams = PolicyParams(p.holdout_share, p.holdout_salt, shadow.label, ctx.ds)
        rows = frame.mapInPandas(_decider(shadow, sparams, provenance, SHADOW.column_names),
                                 SHADOW.ddl)
        written = lh.write(rows, SHADOW.name, mode="overwrite_partitions", partition_by=["ds"],
                           replace_partitions={"ds": ctx.ds})
        shadow_summary = {"policy": shadow.label, "version": written.version,
                          "decisions": written.rows_written}
        shadow_pick = lh.read(SHADOW.name, version=written.version, partitions={"ds": ctx.ds}) \
            .select("person_id", F.col("action_id").alias("shadow_action_id"),
                    F.col("propensity").alias("shadow_propensity"))
    base = [c for c in DECISIONS.columns if not c.name.startswith("shadow_")]
    decisions = frame.mapInPandas(
        _decider(policy, params, provenance, [c.name for c in base]),
        ", ".join(f"{c.name} {c.type}" for c in base))
    if shadow_pick is not None:
        decisions = decisions.join(shadow_pick, "person_id", "left")
    else:
        decisions = (decisions.withColumn("shadow_action_id", F.lit(None).cast("string"))
                     .withColumn("shadow_propensity", F.lit(None).cast("double")))
    result = lh.write(decisions.select(*DECISIONS.column_names), DECISIONS.name,
                      mode="overwrite_partitions", partition_by=["ds"],
                      replace_partitions={"ds": ctx.ds})
    frame.unpersist()
    return {"decisions_version": result.version, "decisions": result.rows_written,
            "rows_out": result.rows_written, "policy_version": params.policy_version,
            "action_mix": _mix(lh, DECISIONS.name, result.version, ctx.ds),
            "shadow": shadow_summary, **provenance}


def _mix(lh, name: str, version: int, ds: str) -> dict[str, int]:
    """Decisions per channel (and no_message) in ``name``'s ds partition."""
    frame = lh.read(name, version=version, partitions={"ds": ds})
    kind = F.when(F.col("action_id") == "no_message", "no_message").otherwise(F.col("channel"))
    return {r["kind"]: r["count"] for r in frame.select(kind.alias("kind")).groupBy("kind")
            .count().collect()}


def _model_versions(ctx: JobContext) -> dict[str, str]:
    """The registry versions the score job used for ds, read back from its own output."""
    lh = ctx.lakehouse
    scores = lh.read_arrow("gold.user_scores", partitions={"ds": ctx.ds},
                           columns=["ltv_version", "churn_version"])
    recs = lh.read_arrow("gold.recommendations", partitions={"ds": ctx.ds}, columns=["ranker_version"])
    pick = lambda col: ",".join(sorted(set(map(str, col.to_pylist()))))  # noqa: E731
    return {"ltv": pick(scores.column("ltv_version")), "churn": pick(scores.column("churn_version")),
            "ranker": pick(recs.column("ranker_version"))}


if __name__ == "__main__":
    main(run, "decide")
