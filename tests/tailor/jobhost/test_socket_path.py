"""Where a project's job host listens: in its runs folder when the path fits a Unix socket
(108 bytes), else in a folder of this user's own under the temp dir, one socket per project;
a folder there that others can open is refused."""
import os
import tempfile

import pytest

from tailor.jobhost.service import MAX_SOCKET_PATH, JobHostError, socket_path


def test_the_socket_is_in_the_runs_folder_when_it_fits(cfg):
    assert socket_path(cfg) == os.path.join(cfg.runs_dir, "jobhost", "host.sock")


def test_a_long_runs_path_gets_a_private_socket_of_its_own(cfg_with, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    one = cfg_with(paths={"runs": str(tmp_path / ("r" * 120) / "one")})
    two = cfg_with(paths={"runs": str(tmp_path / ("r" * 120) / "two")})
    path = socket_path(one)
    assert len(path) <= MAX_SOCKET_PATH and path == socket_path(one) != socket_path(two)
    folder = os.path.dirname(path)
    assert folder == str(tmp_path / "tmp" / f"tailor-{os.getuid()}")
    assert os.stat(folder).st_mode & 0o777 == 0o700


def test_a_temp_folder_open_to_others_is_refused(cfg_with, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    folder = tmp_path / f"tailor-{os.getuid()}"
    folder.mkdir()
    folder.chmod(0o777)
    with pytest.raises(JobHostError, match="open to others"):
        socket_path(cfg_with(paths={"runs": str(tmp_path / ("r" * 120))}))
