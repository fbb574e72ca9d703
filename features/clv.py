"""clv_v2: what BG/NBD × Gamma-Gamma (Fader, Hardie & Lee 2005; Fader & Hardie 2013) expect of
each buyer as of a day — the probabilistic backbone of LTV (and a strong churn signal).

Per as-of day, from every order before the as-of instant (lifetime, in whole UTC days, as the
paper counts purchase *days*):

1. each buyer's summary: ``clv_frequency`` x = purchase days − 1, ``clv_recency`` t_x = last −
   first purchase day, ``clv_age`` T = as-of instant − first purchase day (days; ≥ 1 for every
   buyer), ``clv_monetary`` = mean spend of the repeat purchase days (0 without a repeat; to 6 decimals);
2. the population parameters (r, α, a, b; p, q, γ) fitted by maximum likelihood
   (:class:`tailor.models.clv.ClvModel`) on at most :data:`FIT_SAMPLE` buyers of that day (a
   stable hash sample of person ids), in one Python worker per day — no data from after the
   as-of instant enters the fit, so the values are point-in-time correct like any aggregate;
3. every buyer scored on the executors (``mapInPandas``, batch by batch):
   ``clv_p_alive``, ``clv_purchases_30d`` / ``clv_purchases_90d`` (expected purchase days in the
   next 30 / 90 days), ``clv_spend_per_purchase`` (Gamma-Gamma's expected value of one future
   purchase day) and ``clv_value_90d`` (their product over 90 days).

People who never bought have no row (the models say nothing about them): the registry's fills
give them 0 everywhere, and ``clv_age`` = 0 marks them (every buyer's is ≥ 1). A day whose
buyers cannot identify the model (no repeat purchase at all, or a Gamma-Gamma q ≤ 1) has no
rows either: its buyers get the same fills, which the data contract and the models accept.
(v2: v1 wrote ±inf 90-day expectations on days fitted at the boundary a → 0 — six of the
default world's nine as-of days, whose first weeks have few repeat buyers — because scipy's 2F1
beyond z = -1 fails there; ``models/clv/bgnbd.expected_purchases`` now evaluates it on (0, 1).)

The LTV baseline (``models/baselines.py``: ``bgnbd_gg``) refits BG/NBD × GG on the training
rows' summaries and predicts spend over the model's own horizon, which need not be 30 or 90.
The maths lives in ``models/clv`` (tested against the paper's CDNOW parameters); changing it
changes these values, so bump this group's version with it.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterator, Sequence

import pandas as pd
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from tailor.features.windows import AS_OF, DAY, FIRST, as_of, first_days, is_order, order_value, spread

FIT_SAMPLE = 50_000          # buyers per as-of day the population parameters are fitted on
HORIZONS = (30, 90)          # days ahead for the expected-purchases columns
PARAMS = ("r", "alpha", "a", "b", "p", "q", "gamma")
SUMMARY = ("clv_frequency", "clv_recency", "clv_age", "clv_monetary")
SCORES = ("clv_p_alive", *(f"clv_purchases_{h}d" for h in HORIZONS), "clv_spend_per_purchase",
          "clv_value_90d")
COLUMNS = (*SUMMARY, *SCORES)
FILLS = {c: 0.0 for c in COLUMNS}   # non-buyers (see the module docstring)
_GROUP = "__clv_group"              # the one-day path's constant fitting key


def compute(events: DataFrame, at: datetime) -> DataFrame:
    """One row per person with an order before ``at``."""
    return _rows(_summaries(_order_days(as_of(events, at), F.lit(at)), ["person_id"]), ())


def compute_days(events: DataFrame, days: DataFrame) -> DataFrame:
    """:func:`compute` for every as-of day of ``days`` (``windows.day_frame``) in one pass,
    keyed by ``ds``; one population fit per day. Spend is summed once per (person, first day
    it counts for, purchase day) and merged per as-of day (``windows.first_days``)."""
    tagged, pairs = first_days(events.where(is_order()), days)
    part = tagged.groupBy("person_id", FIRST, F.to_date("event_ts").alias("__day")).agg(
        F.sum(order_value()).alias("__spend"))
    order_days = spread(part, pairs).groupBy(DAY, "person_id", "__day").agg(
        F.sum("__spend").alias("__spend"), F.max(AS_OF).alias("__at"))
    return _rows(_summaries(order_days, [DAY, "person_id"]), (DAY,))


def _order_days(ev: DataFrame, at: Column) -> DataFrame:
    """Per (person, purchase day): the day's spend and the as-of instant."""
    return (ev.where(is_order())
            .groupBy("person_id", F.to_date("event_ts").alias("__day"))
            .agg(F.sum(order_value()).alias("__spend"), F.max(at).alias("__at")))


