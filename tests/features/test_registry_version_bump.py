"""Changing a feature group's logic without bumping its version is caught: the fingerprint of
the definition (normalised code of the transformation + every features helper / constant it
reaches + value-shaping metadata) must match features/fingerprints.json for the declared version."""
import importlib.util
import sys
import textwrap
from dataclasses import replace

import pytest

from tailor.features.registry import GROUPS, FeatureGroup, check_lock, lock

PROBE = '''
"""A probe feature group."""
from tailor.features.windows import as_of

K = {k}


def compute(events, at):
    """Docstring {doc}."""
    return _helper(as_of(events, at))  # {doc}


def _helper(ev):
    return ev.limit(K{extra})
'''


def _module(tmp_path, name, **fmt):
    fmt = {"k": 5, "doc": "one", "extra": "", **fmt}
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(PROBE.format(**fmt)))
    spec = importlib.util.spec_from_file_location("tailor.features._probe", path)  # one name: keys stay equal
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _group(module, version=1, **kw):
    return FeatureGroup(name="probe", version=version, entity="person_id", owner="me",
                        description="probe", sources=("silver.events",), ttl_days=7,
                        compute=module.compute, **kw)


def test_checked_in_lock_matches_every_group():
    problems = check_lock()
    assert not problems, "\n".join(problems)


def test_fingerprint_tracks_logic_not_comments(tmp_path):
    base = _group(_module(tmp_path, "base")).fingerprint()
    cosmetic = _group(_module(tmp_path, "cosmetic", doc="reworded")).fingerprint()
    constant = _group(_module(tmp_path, "constant", k=6)).fingerprint()
    helper = _group(_module(tmp_path, "helper", extra=" + 1")).fingerprint()
    assert cosmetic == base, "docstrings and comments must not change the fingerprint"
    assert len({base, constant, helper}) == 3, "a changed constant or helper must change it"
    g = _group(_module(tmp_path, "meta"))
    assert replace(g, description="other", owner="you").fingerprint() == g.fingerprint()
    assert replace(g, ttl_days=30).fingerprint() != g.fingerprint()
    assert replace(g, fills={"x": 0}).fingerprint() != g.fingerprint()
    # shared helpers count too: the registry's groups cover features.windows.as_of
    assert "features.windows.as_of" in GROUPS["profile"].definition()["code"]


def test_changed_logic_without_bump_fails_with_instructions(tmp_path):
    lock_file = tmp_path / "fingerprints.json"
    old = {"probe": _group(_module(tmp_path, "v1"))}
    lock(old, path=lock_file)
    changed = {"probe": _group(_module(tmp_path, "v1b", k=7))}
    recorded = lock_file.read_text()
    from tailor.features.registry import read_lock
    problems = check_lock(changed, read_lock(lock_file))
    assert len(problems) == 1
    assert "features.probe changed without a version bump" in problems[0]
    assert "bump version to 2" in problems[0] and "tailor features lock" in problems[0]
    with pytest.raises(ValueError, match="without a version bump"):
        lock(changed, path=lock_file)
    assert lock_file.read_text() == recorded, "a refused lock must not touch the file"
    bumped = {"probe": replace(changed["probe"], version=2)}
    assert "no recorded fingerprint" in check_lock(bumped, read_lock(lock_file))[0]
    data = lock(bumped, path=lock_file)
    assert set(data["probe"]) == {"1", "2"}, "older versions stay recorded"
    assert check_lock(bumped, read_lock(lock_file)) == []
