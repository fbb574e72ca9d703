"""The model card: one Markdown page per registered version saying what the model is, what it was
trained and judged on, and why the gate did what it did. Pure functions over a training run's
figures (no MLflow here; ``models.registry`` logs the card and sets it as the version's
description), so the card is testable on a hand-made record.

Also :func:`metric_rows`: a run's flat metrics (``auc``, ``auc_ci_low``, ``baseline_auc``,
``gain_vs_baseline_auc``, ...; see ``models.training._logged_metrics``) regrouped as one row per
metric with model / baseline / champion estimates, which ``tailor models show`` prints too.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Protocol, Sequence

from tailor.models.metrics import Estimate

SCORERS = ("baseline", "champion")


class CardInput(Protocol):
    """What the card reads of a ``models.registry.RunRecord``."""

    name: str
    params: Mapping[str, Any]
    metrics: Mapping[str, float]
    feature_cols: Sequence[str]
    data_versions: Mapping[str, Any]
    evaluation: Mapping[str, Any]
    promoted: bool
    reason: str
    previous_champion: str | None


@dataclass(frozen=True)
class MetricRow:
    """One metric of a run: each scorer's estimate and the model's relative gains (None where
    the run has no such figure, e.g. no comparable champion)."""

    name: str
    model: Estimate | None
    baseline: Estimate | None
    champion: Estimate | None
    gain_vs_baseline: Estimate | None
    gain_vs_champion: Estimate | None

    def as_dict(self) -> dict[str, Any]:
        return {k: (vars(v) if isinstance(v, Estimate) else v) for k, v in vars(self).items()}


def _estimate(metrics: Mapping[str, float], key: str) -> Estimate | None:
    if key not in metrics:
        return None
    return Estimate(float(metrics[key]), float(metrics.get(f"{key}_ci_low", math.nan)),
                    float(metrics.get(f"{key}_ci_high", math.nan)))


def metric_rows(metrics: Mapping[str, float],
                first: str | None = None) -> tuple[list[MetricRow], dict[str, float]]:
    """(one row per metric that has a CI, the remaining metrics as they are).

    Rows keep the order of ``metrics`` (training logs the gate metric first); ``first`` moves
    that metric to the top (a run read back from MLflow comes in no particular order).
    """
    prefixes = tuple(f"{s}_" for s in SCORERS) + tuple(f"gain_vs_{s}_" for s in SCORERS)
    names: list[str] = []
    for key in metrics:
        for suffix in ("_ci_low", "_ci_high"):
            if key.endswith(suffix):
                base = key[: -len(suffix)]
                if not base.startswith(prefixes) and base not in names:
                    names.append(base)
    if first in names:
        names.remove(first)
        names.insert(0, first)
    rows = [MetricRow(n, _estimate(metrics, n), _estimate(metrics, f"baseline_{n}"),
                      _estimate(metrics, f"champion_{n}"),
                      _estimate(metrics, f"gain_vs_baseline_{n}"),
                      _estimate(metrics, f"gain_vs_champion_{n}")) for n in names]
    used = {f"{p}{n}{s}" for n in names for p in ("", *prefixes) for s in ("", "_ci_low", "_ci_high")}
    return rows, {k: float(v) for k, v in metrics.items() if k not in used}


def number(value: float) -> str:
    """A figure as people read it: 4 significant digits, thousands separated."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if abs(value) >= 10_000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def with_ci(est: Estimate | None, percent: bool = False) -> str:
    """``0.8123 [0.7901, 0.8344]`` (``percent``: relative gains as ``+12.3% [+4.1%, +20.2%]``)."""
    if est is None:
        return "—"
    fmt = (lambda v: "n/a" if not math.isfinite(v) else f"{v:+.1%}") if percent else number
    if not (math.isfinite(est.ci_low) and math.isfinite(est.ci_high)):
        return fmt(est.value)
    return f"{fmt(est.value)} [{fmt(est.ci_low)}, {fmt(est.ci_high)}]"


def _count(params: Mapping[str, Any], key: str) -> str:
    value = params.get(key)
    return "n/a" if value is None else f"{int(value):,}"


