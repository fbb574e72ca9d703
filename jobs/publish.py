"""Publish one day of ``gold.decisions`` to the lookup server (pipeline step 10).

Thin glue: read the partition with delta-rs (no Spark: publishing must not need a cluster),
compile it into an immutable snapshot, then atomically point CURRENT at it. A running server
picks the new snapshot up by itself; the previous ``serving.keep_snapshots`` stay on disk for
rollback (``tailor serve rollback``). The summary reports rows, bytes and each phase's time.
"""
from __future__ import annotations

import time
from typing import Any

import pyarrow.compute as pc

from tailor.lakehouse.arrow_io import read_arrow, table_version
from tailor.lakehouse.tables import table_uri
from tailor.runtime import JobContext, JobOption, main
from tailor.serving.snapshot import build_snapshot, prune_snapshots, set_current

ANON_PREFIX = "anon-"
TABLE = "gold.decisions"


OPTIONS = (JobOption("--version", "gold.decisions Delta version to publish (default: latest)",
                     type=int),)


def run(ctx: JobContext) -> dict[str, Any]:
    """Publish partition ``ds`` of gold.decisions at option ``version`` (default: latest)."""
    cfg, ds, version = ctx.cfg, ctx.ds, ctx.option("version")
    started = time.perf_counter()
    uri = table_uri(cfg.lakehouse_root, TABLE)
    latest = table_version(uri)
    if latest is None:
        raise FileNotFoundError(f"{TABLE} does not exist at {uri}: run the decide step for "
                                f"ds={ds} before publishing")
    version = latest if version is None else version
    if not 0 <= version <= latest:
        raise ValueError(f"{TABLE} has versions 0..{latest}; cannot publish version {version}")
    rows = read_arrow(uri, version=version, partitions={"ds": ds})
    if rows.num_rows == 0:
        raise ValueError(f"{TABLE} version {version} has no rows for ds={ds}: nothing to "
                         f"publish (did the decide step run for that day?)")
    # Apps look users up by their customer id, which the server pseudonymises: decisions for
    # anonymous persons (person_id "anon-...", never logged in) cannot be asked for, so they are
    # not compiled into the snapshot (unknown visitors get the fallback).
    identified = pc.invert(pc.starts_with(rows["person_id"], ANON_PREFIX))
    anonymous = rows.num_rows - pc.sum(identified.cast("int64")).as_py()
    rows = rows.filter(identified)
    if rows.num_rows == 0:
        raise ValueError(f"{TABLE} version {version} has only anonymous persons for ds={ds}")
    read_seconds = time.perf_counter() - started
    info = build_snapshot(rows, cfg.serving_dir,
                          {"decisions_table": TABLE, "decisions_uri": uri,
                           "decisions_version": version, "ds": ds},
                          fallback_top_k=cfg.serving.top_k, engine=cfg.serving.store)
    del rows
    verify_started = time.perf_counter()
    set_current(cfg.serving_dir, info.snapshot_id)  # verifies checksums + row count first
    verify_seconds = time.perf_counter() - verify_started
    pruned = prune_snapshots(cfg.serving_dir, cfg.serving.keep_snapshots)
    return {"table": TABLE, "ds": ds, "decisions_version": version,
            "snapshot_id": info.snapshot_id, "path": info.path, "rows": info.row_count,
            "rows_out": info.row_count,
            "store": info.manifest["store"], "bytes": info.manifest["bytes"],
            "read_seconds": round(read_seconds, 3),
            "build_seconds": info.manifest["build_seconds"],
            "verify_seconds": round(verify_seconds, 3),
            "total_seconds": round(time.perf_counter() - started, 3),
            "current": info.snapshot_id, "pruned": pruned, "anonymous_skipped": anonymous}


if __name__ == "__main__":
    main(run, "publish", OPTIONS)
