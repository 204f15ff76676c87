"""A pod's networks come down after ``rkt run`` has returned its exit code: by themselves, and when ``gc``
or ``rm`` get there first they wait for the DELs in flight, so nothing is DELed twice or left behind."""

from __future__ import annotations

import os
import time

import pytest

from rktnetes.rkt import paths
from tests.e2e.test_net_rkt import BUSYBOX, net_images, netrkt  # noqa: F401 (fixtures)

pytestmark = pytest.mark.e2e
CYCLES = max(1, int(os.environ.get("RKT_NET_LEAK_CYCLES", "60")) // 20)  # 3 by default; 10 with the full check


def _pod_dir(netrkt, uuid: str):  # noqa: F811
    return next(paths.pods_dir(netrkt.root).glob(f"*/{uuid}"))


def _run(netrkt, tmp_path) -> str:  # noqa: F811
    saved = tmp_path / "uuid"
    done = netrkt("run", f"--uuid-file-save={saved}", *BUSYBOX, "-c", "exit 3")
    assert done.returncode == 3, done.stderr
    return saved.read_text().strip()


def test_networks_come_down_after_run_returns(netrkt, testhost, tmp_path):  # noqa: F811
    before = testhost.snapshot()
    uuid = _run(netrkt, tmp_path)
    assert netrkt.status(uuid)["state"] == "exited" and netrkt.status(uuid)["networks"].startswith("default:ip4=")
    deadline = time.monotonic() + 10
    while (netrkt.leases() or paths.pod_networks_path(_pod_dir(netrkt, uuid)).exists()) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert netrkt.leases() == [] and not paths.pod_networks_path(_pod_dir(netrkt, uuid)).exists()
    assert testhost.snapshot() == before


@pytest.mark.parametrize("command", ["gc", "rm"])
def test_gc_and_rm_right_after_run_leave_nothing(netrkt, testhost, tmp_path, command):  # noqa: F811
    before = testhost.snapshot()
    for _ in range(CYCLES):
        uuid = _run(netrkt, tmp_path)
        done = netrkt("gc", "--grace-period=0s") if command == "gc" else netrkt("rm", uuid)
        assert done.returncode == 0, done.stderr
        assert netrkt.leases() == [] and not list(paths.pods_dir(netrkt.root).glob(f"*/{uuid}"))
        assert testhost.snapshot() == before
