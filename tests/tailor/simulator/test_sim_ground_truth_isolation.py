"""Hidden traits and future value live in ground_truth/ only, never in landing."""
from __future__ import annotations

import polars as pl

from tailor.events import EVENT_FIELDS


def test_ground_truth_files_exist_outside_landing(small_world):
    assert {p.name for p in (small_world / "ground_truth").iterdir()} == {
        "users.parquet", "identity.parquet"}
    assert {p.suffix for p in (small_world / "landing").iterdir()} == {".jsonl"}


def test_no_trait_field_in_any_event(small_world, small_events):
    truth = pl.read_parquet(small_world / "ground_truth" / "users.parquet")
    hidden = set(truth.columns) - {"customer_id"}
    assert {"true_future_value", "churn_hazard", "discount_sensitivity", "preferred_hour",
            "affinity_email", "spend_level", "churned"} <= hidden
    for e in small_events:
        keys = set(e) - {"_file"}
        assert keys <= set(EVENT_FIELDS) and not keys & hidden
    raw = b"".join(p.read_bytes() for p in (small_world / "landing").iterdir())
    for name in hidden:
        assert f'"{name}"'.encode() not in raw


def test_future_value_is_not_in_landing(small_world, small_events):
    truth = pl.read_parquet(small_world / "ground_truth" / "users.parquet")
    assert truth["true_future_value"].sum() > 0
    last_day = max(e["ts"][:10] for e in small_events)
    assert last_day == "2026-09-10"


def test_churned_users_go_quiet(small_world, small_events):
    truth = pl.read_parquet(small_world / "ground_truth" / "users.parquet")
    churned = dict(truth.filter(pl.col("churned")).select("customer_id", "churn_date").iter_rows())
    assert churned
    shopping = ("view", "add_to_cart", "purchase", "login")
    for e in small_events:
        if e["event_type"] in shopping and e.get("customer_id") in churned:
            assert e["ts"][:10] < churned[e["customer_id"]]


# --- the ground-truth oracle is for tests and benches: the pipeline never imports it ----------
ORACLE_MODULES = {"tailor.simulator.oracle", "tailor.simulator.expectations",
                  "tailor.simulator.logbook"}
PIPELINE_DIRS = ("jobs", "features", "models", "dags", "expectations", "tailor")


def _imports(path) -> set[str]:
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_pipeline_module_imports_the_oracle():
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    scanned = 0
    for top in PIPELINE_DIRS:
        for path in (root / top).rglob("*.py"):
            if path.is_relative_to(root / "tailor" / "simulator"):
                continue
            scanned += 1
            found = _imports(path) & ORACLE_MODULES
            assert not found, f"{path.relative_to(root)} imports {sorted(found)}"
    assert scanned > 100


def test_the_simulator_and_the_cli_load_without_the_oracle():
    import subprocess
    import sys

    code = ("import sys, tailor.simulator, tailor.cli; from tailor.cli import build_parser; "
            "build_parser(); "
            f"print(sorted(m for m in {sorted(ORACLE_MODULES)!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True).stdout.strip()
    assert out == "[]"
