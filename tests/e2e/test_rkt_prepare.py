"""``rkt prepare`` and ``rkt run-prepared`` (foreground and ``--detach``)."""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.e2e


def test_prepare_then_status_then_run_prepared(rkt):
    done = rkt("prepare", "--net=none", "busybox", "--exec", "/bin/sh", "--", "-c", "echo ran; exit 4", "---")
    assert done.returncode == 0, done.stderr
    uuid = done.stdout.strip()
    assert rkt.status(uuid)["state"] == "prepared"
    ran = rkt("run-prepared", uuid)
    assert ran.returncode == 4 and ran.stdout == "ran\n"
    assert rkt.status(uuid) | {} == rkt.status(uuid) and rkt.status(uuid)["app-busybox"] == "4"
    again = rkt("run-prepared", uuid)
    assert again.returncode == 254 and "not prepared" in again.stderr


def test_run_prepared_detach_outlives_the_caller(rkt):
    script = 'trap "exit 7" TERM; sleep 60 & wait'
    uuid = rkt("prepare", "--net=none", "busybox", "--exec", "/bin/sh", "--", "-c", script, "---", check=True).stdout.strip()
    assert rkt("run-prepared", "--detach", uuid).returncode == 0
    status = rkt.status(uuid)
    assert status["state"] == "running"
    pid = int(status["pid"])
    assert os.getsid(pid) == pid  # its own session: no terminal, no caller to die with
    assert rkt("stop", uuid).returncode == 0
    assert rkt.status(uuid)["state"] == "exited"
    assert rkt.status(uuid)["app-busybox"] == "7"  # the app got SIGTERM


def test_prepare_with_bad_input_writes_nothing(rkt):
    before = rkt.uuids()
    for args in (["busybox", "--memory=lots"], ["busybox", "--mount=volume=nope,target=/x"],
                 ["no-such-image-anywhere.example/x"], ["busybox", "--no-such-flag=1"],
                 ["--hostname=bad_name!", "busybox"], ["--volume=v,kind=host", "busybox"]):
        done = rkt("prepare", "--net=none", "--pull-policy=never", *args)
        assert done.returncode == 254 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert rkt.uuids() == before


def test_errors_users_know(rkt, tmp_path):
    assert "pod must contain at least one application" in rkt("prepare", "--net=none").stderr
    assert rkt("run-prepared", "").stderr.strip().endswith("UUID cannot be empty")
    manifest = tmp_path / "pod.json"
    manifest.write_text('{"acKind": "PodManifest", "acVersion": "0.8.11", "apps": []}')
    conflict = rkt("prepare", f"--pod-manifest={manifest}", "--volume=v,kind=empty", "busybox")
    assert conflict.returncode == 254 and "conflicting flags set with --pod-manifest" in conflict.stderr


def test_pod_manifest_runs(rkt, tmp_path):
    manifest = tmp_path / "pod.json"
    manifest.write_text("""{"acKind": "PodManifest", "acVersion": "0.8.11",
      "apps": [{"name": "hello", "image": {"name": "busybox"},
                "app": {"exec": ["/bin/echo", "from manifest"], "user": "0", "group": "0"}}]}""")
    done = rkt("run", "--net=none", f"--pod-manifest={manifest}")
    assert done.returncode == 0 and done.stdout == "from manifest\n", done.stderr
