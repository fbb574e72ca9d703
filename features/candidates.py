"""Ranking candidates: for each person a pool of distinct items from several sources (co-visited
with what they recently touched, popular in their favourite category, bought before, viewed
before, popular overall), with the (person, item) features the ranker scores. Same code for
training (at the cutoffs) and for scoring (at ds), so training and serving cannot drift apart.

One instant (``candidates``: scoring) or many as-of days in one plan (``candidates_days``:
training's cutoffs), the pattern of the feature groups' ``compute`` / ``compute_days``: every
function here takes ``keys`` (the as-of day column of events tagged by ``windows.tag_days``, and
of every frame given with them) and partitions each window, join and aggregate by them too, so
each day's rows are exactly those of a run at that day alone."""
from __future__ import annotations

from typing import Sequence

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from tailor.features import behaviour
from tailor.features import covisitation as covis_group
from tailor.features.profile import UNKNOWN_CATEGORY
from tailor.features.windows import (
    AS_OF,
    DAY,
    Instant,
    as_of,
    count_if,
    is_order,
    last_window,
    tag_days,
)
from tailor.spark import checkpointed

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


SOURCES = ("covisit", "category", "buy_again", "recent", "popular")   # ties on position: this order
SEEN = ("keep", "exclude")


def candidate_pairs(people: DataFrame, items: DataFrame, events: DataFrame, at: Instant,
                    per_user: int, covisitation: DataFrame | None = None,
                    seen: str = "keep", covis_scores: DataFrame | None = None,
                    touches: DataFrame | None = None, keys: Sequence[str] = ()) -> DataFrame:
    """(``keys``, person_id, item_id, source, position): each person's pool of ``per_user``
    distinct items, interleaved from the sources' :func:`proposals`: round-robin (all first
    positions, then all seconds, ties in :data:`SOURCES` order), an item proposed by several
    sources kept once with its best (position, source), until ``per_user`` distinct items — so a
    pool is never short while the catalog holds enough items."""
    keys = list(keys)
    return interleave(proposals(people, items, events, at, per_user, covisitation, seen,
                                covis_scores, touches, keys), per_user, keys)


def interleave(pairs: DataFrame, per_user: int, keys: Sequence[str] = ()) -> DataFrame:
    """(``keys``, person_id, item_id, source, position) proposals → each person's pool: every
    item once, with its best (position, source in :data:`SOURCES` order), the ``per_user`` best
    of them in (position, source, item) order."""
    keys = list(keys)
    priority = F.array_position(F.array(*[F.lit(s) for s in SOURCES]), F.col("source"))
    # Both windows are per person, so the proposals are shuffled once: sorted by item, an item's
    # best proposal is the first of its run; then the kept ones are sorted into the pool's order.
    by_item = Window.partitionBy(*keys, "person_id").orderBy("item_id", "position", priority)
    fill = Window.partitionBy(*keys, "person_id").orderBy("position", priority, "item_id")
    again = ((F.row_number().over(by_item) > 1)
             & F.lag("item_id").over(by_item).eqNullSafe(F.col("item_id")))
    return (pairs.withColumn("__again", again).where(~F.col("__again"))
            .withColumn("__slot", F.row_number().over(fill)).where(F.col("__slot") <= per_user)
            .select(*keys, "person_id", "item_id", "source", "position"))


