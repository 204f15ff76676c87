"""``rkt rm``: exited and prepared pods go at once; running and unknown pods are refused."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_rm_exited_and_prepared(rkt):
    done = rkt("run", "--net=none", "--uuid-file-save=/dev/stderr", "busybox", "--exec", "/bin/true")
    exited = done.stderr.strip()[:36]
    prepared = rkt("prepare", "--net=none", "busybox", check=True).stdout.strip()
    assert rkt("rm", exited, prepared).returncode == 0
    assert exited not in rkt.uuids() and prepared not in rkt.uuids()


def test_rm_unknown_uuid(rkt):
    done = rkt("rm", "4a1b2c3d-0000-0000-0000-000000000000")
    assert done.returncode == 254
    assert 'no matches found for "4a1b2c3d-0000-0000-0000-000000000000"' in done.stderr


def test_rm_running_pod_is_refused(rkt):
    uuid = rkt.detach("busybox", "--exec", "/bin/sleep", "--", "60", "---")
    done = rkt("rm", uuid)
    assert done.returncode == 254 and "running" in done.stderr
    assert rkt.status(uuid)["state"] == "running"
