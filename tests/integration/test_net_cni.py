"""Pod networking against the real CNI plugins (/usr/lib/cni), inside a throwaway test-host namespace."""

from __future__ import annotations

import ipaddress
import json
import uuid
from pathlib import Path

import pytest

from rktnetes.rkt import paths
from rktnetes.rkt.networking import cni, netinfo, podnet
from rktnetes.rkt.networking.errors import NetworkError, PluginError

pytestmark = pytest.mark.integration


class Pods:
    """Creates pods (folder + netns) in a test host and tears down any left at the end."""

    def __init__(self, host, tmp_path: Path) -> None:
        self.host, self.tmp = host, tmp_path
        self.data = tmp_path / "data"
        self.config = tmp_path / "etc"
        self.made: list[tuple[Path, str]] = []

    def start(self, net=None, ports=None, declared=None) -> tuple[Path, str, str, list]:
        pod_uuid = str(uuid.uuid4())
        pod_dir = self.tmp / pod_uuid
        pod_dir.mkdir()
        netns = self.host.pod_netns()
        self.made.append((pod_dir, pod_uuid))
        plan = podnet.plan(self.config, net, port_flags=ports, declared_ports=declared)
        with self.host.entered():
            infos = podnet.up(pod_dir, pod_uuid, netns, plan, self.data)
        return pod_dir, pod_uuid, netns, infos

    def stop(self, pod_dir: Path, pod_uuid: str) -> None:
        with self.host.entered():
            podnet.down(pod_dir, pod_uuid)

    def leases(self) -> list[str]:
        root = paths.net_ipam_dir(self.data)
        return sorted(str(p) for p in root.glob("*/*") if p.name[0].isdigit()) if root.exists() else []

    def close(self) -> None:
        for pod_dir, pod_uuid in reversed(self.made):
            try:
                self.stop(pod_dir, pod_uuid)
            except NetworkError:
                pass


@pytest.fixture
def pods(testhost, tmp_path):
    made = Pods(testhost, tmp_path)
    yield made
    made.close()


def ping(host, netns: str | None, address: str) -> bool:
    argv = ["busybox", "ping", "-c", "1", "-W", "2", address]
    done = host.in_pod(netns, argv) if netns else host.run(argv)
    return done.returncode == 0


def test_default_network_address_route_and_reachability(pods, testhost):
    before = testhost.snapshot()
    pod_dir, pod_uuid, netns, infos = pods.start()
    [info] = infos
    assert (info.name, info.ifname) == ("default", "eth0")
    assert ipaddress.ip_address(info.ip) in ipaddress.ip_network("172.16.28.0/24")
    assert "default via 172.16.28.1" in testhost.in_pod(netns, ["ip", "route"]).stdout
    assert ping(testhost, None, info.ip)
    assert any("MASQUERADE" in r for r in testhost.snapshot()["iptables"])
    assert netinfo.summary(pod_dir) == f"default:ip4={info.ip}"
    assert pods.leases()
    pods.stop(pod_dir, pod_uuid)
    assert testhost.snapshot() == before
    assert pods.leases() == []
    assert not paths.pod_networks_path(pod_dir).exists()


def test_pod_to_pod(pods, testhost):
    _, _, netns_a, [a] = pods.start()
    _, _, _, [b] = pods.start()
    assert a.ip != b.ip
    assert ping(testhost, netns_a, b.ip)


def test_cni_check_passes_on_a_live_pod(pods, testhost):
    _, pod_uuid, netns, [info] = pods.start()
    with testhost.entered():
        cni.check(info.network, cni.Invocation(pod_uuid, netns, info.ifname), info.result)


def test_named_network_adds_default_restricted_without_default_route(pods, testhost):
    net_d = paths.net_d_dir(pods.config)
    net_d.mkdir(parents=True)
    conf = {"cniVersion": "0.4.0", "name": "backend", "type": "ptp",
            "ipam": {"type": "host-local", "subnet": "10.77.0.0/24"}}
    (net_d / "10-backend.conf").write_text(json.dumps(conf))
    _, _, netns, infos = pods.start(["backend"])
    assert [(i.name, i.ifname) for i in infos] == [("backend", "eth0"), ("default-restricted", "eth1")]
    assert ipaddress.ip_address(infos[0].ip) in ipaddress.ip_network("10.77.0.0/24")
    assert ipaddress.ip_address(infos[1].ip) in ipaddress.ip_network("172.31.0.0/16")
    assert "default" not in testhost.in_pod(netns, ["ip", "route"]).stdout
    assert ping(testhost, None, infos[1].ip)


def test_net_d_file_named_default_overrides_builtin(pods):
    net_d = paths.net_d_dir(pods.config)
    net_d.mkdir(parents=True)
    conf = {"cniVersion": "1.0.0", "name": "default", "type": "ptp",
            "ipam": {"type": "host-local", "subnet": "10.78.0.0/24", "routes": [{"dst": "0.0.0.0/0"}]}}
    (net_d / "50-mine.conf").write_text(json.dumps(conf))
    _, _, _, [info] = pods.start()
    assert ipaddress.ip_address(info.ip) in ipaddress.ip_network("10.78.0.0/24")


def test_net_none_has_only_loopback_up(pods, testhost):
    _, _, netns, infos = pods.start(["none"])
    assert infos == []
    links = testhost.in_pod(netns, ["ip", "-o", "link"]).stdout.splitlines()
    assert len(links) == 1 and "lo:" in links[0] and "UP" in links[0]


def test_requested_ip_is_honoured(pods):
    _, _, _, [info] = pods.start(["default:IP=172.16.28.123"])
    assert info.ip == "172.16.28.123"


def test_ip_outside_subnet_is_refused_and_nothing_is_left(pods, testhost):
    before = testhost.snapshot()
    with pytest.raises(PluginError, match="10.9.9.9") as caught:
        pods.start(["default:IP=10.9.9.9"])
    assert "\n" not in str(caught.value)
    assert testhost.snapshot() == before and pods.leases() == []


def test_duplicate_ip_is_refused_and_the_second_pod_is_rolled_back(pods, testhost):
    net_d = paths.net_d_dir(pods.config)
    net_d.mkdir(parents=True)
    conf = {"cniVersion": "1.0.0", "name": "extra", "type": "ptp", "ipam": {"type": "host-local", "subnet": "10.79.0.0/24"}}
    (net_d / "extra.conf").write_text(json.dumps(conf))
    pods.start(["default:IP=172.16.28.50"])
    before = testhost.snapshot()
    leases = pods.leases()
    with pytest.raises(PluginError, match="172.16.28.50"):
        pods.start(["extra,default:IP=172.16.28.50"])
    assert testhost.snapshot() == before and pods.leases() == leases
    assert not paths.pod_networks_path(pods.made[-1][0]).exists()


def test_teardown_after_the_netns_vanished_releases_address_and_masquerade(pods, testhost):
    before = testhost.snapshot()
    pod_dir, pod_uuid, netns, _ = pods.start()
    testhost.pods.remove(Path(netns).name)
    testhost.run(["ip", "netns", "del", Path(netns).name])
    pods.stop(pod_dir, pod_uuid)
    assert testhost.snapshot() == before and pods.leases() == []
