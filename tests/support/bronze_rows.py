"""Bronze rows for the duplicate-tagging tests: (event_id, item_id, landing_file, ingested_at)
specs become ``bronze.events`` rows (a view on 2026-09-01) plus a ``quarantine_id``."""
from datetime import datetime

from pyspark.sql import functions as F

from tailor.catalog import table
from tailor.ingestion.bronze import BRONZE_COLUMNS

T0 = datetime(2026, 9, 1, 10)
T1 = datetime(2026, 9, 1, 11)


def bronze_rows(spark, specs):
    """(event_id, item_id, landing_file, ingested_at) → bronze rows (+ quarantine_id)."""
    data = [tuple(({c: None for c in BRONZE_COLUMNS} | {
        "event_id": eid, "event_type": "view", "event_ts": T0, "event_date": "2026-09-01",
        "anonymous_id": "a1", "item_id": item, "landing_file": f, "ingested_at": at,
        }).values()) for eid, item, f, at in specs]
    frame = spark.createDataFrame(data, table("bronze.events").ddl)
    return frame.withColumn("quarantine_id", F.concat_ws(":", "landing_file", "event_id",
                                                         "item_id"))
