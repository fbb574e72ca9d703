"""decide: scores + features + consent → gold.decisions, one row per person: top-K items,
the next-best message action (or none) with its propensity, explanation and provenance."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pandas as pd
from pyspark.sql import functions as F

from features.assemble import person_features
from features.registry import GROUPS
from tailor.agents.actions import build_bank
from tailor.agents.guardian import consent_state
from tailor.agents.lifecycle import PolicyParams, choose
from tailor.clock import run_instant
from tailor.runtime import JobContext, main

DECISION_SCHEMA = ", ".join([
    "person_id string", "ds string", "policy_version string", "items array<string>",
    "item_scores array<double>", "action_id string", "channel string", "send_hour int",
    "offer string", "discount double", "propensity double", "exploration boolean",
    "holdout boolean", "allowed_channels array<string>", "guardrails array<string>",
    "explanation string", "ltv_pred double", "churn_prob double", "model_versions string",
    "feature_versions string", "data_versions string", "decided_at timestamp"])
DECISION_COLUMNS = [c.split()[0] for c in DECISION_SCHEMA.split(", ")]


def _policy_version(ctx: JobContext) -> str:
    p = ctx.cfg.policy
    return f"egreedy-eps{p.epsilon}-hold{p.holdout_share}-{ctx.ds}"


def _decider(bank, params: PolicyParams, provenance: dict[str, str]):
    """``mapInPandas`` body: a batch of persons → a batch of decision rows."""

    def decide(frames):
        for pdf in frames:
            if pdf.empty:
                continue
            chosen = choose(pdf, bank, params)
            out = pdf[["person_id", "items", "item_scores", "ltv_pred", "churn_prob"]].merge(
                chosen, on="person_id")
            out["ds"], out["policy_version"] = params.ds, params.policy_version
            for key, value in provenance.items():
                out[key] = value
            out["decided_at"] = pd.Timestamp(datetime.now(timezone.utc))
            out["send_hour"] = out["send_hour"].astype("Int32")
            yield out[DECISION_COLUMNS]

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
    params = PolicyParams(p.epsilon, p.holdout_share, p.holdout_salt, p.message_cost,
                          p.min_expected_value, _policy_version(ctx), ctx.ds)
    bank = build_bank(cfg.load_actions(), p.quiet_hours)
    decisions = frame.mapInPandas(_decider(bank, params, provenance), DECISION_SCHEMA)
    result = lh.write(decisions, "gold.decisions", mode="overwrite_partitions",
                      partition_by=["ds"], replace_partitions={"ds": ctx.ds})
    mix = {r["action_id"]: r["count"] for r in lh.read("gold.decisions", version=result.version,
                                                         partitions={"ds": ctx.ds})
           .select(F.when(F.col("action_id") == "no_message", "no_message")
                   .otherwise(F.col("channel")).alias("action_id")).groupBy("action_id").count().collect()}
    return {"decisions_version": result.version, "decisions": result.rows_written,
            "policy_version": params.policy_version, "action_mix": mix, **provenance}


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
