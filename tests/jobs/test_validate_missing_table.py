"""jobs/validate: a named table that was never written is an error, unless its contract is
OPTIONAL (written only by some runs, e.g. gold.overlay)."""
from __future__ import annotations

import pytest

from tailor.jobs import validate

DS = "2026-10-02"  # the day tests/jobs/conftest.py::validate_cfg writes


def test_a_named_table_that_was_never_written_is_an_error(validate_cfg):
    with pytest.raises(FileNotFoundError):
        validate.check("silver.events", DS, validate_cfg, data_docs=False)
    assert validate.check("gold.overlay", DS, validate_cfg, data_docs=False)["skipped"]  # OPTIONAL
