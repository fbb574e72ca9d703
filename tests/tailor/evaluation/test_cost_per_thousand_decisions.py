"""Cost per 1,000 decisions on hand numbers: CPU-hours of every execution recorded for the day
(failed and rerun ones too) × price per core-hour / decisions × 1000."""
from __future__ import annotations

import pytest

from tailor.evaluation.cost import cost_per_thousand, run_cost

DS = "2026-10-15"


def test_hand_numbers():
    runs = [
        {"ds": DS, "task": "features", "status": "success", "cpu_seconds": 1800.0, "wall_seconds": 900.0},
        {"ds": DS, "task": "train", "status": "failed", "cpu_seconds": 1800.0, "wall_seconds": 600.0},
        {"ds": DS, "task": "train", "status": "success", "cpu_seconds": 3600.0, "wall_seconds": 1200.0},
        {"ds": DS, "task": "publish", "status": "success", "cpu_seconds": None, "wall_seconds": 1.0},
        {"ds": "2026-10-14", "task": "train", "status": "success", "cpu_seconds": 99999.0,
         "wall_seconds": 1.0},
    ]
    cost = run_cost(DS, runs, decisions=4000, price_per_core_hour=0.05)

    # 1800 + 1800 + 3600 s = 2 CPU-hours × 0.05 = 0.10; / 4000 decisions × 1000 = 0.025
    assert cost.cpu_seconds == 7200.0
    assert cost.cost == pytest.approx(0.10)
    assert cost.cost_per_1000_decisions == pytest.approx(0.025)
    assert (cost.executions, cost.failed, cost.unmeasured) == (4, 1, 1)
    assert cost.wall_seconds == pytest.approx(2701.0)
    assert cost.cpu_by_task == {"train": 5400.0, "features": 1800.0, "publish": 0.0}
    assert "0.025000 USD per 1,000 decisions" in cost.summary_line()


def test_no_decisions_no_ratio():
    assert cost_per_thousand(3600.0, 0.048, 0) is None
    assert cost_per_thousand(3600.0, 0.048, None) is None
    assert cost_per_thousand(3600.0, 0.048, 1000) == pytest.approx(0.048)
