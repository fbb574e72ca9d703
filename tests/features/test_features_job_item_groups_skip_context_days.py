"""The features job materialises person groups as of ds, every training cutoff and the policy's
context days, but item groups (serving's and the ranker's candidates) only as of ds and the
cutoffs: the policy's logged decisions join person groups only, so item rows as of a context
day would be written and never read."""
from tailor.features.labels import cutoffs_for
from tailor.features.outcomes import context_days
from tailor.features.registry import GROUPS
from tailor.jobs.materialize_features import asof_days
from tailor.runtime import JobContext

DS = "2026-09-30"


def test_item_groups_take_ds_and_cutoffs_only(cfg):
    ctx = JobContext(cfg=cfg, ds=DS, job="features")
    cutoffs, contexts = set(cutoffs_for(DS, cfg)), set(context_days(DS, cfg.policy.outcomes))
    assert contexts - cutoffs - {DS}, "the default config has context days of their own"
    for g in GROUPS.values():
        days = asof_days(ctx, g)
        assert days == sorted(days, reverse=True) and days[0] == DS
        expected = {DS} | cutoffs | (contexts if g.entity == "person_id" else set())
        assert set(days) == expected, g.table
    assert set(asof_days(ctx)) == {DS} | cutoffs | contexts          # the run's union
    assert {g.entity for g in GROUPS.values()} == {"person_id", "item_id"}
