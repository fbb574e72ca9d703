"""The Spark RFM plan gives the pandas summary, row for row (real Spark)."""
import numpy as np
import pandas as pd

from tailor.models.clv import rfm_summary, rfm_summary_spark


def test_spark_summary_equals_pandas(spark, sample_orders):
    orders = sample_orders[sample_orders["customer_id"] <= 300]
    spark_orders = spark.createDataFrame(orders.assign(ts=orders["ts"].dt.date))

    mine = (rfm_summary_spark(spark_orders, end="1997-09-30", time_unit_days=7).toPandas()
            .set_index("customer_id").sort_index())
    expected = rfm_summary(orders, end="1997-09-30", time_unit_days=7)

    assert list(mine.columns) == list(expected.columns)
    assert mine.index.tolist() == expected.index.tolist()
    np.testing.assert_allclose(mine.to_numpy(float), expected.to_numpy(float), rtol=1e-12)
    assert (expected["frequency"] > 0).sum() > 50 and pd.api.types.is_float_dtype(mine["T"])
