"""Job ``validate``: check one partition of a table against its data contract (a DAG task).

Reads the ``ds`` partition of ``table`` (partition column from the contract registry, e.g.
``bronze.events`` → ``event_date == ds``, ``gold.decisions`` → ``ds == ds``) with delta-rs, runs
the suite from ``expectations/``, writes the report to ``<runs>/<ds>/quality/<table>/`` and
raises :class:`ContractBreach` when a critical expectation failed and
``quality.fail_on_breach`` is true (the Airflow task fails and downstream tasks do not run).

    python -m jobs.validate --table gold.decisions --ds 2026-10-15
"""
from __future__ import annotations

import argparse
import sys
from typing import Any

from tailor.config import Config, get_config, load_config
from tailor.lakehouse.arrow_io import read_arrow, table_version
from tailor.lakehouse.tables import table_uri
from tailor.quality.contracts import (
    ContractBreach,
    arrow_to_pandas,
    report_dir_for,
    validate_frame,
)

__all__ = ["ContractBreach", "run", "main"]


def run(table: str, ds: str, cfg: Config | None = None, *,
        data_docs: bool | None = None) -> dict[str, Any]:
    """Validate partition ``ds`` of ``table``; return a summary dict, raise on a breach.

    ``data_docs`` (default: ``quality.data_docs`` if configured, else True) also renders GX
    data docs (~4 MB of static assets per report) next to the JSON + HTML report.
    """
    from expectations import get_contract

    cfg = cfg or get_config()
    if data_docs is None:
        data_docs = bool(getattr(cfg.quality, "data_docs", True))
    contract = get_contract(table)
    uri = table_uri(cfg.lakehouse_root, table)
    version = table_version(uri)
    if version is None:
        raise FileNotFoundError(f"cannot validate {table}: no Delta table at {uri} "
                                "(has the job that writes it run for this ds?)")
    arrow = read_arrow(uri, version=version, partitions={contract.partition_column: ds})
    frame = arrow_to_pandas(arrow)
    result = validate_frame(frame, contract.build_suite(), table=table, ds=ds,
                            prepare=contract.prepare, id_column=contract.id_column,
                            report_dir=report_dir_for(cfg.runs_dir, ds, table),
                            data_docs=data_docs)
    print(result.summary())
    if not result.success and cfg.quality.fail_on_breach:
        raise ContractBreach(result)
    return {
        "table": table,
        "ds": ds,
        "table_version": version,
        "partition": {contract.partition_column: ds},
        "success": result.success,
        "rows": result.row_count,
        "expectations": len(result.outcomes),
        "failed": result.failed_expectations,
        "warnings": [o.name for o in result.warnings],
        "report": result.reports.get("html"),
        "report_json": result.reports.get("json"),
        "data_docs": result.reports.get("data_docs"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jobs.validate", description=__doc__.splitlines()[0])
    parser.add_argument("--table", required=True, help="layer.name, e.g. gold.decisions")
    parser.add_argument("--ds", required=True, help="partition date, YYYY-MM-DD")
    parser.add_argument("--no-data-docs", action="store_true",
                        help="skip rendering GX data docs (JSON + HTML report only)")
    args = parser.parse_args(argv)
    try:
        run(args.table, args.ds, load_config(), data_docs=False if args.no_data_docs else None)
    except ContractBreach as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
