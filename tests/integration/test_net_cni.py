"""Pod networking against the real CNI plugins (/usr/lib/cni), inside a throwaway test-host namespace."""

from __future__ import annotations

import ipaddress
import json
import subprocess
import time

import pytest

from rktnetes.rkt import paths
from rktnetes.rkt.networking import attaching, netinfo, podnet
from rktnetes.rkt.networking.errors import NetSpecError, PluginError

pytestmark = pytest.mark.integration


def ping(host, netns: str | None, address: str) -> bool:
    argv = ["busybox", "ping", "-c", "1", "-W", "2", address]
    done = host.in_pod(netns, argv) if netns else host.run(argv)
    return done.returncode == 0


def test_default_network_address_route_and_reachability(netpods, testhost):
    before = testhost.snapshot()
    pod_dir, pod_uuid, netns, infos = netpods.start()
    [info] = infos
    assert (info.name, info.ifname) == ("default", "eth0")
    assert ipaddress.ip_address(info.ip) in ipaddress.ip_network("172.16.28.0/24")
    assert "default via 172.16.28.1" in testhost.in_pod(netns, ["ip", "route"]).stdout
    assert ping(testhost, None, info.ip)
    assert any("MASQUERADE" in r for r in testhost.snapshot()["iptables"])
    assert netinfo.summary(pod_dir) == f"default:ip4={info.ip}"
    assert netpods.leases()
    netpods.stop(pod_dir, pod_uuid)
    assert testhost.snapshot() == before
    assert netpods.leases() == []
    assert not paths.pod_networks_path(pod_dir).exists()


def test_pod_to_pod(netpods, testhost):
    _, _, netns_a, [a] = netpods.start()
    _, _, _, [b] = netpods.start()
    assert a.ip != b.ip
    assert ping(testhost, netns_a, b.ip)


def test_cni_check_passes_on_a_live_pod_and_catches_drift(netpods, testhost):
    pod_dir, pod_uuid, netns, [info] = netpods.start()
    with testhost.entered():
        podnet.check(pod_dir, pod_uuid)
    testhost.in_pod(netns, ["ip", "addr", "flush", "dev", "eth0"])
    with testhost.entered(), pytest.raises(PluginError, match="network default: ptp CHECK failed"):
        podnet.check(pod_dir, pod_uuid)


def test_named_network_adds_default_restricted_without_default_route(netpods, testhost):
    net_d = paths.net_d_dir(netpods.config)
    net_d.mkdir(parents=True)
    conf = {"cniVersion": "0.4.0", "name": "backend", "type": "ptp",
            "ipam": {"type": "host-local", "subnet": "10.77.0.0/24"}}
    (net_d / "10-backend.conf").write_text(json.dumps(conf))
    _, _, netns, infos = netpods.start(["backend"])
    assert [(i.name, i.ifname) for i in infos] == [("backend", "eth0"), ("default-restricted", "eth1")]
    assert ipaddress.ip_address(infos[0].ip) in ipaddress.ip_network("10.77.0.0/24")
    assert ipaddress.ip_address(infos[1].ip) in ipaddress.ip_network("172.31.0.0/16")
    assert "default" not in testhost.in_pod(netns, ["ip", "route"]).stdout
    assert ping(testhost, None, infos[1].ip)


def test_net_d_file_named_default_overrides_builtin(netpods):
    net_d = paths.net_d_dir(netpods.config)
    net_d.mkdir(parents=True)
    conf = {"cniVersion": "1.0.0", "name": "default", "type": "ptp",
            "ipam": {"type": "host-local", "subnet": "10.78.0.0/24", "routes": [{"dst": "0.0.0.0/0"}]}}
    (net_d / "50-mine.conf").write_text(json.dumps(conf))
    _, _, _, [info] = netpods.start()
    assert ipaddress.ip_address(info.ip) in ipaddress.ip_network("10.78.0.0/24")


def test_net_none_has_only_loopback_up(netpods, testhost):
    _, _, netns, infos = netpods.start(["none"])
    assert infos == []
    links = testhost.in_pod(netns, ["ip", "-o", "link"]).stdout.splitlines()
    assert len(links) == 1 and "lo:" in links[0] and "UP" in links[0]


