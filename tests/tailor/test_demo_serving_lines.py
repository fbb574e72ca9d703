"""The demo says which version serves each model's scores (champion or baseline) and why, and
how LTV is carried to the lifetime."""
import json

from tailor.demo import serving_lines


def test_lines_name_the_served_version_and_the_gate_reason(tmp_path):
    (tmp_path / "score.json").write_text(json.dumps(
        {"model_versions": {"ltv": "baseline:historical_spend", "churn": "2", "ranker": "1"},
         "ltv_lifetime": {"rule": "bgnbd_ratio", "horizon_days": 14, "lifetime_days": 365}}))
    (tmp_path / "train.json").write_text(json.dumps({"report": "runs/d/reports/models.html", "models": {
        "ltv": {"version": "2", "reason": "kept as challenger on rmse"},
        "churn": {"version": "2", "reason": "promoted to champion on auc"},
        "ranker": {"version": None, "reason": "not trained: one class"}}}))
    lines = serving_lines(tmp_path)
    assert lines[0] == "  models report: runs/d/reports/models.html"
    assert "ltv     serves baseline:historical_spend; this run v2: kept as challenger" in lines[1]
    assert "churn   serves champion v2; this run v2: promoted" in lines[2]
    assert "ranker  serves champion v1; this run nothing trained: not trained" in lines[3]
    assert lines[4] == ("    ltv_lifetime = its 14-day score carried to 365 days by the "
                        "bgnbd_ratio rule (models/lifetime.py)")
    assert serving_lines(tmp_path / "missing") == []
