"""``rkt gc``: marks then deletes exited, aborted and expired pods, leaving no mount, cgroup or runc state,
even for pods whose stage1 was killed -9 at any moment."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid as uuidlib
from pathlib import Path

import pytest

from tests.fixtures.pods import RKT, leftovers

pytestmark = pytest.mark.e2e


def test_gc_after_run_respects_the_grace_period(rkt):
    done = rkt("run", "--net=none", "--uuid-file-save=/dev/stderr", "busybox", "--exec", "/bin/true")
    uuid = done.stderr.strip()[:36]
    assert rkt("gc", "--mark-only").returncode == 0
    assert rkt.status(uuid)["state"] == "exited garbage"
    assert rkt("gc").returncode == 0  # default grace period: 30m, so it stays
    assert uuid in rkt.uuids()
    out = rkt("gc", "--grace-period=0s", check=True).stdout
    assert f'Garbage collecting pod "{uuid}"' in out and uuid not in rkt.uuids()


def test_gc_of_prepared_pods_expires_them(rkt):
    uuid = rkt("prepare", "--net=none", "busybox", check=True).stdout.strip()
    rkt("gc", "--grace-period=0s", check=True)
    assert rkt.status(uuid)["state"] == "prepared"
    rkt("gc", "--grace-period=0s", "--expire-prepared=0s", check=True)
    assert uuid not in rkt.uuids()


def test_gc_of_an_aborted_prepare(rkt):
    uuid = str(uuidlib.uuid4())
    (rkt.root / "pods" / "prepare" / uuid / "apps").mkdir(parents=True)
    assert rkt.status(uuid)["state"] == "abortedprepare"
    rkt("gc", "--grace-period=0s", check=True)
    assert uuid not in rkt.uuids()


@pytest.mark.parametrize("delay", [0.0, 0.15, 0.4, 1.0])
def test_gc_cleans_a_pod_killed_minus_nine(rkt, delay):
    uuid_file = rkt.root / f"uuid-{delay}"
    proc = subprocess.Popen([RKT, "--dir", str(rkt.root), "run", "--net=none", f"--uuid-file-save={uuid_file}",
                             "busybox", "--memory=32Mi", "--exec", "/bin/sleep", "--", "60", "---"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for(uuid_file)
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    uuid = uuid_file.read_text().strip()
    assert rkt.status(uuid)["state"] in ("exited", "prepared")
    rkt("gc", "--grace-period=0s", "--expire-prepared=0s", check=True)
    assert uuid not in rkt.uuids()
    assert leftovers(rkt.root, [uuid]) == []
    assert not _processes_in(uuid)


def test_gc_with_nothing_to_do(rkt):
    assert rkt("gc").returncode == 0


def _wait_for(path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists() or not path.read_text().strip():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.01)


def _processes_in(uuid: str) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and uuid in (proc / "cgroup").read_text():
                found.append(proc.name)
        except OSError:
            continue
    return found


def test_gc_cleans_a_detached_pod_whose_supervisor_was_killed(rkt):
    uuid = rkt.detach("busybox", "--memory=32Mi", "--exec", "/bin/sleep", "--", "60", "---")
    os.kill(int(rkt.status(uuid)["pid"]), signal.SIGKILL)
    deadline = time.monotonic() + 30
    while rkt.status(uuid)["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert rkt.status(uuid)["state"] == "exited"
    assert _processes_in(uuid)  # the app outlived its supervisor: gc must kill it
    rkt("gc", "--grace-period=0s", check=True)
    assert uuid not in rkt.uuids() and leftovers(rkt.root, [uuid]) == [] and not _processes_in(uuid)
