"""Data quality: run data contracts (Great Expectations suites from ``expectations/``) and report.

Importing this package is cheap; ``great_expectations`` is imported when a contract runs.
"""
from tailor.quality.contracts import (
    ContractBreach,
    ContractResult,
    ContractsBreached,
    ExpectationOutcome,
    arrow_to_pandas,
    report_dir_for,
    validate_frame,
    write_index,
    write_report,
)

__all__ = ["ContractBreach", "ContractsBreached", "ContractResult", "ExpectationOutcome", "arrow_to_pandas",
           "report_dir_for", "validate_frame", "write_index", "write_report"]
