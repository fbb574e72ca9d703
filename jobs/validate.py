"""Job ``validate``: check tables against their data contracts (a DAG task).

For each table, reads the rows its contract selects for ``ds`` with delta-rs (the registry in
``expectations/`` says which: a partition, e.g. ``bronze.events`` → ``event_date == ds``; the
rows of an unpartitioned table whose ``ds`` column matches, e.g. ``ops.ingest_log``; the
training cutoffs of the run; or the whole table, e.g. ``silver.identity_map``), runs the suite,
writes the report to ``<runs>/<ds>/quality/<table>/`` (report.html, report.json, GX data docs)
plus an index of every report of the day at ``<runs>/<ds>/quality/index.html``, and raises
:class:`ContractBreach` when a critical expectation failed and ``quality.fail_on_breach`` is
true (the Airflow task fails and downstream tasks do not run).

GX checks a pandas frame, so the selected rows are held on this process. Bound: a selection of
more than ``quality.max_rows`` rows (default 500,000; the training tables grow with customers
× cutoffs × candidates) with a ``person_id`` column is checked on every row of a stable sample of
persons (``tailor/sampling.py``), streamed from the snapshot; the summary records ``rows_total``
and ``sample_share``. Tables without persons (items, ops) are read whole.

``--table`` takes one table, a comma-separated list, a pattern (``features.*``: every feature
group's table), or ``all`` (every registered table that exists; tables not written yet are
listed as skipped). With several tables every contract runs
before the job fails, so one breach does not hide another, and ``quality.parallel_tables`` of
them run at a time, each in a process of its own.

    tailor run validate --table gold.decisions --ds 2026-10-15
    tailor run validate --table bronze.events,silver.events --ds 2026-10-15
    tailor run validate --table 'features.*' --ds 2026-10-15
    tailor run validate --table all --ds 2026-10-15
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Iterable

from tailor.config import Config, get_config
from tailor.lakehouse.arrow_io import open_table, snapshot_dataset, table_version
from tailor.lakehouse.tables import table_uri
from tailor.quality.contracts import (
    ContractBreach,
    ContractsBreached,
    arrow_to_pandas,
    report_dir_for,
    validate_frame,
    write_index,
)
from tailor.runtime import JobContext, JobOption, main
from tailor.sampling import PERSON, held_rows

__all__ = ["ContractBreach", "ContractsBreached", "run", "check", "run_many", "resolve_tables"]

OPTIONS = (
    JobOption("--table", "layer.name (e.g. gold.decisions), a comma-separated list, a pattern "
                         "('features.*'), or 'all'", required=True, names_record=True),
    JobOption("--data-docs", "also render GX data docs: true|false (default: quality.data_docs)",
              type=lambda v: v.strip().lower() in ("1", "true", "yes")),
)

ALL = "all"
SALT = "quality-sample"  # the persons a large table's contract checks (tailor/sampling.py)


def resolve_tables(spec: str | Iterable[str]) -> list[str]:
    """``"all"`` → every registered table; ``"a,b"`` or a list → those tables (validated);
    a pattern such as ``"features.*"`` or ``"training.*"`` → the registered tables it matches."""
    from fnmatch import fnmatchcase

    from tailor.expectations import get_contract, registered_tables

    names = ([t.strip() for t in spec.split(",")] if isinstance(spec, str)
             else [t.strip() for t in spec])
    names = [n for n in names if n]
    if names == [ALL]:
        return registered_tables()
    out: list[str] = []
    for name in names:
        if "*" in name or "?" in name:
            matched = [t for t in registered_tables() if fnmatchcase(t, name)]
            if not matched:
                raise KeyError(f"no data contract matches {name!r}; known: {registered_tables()}")
            out += matched
        else:
            get_contract(name)  # KeyError listing the known tables
            out.append(name)
    return list(dict.fromkeys(out))


def _is_many(table: str | Iterable[str]) -> bool:
    return (not isinstance(table, str) or table == ALL or "," in table or "*" in table
            or "?" in table)


def run(ctx: JobContext) -> dict[str, Any]:
    """Check the data contracts of option ``table`` for ``ds`` (the job; see :func:`check`)."""
    return check(ctx.option("table"), ctx.ds, ctx.cfg, data_docs=ctx.option("data_docs"))


def check(table: str | Iterable[str], ds: str, cfg: Config | None = None, *,
          data_docs: bool | None = None) -> dict[str, Any]:
    """Validate ``table``'s rows for ``ds``; return a summary dict, raise on a breach.

    ``table`` may also be ``"all"``, ``"a,b"`` or a list: see :func:`run_many`.
    ``data_docs`` (default: ``quality.data_docs``) also renders GX data docs (~4 MB of static
    assets per report) next to the JSON + HTML report.
    """
    if _is_many(table):
        return run_many(table, ds, cfg, data_docs=data_docs)
    cfg = cfg or get_config()
    summary = _validate_one(table, ds, cfg, data_docs=data_docs, skip_missing=False)
    write_index(os.path.join(cfg.runs_dir, ds, "quality"))
    if not summary["success"] and cfg.quality.fail_on_breach:
        raise ContractBreach(summary.pop("_result"))
    summary.pop("_result", None)
    return summary


def run_many(tables: str | Iterable[str], ds: str, cfg: Config | None = None, *,
             data_docs: bool | None = None) -> dict[str, Any]:
    """Validate several tables (``"all"``, ``"a,b"`` or a list), then fail once for all breaches.

    With ``"all"``, registered tables that have not been written yet are skipped (listed in
    ``skipped``); a table named explicitly must exist unless its contract is ``OPTIONAL``.
    """
    cfg = cfg or get_config()
    everything = isinstance(tables, str) and tables.strip() == ALL
    names = resolve_tables(tables)
    summaries: dict[str, dict[str, Any]] = {}
    breaches, skipped, errors = [], [], {}
    for name, summary, error in _attempt_all(names, ds, cfg, data_docs, everything):
        if summary is None:
            errors[name] = error
            continue
        result = summary.pop("_result", None)
        if summary.get("skipped"):
            skipped.append(name)
        elif not summary["success"] and result is not None:
            breaches.append(result)
        summaries[name] = summary
    write_index(os.path.join(cfg.runs_dir, ds, "quality"))
    out = {"ds": ds, "tables": names, "success": not breaches and not errors,
           "breached": [r.table for r in breaches], "skipped": skipped, "errors": errors,
           "index": os.path.join(cfg.runs_dir, ds, "quality", "index.html"),
           "results": summaries}
    if breaches and cfg.quality.fail_on_breach:
        raise ContractsBreached(breaches, errors=errors)
    if errors:
        raise RuntimeError(f"{len(errors)} data contract(s) could not run for ds={ds}: "
                           + "; ".join(f"{k}: {v}" for k, v in errors.items()))
    return out


def _attempt(name: str, ds: str, cfg: Config, data_docs: bool | None,
             skip_missing: bool) -> tuple[str, dict[str, Any] | None, str]:
    """One table's contract → (table, summary or None, why it could not run)."""
    try:
        return name, _validate_one(name, ds, cfg, data_docs=data_docs,
                                   skip_missing=skip_missing), ""
    except Exception as exc:  # noqa: BLE001 - reported together by run_many
        print(f"data contract {name} (ds={ds}): could not run: {exc}", file=sys.stderr)
        return name, None, f"{type(exc).__name__}: {exc}"


