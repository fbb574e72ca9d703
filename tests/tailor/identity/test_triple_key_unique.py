"""The events are joined to their persons on a 64-bit hash of the id triple only when no two
triples share one: the key tells apart triples that differ only in which id is null, and a
shared key (forced here) is reported, so the job falls back to the exact join."""
from pyspark.sql import functions as F

import tailor.identity.resolve as resolve


def test_null_places_differ_and_a_shared_key_is_reported(spark, monkeypatch):
    persons = spark.createDataFrame(
        [("x", "y", None, "p1"), ("x", None, "y", "p2"), (None, "x", "y", "p3"),
         ("x", None, None, "p4"), (None, "x", None, "p5"), (None, None, None, "p6")],
        "customer_id string, anonymous_id string, device_id string, person_id string")
    assert resolve.count_triples(persons) == (6, True)
    monkeypatch.setattr(resolve, "triple_key", lambda: F.lit(7).cast("long"))
    assert resolve.count_triples(persons) == (6, False)
