"""README's table section is the catalog (`tailor tables --markdown`), not a copy that drifts."""
from pathlib import Path

from tailor.cli.tables import markdown

README = Path(__file__).resolve().parents[3] / "README.md"


def test_readme_lists_exactly_the_catalog():
    text = README.read_text()
    begin, end = "<!-- tables:begin -->\n", "<!-- tables:end -->"
    section = text[text.index(begin) + len(begin):text.index(end)].strip()
    assert section == markdown(), "README.md is stale: paste `tailor tables --markdown` between the markers"
