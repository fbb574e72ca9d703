"""Hand-made bronze events for the identity tests: ``bronze([...rows...])``, in the catalog's
``bronze.events`` schema (columns a test does not set are null)."""
from datetime import datetime, timezone

import pytest

from tailor.catalog import table

BRONZE = table("bronze.events")


def event(eid, etype, hour, customer=None, anon=None, device=None, email=None):
    """One bronze row on 2026-09-01 at ``hour`` (0..23) or a later day for hour >= 24."""
    ts = datetime(2026, 9, 1 + hour // 24, hour % 24, tzinfo=timezone.utc)
    row = {"event_id": eid, "event_type": etype, "event_ts": ts, "customer_id": customer,
           "email": email, "anonymous_id": anon, "device_id": device, "item_id": "i1",
           "event_date": ts.date().isoformat(), "landing_file": "f", "ingested_at": ts}
    return tuple(row.get(name) for name in BRONZE.column_names)


@pytest.fixture
def bronze(spark):
    def make(rows):
        return spark.createDataFrame([event(*r) if isinstance(r, tuple) else event(**r)
                                      for r in rows], BRONZE.spark_schema())
    return make
