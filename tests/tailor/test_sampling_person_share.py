"""Both forms of the stable person sample keep whole persons, about the asked share, the same
ones on every call; below the cap nothing is dropped."""
import pyarrow as pa
from pyspark.sql import functions as F

from tailor.sampling import in_sample, keep_mask, person_share


def test_share_is_cap_over_rows():
    assert person_share(100, None) == 1.0 and person_share(100, 100) == 1.0
    assert person_share(400, 100) == 0.25


def test_arrow_mask_is_per_person_and_stable():
    ids = pa.array([f"p{i % 1000}" for i in range(5000)])     # 5 rows per person
    mask = keep_mask(ids, 0.3, "s").to_pylist()
    kept = {p for p, k in zip(ids.to_pylist(), mask) if k}
    assert all(k == (p in kept) for p, k in zip(ids.to_pylist(), mask))   # whole persons
    assert 240 < len(kept) < 360
    assert keep_mask(ids, 0.3, "s").to_pylist() == mask
    assert keep_mask(ids, 0.3, "other").to_pylist() != mask                 # the salt matters


def test_spark_condition_is_per_person_and_stable(spark):
    frame = spark.range(5000).select((F.col("id") % 1000).cast("string").alias("person_id"))
    kept = frame.where(in_sample(0.3, "s"))
    persons = kept.groupBy("person_id").count()
    assert persons.where(F.col("count") != 5).count() == 0                  # whole persons
    assert 240 < persons.count() < 360
    assert sorted(r[0] for r in kept.distinct().collect()) == \
        sorted(r[0] for r in frame.where(in_sample(0.3, "s")).distinct().collect())
