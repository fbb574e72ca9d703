"""ok below warn_psi, warn from warn_psi, block from block_psi; unmeasurable is a warning."""
import pytest

from tailor.drift import DriftConfig, status


def test_status_follows_thresholds():
    d = DriftConfig(warn_psi=0.1, block_psi=0.25)
    assert [status(p, d) for p in (0.0, 0.099, 0.1, 0.2, 0.25, 3.0)] == \
        ["ok", "ok", "warn", "warn", "block", "block"]
    assert status(None, d) == "warn" and status(float("nan"), d) == "warn"


def test_thresholds_must_be_ordered():
    with pytest.raises(ValueError, match="warn_psi"):
        DriftConfig(warn_psi=0.3, block_psi=0.2)
