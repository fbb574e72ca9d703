"""Job ``quality_report``: quarantine rates per reason for ``ds`` → ``ops.quality``.

Reads the ``ingest_date == ds`` partition of ``bronze.quarantine`` and the ``ds`` rows of
``ops.ingest_log``, writes one row per reason (count, lines, share) into the ``ds`` partition of
``ops.quality`` (replacing it: reruns are idempotent) and prints the rates. Spark-free
(pandas + delta-rs, see ``tailor.quality.rates``). Run it after ``ingest``; the
``ops.quality`` contract can then be checked with ``tailor run validate --table ops.quality``.

    tailor run quality_report --ds 2026-10-15
"""
from __future__ import annotations

from typing import Any

from tailor.quality.rates import QUALITY_TABLE, compute_for, write_quality
from tailor.runtime import JobContext, main


def run(ctx: JobContext) -> dict[str, Any]:
    """Compute and write ``ops.quality`` for ``ds``; return a summary (starts no Spark)."""
    cfg, ds = ctx.cfg, ctx.ds
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


if __name__ == "__main__":
    main(run, "quality_report")
