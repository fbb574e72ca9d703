"""score: features as of ds → gold.user_scores (LTV over its label horizon and carried to the
lifetime, churn risk) and gold.recommendations (top-K ranked items per person) with the champion
models from MLflow, or, for a model that has none yet, the baseline its gate compared against
(version ``baseline:<rule>``, models/serving_model.py)."""
from __future__ import annotations

from collections.abc import Iterable

from pyspark.sql import Window
from pyspark.sql import functions as F

from tailor.catalog import table
from tailor.features.assemble import person_features
from tailor.features.candidates import candidates
from tailor.features.registry import GROUPS
from tailor.models.serving_model import lifetime_extension, serving_model
from tailor.runtime import JobContext, main


def _scorer(models: dict, keys: list[str]):
    """A ``mapInPandas`` body that appends one column per model (``{column: model}``, each with
    ``predict(pandas) -> array``, shipped by pickle) to ``keys``: one pass over the batches."""

    def score(frames):
        for pdf in frames:
            out = pdf[keys].copy()
            for col, model in models.items():
                out[col] = model.predict(pdf).astype("float64") if len(pdf) else []
            yield out

    return score


def _schema(keys: list[str], cols: Iterable[str]) -> str:
    """The DDL of a ``_scorer``'s output: string keys, double scores."""
    return ", ".join([f"{k} string" for k in keys] + [f"{c} double" for c in cols])


def run(ctx: JobContext) -> dict:
    """Score every person known on ds."""
    cfg, lh = ctx.cfg, ctx.lakehouse
    features = person_features(lh, ctx.ds)   # read once, by the models: not cached
    items = lh.read(GROUPS["item_stats"].table, partitions={"ds": ctx.ds})
    covisitation = lh.read(GROUPS["covisitation"].table, partitions={"ds": ctx.ds})
    # models take numbers; arrays (recent items, top categories) stay out of the pandas batches
    persons = features.select(*[c for c, t in features.dtypes if not t.startswith("array")])

    threads = cfg.spark.task_cpus   # the models predict inside Spark tasks
    ltv, churn = (serving_model(name, cfg, lh).with_threads(threads) for name in ("ltv", "churn"))
    versions = {"ltv": ltv.version, "churn": churn.version}
    # LTV over the lifetime: the prediction over its label horizon × each person's BG/NBD ratio
    lifetime = lifetime_extension(cfg, lh)
    models = {"ltv_pred": ltv, "churn_prob": churn, "ltv_ratio": lifetime}
    scored = persons.mapInPandas(_scorer(models, ["person_id"]), _schema(["person_id"], models))
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

    # The candidates read the four profile columns they use from the profile group itself (the
    # same persons: person_features' base group). A features cache shared with them held memory
    # the pool's sorts need at 1M customers (UNABLE_TO_ACQUIRE_MEMORY on 2026-12-07).
    profile = lh.read(GROUPS["profile"].table, partitions={"ds": ctx.ds})
    ranker = serving_model("ranker", cfg, lh).with_threads(threads)
    versions["ranker"] = ranker.version
    cands = candidates(profile, items, lh.read("silver.events"), ctx.day_end(),
                       cfg.models.ranker.candidates_per_user, covisitation=covisitation,
                       seen=cfg.models.ranker.seen_items)
    keys = ["person_id", "item_id"]
    ranked = cands.mapInPandas(_scorer({"score": ranker}, keys), _schema(keys, ["score"]))
    order = Window.partitionBy("person_id").orderBy(F.col("score").desc(), F.col("item_id"))
    top = (ranked.withColumn("rank", F.row_number().over(order))
           .where(F.col("rank") <= cfg.models.ranker.top_k).withColumn("ds", F.lit(ctx.ds))
           .withColumn("ranker_version", F.lit(versions["ranker"])))
    recs = lh.write(top, "gold.recommendations", mode="overwrite_partitions", partition_by=["ds"],
                    replace_partitions={"ds": ctx.ds})
    return {"model_versions": versions, "ltv_lifetime": lifetime.describe(),
            "user_scores_version": user_scores.version,
            "persons_scored": user_scores.rows_written, "recommendations_version": recs.version,
            "recommendations": recs.rows_written, "rows_out": user_scores.rows_written}


if __name__ == "__main__":
    main(run, "score")
