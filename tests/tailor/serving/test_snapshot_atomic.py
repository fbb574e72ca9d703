"""Snapshot builds are atomic (complete directory or nothing) and CURRENT switches atomically;
earlier snapshots are kept for rollback."""
import pyarrow as pa
import pytest

from tailor.serving.snapshot import (
    build_snapshot,
    list_snapshots,
    read_current,
    set_current,
    snapshots_dir,
    verify_snapshot,
)


def test_build_then_switch_current(decisions, cfg, publish):
    first = publish(decisions, version=1)
    assert read_current(cfg.serving_dir) == first.snapshot_id

    second = build_snapshot(decisions.slice(0, 50), cfg.serving_dir, {"decisions_version": 2})
    # built but not yet published: CURRENT still names the first one
    assert read_current(cfg.serving_dir) == first.snapshot_id
    assert verify_snapshot(second.path)["row_count"] == 50
    set_current(cfg.serving_dir, second.snapshot_id)

    assert read_current(cfg.serving_dir) == second.snapshot_id
    assert list_snapshots(cfg.serving_dir) == [first.snapshot_id, second.snapshot_id]
    entries = {p.name for p in snapshots_dir(cfg.serving_dir).iterdir()}
    assert entries == {first.snapshot_id, second.snapshot_id}, "no temp dirs left behind"
    assert not [p for p in snapshots_dir(cfg.serving_dir).parent.iterdir()
                if p.name.startswith(".")], "no temp CURRENT files left behind"


def test_failed_build_leaves_nothing_and_current_untouched(decisions, cfg, publish):
    first = publish(decisions)
    bad = pa.concat_tables([decisions, decisions.slice(0, 1)])  # one person twice

    with pytest.raises(ValueError, match="duplicate person_id"):
        build_snapshot(bad, cfg.serving_dir, {"decisions_version": 4})

    assert [p.name for p in snapshots_dir(cfg.serving_dir).iterdir()] == [first.snapshot_id]
    assert read_current(cfg.serving_dir) == first.snapshot_id


def test_manifest_records_lineage_and_checksums(published, decisions):
    manifest = published.manifest
    assert manifest["decisions_version"] == 3 and manifest["ds"] == "2026-10-15"
    assert manifest["policy_version"] == "policy-test-1"
    assert manifest["model_versions"] == {"ltv": "3", "churn": "2", "ranker": "5"}
    assert manifest["row_count"] == decisions.num_rows
    assert len(manifest["files"][manifest["lookup_file"]]["sha256"]) == 64
    assert manifest["fallback"]["known"] is False and manifest["fallback"]["message"] is None
    assert "build_seconds" in manifest and manifest["built_at"]   # reported, not judged
