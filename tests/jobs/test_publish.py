"""The publish job serves exactly the requested ds partition of the latest gold.decisions
version (or of the version asked for), and points CURRENT at it. ``cfg`` (tests/conftest.py)
puts the lakehouse and serving dirs under tmp_path."""
import pyarrow as pa
import pytest
from deltalake import write_deltalake

import tailor.jobs.publish as publish_job
from tailor.lakehouse.tables import table_uri
from tailor.privacy import pseudonymise
from tailor.runtime import JobContext
from tailor.serving.snapshot import load_snapshot, read_current
from tests.support.synthetic import decisions_table

DAY, OTHER_DAY = "2026-10-15", "2026-10-14"


@pytest.fixture
def decisions_uri(cfg):
    """v0: DAY has a..c (policy p1), OTHER_DAY has x, y; v1: DAY replaced by a..d (policy p2)."""
    key, length = cfg.privacy.pseudonym_key, cfg.privacy.person_id_length
    uri = table_uri(cfg.lakehouse_root, "gold.decisions")
    v0 = pa.concat_tables([
        decisions_table(["a", "b", "c"], DAY, key, length, policy_version="p1"),
        decisions_table(["x", "y"], OTHER_DAY, key, length, policy_version="p1")])
    write_deltalake(uri, v0, partition_by=["ds"])
    write_deltalake(uri, decisions_table(["a", "b", "c", "d"], DAY, key, length,
                                         policy_version="p2"),
                    mode="overwrite", predicate=f"ds = '{DAY}'")
    return uri


def _served_ids(cfg, customers):
    snapshot = load_snapshot(cfg.serving_dir)
    try:
        key, length = cfg.privacy.pseudonym_key, cfg.privacy.person_id_length
        return {c for c in customers if snapshot.get(pseudonymise(c, key, length)) is not None}
    finally:
        snapshot.close()


def test_publishes_requested_partition_of_latest_version(cfg, decisions_uri):
    summary = publish_job.run(JobContext(cfg, DAY))

    assert summary["decisions_version"] == 1 and summary["rows"] == 4
    assert summary["store"] == "tkv" and summary["bytes"] > 0 and "build_seconds" in summary
    assert read_current(cfg.serving_dir) == summary["snapshot_id"]
    manifest = load_snapshot(cfg.serving_dir).manifest
    assert manifest["ds"] == DAY and manifest["policy_version"] == "p2"
    assert _served_ids(cfg, ["a", "b", "c", "d", "x", "y"]) == {"a", "b", "c", "d"}


def test_publishes_an_older_version_on_request(cfg, decisions_uri):
    summary = publish_job.run(JobContext(cfg, DAY, options={"version": 0}))

    assert summary["decisions_version"] == 0 and summary["rows"] == 3
    assert _served_ids(cfg, ["a", "b", "c", "d", "x", "y"]) == {"a", "b", "c"}


def test_empty_partition_is_refused_and_nothing_published(cfg, decisions_uri):
    with pytest.raises(ValueError, match="no rows for ds=2026-01-01"):
        publish_job.run(JobContext(cfg, "2026-01-01"))
    assert read_current(cfg.serving_dir) is None
