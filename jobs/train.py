"""train: training.* → XGBoost LTV, churn and ranker models in MLflow, each registered with the
Delta versions it read and promoted to ``champion`` only past the evaluation gate. The run's
models report (``runs/<ds>/reports/models.html``: models/report.py) is written and logged into
each model's MLflow run (``reports/models.html``).

The training set is held in this process (XGBoost trains here): at most
``models.max_training_rows`` rows per model — above it, every row of a stable sample of persons,
streamed from Delta (models/training_data.py), the share in the summary and the MLflow run
(with the share ``training_sets`` built, above the same bound: ``sample_build_share``).

A training set that is well-formed but cannot teach a model (``models.training.NotTrainable``:
one label class only, e.g. imported views without any order; or no test persons) skips that
model with the reason in the summary (``trained: false``) instead of failing the run: scoring
keeps the champion, or serves the baseline (``baseline:<rule>`` in every provenance). A
malformed training set still fails the task."""
from __future__ import annotations

import logging
import os
from dataclasses import asdict

from tailor.catalog import table as declared
from tailor.drift import assert_trainable
from tailor.features.labels import cutoffs_for
from tailor.models.registry import attach_report
from tailor.models.report import render
from tailor.models.training import NotTrainable, train_and_register
from tailor.models.training_data import built_share, hold
from tailor.runtime import JobContext, main

log = logging.getLogger(__name__)

KEYS = {"person_id", "item_id", "cutoff", "split", "label"}


def run(ctx: JobContext) -> dict:
    """Train, evaluate against baseline and champion, register."""
    lh = ctx.lakehouse
    drift = assert_trainable(ctx.cfg, ctx.ds, lh)   # raises DriftBlocked past drift.block_psi
    results, pages, read = {}, {}, {}
    for name in ("ltv", "churn", "ranker"):
        cutoffs = read[name] = cutoffs_for(ctx.ds, ctx.cfg, name)   # what training_sets wrote
        table = f"training.{name}"
        version = lh.version(table)
        frame, sample = hold(lh.dataset(table, version=version, partitions={"cutoff": cutoffs}),
                             ctx.cfg.models.max_training_rows, keys=declared(table).keys,
                             build_share=built_share(lh, table, version))
        if frame.empty:
            raise ValueError(f"{table} has no rows for cutoffs {cutoffs}: run training_sets first")
        feature_cols = [c for c in frame.columns if c not in KEYS]
        try:
            # ds: which day's run trained it (the drift job tells a rerun from a later day)
            result = train_and_register(name, frame, feature_cols, {table: version}, ctx.cfg,
                                        extra_params={"ds": ctx.ds, **sample.params()})
        except NotTrainable as exc:
            log.warning("train: %s not trained: %s", name, exc)
            results[name] = {"trained": False, "version": None, "promoted": False,
                             "reason": f"not trained: {exc}"}
            pages[name] = results[name]
            continue
        results[name] = {"trained": True, "sample": asdict(sample),
                         "version": result.version, "promoted": result.promoted,
                         "reason": result.reason, "metrics": result.metrics,
                         "baseline_metrics": result.baseline_metrics, "run_id": result.run_id}
        pages[name] = {**results[name], "evaluation": result.evaluation, "figure": result.figure}
    report = write_report(ctx, pages)
    attach_report([r["run_id"] for r in results.values() if r.get("run_id")], report, ctx.cfg)
    return {"cutoffs": read, "drift": drift, "models": results, "report": report}


def write_report(ctx: JobContext, pages: dict) -> str:
    """``runs/<ds>/reports/models.html`` (models/report.py) → its path."""
    out_dir = os.path.join(ctx.cfg.runs_dir, ctx.ds, "reports")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "models.html")
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        fh.write(render(ctx.ds, pages))
    os.replace(tmp, path)
    return path


if __name__ == "__main__":
    main(run, "train")
