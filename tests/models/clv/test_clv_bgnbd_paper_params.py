"""BG/NBD fitted on the CDNOW sample (2,357 customers, 39 calibration weeks) recovers the
parameters Fader, Hardie & Lee (2005) publish: r = 0.243, α = 4.414, a = 0.793, b = 2.426."""
import pytest

from tailor.models.clv import bgnbd

PAPER = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def test_bgnbd_matches_the_paper_within_one_percent(paper_summary):
    params, report = bgnbd.fit(paper_summary["frequency"], paper_summary["recency"],
                               paper_summary["T"])

    assert report.converged
    for name, published in PAPER.items():
        assert getattr(params, name) == pytest.approx(published, rel=0.01), name
    # the paper's maximised log-likelihood is -9582.4
    assert report.mean_loglik * len(paper_summary) == pytest.approx(-9582.4, abs=0.5)
