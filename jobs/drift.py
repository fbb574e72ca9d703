"""drift: PSI per feature between each champion's training snapshot and today's person features
→ ops.feature_drift (ds, model, feature, psi, reference_version, status ok|warn|block, ...).

Reference = the exact Delta version (and cutoff partition) of ``training.<model>`` that the
current ``champion`` was trained on, as recorded by MLflow (``data_versions`` tag of the model
version, ``cutoff_max`` param of its run) and read by time travel. Current = the ds partitions of
the profile and behaviour feature groups, joined as the score job joins them (restricted to the
model's training population, e.g. churn: persons with a purchase).

``warn``: logged and listed in the summary, the task succeeds. ``block``: the task still succeeds
(it measured what it should); ``tailor.drift.assert_trainable`` in the train job refuses to train.
No champion yet: nothing to compare with, the job says so and writes nothing. The same holds
for a champion trained by the run for this ds or a later day's (the ``ds`` its MLflow run
logged; for runs that did not log it, its latest training cutoff at or after this ds's): a
rerun of the day (whose first run promoted it) or a backfill. Drift is the
distance travelled since a model learned; measuring a same-day champion would make a rerun
refuse training where the first run trained — reruns must do what the first run did.

Held in this process: each side's numeric features, at most ``drift.max_rows`` rows — above it,
a stable sample of persons (``tailor.sampling``: the reference streamed from Delta, today's
filtered on the executors before it is collected).
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import Any

import pandas as pd

from tailor.catalog import table
from tailor.drift import BLOCK, OK, TABLE, WARN, DriftConfig, compare, feature_columns, status
from tailor.models.catalog import get_spec
from tailor.models.training_data import hold
from tailor.runtime import JobContext, main
from tailor.sampling import in_sample, person_share

SAMPLE_SALT = "drift-sample"

log = logging.getLogger("tailor.jobs.drift")



def champion_reference(name: str, cfg: Any) -> dict[str, Any] | None:
    """{champion_version, table, version, cutoff_min/max, features} of ``name``'s champion
    (None if there is none yet)."""
    from mlflow.exceptions import MlflowException

    from tailor.models.registry import CHAMPION, connect, registered_name

    client, _ = connect(cfg)
    registered = registered_name(name, cfg)
    try:
        mv = client.get_model_version_by_alias(registered, CHAMPION)
    except MlflowException:
        return None
    table = f"training.{name}"
    versions = json.loads(mv.tags.get("data_versions") or "{}")
    if table not in versions:
        raise ValueError(f"{registered} v{mv.version} (champion) did not log data_versions for "
                         f"{table} (tags: {mv.tags}); cannot find its training snapshot")
    params = client.get_run(mv.run_id).data.params if mv.run_id else {}
    try:  # the exact inputs of the champion (logged by models.registry.record_and_register)
        import mlflow

        features = list(mlflow.artifacts.load_dict(f"runs:/{mv.run_id}/feature_cols.json"))
    except Exception:  # noqa: BLE001 - older runs: every feature column of the snapshot
        features = None
    return {"champion_version": str(mv.version), "table": table,
            "version": int(versions[table]), "cutoff_min": params.get("cutoff_min"),
            "cutoff_max": params.get("cutoff_max"), "trained_ds": params.get("ds"),
            "features": features}


def reference_cutoffs(lh: Any, ref: dict[str, Any]) -> list[str] | None:
    """The cutoff partitions of the reference snapshot the champion trained on: every cutoff in
    that Delta version between the run's logged cutoff_min and cutoff_max (None: all)."""
    from tailor.lakehouse import arrow_io

    lo, hi = ref.get("cutoff_min"), ref.get("cutoff_max")
    if not lo or not hi:
        return None
    files = arrow_io.live_files(arrow_io.open_table(lh.uri(ref["table"]), ref["version"]))
    found = {str(f["partition_values"].get("cutoff")) for f in files}
    return sorted(c for c in found if lo <= c <= hi) or None


def todays_features(ctx: JobContext, max_rows: int | None = None) -> pd.DataFrame:
    """Person features as of ds, assembled exactly as training and scoring assemble them
    (``features.assemble.person_features``), array columns left out (models take numbers).
    Held in this process: above ``max_rows`` persons, a stable sample of them (filtered on the
    executors, ``tailor.sampling.in_sample``)."""
    from tailor.features.assemble import person_features
    from tailor.features.registry import person_groups

    groups = [g for g in person_groups() if ctx.lakehouse.exists(g.table)]
    if not groups:
        raise ValueError(f"no person feature table exists for ds={ctx.ds}: run features first")
    frame = person_features(ctx.lakehouse, ctx.ds, groups)
    frame = frame.select(*[c for c, t in frame.dtypes if not t.startswith(("array", "map", "struct"))])
    share = person_share(frame.count(), max_rows) if max_rows is not None else 1.0
    if share < 1.0:
        frame = frame.where(in_sample(share, SAMPLE_SALT))
    return frame.toPandas()


