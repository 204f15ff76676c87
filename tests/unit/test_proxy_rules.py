"""The proxy's pure parts: Service ports from Services and their slices/Endpoints, the nft transaction built
from them (validated by the real ``nft -c`` in a throwaway test host), and the stale UDP flows a change leaves."""

from __future__ import annotations

import pytest

from rktnetes.proxy import conntrack, naming, nft, serviceports, tables
from rktnetes.proxy.serviceports import Endpoint, ServicePort
from rktnetes.proxy.servicerules import NodeView

A, B = Endpoint("10.244.1.2", 8080, "node-a"), Endpoint("10.244.2.2", 8080, "node-b")
NODE = NodeView("node-a", "10.244.0.0/16")


def _service(**spec) -> dict:
    base = {"clusterIP": "10.96.0.5", "ports": [{"name": "http", "port": 80, "protocol": "TCP"}]}
    return {"metadata": {"name": "web", "namespace": "ns"}, "spec": {**base, **spec}}


def _slice(*endpoints: dict, name: str = "http", port: int = 8080) -> dict:
    return {"addressType": "IPv4", "endpoints": list(endpoints), "ports": [{"name": name, "port": port}],
            "metadata": {"name": "web-x", "namespace": "ns", "labels": {serviceports.SERVICE_NAME: "web"}}}


def _port(**kw) -> ServicePort:
    return ServicePort(**{"namespace": "ns", "name": "web", "port_name": "http", "protocol": "tcp",
                          "cluster_ip": "10.96.0.5", "port": 80, "endpoints": (A, B), **kw})


def test_slices_give_ready_endpoints_by_port_name():
    ready = {"addresses": ["10.244.1.2"], "conditions": {"ready": True}, "nodeName": "node-a"}
    not_ready = {"addresses": ["10.244.9.9"], "conditions": {"ready": False}}
    ports = serviceports.all_ports([_service()], lambda key: [_slice(ready, not_ready)], lambda key: None)
    assert [(p.id, p.cluster_ip, p.endpoints) for p in ports] == [("ns/web/tcp/http", "10.96.0.5", (A,))]


def test_endpoints_object_when_there_is_no_slice():
    endpoints = {"subsets": [{"addresses": [{"ip": "10.244.2.2", "nodeName": "node-b"}],
                              "notReadyAddresses": [{"ip": "10.244.9.9"}], "ports": [{"name": "http", "port": 8080}]}]}
    ports = serviceports.all_ports([_service()], lambda key: [], {"ns/web": endpoints}.get)
    assert ports[0].endpoints == (B,)


@pytest.mark.parametrize("spec", [{"clusterIP": "None"}, {"type": "ExternalName", "clusterIP": ""}])
def test_headless_and_external_name_services_are_not_proxied(spec):
    assert serviceports.service_ports(_service(**spec), {"http": (A,)}) == []


def test_node_port_affinity_and_policies_are_read():
    spec = {"type": "NodePort", "ports": [{"name": "http", "port": 80, "nodePort": 30080}],
            "sessionAffinity": "ClientIP", "externalTrafficPolicy": "Local", "externalIPs": ["192.0.2.9"]}
    port = serviceports.service_ports(_service(**spec), {})[0]
    assert (port.node_port, port.affinity_seconds, port.external_local, port.internal_local, port.external_ips) == \
        (30080, serviceports.DEFAULT_AFFINITY_SECONDS, True, False, ("192.0.2.9",))
    assert serviceports.service_ports(_service(ports=[{"port": 80, "nodePort": 30080}]), {})[0].node_port == 0


def test_each_endpoint_gets_a_dnat_chain_picked_at_random():
    rules = tables.build([_port()], NODE)
    svc = rules.chains[naming.service_chain(_port())]
    assert svc[0] == "ip saddr != 10.244.0.0/16 jump mark-for-masquerade"
    assert svc[-1].startswith("numgen random mod 2 vmap {")
    assert rules.chains[naming.endpoint_chain(_port(), A)] == [
        "ip saddr 10.244.1.2 jump mark-for-masquerade", "meta l4proto tcp dnat to 10.244.1.2:8080"]
    assert rules.elements[naming.SERVICE_IPS] == [f"10.96.0.5 . tcp . 80 : goto {naming.service_chain(_port())}"]


