"""Validate a pandas DataFrame against a Great Expectations suite and write a readable report.

Each run uses its own *ephemeral* GX context (nothing is written to a ``gx/`` project folder):
a pandas data source, one whole-dataframe batch definition, the suite, a validation definition
and — when a report directory is given — a checkpoint whose ``UpdateDataDocsAction`` renders GX
data docs into ``<report_dir>/data_docs/``. Next to them we write:

- ``report.json``: :meth:`ContractResult.to_dict` (success, per-expectation outcomes, unexpected
  counts, a few sample unexpected values);
- ``report.html``: the same as one self-contained page (GX data docs load their CSS/JS from
  public CDNs, so they render poorly offline; this page never does);
- ``gx_validation_result.json``: the raw GX validation result.

``success`` means *no critical expectation failed*; failed expectations with severity
``warning``/``info`` are listed in :attr:`ContractResult.warnings` but do not breach the
contract. Whether a breach fails the calling task is the caller's decision
(``quality.fail_on_breach``; see ``jobs/validate.py``), made by raising :class:`ContractBreach`.
"""
from __future__ import annotations

import datetime as _dt
import html
import json
import math
import os
import shutil
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import unquote

from tailor.runtime import JobError

if TYPE_CHECKING:
    import great_expectations as gx
    import pandas as pd
    import pyarrow as pa

DEFAULT_SAMPLE_SIZE = 5
DATA_DOCS_SITE = "tailor"
REPORT_JSON = "report.json"
REPORT_HTML = "report.html"
GX_RESULT_JSON = "gx_validation_result.json"
DATA_DOCS_DIR = "data_docs"


# ----------------------------------------------------------------------------- result objects

@dataclass
class ExpectationOutcome:
    """How one expectation fared."""

    expectation: str                 # e.g. "expect_column_values_to_be_unique"
    column: str | None
    success: bool
    severity: str = "critical"
    description: str | None = None   # the rule in words (from the suite)
    row_condition: str | None = None  # rows the expectation applied to, if not all
    kwargs: dict[str, Any] = field(default_factory=dict)
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    sample_unexpected: list[Any] = field(default_factory=list)
    sample_ids: list[Any] = field(default_factory=list)  # id_column values of unexpected rows
    observed_value: Any = None
    details: Any = None
    exception: str | None = None     # set when GX could not evaluate it (e.g. missing column)

    @property
    def name(self) -> str:
        """Short identifier used in messages: ``expect_x(column) where <condition>``."""
        text = self.expectation + (f"({self.column})" if self.column else "")
        return text + (f" where {self.row_condition}" if self.row_condition else "")

    def explain(self) -> str:
        """One line: name, rule, and what went wrong."""
        parts = [self.name]
        if self.description:
            parts.append(f"[{self.description}]")
        if self.exception:
            parts.append(f"could not be evaluated: {self.exception}")
        mismatched = self.details.get("mismatched") if isinstance(self.details, dict) else None
        if self.unexpected_count:
            parts.append(f"{self.unexpected_count} unexpected"
                         + (f", e.g. {self.sample_unexpected}" if self.sample_unexpected else "")
                         + (f" in rows {self.sample_ids}" if self.sample_ids else ""))
        elif mismatched:
            parts.append(", ".join(f"{k}: {v}" for k, v in mismatched.items()
                                   if k == "missing" or self.kwargs.get("exact_match")))
        elif self.observed_value is not None and not self.success:
            parts.append(f"observed {self.observed_value!r}")
        return " ".join(parts)