def same_day_or_later(ref: dict[str, Any], ds: str, latest_cutoff: str) -> bool:
    """Was the champion trained by the run for ``ds`` or a later day's (a rerun or backfill)?
    Its run logs its ``ds`` (``jobs/train.py``); a run from before that is judged by its latest
    cutoff against today's. The cutoff alone cannot tell: on the calendar grid
    (``features/asof.py``) consecutive days share their cutoffs, and yesterday's champion is
    time passed."""
    if ref.get("trained_ds"):
        return ref["trained_ds"] >= ds
    return bool(ref.get("cutoff_max")) and ref["cutoff_max"] >= latest_cutoff


def measure(ctx: JobContext, settings: DriftConfig) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(rows for ops.feature_drift, per-model notes) without writing anything."""
    from tailor.features.labels import cutoffs_for

    lh = ctx.lakehouse
    current_all = None
    rows, notes = [], {}
    now = datetime.now(timezone.utc)
    for name in settings.models:
        latest_cutoff = cutoffs_for(ctx.ds, ctx.cfg, name)[0]
        ref_info = champion_reference(name, ctx.cfg)
        if ref_info is None:
            notes[name] = "skipped: no champion yet (nothing was trained on a reference)"
            continue
        if same_day_or_later(ref_info, ctx.ds, latest_cutoff):
            trained = (f"by the run of {ref_info['trained_ds']}" if ref_info["trained_ds"]
                       else f"with latest cutoff {ref_info['cutoff_max']} >= {latest_cutoff}")
            notes[name] = (f"skipped: champion v{ref_info['champion_version']} was trained for "
                           f"this ds or a later one ({trained}): a rerun or backfill, not time "
                           f"passed")
            continue
        cutoffs = reference_cutoffs(lh, ref_info)
        partitions = {"cutoff": cutoffs} if cutoffs else None
        reference, _ = hold(lh.dataset(ref_info["table"], version=ref_info["version"],
                                       partitions=partitions), settings.max_rows)
        if current_all is None:
            current_all = todays_features(ctx, settings.max_rows)
        current = get_spec(name).in_population(current_all)  # like with like
        results = compare(reference, current, ref_info["features"] or feature_columns(reference),
                          settings.bins, settings.epsilon)
        for r in results:
            rows.append({"ds": ctx.ds, "model": name, "feature": r.feature, "psi": r.psi,
                         "status": status(r.psi, settings),
                         "reference_version": ref_info["version"],
                         "reference_cutoff": ",".join(cutoffs) if cutoffs else None,
                         "champion_version": ref_info["champion_version"], "kind": r.kind,
                         "n_reference": r.n_reference, "n_current": r.n_current, "note": r.note,
                         "warn_psi": settings.warn_psi, "block_psi": settings.block_psi,
                         "computed_at": now})
        notes[name] = (f"champion v{ref_info['champion_version']} vs {ref_info['table']}"
                       f"@v{ref_info['version']} cutoffs {cutoffs or 'all'}: "
                       f"{len(reference)} reference rows, {len(current)} today")
    return rows, notes


def drift_run(ctx: JobContext, settings: DriftConfig | None = None) -> dict[str, Any]:
    """Measure, write ops.feature_drift for ds (idempotent), summarise."""
    settings = settings or ctx.cfg.drift
    rows, notes = measure(ctx, settings)
    thresholds = {"warn_psi": settings.warn_psi, "block_psi": settings.block_psi}
    if not rows:
        return {"status": "skipped", "models": notes, "thresholds": thresholds,
                "summary": "no champion from an earlier run: drift not measured, training not "
                           "blocked by this run"}
    frame = pd.DataFrame(rows)
    version = ctx.lakehouse.write(ctx.spark.createDataFrame(frame, table(TABLE).ddl), TABLE,
                                  mode="overwrite_partitions", partition_by=["ds"],
                                  replace_partitions={"ds": ctx.ds}).version
    worst = BLOCK if (frame["status"] == BLOCK).any() else WARN if (
        frame["status"] == WARN).any() else OK
    flagged = {s: sorted(f"{m}.{f}" + (f" ({p:.3f})" if pd.notna(p) else "")
                         for m, f, p in frame.loc[frame["status"] == s, ["model", "feature", "psi"]]
                         .itertuples(index=False))
               for s in (WARN, BLOCK)}
    top = frame.dropna(subset=["psi"]).sort_values("psi", ascending=False).head(5)
    summary = {"status": worst, "thresholds": thresholds, "models": notes,
               "features": len(frame), "warn": flagged[WARN], "block": flagged[BLOCK],
               "top_psi": {f"{m}.{f}": round(p, 4) for m, f, p in
                           top[["model", "feature", "psi"]].itertuples(index=False)},
               "table_version": version}
    if worst == BLOCK:
        summary["summary"] = (f"BLOCK: {len(flagged[BLOCK])} feature(s) past block_psi="
                              f"{settings.block_psi}; train refuses to run for {ctx.ds}")
        log.warning(summary["summary"])
    elif worst == WARN:
        summary["summary"] = (f"WARNING: {len(flagged[WARN])} feature(s) drifted past "
                              f"warn_psi={settings.warn_psi}: {', '.join(flagged[WARN])}")
        log.warning(summary["summary"])
    else:
        summary["summary"] = f"stable: every PSI below warn_psi={settings.warn_psi}"
    return summary


def run(ctx: JobContext) -> dict:
    """Population stability of today's features vs each champion's training snapshot."""
    return drift_run(ctx)


if __name__ == "__main__":
    main(run, "drift")
