"""jobs/validate with a list of tables: every contract runs, then one failure names every
breach (and the day's index page lists every report)."""
from __future__ import annotations

import pytest

from tailor.jobs import validate
from tailor.quality import ContractBreach, ContractsBreached

DS = "2026-10-02"  # the day tests/jobs/conftest.py::validate_cfg writes


def test_list_runs_every_contract_then_fails_once_for_the_breaches(validate_cfg, tmp_path):
    with pytest.raises(ContractsBreached) as info:
        validate.check("ops.ingest_log,gold.user_scores", DS, validate_cfg, data_docs=False)

    breach = info.value
    assert isinstance(breach, ContractBreach)  # `except ContractBreach` still catches it
    assert [r.table for r in breach.results] == ["gold.user_scores"]
    assert "gold.user_scores: expect_column_values_to_be_between(churn_prob)" in breach.failed
    quality = tmp_path / "runs" / DS / "quality"
    assert (quality / "ops.ingest_log" / "report.json").exists()   # it ran, and passed
    index = (quality / "index.html").read_text()
    assert "gold.user_scores" in index and "BREACHED" in index and "ops.ingest_log" in index
