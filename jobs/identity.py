"""identity: bronze.events → silver.identity_map + silver.events (pseudonymous person ids).

Recomputed from all of bronze on every run (overwrite), so a rerun gives the same tables and a
late login re-attributes a device's earlier anonymous events to its person.
"""
from __future__ import annotations

from tailor.identity.resolve import identity_links, identity_map, resolve_events
from tailor.runtime import JobContext, main


def run(ctx: JobContext) -> dict:
    """Resolve identities and write silver."""
    lh, privacy = ctx.lakehouse, ctx.cfg.privacy
    bronze = lh.read("bronze.events")
    links = identity_links(bronze).cache()
    idmap = lh.write(identity_map(links, privacy.pseudonym_key, privacy.person_id_length),
                     "silver.identity_map", mode="overwrite", partition_by=[])
    events = lh.write(resolve_events(bronze, links, privacy.pseudonym_key, privacy.person_id_length),
                      "silver.events", mode="overwrite", partition_by=["event_date"])
    links.unpersist()
    return {"identity_map_version": idmap.version, "identity_links": idmap.rows_written,
            "silver_events_version": events.version, "silver_events": events.rows_written,
            "bronze_version": lh.version("bronze.events")}


if __name__ == "__main__":
    main(run, "identity")
