"""``rkt export``: an exited pod's app, with its changes (new and deleted files), as an ACI."""

from __future__ import annotations

import tarfile

import pytest

pytestmark = pytest.mark.e2e


def test_export_keeps_changes_and_deletions(rkt, tmp_path):
    done = rkt("run", "--net=none", "--uuid-file-save=/dev/stderr", "busybox", "--exec", "/bin/sh", "--", "-c",
               "echo new > /etc/newfile && rm /bin/cat", "---")
    assert done.returncode == 0, done.stderr
    uuid, out = done.stderr.strip()[:36], tmp_path / "out.aci"
    assert rkt("export", uuid, str(out)).returncode == 0
    with tarfile.open(out) as tar:
        names = set(tar.getnames())
        assert tar.extractfile("rootfs/etc/newfile").read() == b"new\n"
    assert "manifest" in names and "rootfs/bin/cat" not in names and "rootfs/bin/sh" in names
    again = rkt("export", uuid, str(out))
    assert again.returncode == 254 and "already exists" in again.stderr
    assert rkt("export", "--overwrite", uuid, str(out)).returncode == 0


def test_exported_aci_runs(rkt, tmp_path):
    done = rkt("run", "--net=none", "--uuid-file-save=/dev/stderr", "busybox", "--exec", "/bin/sh", "--", "-c",
               "echo exported > /marker", "---")
    out = tmp_path / "marked.aci"
    assert rkt("export", done.stderr.strip()[:36], str(out)).returncode == 0
    rerun = rkt("--insecure-options=image", "run", "--net=none", str(out), "--exec", "/bin/cat", "--", "/marker", "---")
    assert rerun.stdout == "exported\n", rerun.stderr


def test_export_of_a_running_pod_is_refused(rkt, tmp_path):
    uuid = rkt.detach("busybox", "--exec", "/bin/sleep", "--", "60", "---")
    done = rkt("export", uuid, str(tmp_path / "x.aci"))
    assert done.returncode == 254 and "not exited" in done.stderr
    assert not (tmp_path / "x.aci").exists()
