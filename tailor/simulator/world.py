"""Orchestration: run the world chunk by chunk, day by day, and write everything out.

Users never interact, so the population is simulated in independent chunks of users (memory is
bounded by the chunk, not the population) and, within a chunk, day by day because state carries
over (consent, churn, login state, message fatigue). Each (day, chunk) becomes one landing file.
Events that happen after midnight (late responses, sessions running past 24:00) are carried
into the next day's file of the same chunk, so every file holds exactly its day's events.
After the simulated period the world runs ``future_days`` more days without writing landing, to
measure each user's ``true_future_value``.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from tqdm import tqdm

from tailor.events import CHANNELS, EVENT_TYPES
from tailor.simulator.behaviour import Behaviour
from tailor.simulator.catalog import Catalog, build_catalog
from tailor.simulator.columns import KIND, EventBatch
from tailor.simulator.consent import Consent
from tailor.simulator.decisions import DecisionPlan
from tailor.simulator.identity import Identity, customer_id_expr
from tailor.simulator.marketing import ActionBank, LoggingPolicy, Marketing
from tailor.simulator.params import WorldParams
from tailor.simulator.streams import MAX_DAYS, MAX_USERS, Streams, group_ranks
from tailor.simulator.traits import draw_traits
from tailor.simulator.writer import (
    LANDING_DIR,
    EventFormatter,
    GroundTruthWriter,
    landing_file_name,
    remove_previous_output,
    write_world_json,
)

DEFAULT_CHUNK_SIZE = 50_000
_DAY = 86400
_N_EXAMPLES = 3


@dataclass
class ChunkWorld:
    """The state of one chunk of users as the days go by."""

    streams: Streams
    params: WorldParams
    catalog: Catalog
    policy: LoggingPolicy
    start_date: date
    days: int
    users: np.ndarray
    plan: DecisionPlan | None = None

    def __post_init__(self) -> None:
        s, p = self.streams, self.params
        self.traits = draw_traits(s, p, self.catalog, self.users, self.days)
        self.identity = Identity.draw(s, p, self.users, self.traits.signup_day)
        self.consent = Consent.draw(s, p, self.users)
        self.behaviour = Behaviour(s, p, self.catalog, self.traits, self.start_date)
        self.marketing = Marketing(s, p, self.policy, self.behaviour)
        n = self.users.shape[0]
        self.spend = np.zeros(n)
        self.future_value = np.zeros(n)
        self.counts = {kind: np.zeros(n, dtype=np.int64)
                       for kind in ("purchase", "message_sent", "conversion")}

    def step(self, day: int, emit: bool) -> EventBatch:
        """Simulate ``day``; returns its events (event ids assigned when ``emit``)."""
        self.identity.begin_day(day)
        overnight = self.consent.overnight(day, self.behaviour.known(day))
        self.behaviour.churn(day)
        messages = self.marketing.day(day, self.consent, self.plan)
        sessions = self.behaviour.sessions(day, self.identity, self.consent, record=emit)
        batch = EventBatch.concat([overnight, messages, sessions])
        batch.cols["day"][:] = day
        self._account(batch)
        if emit:
            self._assign_event_ids(batch, day)
        return batch

    def _account(self, batch: EventBatch) -> None:
        """Spend inside the period and in the future window, plus per-user counters."""
        kind, t = batch["kind"], batch["t"]
        local = batch["user"] - self.users[0]
        value = np.where(kind == KIND["purchase"], batch["price"] * batch["quantity"],
                         np.where(kind == KIND["conversion"], batch["price"], 0.0))
        period_end = self.days * _DAY
        future_end = period_end + self.params.future_days * _DAY
        n = self.users.shape[0]
        in_period = t < period_end
        in_future = ~in_period & (t < future_end)
        self.spend += np.bincount(local[in_period], value[in_period], minlength=n)
        self.future_value += np.bincount(local[in_future], value[in_future], minlength=n)
        for name, counter in self.counts.items():
            counter += np.bincount(local[in_period & (kind == KIND[name])], minlength=n)

    def _assign_event_ids(self, batch: EventBatch, day: int) -> None:
        """Event id = token(user, day, n-th event of that user that day): unique, opaque."""
        order = np.lexsort((batch["sub"], batch["t"], batch["user"]))
        seq = np.empty(len(batch), dtype=np.int64)
        seq[order] = group_ranks(batch["user"][order])
        batch.cols["eid"] = self.streams.token("id:event", batch["user"], day, seq)

    def ground_truth(self) -> dict[str, Any]:
        """Columns for ``ground_truth/users.parquet``."""
        churn_day = self.behaviour.churn_day
        churned = churn_day < self.days
        dates = np.array([(self.start_date + timedelta(days=int(d))).isoformat()
                          for d in range(self.days)] + [None], dtype=object)
        cols: dict[str, Any] = {
            "customer_id": pl.select(customer_id_expr(pl.lit(pl.Series(self.users)))).to_series(),
            "signup_date": dates[self.traits.signup_day],
        }
        traits = self.traits.ground_truth(self.catalog)
        cols.update(traits)
        cols["n_devices"] = self.identity.count
        cols.update(self.consent.ground_truth())
        cols.update({
            "churned": churned,
            "churn_day": np.where(churned, churn_day, -1),
            "churn_date": dates[np.where(churned, churn_day, self.days)],
            "churned_by_horizon_end": churn_day < self.days + self.params.future_days,
            "spend_in_period": np.round(self.spend, 2),
            "purchases_in_period": self.counts["purchase"],
            "messages_in_period": self.counts["message_sent"],
            "conversions_in_period": self.counts["conversion"],
            "true_future_value": np.round(self.future_value, 2),
        })
        return cols

    def examples(self) -> dict[str, list[tuple]]:
        """Candidate demo users, as sortable keys (merged across chunks by the caller)."""
        alive = self.behaviour.churn_day >= self.days
        consented = self.consent.state.any(axis=1)
        buyers = np.flatnonzero(alive & consented & (self.counts["purchase"] > 0))
        top = buyers[np.lexsort((self.users[buyers], -self.counts["purchase"][buyers]))]
        silent = np.flatnonzero(~consented)
        silent = silent[np.lexsort((self.users[silent], ~self.consent.refuses_all[silent]))]
        return {
            "active": [(-int(self.counts["purchase"][i]), int(self.users[i]))
                       for i in top[:_N_EXAMPLES]],
            "opted_out_everywhere": [(int(not self.consent.refuses_all[i]), int(self.users[i]))
                                     for i in silent[:_N_EXAMPLES]],
        }


def _customer_id(user: int) -> str:
    return f"C{user + 1:07d}"


def load_action_bank(actions: dict[str, Any] | None) -> ActionBank:
    """The action bank given, or the one ``conf/`` names (``policy.actions``)."""
    if actions is None:
        from tailor.config import get_config

        actions = get_config().load_actions()
    return ActionBank.from_config(actions)


def simulate(users: int, days: int, seed: int, out_dir: str | Path, items: int = 300,
             start_date: str | date = "2026-09-01", progress: bool = True,
             chunk_size: int = DEFAULT_CHUNK_SIZE, params: WorldParams | None = None,
             actions: dict[str, Any] | None = None, decisions: str | Path | Any = None,
             fallback: str = "logging") -> dict[str, Any]:
    """Simulate a world and write ``landing/``, ``ground_truth/`` and ``world.json`` under
    ``out_dir``. Same arguments -> byte-identical files (``chunk_size`` only changes how the
    events are split into files, not which events there are). Returns a summary dict.

    ``decisions`` (closed loop): a decision table (file, directory or DataFrame; see
    ``tailor.simulator.decisions``) whose actions replace the logging policy's on the days it
    covers; ``fallback`` (``logging`` | ``no_message``) decides for decision points without a row
    on those days. Days before the first decided day are byte-identical to a run without
    decisions, and a day's landing file depends only on the rows dated on or before it, so a
    loop can re-run the simulator with one more day of decisions each time."""
    began = time.perf_counter()
    params = params or WorldParams()
    start = date.fromisoformat(start_date) if isinstance(start_date, str) else start_date
    _check_scale(users, days, items, chunk_size, params)
    out = Path(out_dir)
    landing = out / LANDING_DIR
    landing.mkdir(parents=True, exist_ok=True)
    remove_previous_output(out)

    streams = Streams(seed)
    catalog = build_catalog(items, streams)
    bank = load_action_bank(actions)
    policy = LoggingPolicy(bank, params.no_message_share)
    plan = None if decisions is None else DecisionPlan.build(decisions, bank, start, days, users,
                                                              fallback)
    formatter = EventFormatter(streams, start, catalog, bank.action_ids)
    truth = GroundTruthWriter(out)

    bounds = [(lo, min(users, lo + chunk_size)) for lo in range(0, users, chunk_size)]
    total_days = days + params.future_days
    by_type = np.zeros(len(EVENT_TYPES), dtype=np.int64)
    files: list[str] = []
    n_bytes = 0
    examples: dict[str, list[tuple]] = {"active": [], "opted_out_everywhere": []}
    bar = tqdm(total=len(bounds) * total_days, unit="day", desc="simulate", disable=not progress)
    try:
        for chunk, (lo, hi) in enumerate(bounds):
            world = ChunkWorld(streams, params, catalog, policy, start, days,
                               np.arange(lo, hi, dtype=np.int64), plan)
            pending = EventBatch.empty()
            for day in range(total_days):
                today = start + timedelta(days=day)
                bar.set_postfix_str(f"chunk {chunk + 1}/{len(bounds)} {today}"
                                    + (" (future)" if day >= days else ""), refresh=False)
                batch = world.step(day, emit=day < days)
                if day < days:
                    batch = EventBatch.concat([pending, batch])
                    due = batch["t"] < (day + 1) * _DAY
                    pending = batch.take(~due)
                    rows = batch.take(due)
                    rows = rows.take(np.lexsort((rows["eid"], rows["sub"], rows["user"],
                                                 rows["t"])))
                    name = landing_file_name(today, chunk)
                    n_bytes += formatter.write(rows, landing / name)
                    files.append(f"{LANDING_DIR}/{name}")
                    by_type += np.bincount(rows["kind"], minlength=len(EVENT_TYPES))
                bar.update(1)
            truth.append("users", world.ground_truth())
            truth.append("identity", world.identity.ground_truth())
            for key, found in world.examples().items():
                examples[key] = sorted(examples[key] + found)[:_N_EXAMPLES]
    finally:
        bar.close()
        truth.close()

    picked = {key: [_customer_id(user) for _, user in found] for key, found in examples.items()}
    counts = {name: int(n) for name, n in zip(EVENT_TYPES, by_type)}
    world_doc = {
        "generator": "tailor.simulator",
        "arguments": {"users": users, "days": days, "seed": seed, "items": items,
                      "start_date": start.isoformat(),
                      "end_date": (start + timedelta(days=days - 1)).isoformat(),
                      "chunk_size": chunk_size},
        "params": params.to_dict(),
        "action_bank": list(bank.action_ids),
        "logging_policy": {"kind": "uniform over consented message actions",
                           "no_message_share": params.no_message_share,
                           "decision_rate": params.decision_rate},
        "channels": list(CHANNELS),
        "counts": {"users": users, "items": items, "events": int(by_type.sum()),
                   "events_by_type": counts, "files": len(files), "bytes": n_bytes},
        "examples": picked,
        "ground_truth": truth.paths(),
        "files": files,
    }
    if plan is not None:
        world_doc["decisions"] = plan.report(start)
    write_world_json(out, world_doc)
    return {
        "users": users, "days": days, "seed": seed, "items": items,
        "start_date": start.isoformat(), "end_date": world_doc["arguments"]["end_date"],
        "events": int(by_type.sum()), "events_by_type": counts, "files": len(files),
        "bytes": n_bytes, "seconds": round(time.perf_counter() - began, 2),
        "examples": picked, "out_dir": str(out), "landing_dir": str(landing),
        "ground_truth_dir": str(out / "ground_truth"),
        **({"decisions": world_doc["decisions"]} if plan is not None else {}),
    }


def _check_scale(users: int, days: int, items: int, chunk_size: int,
                 params: WorldParams) -> None:
    if users < 1 or days < 1 or items < 1 or chunk_size < 1:
        raise ValueError("users, days, items and chunk_size must all be >= 1")
    if users >= min(MAX_USERS, 10**7):
        raise ValueError(f"at most {min(MAX_USERS, 10**7) - 1:,} users (customer id width)")
    if days + params.future_days >= MAX_DAYS:
        raise ValueError(f"days + future_days must stay below {MAX_DAYS}")
