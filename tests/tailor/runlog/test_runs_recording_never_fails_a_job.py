"""A failure to write the ops.runs row is a logged warning: the job still succeeds (and a
failed job still raises its own exception, not the recorder's)."""
from __future__ import annotations

import logging

import pytest

from tailor.runtime import execute


def ok(ctx):
    return {"rows_out": 1}


def fails(ctx):
    raise ValueError("the job's own error")


@pytest.fixture
def unwritable_cfg(tmp_path, cfg_with):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the lakehouse should be: every table write fails\n")
    return cfg_with(paths={"lakehouse": str(blocker)})


def test_successful_job_survives_a_recording_failure(unwritable_cfg, caplog):
    with caplog.at_level(logging.WARNING, logger="tailor.runlog"):
        summary = execute("ok", ok, "2026-10-02", cfg=unwritable_cfg)

    assert summary["rows_out"] == 1 and summary["cpu_seconds"] is not None
    assert any("ops.runs" in r.getMessage() and "success" in r.getMessage()
               for r in caplog.records)


def test_failed_job_raises_its_own_error_when_recording_fails(unwritable_cfg, caplog):
    with caplog.at_level(logging.WARNING, logger="tailor.runlog"):
        with pytest.raises(ValueError, match="the job's own error"):
            execute("fails", fails, "2026-10-02", cfg=unwritable_cfg)
    assert any("failed" in r.getMessage() for r in caplog.records)
