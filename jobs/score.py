"""score: features as of ds → gold.user_scores (LTV, churn risk) and gold.recommendations
(top-K ranked items per person) with the champion models from MLflow."""
from __future__ import annotations

from pyspark.sql import Window
from pyspark.sql import functions as F

from features.candidates import candidates
from features.registry import GROUPS
from models.catalog import predict
from models.registry import load_champion
from tailor.runtime import JobContext, main


def _scorer(name: str, model, out_col: str, keys: list[str]):
    """A ``mapInPandas`` body that appends ``out_col`` = model score (model shipped by pickle)."""

    def score(frames):
        for pdf in frames:
            out = pdf[keys].copy()
            out[out_col] = predict(name, model, pdf).astype("float64") if len(pdf) else []
            yield out

    return score


def run(ctx: JobContext) -> dict:
    """Score every person known on ds."""
    cfg, lh = ctx.cfg, ctx.lakehouse
    profile = lh.read(GROUPS["profile"].table, partitions={"ds": ctx.ds})
    behaviour = lh.read(GROUPS["behaviour"].table, partitions={"ds": ctx.ds}).drop("ds")
    items = lh.read(GROUPS["item_stats"].table, partitions={"ds": ctx.ds})
    persons = profile.drop("ds").join(behaviour, "person_id", "left").fillna(0)

    versions = {}
    scored = persons.select("person_id")
    for name, col in (("ltv", "ltv_pred"), ("churn", "churn_prob")):
        model, version, _ = load_champion(name, cfg)
        versions[name] = version
        scored = scored.join(persons.mapInPandas(_scorer(name, model, col, ["person_id"]),
                                                 f"person_id string, {col} double"), "person_id")
    scored = (scored.withColumn("ltv_pred", F.greatest(F.col("ltv_pred"), F.lit(0.0)))
              .withColumn("ltv_version", F.lit(versions["ltv"]))
              .withColumn("churn_version", F.lit(versions["churn"]))
              .withColumn("ds", F.lit(ctx.ds)))
    user_scores = lh.write(scored, "gold.user_scores", mode="overwrite_partitions",
                           partition_by=["ds"], replace_partitions={"ds": ctx.ds})

    ranker, versions["ranker"], _ = load_champion("ranker", cfg)
    cands = candidates(profile, items, lh.read("silver.events"), ctx.day_end(),
                       cfg.models.ranker.candidates_per_user)
    ranked = cands.mapInPandas(_scorer("ranker", ranker, "score", ["person_id", "item_id"]),
                               "person_id string, item_id string, score double")
    order = Window.partitionBy("person_id").orderBy(F.col("score").desc(), F.col("item_id"))
    top = (ranked.withColumn("rank", F.row_number().over(order))
           .where(F.col("rank") <= cfg.models.ranker.top_k).withColumn("ds", F.lit(ctx.ds))
           .withColumn("ranker_version", F.lit(versions["ranker"])))
    recs = lh.write(top, "gold.recommendations", mode="overwrite_partitions", partition_by=["ds"],
                    replace_partitions={"ds": ctx.ds})
    return {"model_versions": versions, "user_scores_version": user_scores.version,
            "persons_scored": user_scores.rows_written, "recommendations_version": recs.version,
            "recommendations": recs.rows_written}


if __name__ == "__main__":
    main(run, "score")