@dataclass
class ContractResult:
    """The outcome of validating one table partition against its suite."""

    table: str
    ds: str | None
    suite: str
    success: bool                     # no *critical* expectation failed
    row_count: int
    outcomes: list[ExpectationOutcome]
    validated_at: str = ""
    report_dir: str | None = None
    reports: dict[str, str] = field(default_factory=dict)  # json / html / gx_json / data_docs

    @property
    def failures(self) -> list[ExpectationOutcome]:
        """Failed critical expectations: these breach the contract."""
        return [o for o in self.outcomes if not o.success and o.severity == "critical"]

    @property
    def warnings(self) -> list[ExpectationOutcome]:
        """Failed non-critical expectations: reported, not a breach."""
        return [o for o in self.outcomes if not o.success and o.severity != "critical"]

    @property
    def failed_expectations(self) -> list[str]:
        return [o.name for o in self.failures]

    def outcome(self, expectation: str, column: str | None = None) -> ExpectationOutcome:
        """The (first) outcome of ``expectation`` on ``column``; KeyError if not in the suite."""
        for o in self.outcomes:
            if o.expectation == expectation and (column is None or o.column == column):
                return o
        raise KeyError(f"{expectation}({column or ''}) is not in suite {self.suite}")

    def summary(self) -> str:
        head = (f"data contract {self.suite}"
                + (f" on {self.table}" if self.table != self.suite else "")
                + (f" (ds={self.ds})" if self.ds else "")
                + f": {'passed' if self.success else 'BREACHED'}, {self.row_count} rows, "
                f"{len(self.outcomes) - len(self.failures) - len(self.warnings)}"
                f"/{len(self.outcomes)} expectations met")
        lines = [head]
        lines += [f"  FAILED  {o.explain()}" for o in self.failures]
        lines += [f"  WARNING {o.explain()}" for o in self.warnings]
        if self.reports.get("html"):
            lines.append(f"  report: {self.reports['html']}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["failed_expectations"] = self.failed_expectations
        data["warnings"] = [o.name for o in self.warnings]
        for out, o in zip(data["outcomes"], self.outcomes):
            out["name"] = o.name
        return _jsonable(data)


class ContractBreach(JobError):
    """A table partition broke its data contract; names the failed expectations and the report."""

    def __init__(self, result: ContractResult):
        self.result = result
        self.table = result.table
        self.ds = result.ds
        self.failed = result.failed_expectations
        self.report_path = result.reports.get("html") or result.reports.get("json")
        lines = [f"data contract breached: {result.table}"
                 + (f" ds={result.ds}" if result.ds else "")
                 + f" failed {len(result.failures)} of {len(result.outcomes)} expectations"]
        lines += [f"  - {o.explain()}" for o in result.failures]
        lines.append(f"report: {self.report_path or '(not written)'}")
        super().__init__("\n".join(lines))


class ContractsBreached(ContractBreach):
    """Several tables broke their contracts in one validate run (``--table all`` / a list)."""

    def __init__(self, results: list[ContractResult], errors: dict[str, str] | None = None):
        self.results = list(results)
        self.errors = dict(errors or {})
        first = self.results[0]
        self.result = first
        self.table = ", ".join(r.table for r in self.results)
        self.ds = first.ds
        self.failed = [f"{r.table}: {name}" for r in self.results
                       for name in r.failed_expectations]
        self.report_path = first.reports.get("html") or first.reports.get("json")
        lines = [f"data contracts breached ds={first.ds}: "
                 f"{len(self.results)} table(s): {self.table}"]
        for r in self.results:
            lines.append(f"- {r.table}: failed {len(r.failures)} of {len(r.outcomes)} "
                         f"expectations (report: {r.reports.get('html') or '(not written)'})")
            lines += [f"    - {o.explain()}" for o in r.failures]
        lines += [f"- {t}: could not run: {e}" for t, e in self.errors.items()]
        RuntimeError.__init__(self, "\n".join(lines))


# ----------------------------------------------------------------------------- helpers

def arrow_to_pandas(table: "pa.Table") -> "pd.DataFrame":
    """``table.to_pandas()`` keeping integer and boolean columns integer/boolean when they hold
    nulls (pandas nullable ``Int64`` / ``boolean``); plain ``to_pandas`` would turn them into
    float64 / object, and "is an integer" expectations could not be checked."""
    import pandas as pd
    import pyarrow as pa

    mapping = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(),
               pa.int32(): pd.Int32Dtype(), pa.int64(): pd.Int64Dtype(),
               pa.bool_(): pd.BooleanDtype()}
    return table.to_pandas(types_mapper=mapping.get)


def report_dir_for(runs_dir: str, ds: str, table: str) -> str:
    """``<runs_dir>/<ds>/quality/<table>``: where the report of one table partition goes."""
    return os.path.join(runs_dir, ds, "quality", table)


