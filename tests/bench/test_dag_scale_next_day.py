"""bench/dag_scale.py --next-day: the next day's landing files (and only they) are held back from
the first run; a world without that day's files is an error, not a silent cold run."""
import pytest

from bench.dag_scale import _hold_back


def test_holds_back_exactly_the_days_files(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    names = ["events-2026-09-30-000.jsonl", "events-2026-10-01-000.jsonl",
             "events-2026-10-01-001.jsonl", "events-2026-10-10-000.jsonl"]
    for name in names:
        (landing / name).write_text("{}\n")
    held = _hold_back(tmp_path, "2026-10-01")
    assert sorted(p.name for p in held) == names[1:3]
    assert all(p.parent == tmp_path / "held" and p.exists() for p in held)
    assert sorted(p.name for p in landing.iterdir()) == [names[0], names[3]]


def test_no_file_for_the_day_is_an_error(tmp_path):
    (tmp_path / "landing").mkdir()
    with pytest.raises(RuntimeError, match="no landing file for 2026-10-01"):
        _hold_back(tmp_path, "2026-10-01")
