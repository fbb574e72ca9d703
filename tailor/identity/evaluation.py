"""Identity-resolution quality against a ground truth (the simulator's
``ground_truth/identity.parquet``: id_type, id_value, customer_id).

Per-id assignment metrics, computed in Spark (only the aggregate row reaches the driver):

* ``precision`` = ids assigned to their true customer / ids of the ground truth assigned to any
  customer (an id left anonymous is not a wrong assignment, it is a missed one);
* ``recall``    = ids assigned to their true customer / ids in the ground truth (ids the pipeline
  never saw, or left anonymous, count as misses).

Assigned ids missing from the ground truth cannot be judged; they are counted
(``assigned_unknown``) but left out of both ratios.

Some ground-truth ids cannot be linked by *any* resolver that only reads the events: a visitor
device that never logs in, never carries a customer id and never shares an event with an id
that does has no path to its customer in the data. :func:`linkable_ids` finds the ids that do
have one (connected to a customer in the raw evidence graph, with no over-merge rule), and
``recall_linkable`` is recall over those: the part of recall the resolver is responsible for.
Both recalls are reported; neither hides the other.
"""
from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F


def linkable_ids(bronze: DataFrame, max_iterations: int = 30,
                 local_max_edges: int = 0, triples: DataFrame | None = None) -> DataFrame:
    """(id_type, id_value) of every id with an evidence path to some customer: an event
    carrying it and a customer id, or a chain of events sharing an anonymous and a device id
    that reaches one. Every piece of evidence counts (no over-merge rule): an upper bound.
    ``triples``: :func:`tailor.identity.resolve.id_triples` of ``bronze`` already computed (the
    identity job's, checkpointed), so the events are not aggregated again."""
    from tailor.identity.graph import connected_components
    from tailor.identity.resolve import _vertex, co_occurrence, id_occurrences, id_triples

    triples = id_triples(bronze) if triples is None else triples
    occ = id_occurrences(triples)
    to_customer = (occ.where(F.col("customer_id").isNotNull())
                   .select(_vertex(F.col("id_type"), F.col("id_value")).alias("src"),
                           _vertex("customer", F.col("customer_id")).alias("dst")))
    shared = co_occurrence(triples).select(_vertex("anonymous", F.col("anonymous_id")).alias("src"),
                                          _vertex("device", F.col("device_id")).alias("dst"))
    comp = connected_components(to_customer.unionByName(shared).distinct(),
                                max_iterations=max_iterations,
                                local_max_edges=local_max_edges).vertices
    with_customer = (comp.join(to_customer.select(F.col("dst").alias("vertex")).distinct(),
                               "vertex").select("component").distinct())
    ids = occ.select("id_type", "id_value").distinct().withColumn(
        "vertex", _vertex(F.col("id_type"), F.col("id_value")))
    return (ids.join(comp, "vertex").join(with_customer, "component")
            .select("id_type", "id_value"))


def evaluate_assignments(assigned: DataFrame, truth: DataFrame,
                         linkable: DataFrame | None = None) -> dict:
    """Compare ``assigned`` (id_type, id_value, customer_id — null = anonymous) with ``truth``.

    Returns precision, recall and the counts behind them (truth, assigned, correct,
    unassigned, assigned_unknown); with ``linkable`` (:func:`linkable_ids`) also
    ``recall_linkable`` and ``linkable`` (ground-truth ids with an evidence path).
    """
    a = (assigned.where(F.col("customer_id").isNotNull())
         .select("id_type", "id_value", F.col("customer_id").alias("assigned"))
         .dropDuplicates(["id_type", "id_value"]))
    t = truth.select("id_type", "id_value", F.col("customer_id").alias("truth"))
    if linkable is not None:
        t = t.join(linkable.distinct().withColumn("linkable", F.lit(True)),
                   ["id_type", "id_value"], "left")
    else:
        t = t.withColumn("linkable", F.lit(None).cast("boolean"))
    both = t.join(a, ["id_type", "id_value"], "full_outer")
    in_truth = F.col("truth").isNotNull()
    has = F.col("assigned").isNotNull()
    row = both.agg(
        F.sum(in_truth.cast("long")).alias("truth"),
        F.sum((in_truth & has).cast("long")).alias("assigned"),
        F.sum((in_truth & has & (F.col("assigned") == F.col("truth"))).cast("long")).alias("correct"),
        F.sum((~in_truth & has).cast("long")).alias("assigned_unknown"),
        F.sum((in_truth & F.col("linkable")).cast("long")).alias("linkable"),
        F.sum((in_truth & F.col("linkable") & has & (F.col("assigned") == F.col("truth")))
              .cast("long")).alias("correct_linkable"),
    ).first()
    n_truth, n_assigned, n_correct = (int(row["truth"] or 0), int(row["assigned"] or 0),
                                      int(row["correct"] or 0))
    out = {
        "precision": round(n_correct / n_assigned, 4) if n_assigned else 0.0,
        "recall": round(n_correct / n_truth, 4) if n_truth else 0.0,
        "truth": n_truth, "assigned": n_assigned, "correct": n_correct,
        "unassigned": n_truth - n_assigned,
        "assigned_unknown": int(row["assigned_unknown"] or 0),
    }
    if linkable is not None:
        n_link = int(row["linkable"] or 0)
        out["linkable"] = n_link
        out["recall_linkable"] = round(int(row["correct_linkable"] or 0) / n_link, 4) \
            if n_link else 0.0
    return out
