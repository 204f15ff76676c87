"""``rkt logs``: each app's stdout and stderr, kept after the pod exits; ``--app`` and ``-f``."""

from __future__ import annotations

import re
import subprocess
import time

import pytest

from tests.fixtures.pods import RKT

pytestmark = pytest.mark.e2e


def test_logs_of_an_exited_multi_app_pod(rkt):
    done = rkt("run", "--net=none", "--uuid-file-save=/dev/stderr",
               "busybox", "--name=one", "--exec", "/bin/sh", "--", "-c", "echo out-one; echo err-one >&2", "---",
               "busybox", "--name=two", "--exec", "/bin/echo", "--", "out-two", "---")
    uuid = done.stderr.strip().splitlines()[0][:36]
    # stdout and stderr are separate pipes: their relative order is not kept (as with the kubelet's CRI logs)
    assert sorted(rkt("logs", "--app=one", uuid, check=True).stdout.splitlines()) == ["err-one", "out-one"]
    assert rkt("logs", "--app=two", uuid, check=True).stdout == "out-two\n"
    assert sorted(rkt("logs", uuid, check=True).stdout.split()) == ["err-one", "out-one", "out-two"]
    assert "no app named" in rkt("logs", "--app=three", uuid).stderr


def test_logs_follow_until_the_pod_exits(rkt):
    uuid = rkt.detach("busybox", "--exec", "/bin/sh", "--", "-c", "for i in 1 2 3; do echo line$i; sleep 1; done", "---")
    follow = subprocess.run([RKT, "--dir", str(rkt.root), "logs", "-f", uuid], capture_output=True, text=True,
                            timeout=60)
    assert follow.returncode == 0
    assert follow.stdout.split() == ["line1", "line2", "line3"]


def test_logs_of_unknown_pod(rkt):
    assert 'no matches found for "nope"' in rkt("logs", "nope").stderr


def test_logs_timestamps_tail_and_since(rkt):
    done = rkt("run", "--net=none", "--uuid-file-save=/dev/stderr", "busybox", "--exec", "/bin/sh", "--", "-c",
               "echo one; echo two; printf three", "---")
    uuid = done.stderr.strip()[:36]
    assert rkt("logs", uuid, check=True).stdout == "one\ntwo\nthree"
    stamped = rkt("logs", "--timestamps", uuid, check=True).stdout.splitlines()
    assert all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z ", line) for line in stamped)
    assert rkt("logs", "--tail=2", uuid, check=True).stdout == "two\nthree"
    assert rkt("logs", "--since=1h", uuid, check=True).stdout == "one\ntwo\nthree"
    time.sleep(1.1)
    assert rkt("logs", "--since=1s", uuid, check=True).stdout == ""