def test_no_endpoints_rejects_instead_of_dnat():
    port = _port(endpoints=(), node_port=30080)
    rules = tables.build([port], NODE)
    assert rules.elements[naming.NO_ENDPOINT_SERVICES] == [f"10.96.0.5 . tcp . 80 : goto {naming.REJECT}"]
    assert rules.elements[naming.NO_ENDPOINT_NODEPORTS] == [f"tcp . 30080 : goto {naming.REJECT}"]
    assert naming.service_chain(port) not in rules.chains


def test_affinity_sends_a_client_back_to_its_endpoint():
    port = _port(affinity_seconds=60)
    rules = tables.build([port], NODE)
    assert rules.affinity == {naming.affinity_set(port, A): 60, naming.affinity_set(port, B): 60}
    assert f"update @{naming.affinity_set(port, A)} {{ ip saddr }}" in rules.chains[naming.endpoint_chain(port, A)]
    assert rules.chains[naming.service_chain(port)][1] == \
        f"ip saddr @{naming.affinity_set(port, A)} goto {naming.endpoint_chain(port, A)}"


def test_external_traffic_policy_local_uses_this_nodes_endpoints_without_masquerade():
    port = _port(node_port=30080, external_local=True)
    ext = tables.build([port], NODE).chains[naming.external_chain(port)]
    assert ext == [f"numgen random mod 1 vmap {{ 0 : goto {naming.endpoint_chain(port, A)} }}"]
    cluster = tables.build([_port(node_port=30080)], NODE).chains[naming.external_chain(port)]
    assert cluster == ["jump mark-for-masquerade", f"goto {naming.service_chain(port)}"]


def test_internal_traffic_policy_local_drops_when_no_endpoint_is_here():
    port = _port(endpoints=(B,), internal_local=True)
    assert tables.build([port], NODE).chains[naming.service_chain(port)][-1] == "drop"


def test_transaction_from_previous_flushes_and_deletes_only_what_went():
    before = tables.build([_port(), _port(name="old", affinity_seconds=5)], NODE)
    after = tables.build([_port(endpoints=(A,))], NODE)
    text = tables.transaction(after, before)
    assert "delete table" not in text
    gone = naming.endpoint_chain(_port(), B)
    assert f"flush chain ip rktnetes {gone}" in text and f"delete chain ip rktnetes {gone}" in text
    assert text.index(f"flush chain ip rktnetes {gone}") < text.index(f"delete chain ip rktnetes {gone}")
    assert f"delete set ip rktnetes {naming.affinity_set(_port(name='old'), A)}" in text
    assert tables.transaction(after, None).startswith("add table ip rktnetes\ndelete table ip rktnetes\n")


def test_transactions_are_accepted_by_the_real_nft(testhost):
    ports = [_port(affinity_seconds=30, node_port=30080, external_ips=("192.0.2.9",)),
             _port(name="dns", protocol="udp", internal_local=True, external_local=True, node_port=30053),
             _port(name="empty", endpoints=(), node_port=30081)]
    first = tables.build(ports, NODE, ("192.0.2.0/24",))
    nft.apply(testhost.path, tables.transaction(first, None))
    second = tables.build(ports[1:], NodeView("node-a"))
    nft.check(testhost.path, tables.transaction(second, first))
    nft.apply(testhost.path, tables.transaction(second, first))
    listing = testhost.run(["nft", "list", "table", "ip", "rktnetes"]).stdout
    assert "dnat to 10.244.1.2:8080" in listing and naming.service_chain(ports[0]) not in listing
    nft.apply(testhost.path, tables.deletion())
    assert "rktnetes" not in testhost.run(["nft", "list", "tables"]).stdout


