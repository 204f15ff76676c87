"""The real ``rktnetes proxy`` against the real API server, programming a throwaway test host with real nft:
connections from the test host to Service addresses reach the echo pods behind them."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from tests.conftest import free_port
from tests.fixtures.proxy import ECHO_PORT, tcp_ask, tcp_asks_from, udp_ask

pytestmark = pytest.mark.integration


def _service(name: str, kind: str = "ClusterIP", protocol: str = "TCP", **spec) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
                       "spec": {"type": kind, "ports": [{"port": 80, "protocol": protocol,
                                                         "targetPort": ECHO_PORT}], **spec}})


def _slice(service: str, pods, protocol: str = "TCP") -> str:
    return json.dumps({
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
        "metadata": {"name": f"{service}-abc", "labels": {"kubernetes.io/service-name": service}},
        "endpoints": [{"addresses": [p.ip], "conditions": {"ready": True}, "nodeName": "node-a"} for p in pods],
        "ports": [{"name": "", "port": ECHO_PORT, "protocol": protocol}]})


def _create(apiserver, namespace: str, service: str, pods, **kw) -> dict:
    out = apiserver.kubectl("-n", namespace, "create", "-o", "json", "-f", "-", input=_service(service, **kw))
    apiserver.kubectl("-n", namespace, "apply", "-f", "-",
                      input=_slice(service, pods, kw.get("protocol", "TCP")))
    return json.loads(out.stdout)["spec"]


def _until(ask, want, timeout: float = 5.0) -> float:
    """Seconds until ``ask()`` returns ``want``; fails after ``timeout``."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if ask() == want:
            return time.monotonic() - start
        time.sleep(0.02)
    raise AssertionError(f"never got {want!r} (last {ask()!r})")


def _root_ruleset() -> str:
    """The root namespace's ruleset (this test process runs there: the proxy must never write to it)."""
    return subprocess.run(["nft", "list", "ruleset"], capture_output=True, text=True, timeout=30).stdout


def _assert_root_untouched(before: str, *addresses: str) -> None:
    after = _root_ruleset()
    assert "rktnetes" not in after and not any(a in after for a in addresses)
    assert [line for line in after.splitlines() if line.startswith("table")] == \
        [line for line in before.splitlines() if line.startswith("table")]


def test_cluster_ip_spreads_scales_and_refuses(apiserver, namespace, testhost, echo_pods, proxy_process):
    root_before = _root_ruleset()
    spec = _create(apiserver, namespace, "web", echo_pods)
    ip = spec["clusterIP"]
    _until(lambda: tcp_ask(testhost, ip, 80) in ("pod-1", "pod-2"), True)
    seen = [tcp_ask(testhost, ip, 80) for _ in range(60)]
    assert set(seen) == {"pod-1", "pod-2"} and min(seen.count("pod-1"), seen.count("pod-2")) >= 10
    apiserver.kubectl("-n", namespace, "apply", "-f", "-", input=_slice("web", echo_pods[:1]))
    assert _until(lambda: {tcp_ask(testhost, ip, 80) for _ in range(8)}, {"pod-1"}) < 1.0
    apiserver.kubectl("-n", namespace, "apply", "-f", "-", input=_slice("web", []))
    _until(lambda: tcp_ask(testhost, ip, 80), None)
    start = time.monotonic()
    assert tcp_ask(testhost, ip, 80, timeout=3) is None
    assert time.monotonic() - start < 0.5, "no endpoints must be refused at once, not time out"
    _assert_root_untouched(root_before, ip, "10.244.")


def test_node_port_external_ip_and_udp(apiserver, namespace, testhost, echo_pods, proxy_process):
    spec = _create(apiserver, namespace, "np", echo_pods, kind="NodePort", externalIPs=["192.0.2.77"])
    _until(lambda: tcp_ask(testhost, "192.0.2.1", spec["ports"][0]["nodePort"]) in ("pod-1", "pod-2"), True)
    assert {tcp_ask(testhost, "192.0.2.77", 80) for _ in range(30)} == {"pod-1", "pod-2"}
    udp = _create(apiserver, namespace, "dns", echo_pods, protocol="UDP")
    answers = {_until_udp(testhost, udp["clusterIP"]) for _ in range(30)}
    assert answers == {"pod-1", "pod-2"}


def _until_udp(testhost, ip: str, source_port: int = 0) -> str:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        answer = udp_ask(testhost, ip, 80, timeout=0.3, source_port=source_port)
        if answer:
            return answer
    raise AssertionError(f"no UDP answer from {ip}")