def describe_split(split: Mapping[str, Any] | None) -> str:
    """How the evaluation was split (``evaluation["split"]`` of a training run), in words."""
    split = split or {}
    if split.get("mode") == "forward":
        return (f"forward in time: trained at cutoffs {', '.join(split['train_cutoffs'])}, "
                f"judged at {split['test_cutoff']} on persons it never saw")
    if not split:
        return "not recorded"
    return "by person (every cutoff)" + (f": {split['note']}" if split.get("note") else "")


def model_card(record: CardInput, *, registered: str, version: str, task: str, label: str,
               baseline_rule: str, plot_path: str, run_id: str | None = None) -> str:
    """The Markdown card of ``registered`` version ``version`` trained by ``record``.

    ``label`` is the label's definition (the spec's SQL expression), ``baseline_rule`` the
    baseline's name (``spec.baseline.rule``), ``plot_path`` the plot's artifact path in the run.
    """
    params, evaluation = record.params, record.evaluation
    gate_metric = evaluation.get("gate_metric")
    horizon = params.get("label_horizon_days")
    boot = evaluation.get("bootstrap") or {}
    versions = ", ".join(f"`{t}` = {v}" for t, v in sorted(record.data_versions.items())) or "not recorded"
    cutoffs = (f"{params['cutoff_min']} .. {params['cutoff_max']}"
               if params.get("cutoff_min") is not None else "not recorded")
    judged = describe_split(evaluation.get("split"))
    features = list(record.feature_cols)
    verdict = "promoted to champion" if record.promoted else "kept as challenger"
    lines = [
        f"# Model card: {registered} v{version}",
        "",
        "| | |",
        "|---|---|",
        f"| Model | `{record.name}`, registered as `{registered}` version {version} |",
        f"| Task | {task} |",
        f"| Label | `{label}` over the next {horizon if horizon is not None else '?'} days "
        f"(`models.label_horizon_days`) |",
        f"| Baseline | `{baseline_rule}` (provenance `baseline:{baseline_rule}`) |",
        f"| Data versions | {versions} |",
        f"| Label cutoffs | {cutoffs} |",
        f"| Train split | {_count(params, 'n_train_rows')} rows, "
        f"{_count(params, 'n_train_persons')} persons |",
        f"| Test split | {_count(params, 'n_test_rows')} rows, "
        f"{_count(params, 'n_test_persons')} persons |",
        f"| Evaluation | {judged} (`models.evaluation`) |",
        f"| Features | {len(features)}: " + ", ".join(f"`{c}`" for c in features) + " |",
        f"| Gate | **{verdict}** on `{gate_metric or '?'}` |",
        f"| Champion before | {('v' + record.previous_champion) if record.previous_champion else 'none'} |",
        f"| MLflow run | {run_id or 'n/a'} |",
        "",
        "## Gate decision",
        "",
        record.reason,
        "",
        "## Metrics on the test split",
        "",
        f"Point estimate [95% CI]; bootstrap over {boot.get('unit', 'persons')} "
        f"({boot.get('resamples', '?')} resamples, seed {boot.get('seed', '?')}). Gains are "
        "relative, positive = the model is better.",
        "",
        "| metric | model | baseline | champion | model vs baseline | model vs champion |",
        "|---|---|---|---|---|---|",
    ]
    rows, _ = metric_rows(record.metrics, first=gate_metric)
    for r in rows:
        name = f"{r.name} (gate)" if r.name == gate_metric else r.name
        lines.append(f"| {name} | {with_ci(r.model)} | {with_ci(r.baseline)} | "
                     f"{with_ci(r.champion)} | {with_ci(r.gain_vs_baseline, True)} | "
                     f"{with_ci(r.gain_vs_champion, True)} |")
    if not any(r.champion for r in rows):
        lines += ["", "No champion column: there was no champion, or it could not be judged "
                      "on these test rows (see the gate decision)."]
    lines += ["", "## Plot", "", f"`{plot_path}` in the run's artifacts.", ""]
    return "\n".join(lines)
