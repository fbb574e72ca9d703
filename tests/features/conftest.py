"""Every point-in-time rule is checked against both plans of ``features.pit.pit_join``."""
from functools import partial

import pytest

from tailor.features import pit


@pytest.fixture(params=["window", "broadcast"])
def pit_join(request):
    """``features.pit.pit_join`` with one plan forced (``auto`` picks one by size)."""
    return partial(pit.pit_join, strategy=request.param)


def _close(a, b) -> bool:
    """Equal, floats to a relative 1e-9 (sums in another order), lists element by element."""
    import math

    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    return a == b


def compare_with_per_day(group, events, known_by: dict) -> int:
    """Assert that ``group.compute_days`` over the days of ``known_by`` (day → arrival cutoff
    instant, ``None`` = every event) gives, day by day, exactly the rows of ``group.compute``
    run on that day's events (arrived by its cutoff), with the same column names and types and
    values equal to float tolerance. Returns how many rows were compared."""
    from pyspark.sql import functions as F

    from tailor.clock import day_end
    from tailor.features.windows import DAY, day_frame

    key = group.entity
    fast = group.compute_days(events, day_frame(events.sparkSession, known_by))
    fast_rows = {}
    for r in fast.collect():
        d = r.asDict(recursive=True)
        fast_rows[(d.pop(DAY), d[key])] = d
    compared = 0
    for day, known in sorted(known_by.items()):
        seen = events if known is None else events.where(F.col("ingested_at") <= F.lit(known))
        ref = group.compute(seen, day_end(day))
        assert [c for c in fast.columns if c != DAY] == ref.columns, group.name
        types = {f.name: f.dataType for f in fast.schema.fields}
        assert all(types[f.name] == f.dataType for f in ref.schema.fields), (
            group.name, [(f.name, f.dataType, types[f.name]) for f in ref.schema.fields
                         if types[f.name] != f.dataType])
        want = {r[key]: r.asDict(recursive=True) for r in ref.collect()}
        got = {k: v for (d, k), v in fast_rows.items() if d == day}
        assert sorted(got) == sorted(want), f"{group.name} as of {day}: other {key}s"
        for k, row in want.items():
            bad = {c: (got[k][c], v) for c, v in row.items() if not _close(got[k][c], v)}
            assert not bad, f"{group.name} as of {day}, {key} {k}: (fast, reference) {bad}"
        compared += len(want)
    assert not {d for d, _ in fast_rows} - set(known_by), "rows for a day nobody asked for"
    return compared


@pytest.fixture(name="compare_with_per_day")
def compare_with_per_day_fixture():
    """:func:`compare_with_per_day` as a fixture."""
    return compare_with_per_day
