"""Columnar event batches: the simulator's internal form of landing events.

Generators emit numeric columns (user index, seconds, item index, ...) instead of dicts, so a
day of a million users stays a handful of numpy arrays; strings (ids, timestamps, JSON) are made
once, vectorised, by the writer. A missing value is the column's fill value.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np

from tailor.events import EVENT_TYPES

KIND = {name: code for code, name in enumerate(EVENT_TYPES)}

# column -> (dtype, fill value meaning "absent")
COLUMNS: dict[str, tuple[type, object]] = {
    "t": (np.int64, 0),              # seconds since the start of the simulated period
    "user": (np.int64, 0),           # global user index (the true owner, also of anonymous events)
    "kind": (np.int8, 0),            # index into tailor.events.EVENT_TYPES
    "sub": (np.int64, 0),            # order of events sharing a user and a second
    "day": (np.int32, 0),            # day the event was generated on (part of its id)
    "eid": (np.uint64, 0),           # 64-bit event id token (set by the world)
    "cid": (np.bool_, False),        # carries customer_id
    "email": (np.bool_, False),      # carries email (login events only)
    "device": (np.int8, -1),         # device slot of the user; -1: no device / anonymous id
    "gen": (np.int32, 0),            # cookie generation of that device (anonymous id)
    "item": (np.int32, -1),
    "price": (np.float64, np.nan),
    "quantity": (np.int32, -1),
    "channel": (np.int8, -1),        # index into tailor.events.CHANNELS
    "message_day": (np.int32, -1),   # message id = (user, day it was sent)
    "action": (np.int16, -1),        # index into the action bank
    "send_hour": (np.int8, -1),
    "discount": (np.float64, np.nan),
    "propensity": (np.float64, np.nan),
    "granted": (np.int8, -1),        # -1 absent, 0 false, 1 true
}


class EventBatch:
    """A set of events as aligned numpy columns."""

    __slots__ = ("cols",)

    def __init__(self, cols: dict[str, np.ndarray]) -> None:
        self.cols = cols

    @classmethod
    def make(cls, kind: str, t: np.ndarray, user: np.ndarray, **values: object) -> "EventBatch":
        """Events of one type; ``values`` are arrays or scalars, other columns get fills."""
        unknown = set(values) - set(COLUMNS)
        if unknown:
            raise TypeError(f"unknown event columns: {sorted(unknown)}")
        values.update(t=t, user=user, kind=KIND[kind])
        n = np.asarray(t).shape[0]
        return cls({name: np.broadcast_to(np.asarray(values.get(name, fill), dtype=dtype),
                                          (n,)).copy()
                    for name, (dtype, fill) in COLUMNS.items()})

    @classmethod
    def empty(cls) -> "EventBatch":
        return cls({name: np.zeros(0, dtype=dtype) for name, (dtype, _) in COLUMNS.items()})

    @classmethod
    def concat(cls, batches: Iterable["EventBatch"]) -> "EventBatch":
        batches = [b for b in batches if len(b)]
        if not batches:
            return cls.empty()
        return cls({name: np.concatenate([b.cols[name] for b in batches]) for name in COLUMNS})

    def __len__(self) -> int:
        return int(self.cols["t"].shape[0])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.cols[name]

    def take(self, index: np.ndarray) -> "EventBatch":
        """Rows selected by an index or boolean mask."""
        return EventBatch({name: col[index] for name, col in self.cols.items()})
