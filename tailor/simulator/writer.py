"""Output: JSON-lines landing files, the ground-truth Parquet files and ``world.json``.

Landing lines are built column-wise in polars (one string expression per field, nulls skipped)
rather than with ``json.dumps`` per event: at a million users that is the difference between
seconds and minutes. Field order follows ``tailor.events.EVENT_FIELDS``; every value is either
an id we generate (no quotes or backslashes to escape), a number or a boolean.
Ground truth goes to its own directory; nothing in it is ever written into landing.
"""
from __future__ import annotations

import calendar
import json
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from tailor.events import CHANNELS, EVENT_FIELDS, EVENT_TYPES
from tailor.simulator.catalog import Catalog
from tailor.simulator.columns import EventBatch
from tailor.simulator.identity import (
    anonymous_tokens,
    customer_id_expr,
    device_tokens,
    email_expr,
    token_strings,
)
from tailor.simulator.streams import Streams

LANDING_DIR, GROUND_TRUTH_DIR, WORLD_FILE = "landing", "ground_truth", "world.json"
_HEAD = ("event_id", "event_type", "ts")


def landing_file_name(day: date, chunk: int) -> str:
    """``events-YYYY-MM-DD-NNN.jsonl``: one file per simulated day and user chunk."""
    return f"events-{day.isoformat()}-{chunk:03d}.jsonl"


class EventFormatter:
    """Turns an :class:`EventBatch` into JSON-lines bytes."""

    def __init__(self, streams: Streams, start_date: date, catalog: Catalog,
                 action_ids: tuple[str, ...]) -> None:
        self.streams = streams
        self.epoch = calendar.timegm(start_date.timetuple())
        self.event_prefix = f"e{streams.seed}-"
        self.types = pl.Series(EVENT_TYPES)
        self.channels = pl.Series(CHANNELS)
        self.item_ids = pl.Series(catalog.item_ids)
        self.item_categories = pl.Series(np.array(catalog.categories)[catalog.category])
        self.action_ids = pl.Series(action_ids)

    def frame(self, batch: EventBatch) -> pl.DataFrame:
        """One row per event, one column per landing field (null = absent)."""
        c, s = batch.cols, self.streams
        user = c["user"]
        slot = np.maximum(c["device"], 0)
        has_device = c["device"] >= 0
        raw = pl.DataFrame({
            "user": user, "t": c["t"] + self.epoch, "has_device": has_device,
            "cid": c["cid"], "email": c["email"],
            "has_item": c["item"] >= 0,
            "price": c["price"], "quantity": c["quantity"],
            "has_channel": c["channel"] >= 0,
            "has_message": c["message_day"] >= 0,
            "has_action": c["action"] >= 0,
            "send_hour": c["send_hour"], "discount": c["discount"],
            "propensity": c["propensity"], "granted": c["granted"],
            "event_type": self.types.gather(c["kind"].astype(np.int64)),
            "item_id": self.item_ids.gather(np.maximum(c["item"], 0)),
            "category": self.item_categories.gather(np.maximum(c["item"], 0)),
            "channel_name": self.channels.gather(np.maximum(c["channel"], 0)),
            "action_id": self.action_ids.gather(np.maximum(c["action"], 0)),
            "event_id": token_strings(self.event_prefix, c["eid"]),
            "device_id": token_strings("d-", device_tokens(s, user, slot)),
            "anonymous_id": token_strings("a-", anonymous_tokens(s, user, slot, c["gen"])),
            "message_id": token_strings("m-", s.token("id:message", user,
                                                       np.maximum(c["message_day"], 0))),
        })
        col = pl.col

        def when(flag: str, value: pl.Expr) -> pl.Expr:
            return pl.when(col(flag)).then(value)

        fields = {
            "event_id": col("event_id"),
            "event_type": col("event_type"),
            "ts": pl.from_epoch("t", time_unit="s").dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "customer_id": when("cid", customer_id_expr(col("user"))),
            "email": when("email", email_expr(col("user"))),
            "anonymous_id": when("has_device", col("anonymous_id")),
            "device_id": when("has_device", col("device_id")),
            "item_id": when("has_item", col("item_id")),
            "category": when("has_item", col("category")),
            "price": col("price").fill_nan(None),
            "quantity": pl.when(col("quantity") >= 0).then(col("quantity")),
            "channel": when("has_channel", col("channel_name")),
            "message_id": when("has_message", col("message_id")),
            "action_id": when("has_action", col("action_id")),
            "send_hour": pl.when(col("send_hour") >= 0).then(col("send_hour")),
            "discount": col("discount").fill_nan(None),
            "propensity": col("propensity").fill_nan(None),
            "granted": pl.when(col("granted") >= 0).then(col("granted") == 1),
        }
        unknown = set(fields) - set(EVENT_FIELDS)
        assert not unknown, f"simulator fields outside the landing contract: {unknown}"
        # the simulator emits the contract fields it models; the others (the server's decision-log
        # fields: overridden_by, policy_*, shadow_*) are absent, as in any client's events
        order = [*_HEAD, *(name for name in EVENT_FIELDS if name not in _HEAD and name in fields)]
        return raw.select([fields[name].alias(name) for name in order])

    def write(self, batch: EventBatch, path: Path, slice_rows: int = 50_000) -> int:
        """Write ``batch`` as JSON lines to ``path`` in slices (bounded memory); returns bytes."""
        written = 0
        with open(path, "wb") as fh:
            for lo in range(0, len(batch), slice_rows):
                data = self.lines(batch.take(slice(lo, lo + slice_rows)))
                fh.write(data)
                written += len(data)
        return written

    def lines(self, batch: EventBatch) -> bytes:
        """Newline-terminated JSON objects, one per event, absent fields omitted."""
        if not len(batch):
            return b""
        frame = self.frame(batch)
        parts = []
        for name, dtype in frame.schema.items():
            value = pl.col(name)
            if dtype == pl.String:
                encoded = pl.concat_str([pl.lit('"'), value, pl.lit('"')])
            elif dtype == pl.Boolean:
                encoded = pl.when(value).then(pl.lit("true")).when(~value).then(pl.lit("false"))
            else:
                encoded = value.cast(pl.String)
            sep = "{" if not parts else ","
            parts.append(pl.concat_str([pl.lit(f'{sep}"{name}":'), encoded]))
        line = pl.concat_str([*parts, pl.lit("}\n")], ignore_nulls=True)
        return frame.select(line.str.join("")).item().encode()


