"""Only ``tailor`` is installed at the top level: setup.cfg lists every package of the tree under
the ``tailor`` namespace (the repository's jobs/, features/, models/ and expectations/ folders
map to tailor.jobs, tailor.features, ...), and nothing imports those folders by their top-level
names."""
import configparser
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MAPPED = {"jobs": "tailor.jobs", "features": "tailor.features", "models": "tailor.models",
          "expectations": "tailor.expectations"}


def _declared() -> tuple[set[str], dict[str, str]]:
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg")
    packages = {p.strip() for p in cfg["options"]["packages"].split() if p.strip()}
    package_dir = dict(line.split(" = ") for line in
                       cfg["options"]["package_dir"].strip().splitlines())
    return packages, {k.strip(): v.strip() for k, v in package_dir.items()}


def test_every_package_of_the_tree_is_declared_under_tailor():
    found = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "tailor").rglob("__init__.py")}
    for folder, package in MAPPED.items():
        found |= {".".join((package, *p.parent.relative_to(REPO / folder).parts))
                  for p in (REPO / folder).rglob("__init__.py")}
    packages, package_dir = _declared()
    assert packages == found
    assert all(p == "tailor" or p.startswith("tailor.") for p in packages)
    assert {package_dir[v]: v for v in MAPPED.values()} == {k: v for k, v in MAPPED.items()}


def test_nothing_imports_the_folders_as_top_level_packages():
    code = ("import sys, importlib, pkgutil, tailor.jobs, tailor.features, tailor.models, "
            "tailor.expectations\n"
            "for pkg in (tailor.jobs, tailor.features, tailor.models, tailor.expectations):\n"
            "    for m in pkgutil.iter_modules(pkg.__path__):\n"
            "        importlib.import_module(f'{pkg.__name__}.{m.name}')\n"
            f"print(sorted(n for n in sys.modules if n.split('.')[0] in {sorted(MAPPED)!r}))")
    # run from "/" (the folders are not on the path); the feature modules read the project's config
    env = {**os.environ, "TAILOR_HOME": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/",
                         env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]", out.stdout
