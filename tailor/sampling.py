"""Stable samples of persons, for the steps that hold data on one process (the train job's
training set, drift's two distributions, the data contracts of large tables) and must stay
bounded as customers grow.

A person is in a ``share`` sample if a hash of their id (and a salt naming the use) falls below
``share``: the same persons on every run and every machine, with all of their rows — so a
person's cutoffs, candidate lists and train/test side stay whole. Two forms of one rule: Arrow
batches in the process (:func:`keep_mask`) and a Spark column for executors (:func:`in_sample`).

A job that builds a table whose only reader holds a bounded sample of it (``training_sets`` for
``train``, ``policy_outcomes`` for ``train_policy``) builds that sample, not the rows the reader
would throw away: a :class:`BuildSample`, said in the table's commit (``tailor.sample``) and, by
the reader, in its MLflow run.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads
from pyspark.sql import Column
from pyspark.sql import functions as F

from tailor.privacy import stable_share

PERSON = "person_id"
_BITS = 52                      # hash bits kept: a double holds them exactly
SAMPLE_KEY = "tailor.sample"    # the commit metadata key of a BuildSample
HEADROOM = 0.98                 # a build aims this far below the reader's bound: the reader
                                # then holds every built row instead of sampling again


def person_share(total_rows: int, max_rows: int | None) -> float:
    """The share of persons to keep so that about ``max_rows`` of ``total_rows`` remain."""
    if max_rows is None or total_rows <= max_rows:
        return 1.0
    return max_rows / total_rows


def keep_mask(persons: pa.Array, share: float, salt: str) -> pa.Array:
    """True for the rows whose person is in the stable ``share`` sample."""
    ids = pd.Series(persons.to_pandas(), dtype="object")
    chosen = {p for p in ids.drop_duplicates() if p is not None and stable_share(str(p), salt) < share}
    return pa.array(ids.isin(chosen).to_numpy())


def in_sample(share: float, salt: str, person: str = PERSON) -> Column:
    """A Spark condition: the row's person is in the stable ``share`` sample (xxhash64 of
    salt and id; a different hash than :func:`keep_mask`, equally stable)."""
    bits = F.xxhash64(F.lit(salt), F.col(person)).bitwiseAND(F.lit((1 << _BITS) - 1))
    return (bits.cast("double") / float(1 << _BITS)) < F.lit(float(share))


def held_rows(dataset: pads.Dataset, max_rows: int | None, salt: str
              ) -> tuple[pa.Table, int, float]:
    """(rows, rows in ``dataset``, share of persons kept): all of ``dataset`` up to
    ``max_rows`` rows, else every row of a stable ``share`` sample of persons, streamed batch by
    batch (the process never holds more than one batch beyond the sample)."""
    total = dataset.count_rows()
    share = person_share(total, max_rows)
    if share >= 1.0:
        return dataset.to_table(), total, 1.0
    kept = [batch.filter(keep_mask(batch.column(PERSON), share, salt))
            for batch in dataset.to_batches()]
    data = (pa.Table.from_batches(kept, schema=dataset.schema) if kept
            else dataset.schema.empty_table())
    return data, total, share


@dataclass(frozen=True)
class BuildSample:
    """The stable person sample a job built of a table, sized from an estimate (an upper bound)
    of the rows it would write in full so that its reader's bound (``max_rows``) holds all of
    it: ``share`` 1.0 below the bound (everyone, the table unchanged)."""

    share: float
    estimated_rows: int
    max_rows: int | None
    salt: str

    @classmethod
    def for_rows(cls, estimated_rows: int, max_rows: int | None, salt: str) -> "BuildSample":
        rows = int(estimated_rows)
        if max_rows is None or rows <= max_rows:      # the reader holds it all: build it all
            return cls(1.0, rows, max_rows, salt)
        return cls(round(person_share(rows, max(1, int(max_rows * HEADROOM))), 6), rows,
                   max_rows, salt)

    @property
    def everyone(self) -> bool:
        return self.share >= 1.0

    def restrict(self, frame: Any, person: str = PERSON) -> Any:
        """``frame`` (a Spark DataFrame with ``person``) cut to the sample's persons."""
        return frame if self.everyone else frame.where(in_sample(self.share, self.salt, person))

    def metadata(self) -> dict[str, str]:
        """The commit metadata that says what the table holds (:meth:`of_commit` reads it)."""
        return {SAMPLE_KEY: json.dumps(asdict(self), sort_keys=True)}

    @classmethod
    def of_commit(cls, lakehouse: Any, table: str, version: int | None) -> "BuildSample | None":
        """What the commit that wrote ``table``'s rows at ``version`` said it holds (None: a
        table written without it — everyone)."""
        raw = lakehouse.commit_metadata(table, SAMPLE_KEY, version)
        return cls(**json.loads(raw)) if raw else None
