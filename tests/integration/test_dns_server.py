"""``rktnetes dns`` for real: a child process on a loopback port, fed by the real API server, asked by
dnspython, by dig (bind9-dnsutils) and by busybox's nslookup; names outside the domain go to a real dnsmasq."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import time

import dns.asyncquery
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.resolver
import dns.reversename
import pytest

from tests.fixtures.apiserver import ApiServer
from tests.fixtures.dns import UPSTREAM_HOSTS, DnsServer

pytestmark = pytest.mark.integration
ZONE = "svc.cluster.local."


def ask(server: DnsServer, name: str, rdtype: str = "A", tcp: bool = False, **make) -> dns.message.Message:
    query = dns.message.make_query(name, rdtype, **make)
    send = dns.query.tcp if tcp else dns.query.udp
    return send(query, server.address[0], port=server.port, timeout=3)


def addresses(response: dns.message.Message, section: str = "answer") -> list[str]:
    rrsets = getattr(response, section)
    return sorted(r.address for rrset in rrsets if rrset.rdtype in (1, 28) for r in rrset)


def eventually(check, timeout: float = 1.0):
    """``check()``'s first truthy value within ``timeout`` seconds (the propagation bound we promise)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.02)


def apply(apiserver: ApiServer, namespace: str, *objects: dict) -> None:
    apiserver.kubectl("apply", "-n", namespace, "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List",
                                                                            "items": list(objects)}))


def service(name: str, headless: bool = False, **spec) -> dict:
    spec = {"ports": [{"name": "http", "port": 80, "protocol": "TCP"}], **spec}
    if headless:
        spec["clusterIP"] = "None"
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": spec}


def endpoint_slice(service_name: str, endpoints: list[dict], port: int = 8080) -> dict:
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
            "metadata": {"name": f"{service_name}-x", "labels": {"kubernetes.io/service-name": service_name}},
            "endpoints": endpoints, "ports": [{"name": "http", "port": port, "protocol": "TCP"}]}


def cluster_ip(apiserver: ApiServer, namespace: str, name: str) -> str:
    return apiserver.kubectl("get", "svc", name, "-n", namespace, "-o", "jsonpath={.spec.clusterIP}").stdout


def test_a_service_appears_and_disappears_within_a_second(apiserver, dns_server, namespace):
    name = f"web.{namespace}.{ZONE}"
    assert ask(dns_server, name).rcode() == dns.rcode.NXDOMAIN
    assert eventually(lambda: ask(dns_server, f"{namespace}.{ZONE}").rcode() == dns.rcode.NOERROR)  # no Service yet
    assert ask(dns_server, f"no-such-namespace.{ZONE}").rcode() == dns.rcode.NXDOMAIN
    apply(apiserver, namespace, service("web"))
    ip = cluster_ip(apiserver, namespace, "web")
    assert eventually(lambda: addresses(ask(dns_server, name)) == [ip])
    answer = ask(dns_server, name)
    assert answer.flags & dns.flags.AA and answer.answer[0].ttl == 5
    apiserver.kubectl("delete", "svc", "web", "-n", namespace)
    assert eventually(lambda: ask(dns_server, name).rcode() == dns.rcode.NXDOMAIN)


def test_nodata_and_nxdomain_carry_the_soa(apiserver, dns_server, namespace):
    apply(apiserver, namespace, service("api"))
    assert eventually(lambda: addresses(ask(dns_server, f"api.{namespace}.{ZONE}")))
    nodata = ask(dns_server, f"api.{namespace}.{ZONE}", "AAAA")
    assert nodata.rcode() == dns.rcode.NOERROR and not nodata.answer
    assert nodata.authority[0].rdtype == dns.rdatatype.SOA and nodata.authority[0].ttl == 5
    assert str(nodata.authority[0].name) == "cluster.local."
    missing = ask(dns_server, f"nope.{namespace}.{ZONE}")
    assert missing.rcode() == dns.rcode.NXDOMAIN and missing.authority[0].rdtype == dns.rdatatype.SOA
    assert ask(dns_server, f"{namespace}.{ZONE}").rcode() == dns.rcode.NOERROR  # the namespace: a name, no data