def test_session_affinity_keeps_the_client_on_one_pod(apiserver, namespace, testhost, echo_pods, proxy_process):
    spec = _create(apiserver, namespace, "sticky", echo_pods, sessionAffinity="ClientIP")
    _until(lambda: tcp_ask(testhost, spec["clusterIP"], 80) in ("pod-1", "pod-2"), True)
    assert len({tcp_ask(testhost, spec["clusterIP"], 80) for _ in range(20)}) == 1


def test_table_removed_on_shutdown_and_root_untouched(apiserver, namespace, testhost, echo_pods, proxy_process):
    root_before = _root_ruleset()
    spec = _create(apiserver, namespace, "gone", echo_pods)
    _until(lambda: tcp_ask(testhost, spec["clusterIP"], 80) in ("pod-1", "pod-2"), True)
    assert "table ip rktnetes" in testhost.run(["nft", "list", "tables"]).stdout
    assert proxy_process.stop() == 0
    assert "rktnetes" not in testhost.run(["nft", "list", "tables"]).stdout
    assert tcp_ask(testhost, spec["clusterIP"], 80, timeout=0.5) is None
    _assert_root_untouched(root_before, spec["clusterIP"], "10.244.")


def test_hairpin_a_pod_reaches_itself_through_its_service(apiserver, namespace, testhost, echo_pods,
                                                          proxy_process):
    testhost.run(["sysctl", "-qw", "net.ipv4.ip_forward=1"])  # the test host's own namespace only
    spec = _create(apiserver, namespace, "hair", echo_pods)
    _until(lambda: tcp_ask(testhost, spec["clusterIP"], 80) in ("pod-1", "pod-2"), True)
    answers = tcp_asks_from(echo_pods[0].netns, spec["clusterIP"], 80, 30)
    assert set(answers) == {"pod-1", "pod-2"}, answers


def test_endpoints_object_when_the_service_has_no_slice(apiserver, namespace, testhost, echo_pods, proxy_process):
    out = apiserver.kubectl("-n", namespace, "create", "-o", "json", "-f", "-", input=_service("legacy"))
    ip = json.loads(out.stdout)["spec"]["clusterIP"]
    apiserver.kubectl("-n", namespace, "apply", "-f", "-", input=json.dumps({
        "apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "legacy"},
        "subsets": [{"addresses": [{"ip": echo_pods[1].ip}], "ports": [{"port": ECHO_PORT}]}]}))
    _until(lambda: tcp_ask(testhost, ip, 80), "pod-2")


def test_udp_flow_moves_when_its_endpoint_goes(apiserver, namespace, testhost, echo_pods, proxy_process):
    spec = _create(apiserver, namespace, "dgram", echo_pods, protocol="UDP")
    port = free_port()
    first = _until_udp(testhost, spec["clusterIP"], source_port=port)
    assert udp_ask(testhost, spec["clusterIP"], 80, source_port=port) == first  # one flow, one endpoint
    kept = [p for p in echo_pods if p.name != first]
    apiserver.kubectl("-n", namespace, "apply", "-f", "-", input=_slice("dgram", kept, "UDP"))
    # the old endpoint still answers: only the conntrack flush can move this flow
    _until(lambda: udp_ask(testhost, spec["clusterIP"], 80, timeout=0.3, source_port=port), kept[0].name)


def test_external_traffic_policy_local_keeps_node_ports_on_this_node(apiserver, namespace, testhost, echo_pods,
                                                                     proxy_process):
    out = apiserver.kubectl("-n", namespace, "create", "-o", "json", "-f", "-",
                            input=_service("local", kind="NodePort", externalTrafficPolicy="Local"))
    spec = json.loads(out.stdout)["spec"]
    endpoints = json.loads(_slice("local", echo_pods))
    endpoints["endpoints"][1]["nodeName"] = "node-b"
    apiserver.kubectl("-n", namespace, "apply", "-f", "-", input=json.dumps(endpoints))
    node_port = spec["ports"][0]["nodePort"]
    _until(lambda: tcp_ask(testhost, "192.0.2.1", node_port), "pod-1")
    assert {tcp_ask(testhost, "192.0.2.1", node_port) for _ in range(20)} == {"pod-1"}
    assert {tcp_ask(testhost, spec["clusterIP"], 80) for _ in range(40)} == {"pod-1", "pod-2"}
