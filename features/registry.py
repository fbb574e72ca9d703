"""The feature groups Tailor materialises, declared once: ``features.<name>_v<version>``.

Bump ``version`` whenever a group's logic changes: the table name changes with it, so models
trained on the old definition keep pointing at the old table. The rule is enforced: every group
has a :meth:`FeatureGroup.fingerprint` of its definition (the normalised source of its
transformation and of every ``features`` helper and constant it reaches, plus the metadata that
shapes its values), and ``features/fingerprints.json`` records the fingerprint of each
(group, version). ``tests/features/test_registry_version_bump.py`` fails when the code no longer
matches the recorded fingerprint of the declared version; bump the version, then run
``tailor features lock`` to record the new one.
"""
from __future__ import annotations

import ast
import hashlib
import inspect
import json
import textwrap
import types
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from pyspark.sql import DataFrame

from tailor.features import activity, behaviour, channel, clv, covisitation, discount, items, profile

LOCK_FILE = Path(__file__).with_name("fingerprints.json")
ENTITIES = ("person_id", "item_id")


@dataclass(frozen=True)
class FeatureGroup:
    name: str
    version: int
    entity: str                 # person_id | item_id: the key of one row (per ds)
    owner: str
    description: str
    sources: tuple[str, ...]    # tables the transformation reads
    ttl_days: int               # how long a value stays valid for point-in-time lookups
    compute: Callable[[DataFrame, datetime], DataFrame]  # (silver events, as_of) -> features
    # The same values for many as-of days in one pass: (silver events, windows.day_frame) ->
    # features keyed by ds. ``compute`` stays the reference (one day); tests prove them equal
    # day by day (tests/features/test_compute_days_matches_compute.py). None: the features job
    # runs ``compute`` once per day instead.
    compute_days: Callable[[DataFrame, DataFrame], DataFrame] | None = None
    freshness: str = "daily"    # how often it is materialised (the DAG's schedule)
    # Values for entities the group has no row for (e.g. no message yet), used when groups are
    # joined (features/assemble.py, point-in-time joins). Unlisted columns stay null.
    fills: dict[str, Any] = field(default_factory=dict, hash=False)
    # Value bounds (min, max; None = open) the group's data contract checks, where a column's
    # name would suggest other ones (expectations/_rules.py: ``*hour`` is an integer 0..23).
    # Not in the fingerprint: they check values, they do not change them.
    bounds: dict[str, tuple[float | None, float | None]] = field(default_factory=dict, hash=False)

    @property
    def table(self) -> str:
        return f"features.{self.name}_v{self.version}"

    def definition(self) -> dict[str, Any]:
        """What the fingerprint covers: everything that changes the values, nothing else
        (version, description and owner are excluded; so are comments, docstrings and layout).
        The code is that of ``compute`` and of ``compute_days``: both write the table."""
        code = code_closure(self.compute)
        if self.compute_days is not None:
            code = dict(sorted({**code, **code_closure(self.compute_days)}.items()))
        return {"name": self.name, "entity": self.entity, "sources": sorted(self.sources),
                "ttl_days": self.ttl_days, "freshness": self.freshness,
                "fills": {k: repr(v) for k, v in sorted(self.fills.items())},
                "code": code}

    def fingerprint(self) -> str:
        blob = json.dumps(self.definition(), sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


# --- fingerprints -------------------------------------------------------------------------

_CONSTANTS = (bool, int, float, str, bytes, tuple, list, dict, frozenset, set, type(None))


def normalised_source(obj: Any) -> str:
    """Source of a function with comments, docstrings and formatting normalised away."""
    return ast.unparse(_tree(obj))


def _tree(obj: Any) -> ast.AST:
    tree = ast.parse(textwrap.dedent(inspect.getsource(obj)))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module))
                and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return tree


_PACKAGE = "tailor.features"


def _in_project(obj: Any) -> bool:
    module = getattr(obj, "__module__", None) or getattr(obj, "__name__", "")
    return module == _PACKAGE or module.startswith(_PACKAGE + ".")


def _key(module: str, name: str) -> str:
    """``features.<module>.<name>``: keys name the repository folder, not the installed
    package path, so moving the package (tailor.features) does not change a fingerprint."""
    return f"{module.removeprefix('tailor.')}.{name}"


def _names(code: types.CodeType) -> set[str]:
    """Global and attribute names a code object (and nested lambdas/comprehensions) use."""
    found = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            found |= _names(const)
    return found


