"""maintenance.retention_hours can never be set below what lineage and rollback read by time
travel: null means the floor, a lower value fails at start-up saying what to set, and the floor
follows the settings it comes from."""
import pytest

from tailor.config import ConfigError, load_config, time_travel_floor

REPO = __import__("pathlib").Path(__file__).resolve().parents[2]


def test_default_is_the_floor_and_lower_is_refused():
    cfg = load_config(root=REPO, environ={})
    floor, reasons = time_travel_floor(cfg)
    assert cfg.maintenance.retention_hours is None
    assert cfg.maintenance_retention_hours == floor == 31 * 24    # 28 + 2 attribution days + 1
    assert any("lookback_days" in r for r in reasons)
    with pytest.raises(ConfigError, match=r"below the time-travel floor of 744 h.*"
                                          r"TAILOR__MAINTENANCE__RETENTION_HOURS=744"):
        load_config(root=REPO, environ={"TAILOR__MAINTENANCE__RETENTION_HOURS": "168"})
    longer = load_config(root=REPO, environ={"TAILOR__MAINTENANCE__RETENTION_HOURS": "1000"})
    assert longer.maintenance_retention_hours == 1000


def test_the_floor_follows_what_needs_time_travel():
    cfg = load_config(root=REPO, environ={"TAILOR__POLICY__OUTCOMES__LOOKBACK_DAYS": "60"})
    assert cfg.maintenance_retention_hours == (60 + 2 + 1) * 24
    with pytest.raises(ConfigError, match="below the time-travel floor of 1512 h"):
        load_config(root=REPO, environ={"TAILOR__POLICY__OUTCOMES__LOOKBACK_DAYS": "60",
                                        "TAILOR__MAINTENANCE__RETENTION_HOURS": "744"})