def test_stale_udp_flows():
    udp = _port(protocol="udp", node_port=30053)
    assert conntrack.stale_filters([udp], [udp]) == []
    assert conntrack.stale_filters([udp], [_port(protocol="udp", node_port=30053, endpoints=(A,))]) == [
        ["-p", "udp", "--orig-dst", "10.96.0.5", "--orig-port-dst", "80", "--dst-nat", "10.244.2.2"],
        ["-p", "udp", "--orig-port-dst", "30053", "--dst-nat", "10.244.2.2"]]
    assert conntrack.stale_filters([_port(protocol="udp", endpoints=())], [_port(protocol="udp")]) == [
        ["-p", "udp", "--orig-dst", "10.96.0.5", "--orig-port-dst", "80"]]
    assert conntrack.stale_filters([_port()], [_port(endpoints=())]) == []  # TCP needs nothing


def test_a_steady_sync_writes_only_what_changed_and_a_full_one_everything():
    before = tables.build([_port(), _port(name="other")], NODE)
    after = tables.build([_port(endpoints=(A,)), _port(name="other")], NODE)
    partial = tables.transaction(after, before)
    assert naming.service_chain(_port(name="other")) not in partial
    assert f"flush chain ip rktnetes {naming.service_chain(_port())}" in partial
    full = tables.transaction(after, before, full=True)
    assert f"flush chain ip rktnetes {naming.service_chain(_port(name='other'))}" in full
    assert f"flush map ip rktnetes {naming.SERVICE_IPS}" in full and "delete table" not in full


def test_an_element_whose_verdict_changes_is_deleted_then_added():
    before = tables.build([_port()], NODE)
    after = tables.build([_port(endpoints=())], NODE)
    text = tables.transaction(after, before)
    assert f"delete element ip rktnetes {naming.SERVICE_IPS} {{ 10.96.0.5 . tcp . 80 }}" in text
    assert f"add element ip rktnetes {naming.NO_ENDPOINT_SERVICES} {{ 10.96.0.5 . tcp . 80 : goto {naming.REJECT} }}" \
        in text


def test_partial_and_full_transactions_are_accepted_by_the_real_nft(testhost):
    steps = [[_port(affinity_seconds=30), _port(name="b", protocol="udp", node_port=30053)],
             [_port(affinity_seconds=30, endpoints=(A,)), _port(name="b", protocol="udp", node_port=30053, endpoints=())],
             [_port(name="b", protocol="udp", node_port=30053, endpoints=(B,))]]
    previous = None
    for ports in steps:
        rules = tables.build(ports, NODE)
        nft.apply(testhost.path, tables.transaction(rules, previous))
        previous = rules
    nft.apply(testhost.path, tables.transaction(previous, previous, full=True))
    listing = testhost.run(["nft", "list", "table", "ip", "rktnetes"]).stdout
    assert "udp dnat to 10.244.2.2:8080" in listing and "tcp dnat" not in listing and "aff-" not in listing
    assert "no-endpoint" in listing and "30053 : goto reject-chain" not in listing


def test_terminating_endpoints_serve_only_when_no_ready_one_is_left():
    draining = {"addresses": ["10.244.2.2"], "nodeName": "node-b",
                "conditions": {"ready": False, "serving": True, "terminating": True}}
    ready = {"addresses": ["10.244.1.2"], "nodeName": "node-a", "conditions": {"ready": True}}
    gone = {"addresses": ["10.244.9.9"], "conditions": {"ready": False, "serving": False, "terminating": True}}
    assert serviceports.from_slices([_slice(ready, draining, gone)]) == {"http": (A,)}
    assert serviceports.from_slices([_slice(draining, gone)]) == {"http": (B,)}


def test_load_balancer_ingress_ips_are_external_addresses():
    service = {**_service(type="LoadBalancer", externalIPs=["192.0.2.9"]),
               "status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.10"}, {"hostname": "lb.example"}]}}}
    assert serviceports.service_ports(service, {})[0].external_ips == ("192.0.2.9", "192.0.2.10")
