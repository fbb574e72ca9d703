"""Turn any transactions / interactions file (CSV, Parquet, JSON lines) into landing events.

    rows = read_rows("orders.csv", "csv")
    report = import_frame(rows, {"customer_id": "cust", "ts": "order_date", "price": "amount"},
                          landing_dir="landing", constants={"event_type": "purchase",
                                                            "item_id": "SKU-1", "quantity": 1})

Rules (the same for every dataset, so a user's own data behaves like the simulator's):

* ``mapping`` is landing field -> source column (``--map COL=FIELD`` on the command line);
  ``constants`` sets a field to one value for every row (``--event-type purchase``,
  ``--set category=music``). Values are cast to the types of :data:`tailor.events.EVENT_FIELDS`.
* ``ts`` is normalised to ISO-8601 UTC with a ``Z`` (``2026-09-01T10:23:45Z``, whole seconds:
  fractions are cut). Naive values are read in ``timezone`` (default UTC); values with an offset
  are converted; a date without a time becomes midnight of that day (also the basic form
  ``20260901``); Parquet / JSON dates and datetimes are taken as they are.
  **Epoch timestamps** are read as UTC (``timezone`` does not apply), whether the file holds
  numbers (Parquet / JSON) or text (CSV, quoted JSON): a value that is not ISO-8601 but a plain
  decimal number (``1772323200``, ``"1772323200.5"``, ``-86400``) is epoch **seconds** if its
  magnitude is below 10^11 (years up to 5138) and epoch **milliseconds** from 10^11 on (which, in
  milliseconds, is 1973-03-03 onwards); milliseconds in 1970-1973 would be read as seconds,
  the one case this rule cannot tell apart. A result past year 9999 (microseconds, nanoseconds)
  is rejected, never guessed.
  ``ts_format`` (strptime) parses everything else, e.g. ``%Y%m%d``; with it every value (numbers
  too) must match it. ``ts_format="%s"`` says the values are epoch seconds (a plain decimal
  number; milliseconds are then not detected). A value none of this reads is rejected as
  ``unparseable:ts=<value>``.
* ``event_id``: the source's own id when mapped, else ``<namespace>-`` + a SHA-1 of the source
  row (every column), the event type and the row's occurrence number among identical rows.
  Re-importing the same file gives the same ids (bronze deduplicates on ``event_id``), and two
  genuinely identical rows (two equal orders on one day) stay two events.
* Every event is checked with :func:`tailor.events.validate_event`. Rows that fail are never
  silently dropped: they are counted per reason in the report and written, with the reason and
  the source row, to ``<landing>/rejected/<namespace>-rejected.ndjson`` (not ``*.jsonl``, so
  ingest does not pick them up).
* Good events are written sorted by time as ``<landing>/events-YYYY-MM-DD-NNN.jsonl``, one file
  per UTC day (split every ``rows_per_file`` lines); NNN continues after files already there, so
  an import never overwrites (or hides behind) a file ingest has seen.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo

import polars as pl

from tailor.events import EVENT_FIELDS, validate_event

FORMATS = ("csv", "parquet", "jsonl")
REJECTED_DIR = "rejected"
_FLOAT_FIELDS = {k for k, v in EVENT_FIELDS.items() if v == (int, float)}
_INT_FIELDS = {k for k, v in EVENT_FIELDS.items() if v is int}
_BOOL_FIELDS = {k for k, v in EVENT_FIELDS.items() if v is bool}
_TRUE, _FALSE = {"true", "1", "yes", "y", "t"}, {"false", "0", "no", "n", "f"}
_FILE_RE = re.compile(r"^events-(\d{4}-\d{2}-\d{2})-(\d{3,})\.jsonl$")


class EventImportError(ValueError):
    """The import cannot start (bad mapping, unknown format, missing column): says what to fix."""


@dataclass
class ImportReport:
    """What an import did; ``rejected_reasons`` counts rows per validation reason."""

    source: str
    rows: int = 0
    events: int = 0
    rejected: int = 0
    rejected_reasons: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    rejected_file: str | None = None
    first_day: str | None = None
    last_day: str | None = None
    customers: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        out = dict(vars(self))
        out["files"] = len(self.files)
        return out


def parse_assignments(pairs: Iterable[str], what: str = "--map") -> list[tuple[str, str]]:
    """``["cust=customer_id", ...]`` -> ``[("cust", "customer_id"), ...]`` (split on the first
    ``=``: a column name may not contain ``=``, a value may)."""
    out = []
    for pair in pairs:
        left, sep, right = pair.partition("=")
        if not sep or not left or not right:
            raise EventImportError(f"{what} {pair!r}: expected NAME=VALUE, e.g. {what} cust=customer_id")
        out.append((left, right))
    return out


def mapping_from_args(pairs: Iterable[str]) -> dict[str, str]:
    """``--map COL=FIELD`` pairs -> {landing field: source column}, checking the field names."""
    mapping: dict[str, str] = {}
    for column, fld in parse_assignments(pairs):
        if fld not in EVENT_FIELDS:
            raise EventImportError(f"--map {column}={fld}: {fld!r} is not a landing event field; "
                               f"use one of {', '.join(EVENT_FIELDS)}")
        if fld in mapping:
            raise EventImportError(f"--map: field {fld!r} mapped twice ({mapping[fld]!r}, {column!r})")
        mapping[fld] = column
    return mapping


def read_rows(path: str | Path, fmt: str | None = None, separator: str = ",") -> pl.DataFrame:
    """Read a CSV / Parquet / JSON-lines file into a polars frame (CSV: every column as text,
    so the importer, not a type guesser, decides how a value is parsed)."""
    path = Path(path)
    fmt = fmt or {".csv": "csv", ".tsv": "csv", ".parquet": "parquet", ".pq": "parquet",
                  ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}.get(path.suffix.lower())
    if fmt not in FORMATS:
        raise EventImportError(f"{path}: cannot tell the format; pass --format {'|'.join(FORMATS)}")
    if not path.exists():
        raise EventImportError(f"{path}: no such file")
    if fmt == "csv":
        return pl.read_csv(path, separator=separator, infer_schema=False)
    if fmt == "parquet":
        return pl.read_parquet(path)
    return pl.read_ndjson(path, infer_schema_length=None)


def _as_text(series: pl.Series) -> pl.Series:
    if series.dtype == pl.String:
        return series.str.strip_chars()
    return series.cast(pl.String)


EPOCH_FORMAT = "%s"            # ts_format meaning "epoch seconds" (strptime has no %s)
EPOCH_MS_FROM = 10**11         # epoch numbers of this magnitude or more are milliseconds
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def _from_epoch(number: int | float | str, unit_guess: bool = True) -> datetime | None:
    """An epoch number (or its plain-decimal text) as a UTC datetime: seconds, or milliseconds
    from :data:`EPOCH_MS_FROM` on when ``unit_guess``; None if it is not one or lies beyond
    the years 1..9999. Integers are exact (no float rounding of milliseconds)."""
    if isinstance(number, str):
        if not _NUMBER_RE.match(number):
            return None
        number = int(number) if number.lstrip("+-").isdigit() else float(number)
    if number != number:  # NaN
        return None
    millis = unit_guess and abs(number) >= EPOCH_MS_FROM
    try:
        if isinstance(number, int):
            return _EPOCH + (timedelta(milliseconds=number) if millis else timedelta(seconds=number))
        return _EPOCH + timedelta(seconds=number / 1000.0 if millis else number)
    except (OverflowError, ValueError):
        return None


def _parse_ts_value(raw: Any, ts_format: str | None, tz: ZoneInfo) -> str | None:
    """One source timestamp -> ``YYYY-MM-DDTHH:MM:SSZ`` (None if it cannot be parsed); the
    rules are the module docstring's."""
    if raw is None or isinstance(raw, bool):
        return None
    value: datetime | None
    if isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, date):
        value = datetime(raw.year, raw.month, raw.day)
    else:
        number = isinstance(raw, (int, float))
        # 20260301.0 (a float column) is written 20260301 for ts_format
        text = str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw).strip()
        if not text:
            return None
        if ts_format == EPOCH_FORMAT:
            value = _from_epoch(raw if number else text, unit_guess=False)
        elif ts_format:
            try:
                value = datetime.strptime(text, ts_format)
            except ValueError:
                return None
        elif number:
            value = _from_epoch(raw)
        else:
            try:
                value = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                value = _from_epoch(text)
        if value is None:
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    try:
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, ValueError):  # a naive 9999-12-31 in a zone east of UTC
        return None


