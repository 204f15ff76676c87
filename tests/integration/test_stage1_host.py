"""stage1's host-facing parts on this real host: pod namespaces, cgroup placement, the lifecycle lock."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from rktnetes.rkt import paths
from rktnetes.rkt.pods import errors, state
from rktnetes.rkt.stage1 import cgroups, mounting, namespaces

pytestmark = pytest.mark.integration


@pytest.fixture
def pod(tmp_path: Path):
    if os.geteuid() != 0:
        pytest.skip("needs root")
    yield tmp_path
    mounting.umount_all(tmp_path)


def test_namespaces_persist_without_a_process_and_go_with_three_unmounts(pod):
    found = namespaces.create(pod, "rkt-test-host")
    assert set(found) == {"net", "ipc", "uts"}
    assert all(p in mounting.mounts_under(pod) for p in found.values())
    assert os.stat(found["net"]).st_ino != os.stat("/proc/self/ns/net").st_ino
    out = subprocess.run(["nsenter", f"--uts={found['uts']}", f"--net={found['net']}", "sh", "-c",
                          "hostname; cat /sys/class/net/lo/operstate"], capture_output=True, text=True, timeout=30)
    assert out.stdout.split() == ["rkt-test-host", "unknown"]  # lo is up (loopback reports "unknown")
    namespaces.remove(pod)
    assert mounting.mounts_under(pod) == []


def test_this_host_is_hybrid_and_pods_nest_under_our_memory_cgroup():
    info = Path("/proc/self/mountinfo").read_text()
    mode = cgroups.mode(info)
    assert mode in (cgroups.V1, cgroups.HYBRID, cgroups.V2)
    parent = cgroups.parent(Path("/proc/self/cgroup").read_text(), mode)
    assert cgroups.host_pod_path("u-1") == cgroups.pod_path(parent, "u-1")


def test_concurrent_run_prepared_only_one_wins(pod):
    uuid = "11111111-2222-3333-4444-555555555555"
    prepared = paths.pod_dir(pod, "prepared", uuid)
    prepared.mkdir(parents=True)
    fd = state.lock(prepared)
    try:
        with pytest.raises(errors.PodLocked):
            state.lock(prepared)
        moved = state.transition(state.Pod(pod, uuid, "prepared"), "run")
        assert moved.status() is state.Status.RUNNING  # the lock follows the folder through the rename
        with pytest.raises(errors.NoSuchPod):
            state.transition(state.Pod(pod, uuid, "prepared"), "run")
    finally:
        os.close(fd)
    assert state.find(pod, uuid).status() is state.Status.EXITED
