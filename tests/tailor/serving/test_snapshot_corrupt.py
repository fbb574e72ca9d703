"""A corrupt or incomplete snapshot is refused by verify, by the loader and by set_current,
and CURRENT keeps naming the good one; so is one of an older format (no per-record checksums),
with a message that says to publish it again."""
from pathlib import Path

import pytest

from tailor.serving.snapshot import (
    MANIFEST,
    SnapshotError,
    build_snapshot,
    load_snapshot,
    read_current,
    set_current,
    verify_snapshot,
)


def _flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.fixture
def corrupt(decisions, cfg, published):
    """A second, built-but-unpublished snapshot with one byte of its lookup file flipped."""
    info = build_snapshot(decisions, cfg.serving_dir, {"decisions_version": 9})
    lookup = Path(info.path, info.manifest["lookup_file"])
    _flip_byte(lookup, lookup.stat().st_size // 2)
    return info


def test_verify_refuses_flipped_byte(corrupt):
    with pytest.raises(SnapshotError, match="corrupt.*sha256"):
        verify_snapshot(corrupt.path)


def test_loader_refuses_flipped_byte(corrupt, cfg):
    with pytest.raises(SnapshotError, match="corrupt"):
        load_snapshot(cfg.serving_dir, corrupt.snapshot_id)


def test_set_current_refuses_and_keeps_current(corrupt, cfg, published):
    with pytest.raises(SnapshotError):
        set_current(cfg.serving_dir, corrupt.snapshot_id)
    assert read_current(cfg.serving_dir) == published.snapshot_id
    load_snapshot(cfg.serving_dir).close()  # the current one still loads


def test_incomplete_snapshot_without_manifest_is_refused(decisions, cfg):
    info = build_snapshot(decisions, cfg.serving_dir, {"decisions_version": 9})
    Path(info.path, MANIFEST).unlink()
    with pytest.raises(SnapshotError, match="incomplete"):
        load_snapshot(cfg.serving_dir, info.snapshot_id)


def test_snapshot_of_an_older_format_is_refused_with_what_to_do(decisions, cfg):
    import json

    info = build_snapshot(decisions, cfg.serving_dir, {"decisions_version": 9})
    manifest = Path(info.path, MANIFEST)
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "format": 2}))
    with pytest.raises(SnapshotError, match=r"format 2, this server serves format 3 .*checksum"
                                            r".*publish it again"):
        load_snapshot(cfg.serving_dir, info.snapshot_id)