def _typed(field_name: str, raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(values cast to the field's type, mask of rows whose non-empty value did not parse)."""
    if field_name in _FLOAT_FIELDS:
        out = raw.cast(pl.Float64, strict=False) if raw.dtype.is_numeric() else \
            _as_text(raw).cast(pl.Float64, strict=False)
    elif field_name in _INT_FIELDS:
        if raw.dtype.is_integer():
            out = raw.cast(pl.Int64)
        else:  # "3" and "3.0" are fine, "3.5" is not an integer
            as_float = (raw if raw.dtype.is_numeric() else _as_text(raw)).cast(pl.Float64, strict=False)
            out = pl.Series(raw.name, [int(v) if v is not None and float(v).is_integer() else None
                                       for v in as_float.to_list()], dtype=pl.Int64)
    elif field_name in _BOOL_FIELDS:
        if raw.dtype == pl.Boolean:
            out = raw
        else:
            text = _as_text(raw).str.to_lowercase()
            out = pl.Series(raw.name, [True if v in _TRUE else False if v in _FALSE else None
                                       for v in text.to_list()], dtype=pl.Boolean)
    else:
        out = _as_text(raw)
        out = out.set(out == "", None) if len(out) else out  # "" = absent
    present = raw.is_not_null()
    if raw.dtype == pl.String:
        present = present & (raw.str.strip_chars() != "")
    return out, present & out.is_null()


def _row_hashes(frame: pl.DataFrame, namespace: str, event_types: pl.Series) -> list[str]:
    """Deterministic event ids: SHA-1 of (event type, every source column, occurrence #)."""
    cols = [pl.col(c).cast(pl.String).fill_null("\x00") for c in frame.columns]
    keyed = frame.select(pl.concat_str(cols, separator="\x1f").alias("k")).with_columns(
        event_types.alias("t"))
    keyed = keyed.with_columns(pl.int_range(pl.len()).over(["k", "t"]).alias("n"))
    out = []
    for key, etype, n in keyed.iter_rows():
        digest = hashlib.sha1(f"{namespace}\x1e{etype}\x1e{key}\x1e{n}".encode()).hexdigest()
        out.append(f"{namespace}-{digest[:24]}")
    return out


def to_events(frame: pl.DataFrame, mapping: Mapping[str, str],
              constants: Mapping[str, Any] | None = None, *, namespace: str = "import",
              ts_format: str | None = None, timezone_name: str = "UTC"
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(valid landing events, rejected rows ``{"reason", "row", "event"}``) in source order."""
    constants = dict(constants or {})
    unknown = [f for f in [*mapping, *constants] if f not in EVENT_FIELDS]
    if unknown:
        raise EventImportError(f"not landing event fields: {unknown}; use {', '.join(EVENT_FIELDS)}")
    missing = [c for c in mapping.values() if c not in frame.columns]
    if missing:
        raise EventImportError(f"columns {missing} not in the file; it has {frame.columns}")
    if "ts" not in mapping:
        raise EventImportError("map a timestamp column to ts, e.g. --map order_date=ts")
    if "event_type" not in mapping and "event_type" not in constants:
        raise EventImportError("say what each row is: --event-type purchase, or --map COL=event_type")
    if not re.fullmatch(r"[A-Za-z0-9_.]+", namespace):
        raise EventImportError(f"namespace {namespace!r}: use letters, digits, '_' or '.'")
    tz = ZoneInfo(timezone_name)
    n = frame.height
    columns: dict[str, list[Any]] = {}
    errors: list[list[str]] = [[] for _ in range(n)]

    raw_ts = frame[mapping["ts"]]
    uniques = {v: _parse_ts_value(v, ts_format, tz) for v in raw_ts.unique().to_list()}
    columns["ts"] = [uniques[v] if v in uniques else _parse_ts_value(v, ts_format, tz)  # NaN != NaN
                     for v in raw_ts.to_list()]
    for i, (raw, ts) in enumerate(zip(raw_ts.to_list(), columns["ts"])):
        if ts is None and raw not in (None, ""):
            errors[i].append(f"unparseable:ts={str(raw)[:40]}")
    for fld, column in mapping.items():
        if fld == "ts":
            continue
        values, bad = _typed(fld, frame[column])
        columns[fld] = values.to_list()
        for i in bad.arg_true().to_list():
            errors[i].append(f"unparseable:{fld}={str(frame[column][i])[:40]}")
    for fld, value in constants.items():
        values, bad = _typed(fld, pl.Series(fld, [value] * n, dtype=pl.String))
        if n and bad[0]:
            raise EventImportError(f"constant {fld}={value!r} is not a valid {fld}")
        columns[fld] = values.to_list()

    etypes = pl.Series("t", columns["event_type"], dtype=pl.String)
    if "event_id" not in columns:
        columns["event_id"] = _row_hashes(frame, namespace, etypes)
    order = ["event_id", "event_type", "ts", *(f for f in EVENT_FIELDS
                                               if f in columns and f not in ("event_id", "event_type", "ts"))]
    good, rejected = [], []
    for i in range(n):
        event = {f: columns[f][i] for f in order if columns[f][i] is not None}
        reason = errors[i][0] if errors[i] else validate_event(event)
        if reason is None:
            good.append(event)
        else:
            rejected.append({"reason": reason, "row": frame.row(i, named=True), "event": event})
    return good, rejected


def _next_chunk(landing: Path, day: str, taken: dict[str, int]) -> int:
    if day not in taken:
        highest = -1
        for p in landing.glob(f"events-{day}-*.jsonl"):
            m = _FILE_RE.match(p.name)
            if m:
                highest = max(highest, int(m.group(2)))
        taken[day] = highest + 1
    chunk = taken[day]
    taken[day] += 1
    return chunk


def write_landing(events: list[dict[str, Any]], landing_dir: str | Path,
                  rows_per_file: int = 50_000) -> list[str]:
    """Write events (any order) as ``events-YYYY-MM-DD-NNN.jsonl`` per UTC day; returns paths."""
    landing = Path(landing_dir)
    landing.mkdir(parents=True, exist_ok=True)
    by_day: dict[str, list[dict[str, Any]]] = {}
    for event in sorted(events, key=lambda e: (e["ts"], e["event_id"])):
        by_day.setdefault(event["ts"][:10], []).append(event)
    taken: dict[str, int] = {}
    written = []
    for day in sorted(by_day):
        rows = by_day[day]
        for lo in range(0, len(rows), rows_per_file):
            path = landing / f"events-{day}-{_next_chunk(landing, day, taken):03d}.jsonl"
            tmp = path.with_suffix(".tmp")
            with open(tmp, "w") as fh:
                fh.writelines(json.dumps(e, separators=(",", ":")) + "\n"
                              for e in rows[lo:lo + rows_per_file])
            os.replace(tmp, path)  # ingest never sees a half-written file
            written.append(str(path))
    return written


def write_rejected(rejected: list[dict[str, Any]], landing_dir: str | Path,
                   namespace: str) -> str | None:
    """Rejected rows with their reason -> ``<landing>/rejected/<namespace>-rejected.ndjson``."""
    if not rejected:
        return None
    out = Path(landing_dir) / REJECTED_DIR
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{namespace}-rejected.ndjson"
    with open(path, "w") as fh:
        for item in rejected:
            fh.write(json.dumps(item, default=str, separators=(",", ":")) + "\n")
    return str(path)


def import_frame(frame: pl.DataFrame, mapping: Mapping[str, str], landing_dir: str | Path,
                 constants: Mapping[str, Any] | None = None, *, namespace: str = "import",
                 ts_format: str | None = None, timezone_name: str = "UTC",
                 source: str = "<frame>", extra_events: list[dict[str, Any]] | None = None,
                 rows_per_file: int = 50_000) -> ImportReport:
    """Map, validate and write ``frame`` (+ ``extra_events``, e.g. synthesised consent) to
    ``landing_dir``; returns the report. Nothing is written if the mapping itself is wrong."""
    started = time.time()
    good, rejected = to_events(frame, mapping, constants, namespace=namespace,
                               ts_format=ts_format, timezone_name=timezone_name)
    for event in extra_events or []:
        reason = validate_event(event)
        (good.append(event) if reason is None else
         rejected.append({"reason": reason, "row": None, "event": event}))
    report = ImportReport(source=source, rows=frame.height, events=len(good),
                          rejected=len(rejected))
    for item in rejected:
        report.rejected_reasons[item["reason"].split("=")[0]] = \
            report.rejected_reasons.get(item["reason"].split("=")[0], 0) + 1
    report.files = write_landing(good, landing_dir, rows_per_file)
    report.rejected_file = write_rejected(rejected, landing_dir, namespace)
    if good:
        days = [e["ts"][:10] for e in good]
        report.first_day, report.last_day = min(days), max(days)
        report.customers = len({e["customer_id"] for e in good if e.get("customer_id")})
    report.seconds = round(time.time() - started, 2)
    return report


def import_file(path: str | Path, mapping: Mapping[str, str], landing_dir: str | Path,
                constants: Mapping[str, Any] | None = None, *, fmt: str | None = None,
                separator: str = ",", namespace: str = "import", ts_format: str | None = None,
                timezone_name: str = "UTC", rows_per_file: int = 50_000) -> ImportReport:
    """``tailor import events``: read ``path`` and :func:`import_frame` it."""
    frame = read_rows(path, fmt, separator)
    return import_frame(frame, mapping, landing_dir, constants, namespace=namespace,
                        ts_format=ts_format, timezone_name=timezone_name, source=str(path),
                        rows_per_file=rows_per_file)
