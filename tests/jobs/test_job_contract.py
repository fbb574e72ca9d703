"""One job contract: every module in jobs/ is ``run(ctx)`` (a JobContext), declares its extra
command-line options as JobOption, and `tailor run` knows it."""
import importlib
import inspect
import pkgutil

import tailor.jobs
from tailor.cli.run import JOBS, job_module
from tailor.runtime import JobOption


def _modules():
    return {m.name: importlib.import_module(f"tailor.jobs.{m.name}")
            for m in pkgutil.iter_modules(tailor.jobs.__path__)}


def test_every_job_is_run_of_a_context():
    for name, module in _modules().items():
        params = list(inspect.signature(module.run).parameters)
        assert params == ["ctx"], f"jobs/{name}.py: run{tuple(params)} should be run(ctx)"
        assert all(isinstance(o, JobOption) for o in getattr(module, "OPTIONS", ())), name


def test_tailor_run_knows_every_job_module():
    assert {job_module(job).__name__ for job in JOBS} == {m.__name__ for m in _modules().values()}
