"""A job host's locator names the callers it serves by their project, TAILOR* variables and
conf files: the same caller finds it again from another working directory; a caller with another
setting or an edited conf file finds nothing (and takes the long way through conf/)."""
import os
import tempfile

import pytest

from tailor.jobhost import locator


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    root = tmp_path / "project"
    (root / "conf").mkdir(parents=True)
    (root / "conf" / "base.yaml").write_text("paths: {}\n")
    return root


def test_the_same_caller_finds_the_host_from_anywhere_in_its_project(project):
    env = {"TAILOR_HOME": str(project), "PATH": "/bin"}
    locator.write(env, "/", "/x/host.sock")
    assert locator.read(env, project / "conf") == "/x/host.sock"
    # no TAILOR_HOME: the project is found from the working directory
    locator.write({}, project / "conf", "/y/host.sock")
    assert locator.read({"PATH": "/usr/bin"}, project) == "/y/host.sock"


def test_another_setting_or_an_edited_conf_file_finds_nothing(project):
    env = {"TAILOR_HOME": str(project)}
    locator.write(env, "/", "/x/host.sock")
    assert locator.read({**env, "TAILOR__SPARK__MASTER": "local[1]"}, "/") is None
    assert locator.read({**env, "TAILOR_ENV": "standalone"}, "/") is None
    (project / "conf" / "local.yaml").write_text("spark: {}\n")
    assert locator.read(env, "/") is None


def test_removed_only_by_its_own_host(project):
    env = {"TAILOR_HOME": str(project)}
    locator.write(env, "/", "/x/host.sock")
    locator.remove(env, "/", "/other/host.sock")
    assert locator.read(env, "/") == "/x/host.sock"
    locator.remove(env, "/", "/x/host.sock")
    assert locator.read(env, "/") is None
    assert os.stat(locator.private_dir()).st_mode & 0o777 == 0o700
