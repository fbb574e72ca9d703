"""Identity-resolution quality against a ground truth (the simulator's
``ground_truth/identity.parquet``: id_type, id_value, customer_id).

Per-id assignment metrics, computed in Spark (only the aggregate row reaches the driver):

* ``precision`` = ids assigned to their true customer / ids of the ground truth assigned to any
  customer (an id left anonymous is not a wrong assignment, it is a missed one);
* ``recall``    = ids assigned to their true customer / ids in the ground truth (ids the pipeline
  never saw, or left anonymous, count as misses).

Assigned ids missing from the ground truth cannot be judged; they are counted
(``assigned_unknown``) but left out of both ratios.
"""
from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F


def evaluate_assignments(assigned: DataFrame, truth: DataFrame) -> dict:
    """Compare ``assigned`` (id_type, id_value, customer_id — null = anonymous) with ``truth``.

    Returns precision, recall and the counts behind them (truth, assigned, correct,
    unassigned, assigned_unknown).
    """
    a = (assigned.where(F.col("customer_id").isNotNull())
         .select("id_type", "id_value", F.col("customer_id").alias("assigned"))
         .dropDuplicates(["id_type", "id_value"]))
    t = truth.select("id_type", "id_value", F.col("customer_id").alias("truth"))
    both = t.join(a, ["id_type", "id_value"], "full_outer")
    in_truth = F.col("truth").isNotNull()
    has = F.col("assigned").isNotNull()
    row = both.agg(
        F.sum(in_truth.cast("long")).alias("truth"),
        F.sum((in_truth & has).cast("long")).alias("assigned"),
        F.sum((in_truth & has & (F.col("assigned") == F.col("truth"))).cast("long")).alias("correct"),
        F.sum((~in_truth & has).cast("long")).alias("assigned_unknown"),
    ).first()
    n_truth, n_assigned, n_correct = (int(row["truth"] or 0), int(row["assigned"] or 0),
                                      int(row["correct"] or 0))
    return {
        "precision": round(n_correct / n_assigned, 4) if n_assigned else 0.0,
        "recall": round(n_correct / n_truth, 4) if n_truth else 0.0,
        "truth": n_truth, "assigned": n_assigned, "correct": n_correct,
        "unassigned": n_truth - n_assigned,
        "assigned_unknown": int(row["assigned_unknown"] or 0),
    }