def test_requested_ip_is_honoured(netpods):
    _, _, _, [info] = netpods.start(["default:IP=172.16.28.123"])
    assert info.ip == "172.16.28.123"


def test_ip_outside_subnet_is_refused_and_nothing_is_left(netpods, testhost):
    before = testhost.snapshot()
    with pytest.raises(NetSpecError, match=r"IP 10.9.9.9 is outside network 'default' \(172.16.28.0/24\)") as caught:
        netpods.start(["default:IP=10.9.9.9"])
    assert "\n" not in str(caught.value)
    assert testhost.snapshot() == before and netpods.leases() == []


def test_duplicate_ip_is_refused_and_the_second_pod_is_rolled_back(netpods, testhost):
    net_d = paths.net_d_dir(netpods.config)
    net_d.mkdir(parents=True)
    conf = {"cniVersion": "1.0.0", "name": "extra", "type": "ptp", "ipam": {"type": "host-local", "subnet": "10.79.0.0/24"}}
    (net_d / "extra.conf").write_text(json.dumps(conf))
    netpods.start(["default:IP=172.16.28.50"])
    before = testhost.snapshot()
    leases = netpods.leases()
    with pytest.raises(PluginError, match="172.16.28.50"):
        netpods.start(["extra,default:IP=172.16.28.50"])
    assert testhost.snapshot() == before and netpods.leases() == leases
    assert not paths.pod_networks_path(netpods.made[-1][0]).exists()


def test_teardown_after_the_netns_vanished_releases_address_and_masquerade(netpods, testhost):
    before = testhost.snapshot()
    pod_dir, pod_uuid, netns, _ = netpods.start()
    testhost.drop_netns(netns)
    netpods.stop(pod_dir, pod_uuid)
    assert testhost.snapshot() == before and netpods.leases() == []


def test_a_netns_still_held_keeps_the_record_until_its_veth_is_gone(netpods, testhost, monkeypatch):
    monkeypatch.setattr(attaching, "LINK_TIMEOUT", 0.3)
    pod_dir, pod_uuid, netns, _ = netpods.start()
    holder = subprocess.Popen(["nsenter", f"--net={netns}", "sleep", "60"])
    try:
        time.sleep(0.2)
        testhost.drop_netns(netns)
        with pytest.raises(PluginError, match="outlived its pod's network namespace"):
            netpods.stop(pod_dir, pod_uuid)
        assert netpods.leases() and paths.pod_networks_path(pod_dir).exists()
    finally:
        holder.kill()
        holder.wait(timeout=10)
    monkeypatch.setattr(attaching, "LINK_TIMEOUT", 10.0)
    netpods.stop(pod_dir, pod_uuid)
    assert netpods.leases() == []


def test_bridge_conflist_from_net_d_pods_reach_each_other_and_leave_only_the_bridge(netpods, testhost):
    net_d = paths.net_d_dir(netpods.config)
    net_d.mkdir(parents=True)
    conflist = {"cniVersion": "1.0.0", "name": "podnet", "plugins": [
        {"type": "bridge", "bridge": "rktbr0", "isGateway": True, "ipMasq": True,
         "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.244.1.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
        {"type": "portmap", "capabilities": {"portMappings": True}}]}
    (net_d / "10-podnet.conflist").write_text(json.dumps(conflist))
    before = testhost.snapshot()
    a_dir, a_uuid, a_ns, [a, _] = netpods.start(["podnet"])
    b_dir, b_uuid, _, [b, _] = netpods.start(["podnet"])
    assert a.ip.startswith("10.244.1.") and ping(testhost, a_ns, b.ip)
    assert "default via 10.244.1.1" in testhost.in_pod(a_ns, ["ip", "route"]).stdout
    netpods.stop(b_dir, b_uuid)
    netpods.stop(a_dir, a_uuid)
    after = testhost.snapshot()
    assert [link for link in after["links"] if link not in before["links"]] == ["rktbr0"]
    assert after["iptables"] == before["iptables"] and netpods.leases() == []
