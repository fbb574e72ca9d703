"""overlay: bronze events since the last daily run → gold.overlay (unpartitioned, overwritten
each run), the nearline corrections the lookup server applies on top of the published policy:

    person_id string, revoked_channels array<string>, messages_today int,
    bought_items array<string>, updated_at timestamp

"Since the last daily run" = from the end of the ds of the policy being served (the earlier of
gold.decisions' latest ds and the CURRENT snapshot's); as of
``min(now, end of ds)``; consent by receipt over each person's whole consent history (the
consent rule of tailor/consent.py, shared with the guardian and the lookup server); person ids
exactly as the daily pipeline pseudonymises them (recent logins, then silver.identity_map).
Rules in tailor/nearline.py.
"""
from __future__ import annotations

from tailor.nearline import (
    OVERLAY,
    compute_overlay,
    consent_bronze,
    nearline_as_of,
    overlay_since,
    recent_bronze,
    resolve,
    today_start,
)
from tailor.runtime import JobContext, main


def run(ctx: JobContext) -> dict:
    """Rebuild gold.overlay from events since the last daily run."""
    lh, table = ctx.lakehouse, ctx.cfg.nearline.overlay_table
    as_of = nearline_as_of(ctx.ds)
    since = overlay_since(lh, ctx.cfg.serving_dir)
    if not lh.exists("bronze.events"):
        frame = ctx.spark.createDataFrame([], OVERLAY.ddl)  # nothing ingested yet: empty
    else:
        start = min(since, today_start(as_of)) if since is not None else None
        bronze = (recent_bronze(lh, start, as_of).unionByName(consent_bronze(lh, as_of))
                  .dropDuplicates(["event_id"]))
        events = resolve(lh, ctx.cfg, bronze)
        frame = compute_overlay(events, since, as_of)
    result = lh.write(frame, table, mode="overwrite", partition_by=[])
    return {"table": table, "version": result.version, "persons": result.rows_written,
            "since": since.isoformat() if since else None, "as_of": as_of.isoformat(),
            "bronze_version": lh.version("bronze.events")}


if __name__ == "__main__":
    main(run, "overlay")
