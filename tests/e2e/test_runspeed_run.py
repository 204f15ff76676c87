"""``rkt run --detach`` forks its stage1 (no second interpreter): the supervisor still ends up alone in its
own session as the small waiting loop, and a stage1 that fails reports why."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
SLEEP = ("busybox", "--exec", "/bin/sh", "--", "-c", 'trap "exit 3" TERM; sleep 60 & wait', "---")


def _status(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {k: v.strip() for k, _, v in (line.partition(":") for line in lines)}


def test_detached_supervisor_is_the_waiting_loop_in_its_own_session(rkt):
    uuid = rkt.detach(*SLEEP)
    pid = int(rkt.status(uuid)["pid"])
    assert os.getsid(pid) == pid
    assert _status(pid)["PPid"] != str(os.getpid())
    assert "waiting.py" in Path(f"/proc/{pid}/cmdline").read_bytes().decode()
    assert int(_status(pid)["VmRSS"].split()[0]) < 10 * 1024
    assert rkt("stop", uuid).returncode == 0
    assert rkt.status(uuid)["app-busybox"] == "3"


def test_detached_pod_whose_stage1_fails_is_one_line_254(rkt):
    done = rkt("run", "--detach", "--net=none", "alpine-sh", "--user=nosuchuser", "--exec", "/bin/true")
    assert done.returncode == 254 and "nosuchuser" in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and done.stdout == ""


def test_apps_of_a_pod_run_together(rkt, tmp_path):
    """Each app waits for the other's mark: both must be running at once."""
    wait_for = 'echo {me} > /v/{me}; for i in $(seq 100); do [ -f /v/{peer} ] && exit 0; sleep 0.05; done; exit 7'
    done = rkt("run", "--net=none", f"--volume=v,kind=host,source={tmp_path}",
               "busybox", "--name=one", "--mount=volume=v,target=/v", "--exec", "/bin/sh", "--", "-c",
               wait_for.format(me="one", peer="two"), "---",
               "alpine-sh", "--name=two", "--mount=volume=v,target=/v", "--exec", "/bin/sh", "--", "-c",
               wait_for.format(me="two", peer="one"), "---", timeout=60)
    assert done.returncode == 0, done.stderr


def test_a_bad_second_app_stops_the_pod_before_any_app_runs(rkt, tmp_path):
    done = rkt("run", "--net=none", f"--volume=v,kind=host,source={tmp_path}",
               "busybox", "--name=one", "--mount=volume=v,target=/v", "--exec", "/bin/touch", "--", "/v/ran", "---",
               "alpine-sh", "--name=two", "--user=nosuchuser", "--exec", "/bin/true")
    assert done.returncode != 0 and "nosuchuser" in done.stderr, done.stderr
    assert list(tmp_path.iterdir()) == []
