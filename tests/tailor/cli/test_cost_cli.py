"""``tailor cost --ds D`` reads ops.runs and gold.decisions of the day and prints the cost per
1,000 decisions (and says what to do when nothing was recorded)."""
from __future__ import annotations

import json

import pyarrow as pa
from deltalake import write_deltalake

from tailor.cli import main
from tailor.lakehouse.tables import table_uri
from tailor.runtime import execute

DS = "2026-10-15"


def test_cost_of_a_recorded_day(cfg, monkeypatch, capsys):
    import tailor.config

    monkeypatch.setattr(tailor.config, "get_config", lambda: cfg)
    assert main(["cost", "--ds", DS]) == 1
    assert "no job executions recorded" in capsys.readouterr().out

    execute("decide", lambda ctx: {"rows_out": 4}, DS, cfg=cfg)
    execute("publish", lambda ctx: {}, DS, cfg=cfg)
    write_deltalake(table_uri(cfg.lakehouse_root, "gold.decisions"),
                    pa.table({"person_id": ["a", "b", "c", "d"], "ds": [DS] * 4}),
                    partition_by=["ds"])

    assert main(["cost", "--ds", DS, "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["executions"] == 2 and figures["decisions"] == 4
    assert set(figures["cpu_by_task"]) == {"decide", "publish"}
    expected = figures["cpu_seconds"] / 3600 * cfg.cost.price_per_core_hour / 4 * 1000
    assert abs(figures["cost_per_1000_decisions"] - expected) < 1e-12

    assert main(["cost", "--ds", DS]) == 0
    assert "per 1,000 decisions" in capsys.readouterr().out
