"""Creating a pod's namespaces in-process leaves the caller in its own namespaces, with its hostname."""

import os
import socket
import subprocess
from pathlib import Path

import pytest

from rktnetes.rkt.stage1 import mounting, namespaces
from rktnetes.rkt.stage1.errors import Stage1Error

pytestmark = pytest.mark.integration


@pytest.fixture
def pod(tmp_path: Path):
    if os.geteuid() != 0:
        pytest.skip("needs root")
    yield tmp_path
    mounting.umount_all(tmp_path)


def _own() -> dict[str, int]:
    return {kind: os.stat(f"/proc/thread-self/ns/{kind}").st_ino for kind in namespaces.KINDS}


def test_the_caller_is_back_in_its_own_namespaces(pod):
    before, hostname = _own(), socket.gethostname()
    found = namespaces.create(pod, "rkt-speed-test")
    assert _own() == before and socket.gethostname() == hostname
    assert {k: os.stat(p).st_ino for k, p in found.items()} != before
    out = subprocess.run(["nsenter", f"--uts={found['uts']}", "hostname"], capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "rkt-speed-test"


def test_a_failure_inside_still_returns_the_caller(pod):
    before, hostname = _own(), socket.gethostname()
    with pytest.raises(Stage1Error, match="sethostname"):
        namespaces.create(pod, "x" * 100)  # longer than the kernel's 64
    assert _own() == before and socket.gethostname() == hostname
    assert mounting.mounts_under(pod) == []
