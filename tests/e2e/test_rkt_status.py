"""``rkt status``: fields, ``--wait``, ``--wait-ready``, ``--format=json``."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from tests.fixtures.pods import RKT

pytestmark = pytest.mark.e2e


def test_status_of_a_prepared_pod(rkt):
    uuid = rkt("prepare", "--net=none", "busybox", check=True).stdout.strip()
    status = rkt.status(uuid)
    assert status["state"] == "prepared" and status["exited"] == "false" and "pid" not in status


def test_status_of_running_then_exited_pod(rkt):
    uuid = rkt.detach("busybox", "--exec", "/bin/sh", "--", "-c", "sleep 5; exit 9", "---")
    running = rkt.status(uuid)
    assert running["state"] == "running" and int(running["pid"]) > 0 and running["started"]
    waited = rkt("status", "--wait=30s", uuid, check=True).stdout
    assert "state=exited" in waited and "app-busybox=9" in waited and "exited=true" in waited


def test_an_app_that_ends_is_shown_while_the_pod_runs(rkt):
    uuid = rkt.detach("busybox", "--name=quick", "--exec", "/bin/sh", "--", "-c", "exit 3", "---",
                      "busybox", "--name=slow", "--exec", "/bin/sleep", "--", "60", "---")
    deadline = time.monotonic() + 30
    while "app-quick" not in (status := rkt.status(uuid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert status["state"] == "running" and status["app-quick"] == "3" and "app-slow" not in status
    rkt("stop", "--force", uuid, check=True)  # sleep, pid 1 of its app, would outwait a TERM
    ended = rkt("status", "--wait=30s", uuid, check=True).stdout
    assert "app-quick=3" in ended and "app-slow=" in ended


def test_status_wait_ready_and_json(rkt):
    uuid = rkt("prepare", "--net=none", "busybox", "--exec", "/bin/sleep", "--", "60", "---", check=True).stdout.strip()
    waiter = subprocess.Popen([*rkt_cmd(rkt), "status", "--wait-ready=60s", uuid], stdout=subprocess.PIPE, text=True)
    try:
        rkt("run-prepared", "--detach", uuid, check=True)
        out, _ = waiter.communicate(timeout=60)
    finally:
        waiter.kill()
    assert "state=running" in out
    doc = json.loads(rkt("status", "--format=json", uuid, check=True).stdout)
    assert doc["uuid"] == uuid and doc["state"] == "running" and doc["apps"][0]["name"] == "busybox"
    assert doc["netns"].endswith(f"{uuid}/ns/net")


def test_status_wait_times_out(rkt):
    uuid = rkt.detach("busybox", "--exec", "/bin/sleep", "--", "60", "---")
    done = rkt("status", "--wait=200ms", uuid)
    assert done.returncode == 254 and "timed out" in done.stderr


def test_status_of_unknown_and_empty_uuid(rkt):
    assert 'no matches found for "abcdef"' in rkt("status", "abcdef").stderr
    assert "UUID cannot be empty" in rkt("status").stderr


def rkt_cmd(rkt) -> list[str]:
    return [RKT, "--dir", str(rkt.root)]
