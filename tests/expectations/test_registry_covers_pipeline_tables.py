"""Every table the pipeline writes has a registered contract, and nothing else does.

Keep PIPELINE_TABLES in sync with the jobs: a new table without a contract (or a contract for a
table no job writes any more) fails here. Feature tables come from the feature registry.
"""
from __future__ import annotations

from tailor.expectations import registered_tables

PIPELINE_TABLES = {
    "bronze.events", "bronze.quarantine", "ops.ingest_log",        # ingest
    "ops.quality",                                                 # quality_report
    "silver.events", "silver.identity_map",                        # identity
    "training.ltv", "training.churn", "training.ranker",           # training_sets
    "gold.user_scores", "gold.recommendations",                    # score
    "gold.decisions",                                              # decide
    "ops.incrementality",                                          # incrementality
    "gold.overlay",                                                # nearline
}


def test_every_pipeline_table_and_feature_group_has_a_contract():
    from tailor.features.registry import GROUPS

    expected = PIPELINE_TABLES | {g.table for g in GROUPS.values()}

    assert set(registered_tables()) == expected
