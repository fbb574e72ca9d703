"""Closed loop: on a date with decisions every decision point takes its row's action and logs
its propensity; a message the consent forbids is not sent (no_message, propensity 1.0, counted);
points without a row follow the fallback; the simulator never sends against consent."""
from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from tailor.simulator import simulate
from tailor.simulator.oracle import Oracle

DATES = ["2026-09-03", "2026-09-05"]


def _run(tmp_path, loop_world, table, fallback):
    out = tmp_path / fallback
    simulate(out_dir=out, progress=False, decisions=table, fallback=fallback, **loop_world)
    oracle = Oracle.load(out)
    points = oracle.decision_points().with_columns(pl.col("date").cast(pl.String))
    consent_ok = oracle.allowed_mask(points["customer_id"], points["day"])
    return oracle, points, consent_ok, json.loads((out / "world.json").read_text())["decisions"]


@pytest.mark.parametrize("fallback", ["logging", "no_message"])
def test_decisions_are_executed_within_consent(tmp_path, loop_world, decision_table, fallback):
    table = decision_table(DATES)
    if fallback == "no_message":        # only every other customer has a decision
        table = table.filter(pl.col("customer_id").str.slice(-1).cast(pl.Int64) % 2 == 0)
    oracle, points, allowed, report = _run(tmp_path, loop_world, table, fallback)
    logged = oracle.action_index(points["action_id"])
    assert allowed[np.arange(points.height), logged].all(), "a message was sent against consent"

    decided = points.join(table.rename({"action_id": "decided", "propensity": "p"}),
                          on=["customer_id", "date"], how="left")
    has = decided["decided"].is_not_null().to_numpy()
    on_dates = decided["date"].is_in(DATES).to_numpy()
    want = oracle.action_index(decided["decided"].fill_null("no_message"))
    ok = allowed[np.arange(points.height), want]
    sent_as_decided = has & ok
    assert (decided["action_id"].to_numpy()[sent_as_decided]
            == decided["decided"].to_numpy()[sent_as_decided]).all()
    assert np.array_equal(decided["propensity"].to_numpy()[sent_as_decided],
                          decided["p"].to_numpy()[sent_as_decided])
    blocked = decided.filter(pl.Series(has & ~ok))
    assert blocked.height > 10
    assert (blocked["action_id"] == "no_message").all() and (blocked["propensity"] == 1.0).all()

    assert report["decided"] == int(has.sum())
    assert report["blocked_by_consent"] == blocked.height
    assert sum(report["blocked_by_channel"].values()) == blocked.height
    assert report["sent"] == int((sent_as_decided & (want > 0)).sum())
    assert report["fallback_points"] == int((on_dates & ~has).sum())
    assert report["unused_rows"] == table.height - report["decided"]
    assert report["dates"] == DATES and report["fallback"] == fallback

    others = decided.filter(pl.Series(on_dates & ~has))
    if fallback == "no_message":
        assert others.height > 10
        assert (others["action_id"] == "no_message").all() and (others["propensity"] == 1.0).all()
    free = decided.filter(pl.Series(~on_dates))        # the logging policy as always
    assert (free["propensity"] < 1.0).any() and (free["channel"].is_not_null()).any()
