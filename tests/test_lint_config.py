"""`make test` after `make demo` lints the same as on a fresh clone: the folders the pipeline
creates at the project's root (the config's default paths, Airflow's home) shadow libraries of
the same name for ruff's first-party detection unless pyproject.toml names them third-party."""
import importlib.util
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def created_folders() -> set[str]:
    """The first folder of every default path in conf/base.yaml, and AIRFLOW_HOME's."""
    paths = yaml.safe_load((REPO / "conf" / "base.yaml").read_text())["paths"]
    folders = {"airflow"}   # Makefile / tailor.dagrun: AIRFLOW_HOME = <project>/airflow
    for value in paths.values():
        local = str(value).split(":///", 1)[-1]   # sqlite:///mlflow/mlflow.db → mlflow/mlflow.db
        if "://" not in local and not local.startswith("/"):
            folders.add(Path(local).parts[0])
    return folders


def is_library(name: str) -> bool:
    """Whether ``name`` imports an installed library (a root folder of this repository without an
    ``__init__.py`` imports too, as a namespace package: not a library)."""
    spec = importlib.util.find_spec(name)
    if spec is None:
        return False
    places = [*(spec.submodule_search_locations or []), *([spec.origin] if spec.origin else [])]
    return any("site-packages" in Path(p).parts or not Path(p).resolve().is_relative_to(REPO)
               for p in places)


def test_every_root_folder_named_like_a_library_is_declared_third_party():
    isort = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]["isort"]
    shadowing = {f for f in created_folders()
                 if is_library(f) and f not in isort["known-first-party"]}
    assert shadowing >= {"mlflow", "airflow"}   # the check can fail: both are installed here
    assert shadowing <= set(isort.get("known-third-party", [])), (
        "add these to [tool.ruff.lint.isort] known-third-party in pyproject.toml: "
        f"{sorted(shadowing - set(isort.get('known-third-party', [])))}")