class GroundTruthWriter:
    """Appends chunks to ``ground_truth/users.parquet`` and ``ground_truth/identity.parquet``."""

    def __init__(self, out_dir: Path) -> None:
        self.dir = out_dir / GROUND_TRUTH_DIR
        self.dir.mkdir(parents=True, exist_ok=True)
        self._writers: dict[str, pq.ParquetWriter] = {}
        self._names: set[str] = set()

    def append(self, name: str, columns: dict[str, Any]) -> None:
        table = pa.table({k: _arrow(v) for k, v in columns.items()})
        writer = self._writers.get(name)
        if writer is None:
            writer = self._writers[name] = pq.ParquetWriter(self.dir / f"{name}.parquet",
                                                            table.schema)
            self._names.add(name)
        writer.write_table(table)

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()

    def paths(self) -> dict[str, str]:
        """Every file written (also after ``close``), relative to the output directory."""
        return {name: f"{GROUND_TRUTH_DIR}/{name}.parquet" for name in sorted(self._names)}


def _arrow(values: Any) -> pa.Array:
    if isinstance(values, pl.Series):
        values = values.to_arrow()
        return values.cast(pa.string()) if pa.types.is_string_view(values.type) or \
            pa.types.is_large_string(values.type) else values
    values = np.asarray(values)
    return pa.array(values, type=pa.string() if values.dtype == object else None)


def write_world_json(out_dir: Path, world: dict[str, Any]) -> None:
    (out_dir / WORLD_FILE).write_text(json.dumps(world, indent=2) + "\n")


def remove_previous_output(out_dir: Path) -> None:
    """Delete the landing files a previous simulation into ``out_dir`` listed in world.json,
    so a shorter re-run does not leave stale days behind. Nothing else is touched."""
    manifest = out_dir / WORLD_FILE
    if not manifest.exists():
        return
    try:
        files = json.loads(manifest.read_text()).get("files", [])
    except (ValueError, AttributeError):
        return
    for rel in files:
        path = out_dir / rel
        if path.parent.name == LANDING_DIR and path.name.startswith("events-"):
            path.unlink(missing_ok=True)
