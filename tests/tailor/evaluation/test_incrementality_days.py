"""Which decision days a run evaluates: only complete windows, not those another run did, newest
first, at most max_days; and the event dates their windows need."""
from tailor.evaluation.incrementality import days_to_evaluate, window_complete, window_dates


def test_only_complete_windows_not_yet_done():
    days = ["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-08"]
    assert window_complete("2026-10-01", "2026-10-08", 7)
    assert not window_complete("2026-10-02", "2026-10-08", 7)
    assert days_to_evaluate(days, "2026-10-10", 7) == ["2026-10-03", "2026-10-02", "2026-10-01"]
    assert days_to_evaluate(days, "2026-10-10", 7, done={"2026-10-02"}) == [
        "2026-10-03", "2026-10-01"]
    assert days_to_evaluate(days, "2026-10-10", 7, max_days=1) == ["2026-10-03"]
    assert days_to_evaluate(days, "2026-10-07", 7) == []


def test_window_dates_cover_each_window():
    assert window_dates(["2026-10-01"], 2) == ["2026-10-02", "2026-10-03"]
    assert window_dates(["2026-10-01", "2026-10-02"], 2) == [
        "2026-10-02", "2026-10-03", "2026-10-04"]