def _jsonable(value: Any) -> Any:
    """Plain JSON types for numpy scalars/arrays, timestamps, NaN/NA, sets, GX objects."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    import pandas as pd

    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):  # numpy scalar/array
        return _jsonable(value.tolist())
    if isinstance(value, (_dt.datetime, _dt.date)) or hasattr(value, "isoformat"):
        try:
            return value.isoformat()
        except (TypeError, ValueError):
            return str(value)
    if hasattr(value, "to_json_dict"):
        return _jsonable(value.to_json_dict())
    return str(value)


def _dedupe(values: list[Any]) -> list[Any]:
    seen, out = set(), []
    for v in values:
        key = json.dumps(v, sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out


def _condition_text(condition: Any) -> str | None:
    if not condition:
        return None
    if isinstance(condition, dict):
        from great_expectations.expectations.row_conditions import deserialize_row_condition

        condition = deserialize_row_condition(condition)
    if isinstance(condition, str):
        return condition
    text = getattr(condition, "pass_through_filter", None)  # legacy pandas query strings
    return text if text is not None else repr(condition)


def _exception_text(info: Any) -> str | None:
    if not info:
        return None
    if isinstance(info, dict) and "raised_exception" in info:
        return info.get("exception_message") if info.get("raised_exception") else None
    if isinstance(info, dict):  # {metric_id: {raised_exception, exception_message, ...}}
        messages = [_exception_text(v) for v in info.values()]
        messages = [m for m in messages if m]
        return "; ".join(dict.fromkeys(messages)) or None
    raw = getattr(info, "raised_exception", False)
    return getattr(info, "exception_message", None) if raw else None


def _outcome(res: Any, sample_size: int, id_column: str | None) -> ExpectationOutcome:
    cfg = res.expectation_config
    kwargs = {k: v for k, v in (cfg.kwargs or {}).items() if k not in ("batch_id",)}
    result = res.result or {}
    severity = getattr(cfg, "severity", None) or "critical"
    severity = getattr(severity, "value", severity)
    sample = _jsonable(list(result.get("partial_unexpected_list") or []))
    ids = []
    if id_column and id_column != kwargs.get("column"):  # ids of the column itself add nothing
        ids = _jsonable([row.get(id_column) for row in result.get("partial_unexpected_index_list")
                         or [] if isinstance(row, dict)])
    return ExpectationOutcome(
        expectation=cfg.type,
        column=kwargs.get("column"),
        success=bool(res.success),
        severity=str(severity),
        description=getattr(cfg, "description", None) or (cfg.meta or {}).get("description"),
        row_condition=_condition_text(kwargs.pop("row_condition", None)),
        kwargs=_jsonable({k: v for k, v in kwargs.items() if k != "condition_parser"}),
        unexpected_count=result.get("unexpected_count"),
        unexpected_percent=_jsonable(result.get("unexpected_percent")),
        sample_unexpected=_dedupe(sample)[:sample_size],
        sample_ids=_dedupe(ids)[:sample_size],
        observed_value=_jsonable(result.get("observed_value")),
        details=_jsonable(result.get("details")),
        exception=_exception_text(res.exception_info),
    )


def _fresh_suite(suite: "gx.ExpectationSuite") -> "gx.ExpectationSuite":
    """A copy of ``suite`` without ids, so one suite object can be validated many times. The
    expectations are copied shallowly (a deep copy of a 155-expectation suite takes ~0.5 s):
    only their ``id`` is set on the copy; their kwargs are shared, and GX only reads them."""
    import great_expectations as gx

    expectations = [exp.copy(update={"id": None}) for exp in suite.expectations]
    return gx.ExpectationSuite(name=suite.name, expectations=expectations,
                               meta=dict(suite.meta or {}), notes=suite.notes)


def _ephemeral_context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # tqdm bars on stderr would drown the task log in Airflow
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


# ----------------------------------------------------------------------------- the runner

def validate_frame(df: "pd.DataFrame", suite: "gx.ExpectationSuite", *, table: str | None = None,
                   ds: str | None = None,
                   prepare: Callable[["pd.DataFrame"], "pd.DataFrame"] | None = None,
                   id_column: str | None = None, report_dir: str | None = None,
                   data_docs: bool = True,
                   sample_size: int = DEFAULT_SAMPLE_SIZE) -> ContractResult:
    """Validate ``df`` against ``suite`` in an ephemeral GX context.

    ``prepare`` (the suite module's helper-column function) runs first. ``id_column`` (e.g.
    ``person_id``) names the rows behind unexpected values in the report. With ``report_dir``,
    writes report.json, report.html, gx_validation_result.json and (``data_docs``) GX data docs
    there, replacing any previous report. Never raises on a failed expectation: check
    ``result.success`` or raise :class:`ContractBreach` yourself.
    """
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    table = table or suite.name
    frame = prepare(df) if prepare is not None else df
    context = _ephemeral_context()
    gx_suite = context.suites.add(_fresh_suite(suite))
    batch_definition = (context.data_sources.add_pandas(name="tailor")
                        .add_dataframe_asset(name=table)
                        .add_batch_definition_whole_dataframe("partition"))
    definition = context.validation_definitions.add(gx.ValidationDefinition(
        name=table, data=batch_definition, suite=gx_suite))
    result_format: dict[str, Any] = {"result_format": "SUMMARY",
                                     "partial_unexpected_count": max(sample_size * 4, 20)}
    if id_column and id_column in frame.columns:
        result_format["unexpected_index_column_names"] = [id_column]
    else:
        id_column = None
    batch_parameters = {"dataframe": frame}

    docs_url = None
    if report_dir and data_docs:
        docs_dir = os.path.join(report_dir, DATA_DOCS_DIR)
        shutil.rmtree(docs_dir, ignore_errors=True)  # a rerun replaces the previous report
        context.add_data_docs_site(site_name=DATA_DOCS_SITE, site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                              "base_directory": docs_dir},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        })
        checkpoint = context.checkpoints.add(gx.Checkpoint(
            name=f"validate {table}", validation_definitions=[definition],
            actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs",
                                                        site_names=[DATA_DOCS_SITE])],
            result_format=result_format))
        run = checkpoint.run(batch_parameters=batch_parameters,
                             run_id=RunIdentifier(run_name=ds or "adhoc"))
        identifier, gx_result = next(iter(run.run_results.items()))
        urls = context.get_docs_sites_urls(resource_identifier=identifier,
                                           site_name=DATA_DOCS_SITE)
        docs_url = urls[0]["site_url"] if urls else None
    else:
        gx_result = definition.run(batch_parameters=batch_parameters,
                                   result_format=result_format)

    order = {e.id: i for i, e in enumerate(gx_suite.expectations)}  # report in suite order
    results = sorted(gx_result.results,
                     key=lambda r: order.get(r.expectation_config.id, len(order)))
    outcomes = [_outcome(r, sample_size, id_column) for r in results]
    for o in outcomes:  # GX's own message for a missing column can be "list index out of range"
        if o.exception and o.column and o.column not in frame.columns:
            o.exception = f"column {o.column!r} does not exist"
    result = ContractResult(
        table=table, ds=ds, suite=suite.name,
        success=not any(not o.success and o.severity == "critical" for o in outcomes),
        row_count=int(len(frame)), outcomes=outcomes,
        validated_at=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
    if docs_url:
        result.reports["data_docs"] = unquote(docs_url.removeprefix("file://"))
    if report_dir:
        write_report(result, report_dir, gx_result=gx_result)
    return result


# ----------------------------------------------------------------------------- reports

def write_report(result: ContractResult, report_dir: str, gx_result: Any = None) -> dict[str, str]:
    """Write report.json / report.html (and the raw GX result) into ``report_dir``."""
    os.makedirs(report_dir, exist_ok=True)
    result.report_dir = report_dir
    result.reports["json"] = os.path.join(report_dir, REPORT_JSON)
    result.reports["html"] = os.path.join(report_dir, REPORT_HTML)
    if gx_result is not None:
        result.reports["gx_json"] = os.path.join(report_dir, GX_RESULT_JSON)
        with open(result.reports["gx_json"], "w") as fh:
            json.dump(_jsonable(gx_result.to_json_dict()), fh, indent=2, default=str)
    with open(result.reports["json"], "w") as fh:
        json.dump(result.to_dict(), fh, indent=2, default=str)
    with open(result.reports["html"], "w") as fh:
        fh.write(render_html(result))
    return dict(result.reports)


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2em;color:#222}
h1{font-size:1.4em} .ok{color:#1a7f37} .bad{color:#c62828} .warn{color:#9a6700}
table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5} tr.fail{background:#fdecea} tr.warning{background:#fff8e1}
code{font-size:.95em} .muted{color:#777}
"""


