"""Labels observed after a cutoff, and the point-in-time join of labels to features."""
from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf

from features.windows import count_if, is_order, order_value, sum_if
from tailor.privacy import stable_share

PERSON_FEATURES_EXCLUDED = {"person_id", "ds", "favourite_category"}


def label_window(events: DataFrame, cutoff_end: datetime, horizon_days: int) -> DataFrame:
    """Events in [cutoff_end, cutoff_end + horizon): the future the labels describe."""
    return events.where((F.col("event_ts") >= F.lit(cutoff_end)) &
                        (F.col("event_ts") < F.lit(cutoff_end + timedelta(days=horizon_days))))


def person_labels(future: DataFrame) -> DataFrame:
    """Per person: future spend (LTV label) and whether they bought at all (churn = not)."""
    buy = is_order()
    return future.groupBy("person_id").agg(sum_if(buy, order_value()).alias("future_spend"),
                                           count_if(buy).alias("future_purchases"))


def interaction_labels(future: DataFrame) -> DataFrame:
    """(person_id, item_id) pairs the person viewed, carted or bought in the window."""
    return (future.where(F.col("item_id").isNotNull() &
                         F.col("event_type").isin("view", "add_to_cart", "purchase", "conversion"))
            .select("person_id", "item_id").distinct().withColumn("label", F.lit(1.0)))


def numeric_feature_columns(frame: DataFrame) -> list[str]:
    """Columns usable as model inputs: numeric, not keys."""
    numeric = ("int", "bigint", "double", "float", "smallint", "long")
    return [n for n, t in frame.dtypes if t in numeric and n not in PERSON_FEATURES_EXCLUDED]


def split_column(salt: str, test_share: float) -> Column:
    """'test' for a stable ``test_share`` of persons, else 'train' (same person, same side)."""
    @pandas_udf("string")
    def _split(ids: pd.Series) -> pd.Series:
        return ids.map(lambda v: "test" if stable_share(v, salt) < test_share else "train")

    return _split(F.col("person_id"))
