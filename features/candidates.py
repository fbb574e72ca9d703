"""Ranking candidates: for each person, popular items + items co-visited with what they recently
viewed or bought + popular items of their favourite category, with the (person, item) features
the ranker scores. Same code for training (at the cutoff) and for scoring (at ds), so training
and serving cannot drift apart."""
from __future__ import annotations

from datetime import datetime

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from tailor.features import behaviour
from tailor.features import covisitation as covis_group
from tailor.features.profile import UNKNOWN_CATEGORY
from tailor.features.windows import as_of, count_if, is_order, last_window

RANKER_FEATURES = ["popularity", "popularity_rank", "price", "views_7d", "purchases_30d",
                   "category_match", "user_item_views", "user_item_purchases", "price_ratio",
                   "frequency", "recency_days", "avg_order_value", "covisit_score"]
SEED_LOOKBACK_HOURS = 168   # items a person touched in the last week seed the co-visitation list
# Values of (person, item) features where nothing is known: never viewed / bought / co-visited
# → 0; ``category_match`` is 1 only when the item's category is known and is the person's known
# favourite, so 0 means "no match known" (other category, item without a category, or a person
# whose events carry none: data without categories gives 0, never null). Only price and
# price_ratio may stay null (item price unknown; expectations/training_ranker.py).
FILLS = {"user_item_views": 0, "user_item_purchases": 0, "covisit_score": 0.0,
         "category_match": 0}


def candidates(profile: DataFrame, items: DataFrame, events: DataFrame, at: datetime,
               per_user: int, covisitation: DataFrame | None = None) -> DataFrame:
    """(person_id, item_id, *RANKER_FEATURES) — about ``per_user`` rows per person.

    ``profile``: one row per person with favourite_category, frequency, recency_days and
    avg_order_value (the profile group, or :func:`features.assemble.person_features`).
    ``covisitation``: the covisitation group's rows as of ``at``; computed from ``events`` if
    not given (same code, so the materialised table and the on-the-fly one agree)."""
    n_pop = max(1, per_user // 3)
    n_cov = max(0, per_user // 3)
    n_cat = max(1, per_user - n_pop - n_cov)
    top_global = items.where(F.col("popularity_rank") <= n_pop).select("item_id")
    # favourite-category items: only real categories on both sides (items without one are not a
    # category, persons without one get none of them; one category overlaps the popular items,
    # and the pairs are distinct, so a person never gets more than per_user candidates)
    by_cat = Window.partitionBy("category").orderBy(F.col("popularity").desc(), F.col("item_id"))
    top_cat = (items.where(F.col("category").isNotNull())
               .withColumn("cat_rank", F.row_number().over(by_cat))
               .where(F.col("cat_rank") <= n_cat)
               .select("item_id", F.col("category").alias("favourite_category")))
    people = profile.select("person_id", _known_category(F.col("favourite_category"))
                            .alias("favourite_category"), "frequency", "recency_days",
                            "avg_order_value")
    covis = covisit_scores(people, events, at, covisitation)
    by_score = Window.partitionBy("person_id").orderBy(F.col("covisit_score").desc(), F.col("item_id"))
    top_covis = (covis.withColumn("r", F.row_number().over(by_score)).where(F.col("r") <= n_cov)
                 .select("person_id", "item_id"))
    pairs = (people.crossJoin(F.broadcast(top_global)).select("person_id", "item_id")
             .unionByName(people.join(F.broadcast(top_cat), "favourite_category")
                          .select("person_id", "item_id"))
             .unionByName(top_covis)
             .distinct())
    ev = as_of(events, at).where(F.col("item_id").isNotNull())
    history = ev.groupBy("person_id", "item_id").agg(
        count_if(F.col("event_type") == "view").alias("user_item_views"),
        count_if(is_order()).alias("user_item_purchases"))
    item_cols = items.select("item_id", "category", "popularity", "popularity_rank", "price",
                             "views_7d", "purchases_30d")
    return (pairs.join(people, "person_id").join(F.broadcast(item_cols), "item_id")
            .join(history, ["person_id", "item_id"], "left")
            .join(covis, ["person_id", "item_id"], "left")
            .withColumn("category_match", (F.col("category") == F.col("favourite_category")).cast("int"))
            .fillna(FILLS)
            .withColumn("price_ratio", F.col("price") / F.greatest(F.col("avg_order_value"), F.lit(1.0)))
            .select("person_id", "item_id", *[F.col(c).cast("double") for c in RANKER_FEATURES]))


def _known_category(category: Column) -> Column:
    """``category``, or null where it says "none known" (the profile's fill for a person whose
    events carry no category)."""
    return F.when(category != F.lit(UNKNOWN_CATEGORY), category)


def covisit_scores(people: DataFrame, events: DataFrame, at: datetime,
                   covisitation: DataFrame | None = None) -> DataFrame:
    """(person_id, item_id, covisit_score): for the items a person viewed, carted or bought in the
    last week (the seeds), the sum over seeds of each co-visited item's score."""
    if covisitation is None:
        covisitation = covis_group.compute(events, at)
    seeds = (behaviour.recent_items(last_window(events, at, SEED_LOOKBACK_HOURS), F.lit(True), "seeds")
             .join(people.select("person_id"), "person_id")
             .select("person_id", F.explode("seeds").alias("seed")))
    neighbours = (covisitation.select(F.col("item_id").alias("seed"), "covisit_scores",
                                      F.posexplode("covisited_items").alias("pos", "item_id"))
                  .select("seed", "item_id", F.col("covisit_scores")[F.col("pos")].alias("score")))
    return (seeds.join(neighbours, "seed")
            .groupBy("person_id", "item_id").agg(F.sum("score").alias("covisit_score")))
