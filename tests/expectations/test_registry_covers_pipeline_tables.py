"""Every table the pipeline writes has a registered contract, and nothing else does.

The pipeline's tables are the table catalog (tailor/catalog): a new table without a contract
(or a contract for a table the catalog does not declare) fails here, unless UNCHECKED says why.
Feature tables come from the feature registry.
"""
from __future__ import annotations

from tailor.expectations import registered_tables

# Catalog tables without a data contract, and why (everything else the pipeline writes has one).
UNCHECKED = {
    "ops.feature_drift": "written by the drift job from its own computation; read by train",
    "ops.policy_gate": "written by train_policy from the OPE results it just computed",
    "gold.shadow_decisions": "never served; same writer and rules as gold.decisions",
    "ops.runs": "append-only run records the runtime writes about itself",
    "ops.maintenance": "append-only records the maintenance job writes about what it did",
}


def test_every_pipeline_table_and_feature_group_has_a_contract():
    from tailor.catalog import all_tables
    from tailor.features.registry import GROUPS

    expected = (set(all_tables()) - set(UNCHECKED)) | {g.table for g in GROUPS.values()}

    assert set(registered_tables()) == expected