def render_html(result: ContractResult) -> str:
    """A self-contained HTML page for one contract result (no external assets)."""
    esc = html.escape
    status = ("<span class='ok'>PASSED</span>" if result.success
              else "<span class='bad'>BREACHED</span>")
    rows = []
    ordered = sorted(result.outcomes, key=lambda o: (o.success, o.severity != "critical"))
    for o in ordered:
        css = "" if o.success else ("fail" if o.severity == "critical" else "warning")
        mark = ("<span class='ok'>✓</span>" if o.success else
                "<span class='bad'>✗</span>" if o.severity == "critical" else
                "<span class='warn'>!</span>")
        mismatched = o.details.get("mismatched") if isinstance(o.details, dict) else None
        if o.exception:
            problem = f"<span class='bad'>error: {esc(o.exception)}</span>"
        elif o.unexpected_count is not None:
            pct = (f" ({o.unexpected_percent:.2f}%)"
                   if isinstance(o.unexpected_percent, (int, float)) else "")
            problem = f"{o.unexpected_count}{pct}"
        elif mismatched and not o.success:
            problem = "<br>".join(f"{esc(k)}: <code>{esc(json.dumps(v))}</code>"
                                  for k, v in mismatched.items()
                                  if k == "missing" or o.kwargs.get("exact_match"))
        elif o.observed_value is not None:
            problem = f"observed: <code>{esc(json.dumps(o.observed_value, default=str)[:200])}</code>"
        else:
            problem = ""
        sample = (esc(json.dumps(o.sample_unexpected, default=str)[:400])
                  if o.sample_unexpected else "")
        ids = esc(json.dumps(o.sample_ids, default=str)[:400]) if o.sample_ids else ""
        rows.append(
            f"<tr class='{css}'><td>{mark}</td><td><code>{esc(o.expectation)}</code>"
            + (f"<br><span class='muted'>where {esc(o.row_condition)}</span>"
               if o.row_condition else "")
            + f"</td><td>{esc(o.column or '')}</td><td>{esc(o.description or '')}</td>"
            f"<td>{esc(o.severity)}</td><td>{problem}</td><td><code>{sample}</code></td>"
            f"<td><code>{ids}</code></td></tr>")
    links = []
    if result.reports.get("data_docs"):
        rel = os.path.relpath(result.reports["data_docs"], result.report_dir or ".")
        links.append(f"<a href='{esc(rel)}'>Great Expectations data docs</a>")
    links.append(f"<a href='{REPORT_JSON}'>report.json</a>")
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{esc(result.table)} {esc(result.ds or '')} — data contract</title>
<style>{_CSS}</style></head><body>
<h1>Data contract <code>{esc(result.suite)}</code> on <code>{esc(result.table)}</code>
{('ds=' + esc(result.ds)) if result.ds else ''}: {status}</h1>
<p>{result.row_count} rows · {len(result.outcomes)} expectations ·
<span class='bad'>{len(result.failures)} failed</span> ·
<span class='warn'>{len(result.warnings)} warnings</span> · validated {esc(result.validated_at)}</p>
<p>{' · '.join(links)}</p>
<table><tr><th></th><th>expectation</th><th>column</th><th>rule</th><th>severity</th>
<th>unexpected / observed</th><th>sample unexpected values</th><th>in rows</th></tr>
{''.join(rows)}
</table></body></html>
"""


INDEX_HTML = "index.html"


def write_index(quality_dir: str) -> str | None:
    """``<runs>/<ds>/quality/index.html``: one line per table report of the day, breaches first.

    Rebuilt from the ``report.json`` files in ``quality_dir`` after every contract run, so it
    is complete however the contracts were split into tasks.
    """
    if not os.path.isdir(quality_dir):
        return None
    rows = []
    for name in sorted(os.listdir(quality_dir)):
        path = os.path.join(quality_dir, name, REPORT_JSON)
        if not os.path.isfile(path):
            continue
        try:
            with open(path) as fh:
                rep = json.load(fh)
        except (OSError, ValueError):
            continue
        rows.append((bool(rep.get("success")), name, rep))
    rows.sort(key=lambda r: (r[0], r[1]))
    esc = html.escape
    body = []
    for ok, name, rep in rows:
        status = "<span class='ok'>passed</span>" if ok else "<span class='bad'>BREACHED</span>"
        failed = rep.get("failed_expectations") or []
        docs = (rep.get("reports") or {}).get("data_docs")
        docs_link = (f" · <a href='{esc(os.path.relpath(docs, quality_dir))}'>data docs</a>"
                     if docs else "")
        body.append(
            f"<tr class='{'' if ok else 'fail'}'><td><a href='{esc(name)}/{REPORT_HTML}'>"
            f"{esc(name)}</a>{docs_link}</td><td>{status}</td><td>{rep.get('row_count')}</td>"
            f"<td>{len(failed)}</td><td>{len(rep.get('warnings') or [])}</td>"
            f"<td>{esc('; '.join(failed)[:400])}</td><td>{esc(rep.get('validated_at') or '')}</td></tr>")
    ds = os.path.basename(os.path.dirname(os.path.abspath(quality_dir)))
    page = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>data contracts {esc(ds)}</title>
<style>{_CSS}</style></head><body>
<h1>Data contracts, ds={esc(ds)}</h1>
<p>{sum(1 for r in rows if r[0])} passed ·
<span class='bad'>{sum(1 for r in rows if not r[0])} breached</span></p>
<table><tr><th>table</th><th>status</th><th>rows</th><th>failed</th><th>warnings</th>
<th>failed expectations</th><th>validated</th></tr>
{''.join(body)}
</table></body></html>
"""
    out = os.path.join(quality_dir, INDEX_HTML)
    with open(out, "w") as fh:
        fh.write(page)
    return out
