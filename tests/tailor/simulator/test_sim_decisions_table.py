"""Decision tables are read from Parquet, JSON lines, a directory of them or a DataFrame, and
refused with a message that says what to fix when they cannot be right."""
from __future__ import annotations

import re
from datetime import date

import polars as pl
import pytest

from tailor.config import get_config
from tailor.simulator import ActionBank
from tailor.simulator.decisions import DecisionPlan, DecisionTableError

BANK = ActionBank.from_config(get_config().load_actions())
START = date(2026, 9, 1)


def _plan(source, **kw):
    return DecisionPlan.build(source, BANK, START, days=5, users=100, **kw)


def _table(**changes):
    row = {"customer_id": "C0000007", "date": "2026-09-02", "action_id": "push@12:pct10",
           "propensity": 0.25, **changes}
    return pl.DataFrame([row])


def test_formats_agree(tmp_path):
    frame = pl.concat([_table(), _table(customer_id="C0000008", action_id="no_message"),
                       _table(date="2026-09-30")])
    frame.write_parquet(tmp_path / "d.parquet")
    frame.write_ndjson(tmp_path / "d.jsonl")
    parts = tmp_path / "parts"
    parts.mkdir()
    frame.head(1).write_parquet(parts / "a.parquet")
    frame.tail(2).write_ndjson(parts / "b.jsonl")
    plans = [_plan(frame), _plan(frame.to_pandas()), _plan(tmp_path / "d.parquet"),
             _plan(str(tmp_path / "d.jsonl")), _plan(parts)]
    assert len({p.digest for p in plans}) == 1
    plan = plans[0]
    assert plan.day.tolist() == [1, 1] and plan.user.tolist() == [6, 7]
    assert plan.action.tolist() == [BANK.action_ids.index("push@12:pct10"), 0]
    assert plan.outside_period == 1
    with_dates = frame.with_columns(pl.col("date").str.to_date())
    assert _plan(with_dates).digest == plan.digest


@pytest.mark.parametrize("table,message", [
    (_table(customer_id="p-9f3a"), "landing customer_id"),
    (_table(customer_id="C0000101"), "outside this world"),
    (_table(action_id="fax@9:none"), "not in the world's action bank"),
    (_table(propensity=0.0), "(0, 1]"),
    (_table(propensity=1.5), "(0, 1]"),
    (_table(date="02/09/2026"), "YYYY-MM-DD"),
    (pl.concat([_table(), _table(action_id="no_message")]), "duplicate"),
    (_table().drop("propensity"), "lacks column"),
])
def test_bad_tables_are_refused(table, message):
    with pytest.raises(DecisionTableError, match=re.escape(message)):
        _plan(table)


def test_missing_path_and_bad_fallback(tmp_path):
    with pytest.raises(DecisionTableError, match="does not exist"):
        _plan(tmp_path / "nope.parquet")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DecisionTableError, match="no \\*.parquet"):
        _plan(tmp_path / "empty")
    with pytest.raises(DecisionTableError, match="fallback"):
        _plan(_table(), fallback="random")
