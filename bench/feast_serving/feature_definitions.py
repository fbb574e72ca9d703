"""Feast definitions for bench/serve.py: one entity (user_id) and one feature view holding the
decision Tailor serves for that user as a JSON string feature, read from a Parquet file.

Copied into a temporary feature repo by ``setup_repo.py`` (run inside Feast's own virtualenv,
bench/.venvs/feast); ``TAILOR_BENCH_SOURCE`` names the Parquet file.
"""
import os
from datetime import timedelta

from feast import Entity, FeatureView, Field, FileSource, ValueType
from feast.types import String

user = Entity(name="user_id", join_keys=["user_id"], value_type=ValueType.STRING,
              description="the app's customer id, as in GET /v1/decisions/{user_id}")

decisions_source = FileSource(
    name="tailor_decisions_source",
    path=os.environ["TAILOR_BENCH_SOURCE"],
    timestamp_field="event_timestamp",
)

tailor_decisions = FeatureView(
    name="tailor_decisions",
    entities=[user],
    ttl=timedelta(days=3650),
    schema=[Field(name="user_id", dtype=String),
            Field(name="decision", dtype=String,
                  description="the precompiled decision record (JSON text)")],
    source=decisions_source,
    online=True,
)
