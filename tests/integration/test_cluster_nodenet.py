"""The node network made with the real ``ip`` and ``nft`` inside a throwaway test host: node namespaces
reach each other and the host over the bridge, route each other's pod CIDRs, masquerade pod traffic to the
host only, and ``down`` leaves the test host as it found it."""

from __future__ import annotations

import subprocess
import uuid

import pytest

from rktnetes.cluster import errors, nodenet
from rktnetes.cluster.spec import ClusterSpec

pytestmark = pytest.mark.integration


@pytest.fixture
def spec_in(testhost):
    spec = ClusterSpec(profile=f"n{uuid.uuid4().hex[:6]}", nodes=2).validate()
    before = testhost.snapshot()
    yield spec, before
    with testhost.entered():
        nodenet.down(spec)


def _in(node, argv):
    return subprocess.run(["ip", "netns", "exec", node.netns, *argv], capture_output=True, text=True, timeout=30,
                          check=False)


def test_up_wires_nodes_and_down_removes_everything(testhost, spec_in):
    spec, before = spec_in
    with testhost.entered():
        nodenet.up(spec)
        nodenet.up(spec)  # again: nothing to do, no error
    first, second = spec.all_nodes()
    assert nodenet.node_up(first) and nodenet.node_up(second)
    assert testhost.run(["busybox", "ping", "-c1", "-W2", second.ip]).returncode == 0
    assert _in(first, ["busybox", "ping", "-c1", "-W2", spec.host_ip]).returncode == 0
    routes = _in(first, ["ip", "route"]).stdout
    assert f"{second.pod_cidr} via {second.ip}" in routes and "10.96.0.0/12 dev eth0" in routes
    assert "default" not in routes and "default" not in testhost.run(["ip", "route"]).stdout
    assert _in(second, ["cat", "/proc/sys/net/ipv4/ip_forward"]).stdout.strip() == "1"
    table = _in(first, ["nft", "list", "table", "ip", "rktnetes-node"]).stdout
    assert 'ip saddr 10.244.0.0/16 ip daddr != 10.244.0.0/16 oifname "eth0" masquerade' in table
    assert testhost.snapshot()["nft"] == before["nft"]  # no NAT on the host side
    with testhost.entered():
        nodenet.down(spec)
    assert not nodenet.node_up(first) and not nodenet.node_up(second)
    assert testhost.snapshot() == before


def test_a_subnet_the_host_already_uses_is_refused_before_anything_is_made(testhost, spec_in):
    spec, _ = spec_in
    assert testhost.run(["ip", "addr", "add", "192.168.49.200/24", "dev", "th0"]).returncode == 0
    before = testhost.snapshot()
    with testhost.entered(), pytest.raises(errors.NetworkSetupFailed, match="overlaps this host's route"):
        nodenet.up(spec)
    assert testhost.snapshot() == before and not nodenet.node_up(spec.node(0))