def proposals(people: DataFrame, items: DataFrame, events: DataFrame, at: Instant,
              depth: int, covisitation: DataFrame | None = None, seen: str = "keep",
              covis_scores: DataFrame | None = None,
              touches: DataFrame | None = None, keys: Sequence[str] = ()) -> DataFrame:
    """(``keys``, person_id, item_id, source, position): each source's own ranked list per
    person as of ``at`` (``position`` 1 = its best remaining item), up to ``depth`` items; an
    item may come from several sources.

    - ``covisit``: items co-visited with what the person touched in the last week;
    - ``category``: the most popular items of the person's favourite (known) category;
    - ``buy_again``: items the person bought before, most often bought first;
    - ``recent``: items the person viewed or carted before, most recent first;
    - ``popular``: the catalog by popularity (deeper when seen items are excluded, so it can
      still fill a pool).

    ``seen="exclude"`` (discovery catalogs) drops every item the person viewed, carted or bought
    before ``at`` (and with it the buy_again / recent sources); ``"keep"`` (re-purchase
    catalogs) lets them compete. ``touches``: :func:`item_touches` as of ``at``, if the caller
    has it already."""
    if seen not in SEEN:
        raise ValueError(f"seen must be one of {SEEN}, got {seen!r}")
    keys = list(keys)
    if touches is None:
        touches = item_touches(events, at, keys)
    touched = touches.where((F.col("orders") > 0) | F.col("last_touch").isNotNull())
    persons = people.select(*keys, "person_id")
    deep = depth
    if seen == "exclude":   # a person can have seen up to all of the popular head (any day:
        # a deeper head than a day needs changes nothing once its seen items are dropped)
        deep += int(touched.groupBy(*keys, "person_id").agg(F.count("*").alias("n"))
                    .agg(F.max("n")).first()[0] or 0)
    head = (items.where(F.col("popularity_rank") <= deep)
            .select(*keys, "item_id", F.col("popularity_rank").cast("int").alias("position")))
    popular = (_per_key(persons, F.broadcast(head), keys)
               .select(*keys, "person_id", "item_id", "position", F.lit("popular").alias("source")))
    by_cat = Window.partitionBy(*keys, "category").orderBy(F.col("popularity").desc(),
                                                           F.col("item_id"))
    top_cat = (items.where(F.col("category").isNotNull())
               .withColumn("position", F.row_number().over(by_cat))
               .where(F.col("position") <= depth)
               .select(*keys, "item_id", "position", F.col("category").alias("favourite_category")))
    category = (people.select(*keys, "person_id", _known_category(F.col("favourite_category"))
                              .alias("favourite_category"))
                .join(F.broadcast(top_cat), [*keys, "favourite_category"])
                .select(*keys, "person_id", "item_id", "position", F.lit("category").alias("source")))
    if covis_scores is None:
        covis_scores = covisit_scores(people, events, at, covisitation, keys)
    lists = [popular, category,
             _ranked(covis_scores, "covisit", keys, F.col("covisit_score").desc())]
    if seen == "keep":
        bought = touches.where(F.col("orders") > 0).select(
            *keys, "person_id", "item_id", F.col("orders").alias("n"),
            F.col("last_order").alias("last"))
        viewed = touches.where(F.col("last_touch").isNotNull()).select(
            *keys, "person_id", "item_id", F.col("last_touch").alias("last"))
        lists += [_ranked(bought.join(persons, [*keys, "person_id"]), "buy_again", keys,
                          F.col("n").desc(), F.col("last").desc()),
                  _ranked(viewed.join(persons, [*keys, "person_id"]), "recent", keys,
                          F.col("last").desc())]
    pairs = lists[0]
    for more in lists[1:]:
        pairs = pairs.unionByName(more.where(F.col("position") <= depth))
    if seen == "keep":  # every list is ranked 1, 2, ... per person already
        return pairs
    pairs = pairs.join(touched.select(*keys, "person_id", "item_id"),
                       [*keys, "person_id", "item_id"], "left_anti")
    # positions count what is left for this person (popular's first unseen item is its 1st),
    # so the interleave takes every source's best remaining items in turn
    dense = Window.partitionBy(*keys, "person_id", "source").orderBy("position", "item_id")
    return (pairs.withColumn("position", F.row_number().over(dense))
            .where(F.col("position") <= depth))


def candidates(profile: DataFrame, items: DataFrame, events: DataFrame, at: Instant,
               per_user: int, covisitation: DataFrame | None = None,
               seen: str = "keep", keys: Sequence[str] = ()) -> DataFrame:
    """(``keys``, person_id, item_id, *RANKER_FEATURES) — ``per_user`` rows per person (fewer
    only when the catalog is smaller), the pool of :func:`candidate_pairs`.

    ``profile``: one row per person with favourite_category, frequency, recency_days and
    avg_order_value (the profile group, or :func:`features.assemble.person_features`).
    ``covisitation``: the covisitation group's rows as of ``at``; computed from ``events`` if
    not given (same code, so the materialised table and the on-the-fly one agree). With
    ``keys``, every frame carries them and ``at`` is the events' as-of column
    (:func:`candidates_days`)."""
    keys = list(keys)
    people = profile.select(*keys, "person_id",
                            _known_category(F.col("favourite_category")).alias("favourite_category"),
                            "frequency", "recency_days", "avg_order_value")
    covis = covisit_scores(people, events, at, covisitation, keys)
    # three sources and the history read it; on disk: it is GBs at scale, and the pool's sorts
    # need the memory (tailor.spark.checkpointed)
    touches = checkpointed(item_touches(events, at, keys), on_disk=True)
    pairs = candidate_pairs(people, items, events, at, per_user, covis_scores=covis, seen=seen,
                            touches=touches, keys=keys)
    history = touches.select(*keys, "person_id", "item_id", F.col("views").alias("user_item_views"),
                             F.col("orders").alias("user_item_purchases"))
    item_cols = items.select(*keys, "item_id", "category", "popularity", "popularity_rank",
                             "price", "views_7d", "purchases_30d")
    return (pairs.select(*keys, "person_id", "item_id").join(people, [*keys, "person_id"])
            .join(F.broadcast(item_cols), [*keys, "item_id"])
            .join(history, [*keys, "person_id", "item_id"], "left")
            .join(covis, [*keys, "person_id", "item_id"], "left")
            .withColumn("category_match", (F.col("category") == F.col("favourite_category")).cast("int"))
            .fillna(FILLS)
            .withColumn("price_ratio", F.col("price") / F.greatest(F.col("avg_order_value"), F.lit(1.0)))
            .select(*keys, "person_id", "item_id",
                    *[F.col(c).cast("double") for c in RANKER_FEATURES]))