def _rows(summaries: DataFrame, keys: Sequence[str]) -> DataFrame:
    fit_keys = list(keys) or [_GROUP]
    if not keys:
        summaries = summaries.withColumn(_GROUP, F.lit(0))
    params = _fit(summaries, fit_keys)
    scored = _score(summaries.join(F.broadcast(params), fit_keys), fit_keys)
    return scored.select(*keys, "person_id", *COLUMNS)


def _summaries(days: DataFrame, by: list[str]) -> DataFrame:
    """Per (keys, person) with an order: x, t_x, T (days) and the mean repeat-day spend, from
    the spend of each purchase day (:func:`_order_days`)."""
    per = days.groupBy(*by).agg(
        F.count("*").alias("__n"), F.min("__day").alias("__first"), F.max("__day").alias("__last"),
        F.sum("__spend").alias("__total"), F.min_by("__spend", "__day").alias("__first_spend"),
        F.max("__at").alias("__at"))
    x = F.col("__n") - 1
    age = (F.col("__at").cast("long") - F.col("__first").cast("timestamp").cast("long")) / 86400.0
    return per.select(
        *by,
        x.cast("double").alias("clv_frequency"),
        F.datediff("__last", "__first").cast("double").alias("clv_recency"),
        age.cast("double").alias("clv_age"),
        # rounded: sums in another order (one day or many) must not move the fit's floats
        F.round(F.when(x > 0, (F.col("__total") - F.col("__first_spend")) / x)
                .otherwise(F.lit(0.0)), 6).cast("double").alias("clv_monetary"))


def _fit(summaries: DataFrame, keys: list[str]) -> DataFrame:
    """Population parameters per fitting key, on a stable sample of at most FIT_SAMPLE buyers
    (the one step that holds data in one Python process: ≤ FIT_SAMPLE × 4 doubles per day)."""
    rank = Window.partitionBy(*keys).orderBy(F.xxhash64("person_id"), "person_id")
    sample = (summaries.withColumn("__rank", F.row_number().over(rank))
              .where(F.col("__rank") <= FIT_SAMPLE).select(*keys, *SUMMARY))
    schema = ", ".join([*(f"{k} {t}" for k, t in summaries.select(*keys).dtypes),
                        *(f"{p} double" for p in PARAMS)])

    def fit(frame: pd.DataFrame) -> pd.DataFrame:
        from tailor.models.clv import ClvModel

        # rows in a fixed order: the optimiser then gives the same floats whatever order the
        # shuffle delivered them in (one day or many, any partitioning)
        summary = (frame.sort_values(list(SUMMARY), kind="stable", ignore_index=True)
                   .rename(columns={"clv_frequency": "frequency", "clv_recency": "recency",
                                    "clv_age": "T", "clv_monetary": "monetary_value"}))
        try:
            model = ClvModel.fit(summary)
            model.gamma_gamma.population_mean  # noqa: B018  raises when q <= 1
        except (ValueError, ArithmeticError):   # not identified on this day: no rows (fills)
            return pd.DataFrame(columns=[*keys, *PARAMS])
        params = model.params()
        return pd.DataFrame([{**{k: frame[k].iloc[0] for k in keys},
                              **{p: float(params[p]) for p in PARAMS}}])

    return sample.groupBy(*keys).applyInPandas(fit, schema)


def _score(rows: DataFrame, keys: list[str]) -> DataFrame:
    """Every buyer's expectations under their day's parameters, batch by batch."""
    out_cols = [c for c in rows.columns if c not in PARAMS]
    schema = ", ".join([*(f"{c} {t}" for c, t in rows.select(*out_cols).dtypes),
                        *(f"{s} double" for s in SCORES)])

    def score(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        from tailor.models.clv import ClvModel

        for batch in batches:
            for _, part in batch.groupby(list(PARAMS), sort=False):
                model = ClvModel.from_params(part.iloc[0][list(PARAMS)].to_dict())
                s = part.rename(columns={"clv_frequency": "frequency", "clv_recency": "recency",
                                         "clv_age": "T", "clv_monetary": "monetary_value"})
                spend = model.expected_spend(s)
                scores = {"clv_p_alive": model.p_alive(s), "clv_spend_per_purchase": spend,
                          **{f"clv_purchases_{h}d": model.expected_purchases(s, h)
                             for h in HORIZONS}}
                scores["clv_value_90d"] = scores["clv_purchases_90d"] * spend
                yield part[out_cols].assign(**scores)

    return rows.mapInPandas(score, schema)
