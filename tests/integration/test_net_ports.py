"""--port through the real portmap plugin, reached from the test host's own address and from 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from rktnetes.rkt.networking.errors import PortError
from tests.fixtures.testhost import HOST_IP

pytestmark = pytest.mark.integration
DECLARED = [{"name": "80-tcp", "protocol": "tcp", "port": 80, "count": 1, "socketActivated": False}]


def fetch(host, url: str) -> str:
    for _ in range(50):
        done = host.run(["curl", "-sS", "-m", "2", url], timeout=10)
        if done.returncode == 0:
            return done.stdout
        time.sleep(0.1)
    return ""


@pytest.fixture
def server(testhost, tmp_path):
    """A web server started later inside a pod netns; stopped at the end."""
    procs: list[subprocess.Popen] = []
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "index.html").write_text("hello from the pod\n")

    def start(netns: str) -> None:
        argv = ["nsenter", f"--net={netns}", sys.executable, "-m", "http.server", "80", "-d", str(tmp_path / "www")]
        procs.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    yield start
    for proc in procs:
        proc.kill()
        proc.wait(timeout=10)


def test_port_reachable_via_host_ip_and_localhost_then_removed(netpods, testhost, server):
    before = testhost.snapshot()
    pod_dir, pod_uuid, netns, [info] = netpods.start(ports=["80-tcp:8080"], declared=DECLARED)
    server(netns)
    assert fetch(testhost, f"http://{info.ip}:80/") == "hello from the pod\n"
    assert fetch(testhost, f"http://{HOST_IP}:8080/") == "hello from the pod\n"
    assert fetch(testhost, "http://127.0.0.1:8080/") == "hello from the pod\n"
    netpods.stop(pod_dir, pod_uuid)
    assert testhost.snapshot() == before


def test_port_on_a_given_host_ip_only(netpods, testhost, server):
    _, _, netns, _ = netpods.start(ports=["80-tcp:127.0.0.1:8081"], declared=DECLARED)
    server(netns)
    assert fetch(testhost, "http://127.0.0.1:8081/") == "hello from the pod\n"
    refused = testhost.run(["curl", "-sS", "-m", "2", f"http://{HOST_IP}:8081/"])
    assert refused.returncode != 0


def test_a_host_port_already_published_is_refused_and_rolled_back(netpods, testhost):
    netpods.start(ports=["80-tcp:8082"], declared=DECLARED)
    before, leases = testhost.snapshot(), netpods.leases()
    with pytest.raises(PortError, match="host port 8082/tcp is already published by another pod"):
        netpods.start(ports=["80-tcp:8082"], declared=DECLARED)
    assert testhost.snapshot() == before and netpods.leases() == leases
    netpods.start(ports=["80-tcp:127.0.0.1:8083"], declared=DECLARED)
    netpods.start(ports=["80-tcp:192.0.2.1:8083"], declared=DECLARED)