def test_srv_and_ptr_of_a_cluster_ip_service(apiserver, dns_server, namespace):
    apply(apiserver, namespace, service("db", ports=[{"name": "pg", "port": 5432, "protocol": "TCP"}]))
    ip = cluster_ip(apiserver, namespace, "db")
    srv = eventually(lambda: ask(dns_server, f"_pg._tcp.db.{namespace}.{ZONE}", "SRV").answer)
    assert [(r.port, str(r.target)) for r in srv[0]] == [(5432, f"db.{namespace}.{ZONE}")]
    ptr = ask(dns_server, dns.reversename.from_address(ip).to_text(), "PTR")
    assert [str(r.target) for r in ptr.answer[0]] == [f"db.{namespace}.{ZONE}"]
    assert ask(dns_server, f"_pg._udp.db.{namespace}.{ZONE}", "SRV").rcode() == dns.rcode.NXDOMAIN


def test_headless_service_publishes_ready_endpoints(apiserver, dns_server, namespace):
    endpoints = [{"addresses": ["10.244.1.5"], "hostname": "db-0", "conditions": {"ready": True}},
                 {"addresses": ["10.244.1.6"], "conditions": {"ready": True}},
                 {"addresses": ["10.244.1.7"], "conditions": {"ready": False}}]
    apply(apiserver, namespace, service("db", headless=True), endpoint_slice("db", endpoints))
    name = f"db.{namespace}.{ZONE}"
    assert eventually(lambda: addresses(ask(dns_server, name)) == ["10.244.1.5", "10.244.1.6"])
    assert addresses(ask(dns_server, f"db-0.{name}")) == ["10.244.1.5"]
    assert addresses(ask(dns_server, f"10-244-1-6.{name}")) == ["10.244.1.6"]
    srv = ask(dns_server, f"_http._tcp.{name}", "SRV")
    assert sorted((r.port, str(r.target)) for r in srv.answer[0]) == [(8080, f"10-244-1-6.{name}"),
                                                                        (8080, f"db-0.{name}")]
    assert addresses(srv, "additional") == ["10.244.1.5", "10.244.1.6"]  # the targets' addresses ride along
    ptr = ask(dns_server, "5.1.244.10.in-addr.arpa.", "PTR")
    assert [str(r.target) for r in ptr.answer[0]] == [f"db-0.{name}"]


def test_external_name_and_pod_records(apiserver, dns_server, namespace):
    apply(apiserver, namespace, service("ext", type="ExternalName", externalName="outside.example", ports=[]))
    cname = eventually(lambda: ask(dns_server, f"ext.{namespace}.{ZONE}").answer)
    assert cname[0].rdtype == dns.rdatatype.CNAME and str(cname[0][0].target) == "outside.example."
    assert addresses(ask(dns_server, f"10-244-3-9.{namespace}.pod.cluster.local.")) == ["10.244.3.9"]
    assert ask(dns_server, f"not-an-ip.{namespace}.pod.cluster.local.").rcode() == dns.rcode.NXDOMAIN


def test_names_outside_the_domain_are_forwarded(dns_server, dns_upstream):
    for tcp in (False, True):
        assert addresses(ask(dns_server, "outside.example.", tcp=tcp)) == [UPSTREAM_HOSTS["outside.example"]]


def test_a_dead_upstream_is_servfail(apiserver, dns_upstream):
    dead = DnsServer(apiserver.kubeconfig, [f"127.0.0.1:{dns_upstream.port + 1}"], "--upstream-timeout=0.3")
    dead.start()
    try:
        assert ask(dead, "outside.example.").rcode() == dns.rcode.SERVFAIL
    finally:
        dead.stop()


