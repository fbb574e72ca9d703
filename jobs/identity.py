"""identity: bronze.events → silver.identity_map + silver.events (pseudonymous person ids).

Builds the identity graph (login / identified-event / co-occurrence evidence, connected
components in Spark, or on the driver for a graph of at most ``identity.local_graph_max_edges``
edges; see tailor/identity/resolve.py for the over-merge rule) from all of bronze
on every run (overwrite), so a rerun gives the same tables and a late login re-attributes a
device's earlier anonymous events to its person. With ``identity.ground_truth`` set (e.g. the
simulator's ground_truth/identity.parquet) it prints and records precision / recall.
"""
from __future__ import annotations

import os

from tailor.identity.evaluation import evaluate_assignments, linkable_ids
from tailor.identity.resolve import (
    attribute_events,
    count_triples,
    event_persons,
    identity_map,
    resolve_identities,
)
from tailor.runtime import JobContext, main
from tailor.spark import checkpointed


def run(ctx: JobContext) -> dict:
    """Resolve identities and write silver."""
    lh, privacy, conf = ctx.lakehouse, ctx.cfg.privacy, ctx.cfg.identity
    bronze = lh.read("bronze.events")
    resolution = resolve_identities(bronze, max_iterations=conf.max_iterations,
                                    identified_events=conf.identified_events,
                                    local_max_edges=conf.local_graph_max_edges)
    # computed once here, its lineage cut: the writes below and the evidence count plan over a
    # one-node input instead of re-analysing the whole resolution (seconds per query)
    links = checkpointed(resolution.links)
    idmap = lh.write(identity_map(links, privacy.pseudonym_key, privacy.person_id_length),
                     "silver.identity_map", mode="overwrite", partition_by=[])
    # each distinct id triple's person, computed once; broadcast to the event scan, keyed by a
    # hash of the triple, when there are few enough (identity.broadcast_max_triples) and no two
    # share a hash: then the events are never shuffled — and, read from bronze's event_date
    # partitions, written where they are (not clustered again by event_date)
    persons = checkpointed(event_persons(bronze, links, privacy.pseudonym_key,
                                         privacy.person_id_length, resolution.triples))
    triples, unique = count_triples(persons)
    broadcast = 0 < triples <= conf.broadcast_max_triples and unique
    events = lh.write(attribute_events(bronze, persons, broadcast),
                      "silver.events", mode="overwrite", partition_by=["event_date"],
                      cluster=not broadcast)
    summary = {"identity_map_version": idmap.version, "identity_links": idmap.rows_written,
               "silver_events_version": events.version, "silver_events": events.rows_written,
               "bronze_version": lh.version("bronze.events"),
               "id_triples": triples, "events_join": "broadcast" if broadcast else "shuffle",
               "triple_keys_unique": unique,
               "graph_iterations": resolution.iterations,
               "graph_method": resolution.graph_method,
               "evidence": {r["evidence"]: r["count"]
                            for r in links.groupBy("evidence").count().collect()}}
    if conf.ground_truth:
        path = ctx.cfg.path(conf.ground_truth)
        if os.path.exists(path) or "://" in path:
            metrics = evaluate_assignments(links, ctx.spark.read.parquet(path),
                                           linkable_ids(bronze, conf.max_iterations,
                                                        conf.local_graph_max_edges,
                                                        resolution.triples))
            summary["identity_quality"] = metrics
            print(f"identity precision={metrics['precision']:.4f} recall={metrics['recall']:.4f} "
                  f"({metrics['correct']} of {metrics['truth']} ground-truth ids correct, "
                  f"{metrics['assigned']} assigned); recall over the {metrics['linkable']} ids "
                  f"with an evidence path: {metrics['recall_linkable']:.4f}", flush=True)
        else:
            summary["identity_quality"] = f"ground truth {path} not found"
    return summary


if __name__ == "__main__":
    main(run, "identity")
