"""The models report: one self-contained HTML page per run (``runs/<ds>/reports/models.html``).

Per model: which version serves and why (champion or baseline, the gate's reason), what the
held-out evaluation rests on (test persons, positives, lists against ``min_evidence``), every
metric of the model, its baseline and the champion with 95% bootstrap CIs, the relative gains
with theirs, and the model's plot. Pure: the train job's results in, HTML out.
"""
from __future__ import annotations

import html
from typing import Any, Mapping

import pandas as pd

from tailor.models.card import describe_split
from tailor.pages import head, png, table


def _interval(e: Mapping[str, float] | None) -> str:
    if not e:
        return "—"
    return f"{e['value']:.4f} [{e['ci_low']:.4f}, {e['ci_high']:.4f}]"


def _gain(e: Mapping[str, float] | None) -> str:
    if not e:
        return "—"
    return f"{e['value']:+.2%} [{e['ci_low']:+.2%}, {e['ci_high']:+.2%}]"


def metrics_frame(evaluation: Mapping[str, Any]) -> pd.DataFrame:
    """One row per metric: model / baseline / champion (value [95% CI]) and the gains."""
    est = evaluation.get("estimates", {})
    gains = evaluation.get("relative_gains", {})
    metrics = list(est.get("model", {}))
    rows = []
    for m in metrics:
        row = {"metric": m + (" (gate)" if m == evaluation.get("gate_metric") else "")}
        for scorer in ("model", "baseline", "champion"):
            row[scorer] = _interval(est.get(scorer, {}).get(m)) if scorer in est else "—"
        for ref in ("baseline", "champion"):
            row[f"gain vs {ref}"] = _gain(gains.get(f"model_vs_{ref}", {}).get(m))
        rows.append(row)
    return pd.DataFrame(rows)


def status(result: Mapping[str, Any]) -> str:
    """``champion vN`` / ``challenger vN`` / ``not trained``."""
    if not result.get("trained", True):
        return "not trained"
    return f"{'champion' if result.get('promoted') else 'challenger'} v{result.get('version')}"


def render(ds: str, results: Mapping[str, Mapping[str, Any]]) -> str:
    """The page for ``ds``: ``results`` maps a model name to the train job's result for it
    (``trained``, ``version``, ``promoted``, ``reason``, ``evaluation``, ``figure``)."""
    parts = [head(f"Tailor models report, ds={ds}")]
    overview = pd.DataFrame([{"model": name, "this run": status(r),
                              "gate metric": (r.get("evaluation") or {}).get("gate_metric", "—"),
                              "reason": r.get("reason", "")} for name, r in results.items()])
    parts.append(table(overview))
    for name, r in results.items():
        cls = "ok" if r.get("promoted") else "bad"
        parts.append(f"<h2>{html.escape(name)} — {html.escape(status(r))}</h2>"
                     f"<p class='{cls}'>{html.escape(str(r.get('reason', '')))}</p>")
        evaluation = r.get("evaluation") or {}
        if not evaluation:
            continue
        found, minimum = evaluation.get("evidence", {}), evaluation.get("min_evidence", {})
        parts.append("<p class='note'>held-out evidence: " + html.escape(", ".join(
            f"{v} {k}" + (f" (min {minimum[k]})" if k in minimum else "")
            for k, v in found.items())) + f"; {evaluation.get('n_test_rows', '?')} test rows, "
            f"95% CIs from {evaluation.get('bootstrap', {}).get('resamples', '?')} bootstrap "
            f"resamples of {html.escape(str(evaluation.get('bootstrap', {}).get('unit', '?')))}; "
            f"split {html.escape(describe_split(evaluation.get('split')))}</p>")
        parts.append(table(metrics_frame(evaluation)))
        if r.get("figure") is not None:
            parts.append(png(r["figure"]))
    parts.append("<p class='note'>The serving version of a model without a champion is its "
                 "baseline (<code>baseline:&lt;rule&gt;</code> in every provenance column). "
                 "Gate rules: models.promotion in conf/base.yaml.</p>")
    return "\n".join(parts)
