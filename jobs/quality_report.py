"""Job ``quality_report``: quarantine rates per reason for ``ds`` → ``ops.quality``.

Reads the ``ingest_date == ds`` partition of ``bronze.quarantine`` and the ``ds`` rows of
``ops.ingest_log``, writes one row per reason (count, lines, share) into the ``ds`` partition of
``ops.quality`` (replacing it: reruns are idempotent) and prints the rates. Spark-free
(pandas + delta-rs, see ``tailor.quality.rates``). Run it after ``ingest``; the
``ops.quality`` contract can then be checked with ``tailor run validate --table ops.quality``.

    python -m jobs.quality_report --ds 2026-10-15
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from tailor.config import Config, get_config, load_config
from tailor.quality.rates import QUALITY_TABLE, compute_for, write_quality


def run(ds: str, cfg: Config | None = None) -> dict[str, Any]:
    """Compute and write ``ops.quality`` for ``ds``; return a summary (no Spark: ``tailor run``
    calls it as a plain job)."""
    cfg = cfg or get_config()
    rates, lines, inputs = compute_for(cfg, ds)
    version = write_quality(cfg, rates, ds)
    quarantined = int(rates["count"].sum())
    for row in rates.itertuples(index=False):
        share = "n/a" if row.share is None or row.share != row.share else f"{row.share:.2%}"
        print(f"{ds} quarantine {row.reason}: {row.count} of {row.lines} lines ({share})")
    if not len(rates):
        print(f"{ds}: no quarantined lines (of {lines} ingested)")
    return {"ds": ds, "table": QUALITY_TABLE, "version": version, "reasons": len(rates),
            "quarantined": quarantined, "lines": lines,
            "rates": {r: (None if s != s else float(s))
                      for r, s in zip(rates["reason"], rates["share"])},
            "inputs": inputs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jobs.quality_report",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--ds", required=True, help="the run's date, YYYY-MM-DD")
    args = parser.parse_args(argv)
    from tailor.runtime import record_run

    cfg = load_config()
    summary = run(args.ds, cfg)
    record_run(cfg, "quality_report", args.ds, summary)
    print(json.dumps(summary, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
