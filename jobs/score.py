"""score: features as of ds → gold.user_scores (LTV over its label horizon and carried to the
lifetime, churn risk) and gold.recommendations (top-K ranked items per person) with the champion
models from MLflow, or, for a model that has none yet, the baseline its gate compared against
(version ``baseline:<rule>``, models/serving_model.py)."""
from __future__ import annotations

from pyspark.sql import Window
from pyspark.sql import functions as F

from tailor.catalog import table
from tailor.features.assemble import person_features
from tailor.features.candidates import candidates
from tailor.features.registry import GROUPS
from tailor.models.serving_model import ServingModel, lifetime_extension, serving_model
from tailor.runtime import JobContext, main


def _scorer(model: ServingModel, out_col: str, keys: list[str]):
    """A ``mapInPandas`` body that appends ``out_col`` = model score (model shipped by pickle)."""

    def score(frames):
        for pdf in frames:
            out = pdf[keys].copy()
            out[out_col] = model.predict(pdf).astype("float64") if len(pdf) else []
            yield out

    return score


def run(ctx: JobContext) -> dict:
    """Score every person known on ds."""
    cfg, lh = ctx.cfg, ctx.lakehouse
    features = person_features(lh, ctx.ds).cache()
    items = lh.read(GROUPS["item_stats"].table, partitions={"ds": ctx.ds})
    covisitation = lh.read(GROUPS["covisitation"].table, partitions={"ds": ctx.ds})
    # models take numbers; arrays (recent items, top categories) stay out of the pandas batches
    persons = features.select(*[c for c, t in features.dtypes if not t.startswith("array")])

    versions = {}
    scored = persons.select("person_id")
    for name, col in (("ltv", "ltv_pred"), ("churn", "churn_prob")):
        model = serving_model(name, cfg, lh)
        versions[name] = model.version
        scored = scored.join(persons.mapInPandas(_scorer(model, col, ["person_id"]),
                                                 f"person_id string, {col} double"), "person_id")
    # LTV over the lifetime: the prediction over its label horizon × each person's BG/NBD ratio
    lifetime = lifetime_extension(cfg, lh)
    scored = scored.join(persons.mapInPandas(_scorer(lifetime, "ltv_ratio", ["person_id"]),
                                             "person_id string, ltv_ratio double"), "person_id")
    scored = (scored.withColumn("ltv_pred", F.greatest(F.col("ltv_pred"), F.lit(0.0)))
              .withColumn("ltv_lifetime", F.col("ltv_pred") * F.col("ltv_ratio"))
              .withColumn("ltv_lifetime_days", F.lit(lifetime.lifetime_days))
              .drop("ltv_ratio")
              .withColumn("ltv_version", F.lit(versions["ltv"]))
              .withColumn("churn_version", F.lit(versions["churn"]))
              .withColumn("ds", F.lit(ctx.ds)))
    user_scores = lh.write(scored.select(*table("gold.user_scores").column_names),
                           "gold.user_scores", mode="overwrite_partitions",
                           partition_by=["ds"], replace_partitions={"ds": ctx.ds})

    ranker = serving_model("ranker", cfg, lh)
    versions["ranker"] = ranker.version
    cands = candidates(features, items, lh.read("silver.events"), ctx.day_end(),
                       cfg.models.ranker.candidates_per_user, covisitation=covisitation,
                       seen=cfg.models.ranker.seen_items)
    ranked = cands.mapInPandas(_scorer(ranker, "score", ["person_id", "item_id"]),
                               "person_id string, item_id string, score double")
    order = Window.partitionBy("person_id").orderBy(F.col("score").desc(), F.col("item_id"))
    top = (ranked.withColumn("rank", F.row_number().over(order))
           .where(F.col("rank") <= cfg.models.ranker.top_k).withColumn("ds", F.lit(ctx.ds))
           .withColumn("ranker_version", F.lit(versions["ranker"])))
    recs = lh.write(top, "gold.recommendations", mode="overwrite_partitions", partition_by=["ds"],
                    replace_partitions={"ds": ctx.ds})
    features.unpersist()
    return {"model_versions": versions, "ltv_lifetime": lifetime.describe(),
            "user_scores_version": user_scores.version,
            "persons_scored": user_scores.rows_written, "recommendations_version": recs.version,
            "recommendations": recs.rows_written, "rows_out": user_scores.rows_written}


if __name__ == "__main__":
    main(run, "score")
