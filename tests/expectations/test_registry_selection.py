"""The registry says which rows a contract checks for a ds: partition, row filter, cutoffs, whole."""
from __future__ import annotations

from tailor.expectations import Selection, get_contract, shift_ds


def test_each_kind_of_table_selects_its_rows_for_ds(cfg):
    ds = "2026-10-15"
    horizon = cfg.models.label_horizon_days

    assert get_contract("bronze.events").selection(ds, cfg) == Selection({"event_date": ds}, None)
    assert get_contract("ops.ingest_log").selection(ds, cfg) == Selection(None, ("ds", ds))
    assert get_contract("silver.identity_map").selection(ds, cfg) == Selection(None, None)
    assert get_contract("gold.overlay").selection(ds, cfg).describe() == {"whole_table": True}
    from tailor.features.labels import cutoffs_for

    cutoffs = cutoffs_for(ds, cfg)  # every cutoff the training_sets run for ds writes
    # the latest on the calendar grid at or before ds - horizon (features/asof.py: a Sunday)
    assert shift_ds(ds, -horizon - 6) <= cutoffs[0] <= shift_ds(ds, -horizon) == "2026-10-01"
    assert cutoffs[0] == "2026-09-27" and len(cutoffs) == cfg.models.training_cutoffs
    for table in ["training.ltv", "training.churn", "training.ranker"]:
        assert get_contract(table).selection(ds, cfg).partitions == {"cutoff": cutoffs}
