"""Data quality: run data contracts (Great Expectations suites from ``expectations/``) and report.

Importing this package is cheap; ``great_expectations`` is imported when a contract runs.
"""
from tailor.quality.contracts import (
    ContractBreach,
    ContractResult,
    ExpectationOutcome,
    arrow_to_pandas,
    report_dir_for,
    validate_frame,
    write_report,
)

__all__ = ["ContractBreach", "ContractResult", "ExpectationOutcome", "arrow_to_pandas",
           "report_dir_for", "validate_frame", "write_report"]
