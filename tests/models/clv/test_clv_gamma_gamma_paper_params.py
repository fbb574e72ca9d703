"""Gamma-Gamma fitted on the CDNOW sample's mean repeat spend recovers Fader & Hardie's
published p = 6.25, q = 3.74, γ = 15.44 (946 customers with a repeat purchase)."""
import pytest

from tailor.models.clv import gamma_gamma

PAPER = {"p": 6.25, "q": 3.74, "gamma": 15.44}


def test_gamma_gamma_matches_the_note_within_one_percent(paper_summary):
    assert gamma_gamma.fitting_rows(paper_summary["frequency"], paper_summary["monetary_value"]).sum() == 946

    params, report = gamma_gamma.fit(paper_summary["frequency"], paper_summary["monetary_value"])

    assert report.converged
    for name, published in PAPER.items():
        assert getattr(params, name) == pytest.approx(published, rel=0.01), name
    # E[M] of a customer with no repeat purchase: γp/(q-1) ≈ $35.2
    assert params.population_mean == pytest.approx(15.44 * 6.25 / 2.74, rel=0.01)
