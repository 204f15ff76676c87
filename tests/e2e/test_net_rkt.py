"""The real ``rkt`` CLI networking pods, run inside a throwaway test-host network namespace."""

from __future__ import annotations

import ipaddress
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rktnetes.rkt import paths
from tests.fixtures.testhost import HOST_IP

pytestmark = pytest.mark.e2e
RKT = str(Path(sys.executable).with_name("rkt"))
BUSYBOX = ["busybox", "--exec", "/bin/sh", "--"]


@pytest.fixture(scope="module")
def net_images(built_images, tmp_path_factory) -> Path:
    """A data dir holding busybox and nginx, shared by this module's tests."""
    if os.geteuid() != 0:
        pytest.skip("needs root")
    root = tmp_path_factory.mktemp("rkt-net")
    for name in ("busybox", "nginx"):
        done = subprocess.run([RKT, "--dir", str(root), "--insecure-options=image", "fetch", str(built_images[name].aci)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    return root


class NetRkt:
    """``rkt`` run in the test host, on the module's data dir and a per-test local config."""

    def __init__(self, host, root: Path, config: Path) -> None:
        self.host, self.root, self.config = host, root, config

    def __call__(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return self.host.run([RKT, "--dir", str(self.root), "--local-config", str(self.config),
                              "--insecure-options=image", *args], timeout=timeout)

    def out(self, *args: str) -> str:
        done = self("run", *args)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def detach(self, *args: str) -> str:
        done = self("run", "--detach", *args)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1]

    def status(self, uuid: str) -> dict[str, str]:
        return dict(line.split("=", 1) for line in self("status", uuid).stdout.splitlines() if "=" in line)

    def leases(self) -> list[str]:
        return sorted(p.name for p in paths.net_ipam_dir(self.root).glob("*/*") if p.name[0].isdigit())

    def cleanup(self) -> None:
        for line in self("list", "--full", "--no-legend").stdout.splitlines():
            uuid = line.split("\t")[0].strip()
            if uuid and self.status(uuid).get("state") == "running":
                self("stop", "--force", uuid)
        self("gc", "--grace-period=0s", "--expire-prepared=0s", timeout=120)


@pytest.fixture
def netrkt(testhost, net_images, tmp_path):
    runner = NetRkt(testhost, net_images, tmp_path / "etc")
    yield runner
    runner.cleanup()
    assert runner.leases() == []


def one_line_254(done: subprocess.CompletedProcess, pattern: str) -> None:
    assert done.returncode == 254, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and re.search(pattern, lines[0]), done.stderr


def test_default_network_list_status_reachability_and_teardown(netrkt, testhost):
    before = testhost.snapshot()
    uuid = netrkt.detach(*BUSYBOX, "-c", "sleep 60")
    nets = netrkt.status(uuid)["networks"]
    match = re.fullmatch(r"default:ip4=([\d.]+)", nets)
    assert match and ipaddress.ip_address(match[1]) in ipaddress.ip_network("172.16.28.0/24")
    assert nets in netrkt("list", "--full", "--no-legend").stdout
    assert testhost.run(["busybox", "ping", "-c", "1", "-W", "2", match[1]]).returncode == 0
    netrkt("stop", "--force", uuid)
    netrkt("gc", "--grace-period=0s")
    assert testhost.snapshot() == before and netrkt.leases() == []


def test_default_route_and_pod_to_pod(netrkt):
    uuid = netrkt.detach(*BUSYBOX, "-c", "sleep 60")
    peer = netrkt.status(uuid)["networks"].split("=")[1]
    out = netrkt.out(*BUSYBOX, "-c", f"ip route; ping -c 1 -W 2 {peer} >/dev/null && echo reached")
    assert "default via 172.16.28.1 dev eth0" in out and "reached" in out


def test_host_none_and_restricted(netrkt, tmp_path):
    assert "th0" in netrkt.out("--net=host", *BUSYBOX, "-c", "ip -o link")
    links = netrkt.out("--net=none", *BUSYBOX, "-c", "ip -o link").strip().splitlines()
    assert len(links) == 1 and "lo:" in links[0]
    out = netrkt.out("--net=default-restricted", *BUSYBOX, "-c", "ip -o -4 addr show eth0; ip route")
    assert "172.31." in out and "default" not in out


def test_requested_ip_and_duplicate_refused_leaving_nothing(netrkt, testhost):
    uuid = netrkt.detach("--net=default:IP=172.16.28.123", *BUSYBOX, "-c", "sleep 60")
    assert netrkt.status(uuid)["networks"] == "default:ip4=172.16.28.123"
    before, leases = testhost.snapshot(), netrkt.leases()
    one_line_254(netrkt("run", "--net=default:IP=172.16.28.123", *BUSYBOX, "-c", "true"), "172.16.28.123")
    one_line_254(netrkt("run", "--net=default:IP=10.1.1.1", *BUSYBOX, "-c", "true"), "10.1.1.1")
    assert testhost.snapshot() == before and netrkt.leases() == leases


def test_bad_input_is_one_line_254(netrkt):
    one_line_254(netrkt("run", "--net=nosuch", *BUSYBOX, "-c", "true"), "unknown network 'nosuch'")
    one_line_254(netrkt("run", "--port=web:8080", "nginx"), "port 'web' is not declared by the image")
    one_line_254(netrkt("run", "--dns=not-an-ip", *BUSYBOX, "-c", "true"), "invalid --dns")
    one_line_254(netrkt("run", "--hosts-entry=db", *BUSYBOX, "-c", "true"), "invalid --hosts-entry")


def test_named_networks_from_net_d(netrkt):
    net_d = paths.net_d_dir(netrkt.config)
    net_d.mkdir(parents=True)
    for name, subnet in (("10-front", "10.80.0.0/24"), ("20-back", "10.81.0.0/24")):
        conf = {"cniVersion": "0.4.0", "name": name[3:], "type": "ptp", "ipam": {"type": "host-local", "subnet": subnet}}
        (net_d / f"{name}.conf").write_text(json.dumps(conf))
    out = netrkt.out("--net=back,front", *BUSYBOX, "-c", "ip -o -4 addr")
    assert re.search(r"eth0\s+inet 10\.81\.0\.", out) and re.search(r"eth1\s+inet 10\.80\.0\.", out)
    assert re.search(r"eth2\s+inet 172\.31\.", out)
    out = netrkt.out("--net=all", *BUSYBOX, "-c", "ip -o -4 addr")
    assert re.search(r"eth0\s+inet 172\.16\.28\.", out) and re.search(r"eth2\s+inet 10\.81\.0\.", out)


def test_dns_and_hosts_flags_land_in_the_pod(netrkt):
    out = netrkt.out("--dns=192.0.2.53", "--dns-search=corp.example", "--dns-opt=ndots:3", "--dns-domain=corp",
                     "--hosts-entry=10.0.0.5=db", "--hostname=web1", *BUSYBOX, "-c", "cat /etc/resolv.conf /etc/hosts")
    for line in ("nameserver 192.0.2.53", "search corp.example", "options ndots:3", "domain corp",
                 "10.0.0.5\tdb", "127.0.1.1\tweb1", "127.0.0.1\tlocalhost localhost.localdomain"):
        assert line in out


def fetch(host, url: str) -> str:
    for _ in range(100):
        done = host.run(["curl", "-sS", "-m", "2", url], timeout=10)
        if done.returncode == 0:
            return done.stdout
        time.sleep(0.1)
    return ""


def test_port_reachable_via_host_ip_and_localhost(netrkt, testhost):
    uuid = netrkt.detach("--port=http:8080", "nginx")
    assert "Welcome to nginx" in fetch(testhost, f"http://{HOST_IP}:8080/")
    assert "Welcome to nginx" in fetch(testhost, "http://127.0.0.1:8080/")
    one_line_254(netrkt("run", "--port=http:8080", "nginx"), "host port 8080/tcp is already published")
    netrkt("stop", "--force", uuid)
    netrkt("gc", "--grace-period=0s")
    assert not any("8080" in r for r in testhost.snapshot()["iptables"])


def test_gc_undoes_the_networks_of_a_pod_killed_minus_9(netrkt, testhost):
    before = testhost.snapshot()
    for _ in range(3):
        uuid = netrkt.detach("--port=http:8081", "nginx")
        pod = paths.pod_dir(netrkt.root, "run", uuid)
        os.kill(int(paths.pod_started_path(pod).read_text().split()[0]), signal.SIGKILL)
        deadline = time.monotonic() + 30
        while netrkt.status(uuid).get("state") == "running" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert paths.pod_networks_path(pod).exists()
        gc = netrkt("gc", "--grace-period=0s", timeout=120)
        assert gc.returncode == 0, gc.stderr
    assert testhost.snapshot() == before and netrkt.leases() == []


def test_dns_host_and_hosts_entry_host_copy_the_hosts_files(netrkt):
    out = netrkt.out("--dns=host", "--hosts-entry=host", *BUSYBOX, "-c", "cat /etc/resolv.conf; echo ---; cat /etc/hosts")
    resolv, hosts = out.split("---\n")
    assert resolv == Path("/etc/resolv.conf").read_text() and hosts == Path("/etc/hosts").read_text()
