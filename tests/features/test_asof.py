"""The as-of calendar (features/asof.py): training cutoffs and context days on a fixed grid stay
put from one daily run to the next (but one day in a step), never pass their newest allowed day,
and coincide where their ranges overlap; the ``ds`` anchor is the moving series."""
from datetime import date, timedelta

import pytest

from tailor.features.asof import on_grid, series
from tailor.features.labels import cutoffs_for, training_cutoffs
from tailor.features.outcomes import context_days, decision_days

DAYS = [(date(2026, 8, 1) + timedelta(days=k)).isoformat() for k in range(120)]


def test_grid_days_are_sundays_for_a_weekly_step():
    sundays = {on_grid(date.fromisoformat(d), 7) for d in DAYS}
    assert {d.strftime("%a") for d in sundays} == {"Sun"}
    assert on_grid(date(2026, 9, 27), 7) == date(2026, 9, 27)       # a Sunday is its own grid day
    assert on_grid(date(2026, 10, 3), 7) == date(2026, 9, 27)       # the Saturday after
    assert series(date(2026, 10, 1), 3, 7, "calendar") == ["2026-09-27", "2026-09-20", "2026-09-13"]
    assert series(date(2026, 10, 1), 3, 7, "ds") == ["2026-10-01", "2026-09-24", "2026-09-17"]


@pytest.mark.parametrize("step", [1, 3, 7, 10])
def test_calendar_cutoffs_stay_put_and_never_pass_ds_minus_horizon(step):
    horizon, moves = 14, 0
    for ds, nxt in zip(DAYS, DAYS[1:]):
        today = training_cutoffs(ds, horizon, 4, step, "calendar")
        last = date.fromisoformat(ds) - timedelta(days=horizon)
        newest = date.fromisoformat(today[0])
        assert last - timedelta(days=step - 1) <= newest <= last, (ds, today)
        assert all((date.fromisoformat(a) - date.fromisoformat(b)).days == step
                   for a, b in zip(today, today[1:]))
        moves += today != training_cutoffs(nxt, horizon, 4, step, "calendar")
    # the series moves one day in `step` (119 day-pairs)
    assert moves == pytest.approx(119 / step, abs=1)
    assert training_cutoffs("2026-10-15", 14, 4, 7, "ds") == [
        "2026-10-01", "2026-09-24", "2026-09-17", "2026-09-10"]


def test_context_days_cover_the_decision_window_on_the_grid(cfg):
    o = cfg.policy.outcomes
    assert o.context_anchor == "calendar" and o.feature_step_days == 7
    for ds in DAYS:
        days = decision_days(ds, o.lookback_days, o.attribution_hours)
        contexts = [date.fromisoformat(d) for d in context_days(ds, o)]
        newest_before = date.fromisoformat(days[0]) - timedelta(days=1)
        assert newest_before - timedelta(days=6) <= contexts[0] <= newest_before
        # the oldest decision day has a context day at most a step before its day-before
        oldest_before = date.fromisoformat(days[-1]) - timedelta(days=1)
        assert min(contexts) <= oldest_before + timedelta(days=6)


def test_default_run_shares_cutoff_and_context_days(cfg):
    """On one grid the two series overlap: the default run materialises at most 7 as-of days
    (ds, 4 cutoffs, 4 context days), never the 9 of the moving series."""
    moving = cfg.model_copy(update={
        "models": cfg.models.model_copy(update={"cutoff_anchor": "ds"}),
        "policy": cfg.policy.model_copy(update={"outcomes": cfg.policy.outcomes.model_copy(
            update={"context_anchor": "ds"})})})
    for ds in DAYS:
        grid = {ds, *cutoffs_for(ds, cfg), *context_days(ds, cfg.policy.outcomes)}
        old = {ds, *cutoffs_for(ds, moving), *context_days(ds, moving.policy.outcomes)}
        assert len(grid) <= 7 and len(old) == 9, ds