def code_closure(fn: Callable) -> dict[str, str]:
    """``{qualified name: normalised source or repr}`` of ``fn`` and of every function and
    constant of a ``features`` module it reaches, transitively (library code is not followed)."""
    out: dict[str, str] = {}
    todo = [fn]
    while todo:
        f = todo.pop()
        f = inspect.unwrap(f)
        key = _key(f.__module__, f.__qualname__)
        if key in out:
            continue
        tree = _tree(f)
        out[key] = ast.unparse(tree)
        scope = f.__globals__
        # names the body uses, plus names in default values / annotations (evaluated at def time)
        names = _names(f.__code__) | {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        for name in names:
            value = scope.get(name)
            if isinstance(value, types.ModuleType) and _in_project(value):
                # module.attr: follow the attributes this code names
                for attr in names:
                    if hasattr(value, attr):
                        _visit(_key(value.__name__, attr), getattr(value, attr), todo, out)
            elif name in scope:
                _visit(_key(f.__module__, name), value, todo, out)
    return dict(sorted(out.items()))


def _visit(key: str, value: Any, todo: list, out: dict[str, str]) -> None:
    if inspect.isfunction(value) and _in_project(value):
        todo.append(value)
    elif isinstance(value, _CONSTANTS):
        out.setdefault(f"const:{key}", repr(value))


def read_lock(path: Path = LOCK_FILE) -> dict[str, dict[str, str]]:
    """``{group: {version: fingerprint}}`` as checked in (empty if there is no file yet)."""
    if not path.exists():
        return {}
    return json.loads(path.read_text())


def check_lock(groups: dict[str, FeatureGroup] | None = None,
               lock: dict[str, dict[str, str]] | None = None) -> list[str]:
    """Problems (empty = fine): a group whose code changed without a version bump, or whose
    version has no recorded fingerprint yet."""
    groups = GROUPS if groups is None else groups
    lock = read_lock() if lock is None else lock
    problems = []
    for g in groups.values():
        recorded = lock.get(g.name, {}).get(str(g.version))
        current = g.fingerprint()
        if recorded is None:
            problems.append(f"{g.table} has no recorded fingerprint: run `tailor features lock` "
                            f"and commit features/fingerprints.json")
        elif recorded != current:
            problems.append(f"features.{g.name} changed without a version bump "
                            f"(v{g.version} was locked as {recorded}, the code is now {current}): "
                            f"bump version to {g.version + 1} in features/registry.py and run "
                            f"`tailor features lock`")
    return problems


def lock(groups: dict[str, FeatureGroup] | None = None, path: Path = LOCK_FILE,
         force: bool = False) -> dict[str, dict[str, str]]:
    """Record the current fingerprint of every group's version (older versions are kept, as
    history). Refuses to change an already-recorded version unless ``force`` (a pure refactor
    that provably leaves every value unchanged) — that is exactly the mistake the lock catches."""
    groups = GROUPS if groups is None else groups
    data = read_lock(path)
    changed = []
    for g in groups.values():
        versions = data.setdefault(g.name, {})
        old, new = versions.get(str(g.version)), g.fingerprint()
        if old is not None and old != new and not force:
            changed.append(f"{g.table} (locked {old}, now {new})")
            continue
        versions[str(g.version)] = new
    if changed:
        raise ValueError("refusing to re-lock changed definitions without a version bump: "
                         + "; ".join(changed) + ". Bump their versions in features/registry.py "
                         "(or pass --force if the change provably leaves every value unchanged)")
    ordered = {n: dict(sorted(v.items(), key=lambda kv: int(kv[0])))
               for n, v in sorted(data.items())}
    path.write_text(json.dumps(ordered, indent=2) + "\n")
    return ordered


# --- the groups ---------------------------------------------------------------------------

_BEHAVIOUR_FILLS = {**{f"{k}_{w}": 0 for k in ("views", "carts", "purchases")
                       for w in behaviour.WINDOWS},
                    "hours_since_last_event": float(behaviour.LOOKBACK_HOURS),
                    "hours_since_last_view": float(behaviour.LOOKBACK_HOURS),
                    "hours_since_last_purchase": float(behaviour.LOOKBACK_HOURS),
                    "items_viewed_7d": 0, "items_bought_7d": 0,
                    "last_viewed_items": [], "last_bought_items": []}
_CHANNEL_FILLS = {**{f"{c}_sends": 0 for c in channel.CHANNELS},
                  # never messaged: no evidence of response (the agent then explores / abstains)
                  **{f"{c}_{o}": 0.0 for c in channel.CHANNELS
                     for o in ("open_rate", "click_rate", "convert_rate", "response")},
                  "preferred_hour": channel.DEFAULT_SEND_HOUR, "preferred_hour_opens": 0,
                  "messages_received": 0}
_DISCOUNT_FILLS = {"discounted_sends": 0, "full_price_sends": 0,
                   "discounted_conversion_rate": 0.0, "full_price_conversion_rate": 0.0,
                   "discount_sensitivity": 0.0, "avg_discount_received": 0.0,
                   "message_order_share": 0.0}

_ACTIVITY_FILLS = {"active_hour": activity.DEFAULT_ACTIVE_HOUR, "hour_concentration": 0.0,
                   "active_events_90d": 0}

GROUPS: dict[str, FeatureGroup] = {g.name: g for g in [
    FeatureGroup(
        name="profile", version=3, entity="person_id", owner="growth-data",
        description="Long-lived profile: recency / frequency / monetary, tenure, spend (30/90 "
                    "days), average order value, order cadence, category affinity (favourite "
                    "category and its share, top-3 categories, categories seen).",
        sources=("silver.events",), ttl_days=365, compute=profile.compute,
        compute_days=profile.compute_days),
    FeatureGroup(
        name="channel", version=1, entity="person_id", owner="growth-data",
        description="Channel responsiveness: per channel (email, push, sms, in_app) sends and "
                    "smoothed open / click / convert / response rates; preferred send hour.",
        sources=("silver.events",), ttl_days=365, compute=channel.compute,
        compute_days=channel.compute_days, fills=_CHANNEL_FILLS),
    FeatureGroup(
        name="discount", version=1, entity="person_id", owner="growth-data",
        description="Discount sensitivity: smoothed conversion rate of discounted minus "
                    "full-price sends, mean discount received, share of orders from messages.",
        sources=("silver.events",), ttl_days=365, compute=discount.compute,
        compute_days=discount.compute_days, fills=_DISCOUNT_FILLS),
    FeatureGroup(
        name="behaviour", version=2, entity="person_id", owner="growth-data",
        description="Short-lived behaviour: views / carts / orders in the last 1 h, 24 h, 7 d; "
                    "hours since the last event, view and order; distinct items viewed and "
                    "bought in 7 d; the 10 most recent items viewed and bought.",
        sources=("silver.events",), ttl_days=7, compute=behaviour.compute,
        compute_days=behaviour.compute_days, fills=_BEHAVIOUR_FILLS),
    FeatureGroup(
        name="activity", version=1, entity="person_id", owner="growth-data",
        description="Time of day: the circular mean hour of a person's browsing and buying over "
                    "90 days, how concentrated it is, and the events it rests on.",
        sources=("silver.events",), ttl_days=365, compute=activity.compute,
        compute_days=activity.compute_days, fills=_ACTIVITY_FILLS,
        bounds={"active_hour": (0.0, 24.0)}),  # a circular mean: [0, 24)
    FeatureGroup(
        name="clv", version=2, entity="person_id", owner="growth-data",
        description="BG/NBD × Gamma-Gamma per buyer: repeat purchase days, recency and age in "
                    "days, mean repeat spend; P(alive), expected purchase days in 30 / 90 days, "
                    "expected spend per purchase day and 90-day value (population fitted per "
                    "as-of day on past orders only). Non-buyers: 0 (clv_age 0).",
        sources=("silver.events",), ttl_days=365, compute=clv.compute,
        compute_days=clv.compute_days, fills=clv.FILLS,
        bounds={"clv_p_alive": (0.0, 1.0)}),
    FeatureGroup(
        name="item_stats", version=2, entity="item_id", owner="growth-data",
        description="Item statistics: category, unit price (latest priced purchase or cart add), "
                    "7/30-day views and purchases, popularity rank.",
        sources=("silver.events",), ttl_days=30, compute=items.compute,
        compute_days=items.compute_days),
    FeatureGroup(
        name="covisitation", version=1, entity="item_id", owner="growth-data",
        description="Co-visitation candidates: per item the top-20 items interacted with in the "
                    "same sessions (30-minute gap) over the last 30 days, cosine-normalised.",
        sources=("silver.events",), ttl_days=30, compute=covisitation.compute,
        compute_days=covisitation.compute_days),
]}


def declared_bounds() -> dict[str, tuple[float | None, float | None]]:
    """Every group's declared value bounds by column (training sets carry the groups' columns)."""
    return {col: b for g in GROUPS.values() for col, b in g.bounds.items()}


def person_groups() -> list[FeatureGroup]:
    """Person-entity groups, profile first (it defines who exists on a day)."""
    return sorted((g for g in GROUPS.values() if g.entity == "person_id"),
                  key=lambda g: g.name != "profile")


def get_group(name: str) -> FeatureGroup:
    try:
        return GROUPS[name]
    except KeyError:
        raise ValueError(f"unknown feature group {name!r}; known: {', '.join(GROUPS)}") from None