def test_big_answers_truncate_over_udp_and_come_whole_over_tcp(apiserver, dns_server, namespace):
    endpoints = [{"addresses": [f"10.244.2.{i}"], "conditions": {"ready": True}} for i in range(1, 101)]
    apply(apiserver, namespace, service("big", headless=True), endpoint_slice("big", endpoints))
    name = f"big.{namespace}.{ZONE}"
    assert eventually(lambda: len(addresses(ask(dns_server, name, tcp=True))) == 100)
    udp = ask(dns_server, name)
    assert udp.flags & dns.flags.TC and len(udp.to_wire()) <= 512
    assert ask(dns_server, name, use_edns=0, payload=4096).flags & dns.flags.TC == 0  # 100 A records fit in 4 KB
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers, resolver.port = ["127.0.0.1"], dns_server.port
    assert len(resolver.resolve(name, "A", lifetime=5)) == 100  # the stub resolver retried over TCP itself


def test_many_concurrent_queries_are_all_answered(apiserver, dns_server, namespace):
    apply(apiserver, namespace, service("busy"))
    name = f"busy.{namespace}.{ZONE}"
    assert eventually(lambda: addresses(ask(dns_server, name)))

    async def one(i: int) -> bool:
        query = dns.message.make_query(name if i % 2 else f"x{i}.{name}", "A")
        response = await dns.asyncquery.udp(query, "127.0.0.1", port=dns_server.port, timeout=5)
        return response.rcode() == (dns.rcode.NOERROR if i % 2 else dns.rcode.NXDOMAIN)

    async def all_of() -> list[bool]:
        return await asyncio.gather(*(one(i) for i in range(400)))

    assert all(asyncio.run(all_of()))


def test_dig_and_busybox_nslookup_get_answers(apiserver, dns_server, namespace):
    apply(apiserver, namespace, service("web"))
    ip = cluster_ip(apiserver, namespace, "web")
    name = f"web.{namespace}.svc.cluster.local"
    assert eventually(lambda: addresses(ask(dns_server, name + ".")))
    dig = shutil.which("dig")
    if dig is None:
        pytest.fail("dig is not installed: run `make deps` (bind9-dnsutils)")
    out = subprocess.run([dig, "+short", "-p", str(dns_server.port), "@127.0.0.1", name], capture_output=True,
                         text=True, timeout=10)
    assert out.stdout.split() == [ip]
    out = subprocess.run(["busybox", "nslookup", name, f"127.0.0.1:{dns_server.port}"], capture_output=True,
                         text=True, timeout=10)
    assert ip in out.stdout, out.stdout + out.stderr


def test_one_tcp_connection_carries_several_queries_in_order(apiserver, dns_server, namespace):
    apply(apiserver, namespace, service("web"))
    ip = cluster_ip(apiserver, namespace, "web")
    name = f"web.{namespace}.{ZONE}"
    assert eventually(lambda: addresses(ask(dns_server, name)))
    queries = [dns.message.make_query(n, "A") for n in (name, "outside.example.", f"nope.{namespace}.{ZONE}")]
    with socket.create_connection(dns_server.address, timeout=5) as sock:
        sock.sendall(b"".join(len(w).to_bytes(2, "big") + w for w in (q.to_wire() for q in queries)))
        answers = [dns.query.receive_tcp(sock, expiration=time.time() + 5)[0] for _ in queries]
    assert [a.id for a in answers] == [q.id for q in queries]
    assert addresses(answers[0]) == [ip] and addresses(answers[1]) == [UPSTREAM_HOSTS["outside.example"]]
    assert answers[2].rcode() == dns.rcode.NXDOMAIN
    out = subprocess.run(["dig", "+tcp", "+short", "-p", str(dns_server.port), "@127.0.0.1", "big.example"],
                         capture_output=True, text=True, timeout=10)
    assert out.stdout.split() == [UPSTREAM_HOSTS["big.example"]]
