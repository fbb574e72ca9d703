"""Closed loop: the simulator sends what a policy decided instead of its logging policy's pick.

A *decision table* has one row per (customer, date): ``customer_id`` (the landing id,
``C0000001``...), ``date`` (the simulated day the message is to be sent, ``YYYY-MM-DD``),
``action_id`` (an id of the world's action bank, or ``no_message``) and ``propensity`` (the
probability the deciding policy gave that action, in (0, 1]). Extra columns are ignored. It is
read from a Parquet or JSON-lines file, or from a directory of them (``*.parquet``,
``*.jsonl``, ``*.json``), or given as a polars / pandas DataFrame.

On a simulated day the table has rows for, the simulator keeps its own choice of which customers
are decision points; each decision point with a row takes the decided action and logs its
propensity. A decided message whose channel the customer's consent does not allow at that
moment is not sent: it is logged as ``no_message`` with propensity 1.0 (the consent rule made it
certain, as the server logs its overrides; ``tailor/serving/records.py``) and counted. Decision
points without a row follow the ``fallback``: ``logging`` (the uniform logging policy, exactly as
without a table) or ``no_message`` (propensity 1.0). Days without any row are simulated exactly as
without a table. Rows for customers who are not decision points that day are unused (counted),
rows dated outside the simulated period are ignored (counted).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from tailor.events import CHANNELS
from tailor.simulator.marketing import ActionBank

FALLBACKS = ("logging", "no_message")
COLUMNS = ("customer_id", "date", "action_id", "propensity")
_SUFFIXES = (".parquet", ".jsonl", ".json")
_CUSTOMER_ID = r"^C\d{7}$"


class DecisionTableError(ValueError):
    """The decision table cannot be used as it is; the message says what to fix."""


def read_decision_table(source: str | Path | Any) -> pl.DataFrame:
    """The table ``source`` names (file, directory or DataFrame) with the four columns typed:
    customer_id str, date Date, action_id str, propensity f64."""
    if isinstance(source, (str, Path)):
        frame = _read_path(Path(source))
    elif isinstance(source, pl.DataFrame):
        frame = source
    elif hasattr(source, "to_dict") and hasattr(source, "columns"):   # pandas
        frame = pl.from_pandas(source)
    else:
        raise DecisionTableError(f"decisions must be a path or a DataFrame, got {type(source)!r}")
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise DecisionTableError(f"the decision table lacks column(s) {missing}; it needs "
                                 f"{list(COLUMNS)} (one row per customer and send date)")
    date_col = pl.col("date")
    if frame.schema["date"] == pl.String:
        date_col = date_col.str.to_date("%Y-%m-%d", strict=False)
    elif frame.schema["date"] != pl.Date:
        date_col = date_col.cast(pl.Date, strict=False)
    typed = frame.select(pl.col("customer_id").cast(pl.String), date_col.alias("date"),
                         pl.col("action_id").cast(pl.String),
                         pl.col("propensity").cast(pl.Float64, strict=False))
    bad = typed.filter(pl.any_horizontal(pl.all().is_null()))
    if bad.height:
        raise DecisionTableError(f"{bad.height} decision row(s) have a null or unparsable "
                                 f"value (dates are YYYY-MM-DD), e.g. {bad.row(0, named=True)}")
    return typed


def _read_path(path: Path) -> pl.DataFrame:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in _SUFFIXES)
        if not files:
            raise DecisionTableError(f"no *.parquet / *.jsonl / *.json decision files in {path}")
    elif path.is_file():
        files = [path]
    else:
        raise DecisionTableError(f"decision table {path} does not exist")
    frames = []
    for file in files:
        if file.suffix == ".parquet":
            frame = pl.read_parquet(file)
        elif file.stat().st_size == 0:
            continue
        else:
            frame = pl.read_ndjson(file, infer_schema_length=None)
        frames.append(frame.select([c for c in COLUMNS if c in frame.columns])
                      .with_columns(pl.col("date").cast(pl.String) if "date" in frame.columns
                                    else []))
    if not frames:
        return pl.DataFrame(schema={"customer_id": pl.String, "date": pl.String,
                                    "action_id": pl.String, "propensity": pl.Float64})
    return pl.concat(frames, how="diagonal_relaxed")


@dataclass
class DecisionPlan:
    """A decision table resolved against one world: rows sorted by (day, user)."""

    day: np.ndarray            # simulated day index
    user: np.ndarray           # global user index
    action: np.ndarray         # index into the action bank
    propensity: np.ndarray
    fallback: str
    digest: str                # sha256 of the resolved table (what world.json records)
    outside_period: int        # rows dated outside the simulated days (ignored)
    stats: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(cls, source: str | Path | Any, bank: ActionBank, start_date: date, days: int,
              users: int, fallback: str = "logging") -> "DecisionPlan":
        """Read, check and index ``source`` for a world of ``users`` x ``days`` from
        ``start_date`` with action bank ``bank``."""
        if fallback not in FALLBACKS:
            raise DecisionTableError(f"fallback must be one of {FALLBACKS}, got {fallback!r}")
        table = read_decision_table(source)
        bad_ids = table.filter(~pl.col("customer_id").str.contains(_CUSTOMER_ID))
        if bad_ids.height:
            raise DecisionTableError(
                f"{bad_ids.height} decision row(s) name customers the simulator does not know, "
                f"e.g. {bad_ids['customer_id'][0]!r}: use the landing customer_id (C0000001 ...), "
                "not the pipeline's pseudonymous person_id")
        user = table["customer_id"].str.slice(1).cast(pl.Int64).to_numpy() - 1
        if user.size and (user.min() < 0 or user.max() >= users):
            raise DecisionTableError(f"decision rows name customers outside this world of "
                                     f"{users:,} users (C0000001 .. C{users:07d})")
        index = {a: i for i, a in enumerate(bank.action_ids)}
        unknown = sorted(set(table["action_id"].unique().to_list()) - set(index))
        if unknown:
            raise DecisionTableError(f"action_id(s) {unknown[:5]} are not in the world's action "
                                     f"bank ({len(bank)} actions, e.g. {bank.action_ids[1]!r})")
        propensity = table["propensity"].to_numpy()
        if ((propensity <= 0.0) | (propensity > 1.0)).any():
            raise DecisionTableError("every propensity must be in (0, 1]: it is the probability "
                                     "the deciding policy gave the action it chose")
        day = (table["date"].dt.epoch("d") - (start_date - date(1970, 1, 1)).days).to_numpy()
        keep = (day >= 0) & (day < days)
        day, user, propensity = day[keep], user[keep], propensity[keep]
        action = np.array([index[a] for a in table["action_id"].to_list()],
                          dtype=np.int64)[keep]
        order = np.lexsort((user, day))
        day, user, action, propensity = day[order], user[order], action[order], propensity[order]
        dup = (day[1:] == day[:-1]) & (user[1:] == user[:-1])
        if dup.any():
            first = int(np.flatnonzero(dup)[0])
            raise DecisionTableError(
                f"{int(dup.sum())} duplicate decision(s): customer C{user[first] + 1:07d} has "
                f"more than one row on day {int(day[first])}; keep one row per customer and date")
        digest = hashlib.sha256()
        for column in (day, user, action, propensity):
            digest.update(np.ascontiguousarray(column).tobytes())
        plan = cls(day.astype(np.int64), user.astype(np.int64), action, propensity, fallback,
                   digest.hexdigest(), int((~keep).sum()))
        plan.stats = plan._empty_stats()
        return plan

    def _empty_stats(self) -> dict[str, Any]:
        return {"decided": 0, "sent": 0, "decided_no_message": 0, "blocked_by_consent": 0,
                "blocked_by_channel": dict.fromkeys(CHANNELS, 0), "fallback_points": 0}

    def has_day(self, day: int) -> bool:
        lo, hi = np.searchsorted(self.day, [day, day + 1])
        return bool(hi > lo)

    def steer(self, day: int, users: np.ndarray, allowed: np.ndarray, action: np.ndarray,
              propensity: np.ndarray, bank: ActionBank) -> tuple[np.ndarray, np.ndarray]:
        """Today's decision points ``users`` (ascending), the actions their consent allows
        (``allowed``, (n, actions)) and the logging policy's picks -> the actions to take and
        the propensities to log."""
        n = users.shape[0]
        lo, hi = np.searchsorted(self.day, [day, day + 1])
        has = np.zeros(n, dtype=bool)
        decided = np.zeros(n, dtype=np.int64)
        decided_p = np.ones(n)
        if hi > lo:
            pos = np.minimum(np.searchsorted(self.user[lo:hi], users), hi - lo - 1)
            has = self.user[lo:hi][pos] == users
            decided = np.where(has, self.action[lo:hi][pos], 0)
            decided_p = np.where(has, self.propensity[lo:hi][pos], 1.0)
        ok = allowed[np.arange(n), decided]
        blocked = has & ~ok
        if self.fallback == "logging":
            other, other_p = action, propensity
        else:
            other, other_p = np.zeros_like(action), np.ones_like(propensity)
        new_action = np.where(has, np.where(ok, decided, 0), other)
        new_p = np.where(has, np.where(ok, decided_p, 1.0), other_p)

        st = self.stats
        st["decided"] += int(has.sum())
        st["sent"] += int((has & ok & (decided > 0)).sum())
        st["decided_no_message"] += int((has & (decided == 0)).sum())
        st["blocked_by_consent"] += int(blocked.sum())
        for c, name in enumerate(CHANNELS):
            st["blocked_by_channel"][name] += int((blocked & (bank.channel[decided] == c)).sum())
        st["fallback_points"] += int((~has).sum())
        return new_action, new_p

    def report(self, start_date: date) -> dict[str, Any]:
        """The ``decisions`` section of world.json."""
        dates = sorted({(start_date.toordinal() + int(d)) for d in np.unique(self.day)})
        return {
            "sha256": self.digest,
            "fallback": self.fallback,
            "rows": int(self.day.shape[0]) + self.outside_period,
            "rows_outside_period": self.outside_period,
            "dates": [date.fromordinal(d).isoformat() for d in dates],
            **{k: (dict(v) if isinstance(v, dict) else v) for k, v in self.stats.items()},
            "unused_rows": int(self.day.shape[0]) - self.stats["decided"],
        }