def _fork_safe() -> bool:
    """Whether a forked child can use delta-rs: not once this process has started its runtime
    (a forked child has none of its worker threads, and panics). A job process has not: it
    reads no table before its contracts; a notebook or test that read one checks one table
    at a time."""
    try:
        tasks = os.listdir("/proc/self/task")
        names = [Path(f"/proc/self/task/{t}/comm").read_text().strip() for t in tasks]
    except OSError:
        return False
    return not any(n.startswith("tokio") for n in names)


def _attempt_all(names: list[str], ds: str, cfg: Config, data_docs: bool | None,
                 skip_missing: bool) -> list[tuple[str, dict[str, Any] | None, str]]:
    """:func:`_attempt` for every table, ``quality.parallel_tables`` at a time in forked
    processes (GX checks a pandas frame in pure Python: one core per table) when forking is
    safe (:func:`_fork_safe`), in the order of ``names``. Each process holds only its own
    table's rows."""
    workers = min(cfg.quality.parallel_tables, len(names))
    if workers <= 1 or not _fork_safe():
        return [_attempt(n, ds, cfg, data_docs, skip_missing) for n in names]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool
    from functools import partial

    sys.stdout.flush()
    sys.stderr.flush()
    one = partial(_attempt, ds=ds, cfg=cfg, data_docs=data_docs, skip_missing=skip_missing)
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(one, names))
    except BrokenProcessPool as exc:
        raise RuntimeError(f"a process checking the contracts of {', '.join(names)} died "
                           f"({exc}; out of memory?): set quality.parallel_tables: 1 to check "
                           "one table at a time, or lower quality.max_rows") from exc


