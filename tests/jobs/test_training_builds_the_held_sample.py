"""Above their reader's bound, training_sets and policy_outcomes build a stable sample of
persons, and that sample is exactly the full build restricted to those persons (every row and
value; only the persons left out are missing), said in the table's commit — on a simulated world
taken through the real ingest, identity and features jobs."""
import pandas as pd
import pytest

from tailor.runtime import execute
from tailor.sampling import BuildSample

DS = "2026-09-30"   # day 30 of the world


@pytest.fixture(scope="module")
def world(spark, tmp_path_factory):
    """(config, lakehouse) of a 200-person world through ingest, identity and features."""
    import tailor.jobs.identity as identity
    import tailor.jobs.ingest as ingest
    import tailor.jobs.materialize_features as features
    from tailor.lakehouse import Lakehouse
    from tailor.simulator import simulate
    from tests.conftest import make_config

    work = tmp_path_factory.mktemp("held_sample")
    cfg = make_config(work, clock={"mode": "replay"})
    simulate(users=200, days=30, seed=5, out_dir=work, items=60, progress=False)
    for name, job in (("ingest", ingest), ("identity", identity), ("features", features)):
        execute(name, job.run, DS, cfg=cfg, spark=spark)
    return cfg, Lakehouse(cfg, spark)


def _rows(lh, table: str, version: int, keys: list[str]) -> pd.DataFrame:
    frame = lh.read_arrow(table, version=version).to_pandas()
    return frame.sort_values(keys).reset_index(drop=True)


def _bounded(cfg, update: dict):
    models = cfg.models.model_copy(update=update.get("models", {}))
    learning = cfg.policy.learning.model_copy(update=update.get("learning", {}))
    policy = cfg.policy.model_copy(update={"learning": learning})
    return cfg.model_copy(update={"models": models, "policy": policy})


def _assert_restriction(full: pd.DataFrame, sample: pd.DataFrame, keys: list[str]) -> None:
    persons = set(sample["person_id"])
    assert 0 < len(persons) < full["person_id"].nunique()
    expected = full[full["person_id"].isin(persons)].reset_index(drop=True)
    assert list(sample.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(sample[keys], expected[keys])
    pd.testing.assert_frame_equal(sample, expected, check_exact=False, rtol=1e-9)


def test_training_sets_build_the_rows_train_would_hold(spark, world):
    import tailor.jobs.training_sets as training_sets

    cfg, lh = world
    full = execute("training_sets", training_sets.run, DS, cfg=cfg, spark=spark)["tables"]
    assert all(t["sample"]["share"] == 1.0 for t in full.values())
    ranker_rows = full["ranker"]["rows"]
    bound = max(1000, ranker_rows // 3)
    assert full["ltv"]["rows"] < bound < ranker_rows, "the world no longer fits the test's bounds"

    cut = execute("training_sets", training_sets.run, DS, spark=spark,
                  cfg=_bounded(cfg, {"models": {"max_training_rows": bound}}))["tables"]

    assert cut["ltv"]["sample"]["share"] == 1.0 and cut["ltv"]["rows"] == full["ltv"]["rows"]
    ranker = cut["ranker"]
    assert 0 < ranker["sample"]["share"] < 1 and ranker["rows"] < ranker_rows
    assert ranker["sample"]["share"] == round(int(bound * 0.98) / ranker["sample"]["estimated_rows"], 6)
    said = BuildSample.of_commit(lh, "training.ranker", ranker["version"])
    assert said is not None and said.share == ranker["sample"]["share"]
    assert BuildSample.of_commit(lh, "training.ranker", full["ranker"]["version"]).share == 1.0
    keys = ["person_id", "cutoff", "item_id"]
    _assert_restriction(_rows(lh, "training.ranker", full["ranker"]["version"], keys),
                        _rows(lh, "training.ranker", ranker["version"], keys), keys)


def test_policy_outcomes_build_the_rows_train_policy_would_hold(spark, world):
    import tailor.jobs.policy_outcomes as policy_outcomes

    cfg, lh = world
    full = execute("policy_outcomes", policy_outcomes.run, DS, cfg=cfg, spark=spark)
    assert full["sample"]["share"] == 1.0 and full["rows"] > 300
    bound = full["rows"] // 2
    cut = execute("policy_outcomes", policy_outcomes.run, DS, spark=spark,
                  cfg=_bounded(cfg, {"learning": {"max_rows": bound}}))

    # persons, not rows, are sampled: on 200 persons the rows land near the bound, not under it
    assert 0 < cut["sample"]["share"] < 1 and cut["rows"] < full["rows"]
    assert cut["sample"]["estimated_rows"] >= full["rows"]      # decision events bound points
    assert BuildSample.of_commit(lh, "training.policy", cut["version"]).share == \
        cut["sample"]["share"]
    keys = ["person_id", "decision_date", "decision_id"]
    _assert_restriction(_rows(lh, "training.policy", full["version"], keys),
                        _rows(lh, "training.policy", cut["version"], keys), keys)
