"""The models report shows, per model, the serving status and the gate's reason, the evidence
against its minimums, and every metric of model / baseline / champion with its 95% CI."""
from tailor.models.report import metrics_frame, render

EVALUATION = {
    "gate_metric": "auc", "n_test_rows": 945, "bootstrap": {"unit": "person_id", "resamples": 200},
    "estimates": {"model": {"auc": {"value": 0.672, "ci_low": 0.63, "ci_high": 0.716},
                            "brier": {"value": 0.2237, "ci_low": 0.2067, "ci_high": 0.2404}},
                  "baseline": {"auc": {"value": 0.61, "ci_low": 0.568, "ci_high": 0.647},
                               "brier": {"value": 0.2308, "ci_low": 0.2219, "ci_high": 0.2432}}},
    "relative_gains": {"model_vs_baseline": {
        "auc": {"value": 0.1015, "ci_low": 0.0314, "ci_high": 0.1823},
        "brier": {"value": 0.0309, "ci_low": -0.024, "ci_high": 0.09}}},
    "evidence": {"persons": 945, "positives": 365}, "min_evidence": {"persons": 50, "positives": 30},
}


def test_metrics_rows_carry_intervals_and_gains():
    frame = metrics_frame(EVALUATION)
    assert list(frame["metric"]) == ["auc (gate)", "brier"]
    auc = frame.iloc[0]
    assert auc["model"] == "0.6720 [0.6300, 0.7160]"
    assert auc["baseline"] == "0.6100 [0.5680, 0.6470]"
    assert auc["champion"] == "—"                                  # no champion this run
    assert auc["gain vs baseline"] == "+10.15% [+3.14%, +18.23%]"


def test_page_names_status_reason_and_evidence():
    page = render("2026-10-15", {
        "churn": {"trained": True, "version": "3", "promoted": True,
                  "reason": "promoted to champion on auc", "evaluation": EVALUATION},
        "ltv": {"trained": False, "version": None, "promoted": False,
                "reason": "not trained: one class"}})
    assert "churn — champion v3" in page and "ltv — not trained" in page
    assert "945 persons (min 50), 365 positives (min 30)" in page
    assert "+10.15% [+3.14%, +18.23%]" in page
