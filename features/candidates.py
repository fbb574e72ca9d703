"""Ranking candidates: for each person, popular items + popular items of their favourite
category, with the (person, item) features the ranker scores. Same code for training (at the
cutoff) and for scoring (at ds), so training and serving cannot drift apart."""
from __future__ import annotations

from datetime import datetime

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from features.windows import as_of, count_if, is_order

RANKER_FEATURES = ["popularity", "popularity_rank", "price", "views_7d", "purchases_30d",
                   "category_match", "user_item_views", "user_item_purchases", "price_ratio",
                   "frequency", "recency_days", "avg_order_value"]


def candidates(profile: DataFrame, items: DataFrame, events: DataFrame, at: datetime,
               per_user: int) -> DataFrame:
    """(person_id, item_id, *RANKER_FEATURES) — about ``per_user`` rows per person."""
    half = max(1, per_user // 2)
    top_global = items.where(F.col("popularity_rank") <= half).select("item_id")
    by_cat = Window.partitionBy("category").orderBy(F.col("popularity").desc(), F.col("item_id"))
    top_cat = (items.withColumn("cat_rank", F.row_number().over(by_cat))
               .where(F.col("cat_rank") <= per_user - half)
               .select("item_id", F.col("category").alias("favourite_category")))
    people = profile.select("person_id", "favourite_category", "frequency", "recency_days",
                            "avg_order_value")
    pairs = (people.crossJoin(F.broadcast(top_global)).select("person_id", "item_id")
             .unionByName(people.join(F.broadcast(top_cat), "favourite_category")
                          .select("person_id", "item_id"))
             .distinct())
    ev = as_of(events, at).where(F.col("item_id").isNotNull())
    history = ev.groupBy("person_id", "item_id").agg(
        count_if(F.col("event_type") == "view").alias("user_item_views"),
        count_if(is_order()).alias("user_item_purchases"))
    item_cols = items.select("item_id", "category", "popularity", "popularity_rank", "price",
                             "views_7d", "purchases_30d")
    return (pairs.join(people, "person_id").join(F.broadcast(item_cols), "item_id")
            .join(history, ["person_id", "item_id"], "left")
            .fillna({"user_item_views": 0, "user_item_purchases": 0})
            .withColumn("category_match", (F.col("category") == F.col("favourite_category")).cast("int"))
            .withColumn("price_ratio", F.col("price") / F.greatest(F.col("avg_order_value"), F.lit(1.0)))
            .select("person_id", "item_id", *[F.col(c).cast("double") for c in RANKER_FEATURES]))
