"""The model card is a pure function of a training run's figures: on a hand-made run it states the
model, task, label and horizon, data versions, split sizes, every metric of model / baseline /
champion with its 95% CI, the gate's decision and reason, the baseline rule and the plot."""
from types import SimpleNamespace

from tailor.models.card import metric_rows, model_card
from tailor.models.metrics import Estimate

METRICS = {
    "auc": 0.81, "auc_ci_low": 0.78, "auc_ci_high": 0.84,
    "log_loss": 0.45, "log_loss_ci_low": 0.41, "log_loss_ci_high": 0.49,
    "baseline_auc": 0.70, "baseline_auc_ci_low": 0.66, "baseline_auc_ci_high": 0.74,
    "baseline_log_loss": 0.55, "baseline_log_loss_ci_low": 0.50, "baseline_log_loss_ci_high": 0.60,
    "champion_auc": 0.79, "champion_auc_ci_low": 0.75, "champion_auc_ci_high": 0.82,
    "gain_vs_baseline_auc": 0.157, "gain_vs_baseline_auc_ci_low": 0.09, "gain_vs_baseline_auc_ci_high": 0.22,
    "gain_vs_champion_auc": 0.025, "gain_vs_champion_auc_ci_low": 0.004, "gain_vs_champion_auc_ci_high": 0.05,
}


def run_record(**changes):
    fields = dict(
        name="churn", metrics=METRICS, feature_cols=["recency_days", "frequency"],
        params={"task": "binary", "label_horizon_days": 14, "n_train_rows": 5600,
                "n_train_persons": 1400, "n_test_rows": 2400, "n_test_persons": 600,
                "cutoff_min": "2026-09-10", "cutoff_max": "2026-10-01"},
        data_versions={"training.churn": 7, "features.profile_v1": 12},
        evaluation={"gate_metric": "auc",
                    "bootstrap": {"unit": "person_id", "resamples": 200, "seed": 7, "level": 0.95}},
        promoted=True, previous_champion="2",
        reason="promoted to champion on auc (min relative gain 1.00%): beats baseline by +15.70%")
    fields.update(changes)
    return SimpleNamespace(**fields)


def test_card_states_what_the_model_is_and_why_it_was_promoted():
    card = model_card(run_record(), registered="tailor_churn", version="3", task="binary",
                      label="CAST(future_purchases = 0 AS INT)", baseline_rule="recency",
                      plot_path="plots/churn.png", run_id="abc123")

    assert card.startswith("# Model card: tailor_churn v3\n")
    for fact in ("| Task | binary |",
                 "`CAST(future_purchases = 0 AS INT)` over the next 14 days",
                 "`recency` (provenance `baseline:recency`)",
                 "`features.profile_v1` = 12, `training.churn` = 7",
                 "| Label cutoffs | 2026-09-10 .. 2026-10-01 |",
                 "| Train split | 5,600 rows, 1,400 persons |",
                 "| Test split | 2,400 rows, 600 persons |",
                 "| Features | 2: `recency_days`, `frequency` |",
                 "**promoted to champion** on `auc`", "| Champion before | v2 |",
                 "| MLflow run | abc123 |",
                 "beats baseline by +15.70%",                     # the gate's reason, verbatim
                 "bootstrap over person_id (200 resamples, seed 7)",
                 "`plots/churn.png`"):
        assert fact in card, fact
    table = [line for line in card.splitlines() if line.startswith("| auc") or line.startswith("| log_loss")]
    assert table == [
        "| auc (gate) | 0.81 [0.78, 0.84] | 0.7 [0.66, 0.74] | 0.79 [0.75, 0.82] "
        "| +15.7% [+9.0%, +22.0%] | +2.5% [+0.4%, +5.0%] |",
        "| log_loss | 0.45 [0.41, 0.49] | 0.55 [0.5, 0.6] | — | — | — |",
    ]


def test_card_without_champion_or_recorded_figures_says_so():
    metrics = {k: v for k, v in METRICS.items() if not k.startswith(("champion_", "gain_vs_champion_"))}
    card = model_card(run_record(metrics=metrics, promoted=False, previous_champion=None,
                                 data_versions={}, reason="kept as challenger on auc: ..."),
                      registered="t_churn", version="1", task="binary", label="label",
                      baseline_rule="recency", plot_path="plots/churn.png")
    assert "**kept as challenger** on `auc`" in card and "| Champion before | none |" in card
    assert "| Data versions | not recorded |" in card and "| MLflow run | n/a |" in card
    assert "No champion column" in card


def test_metric_rows_group_a_runs_flat_metrics():
    rows, other = metric_rows({"log_loss": 0.5, "zeta": 1.0, **METRICS}, first="auc")
    assert [r.name for r in rows] == ["auc", "log_loss"]
    assert rows[0].model == Estimate(0.81, 0.78, 0.84) and rows[0].champion == Estimate(0.79, 0.75, 0.82)
    assert rows[1].champion is None and rows[1].gain_vs_baseline is None
    assert other == {"zeta": 1.0}
