"""maintenance: compaction, retention, VACUUM and checkpoints of the lakehouse tables →
``ops.maintenance`` (one row per table: files and bytes before / after, versions, retention).

Every table matching ``maintenance.tables`` (or ``--table``): small files compacted (delta-rs
``optimize.compact``: the same rows in fewer files), files removed more than the retention ago
vacuumed, a checkpoint at the latest version, expired commit files deleted. The retention
(``maintenance.retention_hours``, at least the floor that lineage and rollback need:
``tailor.config.time_travel_floor``) is how far back time travel keeps working; ``training.*``
keeps its whole history (``maintenance.keep_history``). A table with nothing to do is left
alone and recorded as ``noop``, so reruns are harmless. Starts no Spark. A table that failed
fails the task after every other table was maintained and recorded; a conflict with a
concurrent writer does not (the next run catches up).

    tailor run maintenance --ds 2026-10-15
    tailor run maintenance --ds 2026-10-15 --table bronze.events
"""
from __future__ import annotations

from typing import Any

from tailor.maintenance import CONFLICT, FAILED, TABLE, run_maintenance
from tailor.runtime import JobContext, JobError, JobOption, main

OPTIONS = (JobOption("--table", "only these tables: layer.name or patterns such as features.*, "
                                "comma-separated (default: maintenance.tables)",
                     names_record=True),)


def run(ctx: JobContext) -> dict[str, Any]:
    """Maintain the tables, record ``ops.maintenance``, summarise."""
    plan, rows, version = run_maintenance(ctx.cfg, ctx.lakehouse, ctx.ds, ctx.run_id,
                                          ctx.option("table"))
    for r in rows:
        print(f"{r['table_name']}: {r['status']} {r['operations'] or '-'} files "
              f"{r['files_before']} -> {r['files_after']}, stored bytes "
              f"{r['stored_bytes_before']} -> {r['stored_bytes_after']}")
    by_status: dict[str, list[str]] = {}
    for r in rows:
        by_status.setdefault(r["status"], []).append(r["table_name"])
    summary = {"table": TABLE, "version": version, "tables": len(rows),
               "retention_hours": plan.retention_hours, "status": by_status,
               "files_before": sum(r["files_before"] for r in rows),
               "files_after": sum(r["files_after"] for r in rows),
               "stored_bytes_before": sum(r["stored_bytes_before"] for r in rows),
               "stored_bytes_after": sum(r["stored_bytes_after"] for r in rows)}
    if by_status.get(CONFLICT):
        summary["conflicts"] = {r["table_name"]: r["note"] for r in rows if r["status"] == CONFLICT}
    failed = {r["table_name"]: r["note"] for r in rows if r["status"] == FAILED}
    if failed:
        raise JobError(f"maintenance failed for {len(failed)} table(s) (recorded in {TABLE}): "
                       + "; ".join(f"{t}: {n}" for t, n in failed.items()))
    return summary


if __name__ == "__main__":
    main(run, "maintenance", OPTIONS)
