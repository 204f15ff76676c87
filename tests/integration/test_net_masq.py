"""The masquerade rules stage1 writes for a ptp network are exactly those ptp's own ipMasq writes (checked
against the real plugin), and both kinds come down with the pod's network."""

from __future__ import annotations

import re
import uuid

import pytest

from rktnetes.rkt.networking import cni, masq, netconf

pytestmark = pytest.mark.integration


def _masq_rules(testhost, pod_uuid: str, ip: str) -> list[str]:
    """The nat rules naming the pod, with its uuid, chain and address made neutral."""
    chain = masq.chain_name(netconf.DEFAULT, pod_uuid)
    rules = [r for r in testhost.snapshot()["iptables"] if chain in r]
    return sorted(re.sub(re.escape(ip), "IP", r.replace(chain, "CHAIN").replace(pod_uuid, "UUID")) for r in rules)


def _ptp_itself(testhost, netpods) -> tuple[list[str], str]:
    """ADD the default network by calling ptp with ipMasq on (as stage1 no longer does), then DEL it."""
    pod_uuid, netns = str(uuid.uuid4()), testhost.pod_netns()
    net = netconf.builtin(netconf.DEFAULT)
    conf = {**net.plugins[0], "name": net.name, "cniVersion": net.cni_version}
    conf["ipam"] = {**conf["ipam"], "dataDir": str(netpods.tmp / "ptp-ipam")}
    call = cni.Invocation(pod_uuid, netns, "eth0")
    with testhost.entered():
        result = cni.invoke("ADD", conf, call)
        rules = _masq_rules(testhost, pod_uuid, result["ips"][0]["address"].split("/")[0])
        cni.invoke("DEL", conf, call)
    return rules, pod_uuid


def test_stage1_writes_ptps_masquerade_rules_and_removes_them(netpods, testhost):
    before = testhost.snapshot()
    theirs, _ = _ptp_itself(testhost, netpods)
    assert testhost.snapshot() == before
    pod_dir, pod_uuid, _, [info] = netpods.start()
    ours = _masq_rules(testhost, pod_uuid, info.ip)
    assert len(ours) == 3 and ours == theirs  # ACCEPT the subnet, MASQUERADE the rest, the POSTROUTING jump
    netpods.stop(pod_dir, pod_uuid)
    assert testhost.snapshot() == before


def test_only_ipv4_host_local_ptp_masquerade_is_taken_over():
    ipam = {"type": "host-local", "subnet": "10.1.0.0/24"}
    assert masq.ours({"type": "ptp", "ipMasq": True, "ipam": ipam})
    assert not masq.ours({"type": "ptp", "ipMasq": False, "ipam": ipam})
    assert not masq.ours({"type": "bridge", "ipMasq": True, "ipam": ipam})
    assert not masq.ours({"type": "ptp", "ipMasq": True, "ipam": {"type": "host-local", "subnet": "fd00::/64"}})
    assert not masq.ours({"type": "ptp", "ipMasq": True, "ipam": {"type": "dhcp"}})


def test_teardown_removes_our_chain_even_when_a_rule_of_it_is_gone(netpods, testhost):
    before = testhost.snapshot()
    pod_dir, pod_uuid, _, [info] = netpods.start()
    chain = masq.chain_name(netconf.DEFAULT, pod_uuid)
    jump = next(r for r in testhost.snapshot()["iptables"] if r.startswith("-A POSTROUTING") and chain in r)
    assert testhost.run(["sh", "-c", f"iptables -t nat {jump.replace('-A ', '-D ', 1)}"]).returncode == 0
    netpods.stop(pod_dir, pod_uuid)  # the one-transaction removal fails; listing and removing what is left
    assert testhost.snapshot() == before
