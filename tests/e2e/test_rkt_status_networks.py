"""``status``/``list`` keep showing a pod's networks after it exits (run inside the throwaway test host)."""

from __future__ import annotations

import pytest

from tests.fixtures.pods import RKT

pytestmark = pytest.mark.e2e


def test_networks_outlive_the_pod(rkt, testhost, tmp_path):
    def run(*args: str):
        return testhost.run([RKT, "--dir", str(rkt.root), "--local-config", str(tmp_path), *args], timeout=120)

    done = run("run", "--uuid-file-save=/dev/stderr", "busybox", "--exec", "/bin/true")
    assert done.returncode == 0, done.stderr
    uuid = done.stderr.strip()[:36]
    status = dict(line.split("=", 1) for line in run("status", uuid).stdout.splitlines())
    assert status["state"] == "exited" and status["networks"].startswith("default:ip4=172.16.28.")
    assert status["networks"] in run("list", "--no-legend").stdout
    assert run("gc", "--grace-period=0s").returncode == 0