def _validate_one(table: str, ds: str, cfg: Config, *, data_docs: bool | None,
                  skip_missing: bool) -> dict[str, Any]:
    import pyarrow.compute as pc

    from tailor.expectations import get_contract

    if data_docs is None:
        data_docs = bool(getattr(cfg.quality, "data_docs", True))
    contract = get_contract(table)
    selection = contract.selection(ds, cfg)
    uri = table_uri(cfg.lakehouse_root, table)
    version = table_version(uri)
    if version is None:
        if contract.optional or skip_missing:
            why = ("optional table not written yet" if contract.optional
                   else "table not written yet")
            print(f"data contract {table} (ds={ds}): skipped, {why} ({uri})")
            return {"table": table, "ds": ds, "table_version": None, "success": True,
                    "skipped": why, "rows": 0, "partition": selection.describe(),
                    "expectations": 0, "failed": [], "warnings": [], "report": None,
                    "report_json": None, "data_docs": None}
        raise FileNotFoundError(f"cannot validate {table}: no Delta table at {uri} "
                                "(has the job that writes it run for this ds?)")
    dataset = snapshot_dataset(open_table(uri, version), uri, selection.partitions)
    if selection.row_filter:
        column, value = selection.row_filter
        dataset = dataset.filter(pc.equal(pc.field(column).cast("string"), value))
    max_rows = cfg.quality.max_rows if PERSON in dataset.schema.names else None
    arrow, total, share = held_rows(dataset, max_rows, SALT)
    if share < 1.0:
        print(f"data contract {table} (ds={ds}): {total} rows, above quality.max_rows="
              f"{max_rows}: checking the {arrow.num_rows} rows of a stable {share:.1%} sample "
              "of persons", flush=True)
    frame = arrow_to_pandas(arrow)
    report_dir = report_dir_for(cfg.runs_dir, ds, table)
    result = validate_frame(frame, contract.suite(frame), table=table, ds=ds,
                            prepare=contract.prepare, id_column=contract.id_column,
                            report_dir=report_dir, data_docs=data_docs)
    print(result.summary(), flush=True)
    return {
        "table": table,
        "ds": ds,
        "table_version": version,
        "partition": selection.describe(),
        "success": result.success,
        "rows": result.row_count,
        "rows_total": total,
        "sample_share": round(share, 6),
        "expectations": len(result.outcomes),
        "failed": result.failed_expectations,
        "warnings": [o.name for o in result.warnings],
        "report": result.reports.get("html"),
        "report_json": result.reports.get("json"),
        "data_docs": result.reports.get("data_docs"),
        "_result": result,
    }


if __name__ == "__main__":
    main(run, "validate", OPTIONS)