def candidates_days(profile: DataFrame, items: DataFrame, events: DataFrame, days: DataFrame,
                    per_user: int, covisitation: DataFrame | None = None,
                    seen: str = "keep") -> DataFrame:
    """:func:`candidates` for every as-of day of ``days`` (``windows.day_frame``) in one plan,
    keyed by :data:`~tailor.features.windows.DAY`: ``profile``, ``items`` and ``covisitation``
    carry that column too (their rows as of each day); the events are tagged with every day
    whose instant they precede (and by whose ``known_by`` they arrived). Each day's rows equal
    ``candidates`` at that day's instant alone."""
    if covisitation is None:
        covisitation = covis_group.compute_days(events, days)
    return candidates(profile, items, tag_days(events, days), F.col(AS_OF), per_user,
                      covisitation=covisitation, seen=seen, keys=(DAY,))


def item_touches(events: DataFrame, at: Instant, keys: Sequence[str] = ()) -> DataFrame:
    """(``keys``, person_id, item_id, views, orders, last_order, last_touch) over the events with
    an item before ``at``: views, order events (purchase / conversion) and the last of them, and
    the last view or add-to-cart (null if none). One aggregation that the pool's sources
    (buy_again, recent, seen) and the history features all read, so a plan shuffles the events
    once."""
    ev = as_of(events, at).where(F.col("item_id").isNotNull())
    browse = F.col("event_type").isin("view", "add_to_cart") & ~is_order()
    return ev.groupBy(*keys, "person_id", "item_id").agg(
        count_if(F.col("event_type") == "view").alias("views"),
        count_if(is_order()).alias("orders"),
        F.max(F.when(is_order(), F.col("event_ts"))).alias("last_order"),
        F.max(F.when(browse, F.col("event_ts"))).alias("last_touch"))


def _per_key(left: DataFrame, right: DataFrame, keys: list[str]) -> DataFrame:
    """Every row of ``left`` with every row of ``right`` of the same ``keys`` (all of them
    without keys)."""
    return left.join(right, keys) if keys else left.crossJoin(right)


def _ranked(frame: DataFrame, source: str, keys: list[str], *order: Column) -> DataFrame:
    """(``keys``, person_id, item_id, position, source) with ``position`` the row's rank within
    its person."""
    w = Window.partitionBy(*keys, "person_id").orderBy(*order, F.col("item_id"))
    return frame.select(*keys, "person_id", "item_id", F.row_number().over(w).alias("position"),
                        F.lit(source).alias("source"))


def _known_category(category: Column) -> Column:
    """``category``, or null where it says "none known" (the profile's fill for a person whose
    events carry no category)."""
    return F.when(category != F.lit(UNKNOWN_CATEGORY), category)


def covisit_scores(people: DataFrame, events: DataFrame, at: Instant,
                   covisitation: DataFrame | None = None,
                   keys: Sequence[str] = ()) -> DataFrame:
    """(``keys``, person_id, item_id, covisit_score): for the items a person viewed, carted or
    bought in the last week (the seeds), the sum over seeds of each co-visited item's score.
    With ``keys``, ``covisitation`` must be given (keyed the same way)."""
    keys = list(keys)
    if covisitation is None:
        if keys:
            raise ValueError("covisit_scores with keys needs the covisitation rows of each key "
                             "(covisitation.compute_days)")
        covisitation = covis_group.compute(events, at)
    seeds = (behaviour.recent_items(last_window(events, at, SEED_LOOKBACK_HOURS), F.lit(True),
                                    "seeds", keys=keys)
             .join(people.select(*keys, "person_id"), [*keys, "person_id"])
             .select(*keys, "person_id", F.explode("seeds").alias("seed")))
    neighbours = (covisitation.select(*keys, F.col("item_id").alias("seed"), "covisit_scores",
                                      F.posexplode("covisited_items").alias("pos", "item_id"))
                  .select(*keys, "seed", "item_id",
                          F.col("covisit_scores")[F.col("pos")].alias("score")))
    return (seeds.join(neighbours, [*keys, "seed"])
            .groupBy(*keys, "person_id", "item_id").agg(F.sum("score").alias("covisit_score")))
