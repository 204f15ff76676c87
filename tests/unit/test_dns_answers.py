"""Answers on the wire, computed from an in-memory index: names, types, rcodes, SOA, TTLs, truncation, cache."""

from __future__ import annotations

import random

import dns.flags
import dns.message
import dns.opcode
import dns.rcode
import dns.rdatatype
import pytest

from rktnetes.dns import indexing, running
from rktnetes.dns.indexing import RecordIndex
from tests.unit.test_dns_index import endpoint_slice, ep, service

Z = "cluster.local."


@pytest.fixture
def index() -> RecordIndex:
    index = RecordIndex()
    indexing.apply_service(index, service())
    indexing.apply_service(index, service("v6", clusterIP="fd00::20", clusterIPs=["fd00::20"]))
    indexing.apply_service(index, service("db", clusterIP="None", clusterIPs=["None"]))
    indexing.apply_slice(index, endpoint_slice("db-a", "db", ep("10.0.0.7", hostname="db-0"), ep("10.0.0.8")))
    indexing.apply_service(index, service("ext", type="ExternalName", externalName="db.example.com", clusterIP=""))
    return index


def ask(index: RecordIndex, name: str, rdtype: str = "A", udp: bool = True, **make) -> dns.message.Message:
    responder = running.responder(index, running.Config())
    wire = responder.respond(dns.message.make_query(name, rdtype, **make).to_wire(), udp)
    assert wire is not None, "asked to forward"
    return dns.message.from_wire(wire)


def values(response: dns.message.Message, section: str = "answer") -> list[str]:
    return sorted(r.to_text() for rrset in getattr(response, section) for r in rrset)


def test_cluster_ip_service(index):
    response = ask(index, f"web.default.svc.{Z}")
    assert values(response) == ["10.96.0.20"] and response.answer[0].ttl == 5
    assert response.flags & dns.flags.AA and response.rcode() == dns.rcode.NOERROR
    assert values(ask(index, f"WEB.Default.svc.{Z}")) == ["10.96.0.20"]  # names are case-insensitive
    assert values(ask(index, f"v6.default.svc.{Z}", "AAAA")) == ["fd00::20"]
    assert values(ask(index, f"db.default.svc.{Z}", "ANY")) == ["10.0.0.7", "10.0.0.8"]


@pytest.mark.parametrize("name, rdtype", [
    ("web.default.svc", "AAAA"), ("web.default.svc", "TXT"), ("default.svc", "A"), ("svc", "A"), ("", "A"),
    ("_tcp.db.default.svc", "A"), ("_http._tcp.web.default.svc", "A"), ("1-2-3-4.default.pod", "AAAA"),
])
def test_nodata_is_noerror_with_the_soa(index, name, rdtype):
    response = ask(index, f"{name}.{Z}".lstrip("."), rdtype)
    assert response.rcode() == dns.rcode.NOERROR and not response.answer
    [soa] = response.authority
    assert soa.rdtype == dns.rdatatype.SOA and soa.ttl == 5 and str(soa.name) == Z
    assert str(soa[0].mname) == f"ns.dns.{Z}" and soa[0].minimum == 5


@pytest.mark.parametrize("name", [
    "nope.default.svc", "web.nowhere.svc", "other.default.svc", "x.web.default.svc", "_http._udp.web.default.svc",
    "_grpc._tcp.web.default.svc", "a.b.c.d.e.svc", "nope.db.default.svc", "not-ip.default.pod", "stuff",
])
def test_nxdomain_with_the_soa(index, name):
    response = ask(index, f"{name}.{Z}")
    assert response.rcode() == dns.rcode.NXDOMAIN and response.authority[0].rdtype == dns.rdatatype.SOA


def test_headless_endpoints_srv_and_ptr(index):
    assert values(ask(index, f"db.default.svc.{Z}")) == ["10.0.0.7", "10.0.0.8"]
    assert values(ask(index, f"db-0.db.default.svc.{Z}")) == ["10.0.0.7"]
    srv = ask(index, f"_http._tcp.db.default.svc.{Z}", "SRV")
    assert values(srv) == [f"0 50 8080 10-0-0-8.db.default.svc.{Z}", f"0 50 8080 db-0.db.default.svc.{Z}"]
    assert values(srv, "additional") == ["10.0.0.7", "10.0.0.8"]
    assert values(ask(index, "7.0.0.10.in-addr.arpa.", "PTR")) == [f"db-0.db.default.svc.{Z}"]
    assert values(ask(index, "20.0.96.10.in-addr.arpa.", "PTR")) == [f"web.default.svc.{Z}"]


def test_srv_of_a_cluster_ip_service_and_of_all_its_ports(index):
    expected = [f"0 100 80 web.default.svc.{Z}"]
    assert values(ask(index, f"_http._tcp.web.default.svc.{Z}", "SRV")) == expected
    assert values(ask(index, f"web.default.svc.{Z}", "SRV")) == expected


def test_external_name_pods_and_fixed_names(index):
    response = ask(index, f"ext.default.svc.{Z}", "AAAA")
    assert response.answer[0].rdtype == dns.rdatatype.CNAME and values(response) == ["db.example.com."]
    assert values(ask(index, f"10-244-1-5.any.pod.{Z}")) == ["10.244.1.5"]
    assert values(ask(index, f"fd00--5.any.pod.{Z}", "AAAA")) == ["fd00::5"]
    assert values(ask(index, f"dns-version.{Z}", "TXT")) == ['"1.1.0"']
    assert values(ask(index, Z, "NS")) == [f"ns.dns.{Z}"]
    assert ask(index, Z, "SOA").answer[0].rdtype == dns.rdatatype.SOA


def test_outside_names_and_unknown_reverse_names_are_forwarded(index):
    responder = running.responder(index, running.Config())
    for name, rdtype in (("example.com.", "A"), ("9.9.9.10.in-addr.arpa.", "PTR"), ("20.0.96.10.in-addr.arpa.", "A")):
        assert responder.respond(dns.message.make_query(name, rdtype).to_wire(), True) is None


def test_truncation_follows_the_edns_buffer(index):
    indexing.apply_service(index, service("big", clusterIP="None"))
    indexing.apply_slice(index, endpoint_slice("big-a", "big", *(ep(f"10.1.0.{i}") for i in range(1, 120))))
    plain = ask(index, f"big.default.svc.{Z}")
    assert plain.flags & dns.flags.TC and not plain.answer
    assert not ask(index, f"big.default.svc.{Z}", use_edns=0, payload=4096).flags & dns.flags.TC
    assert len(values(ask(index, f"big.default.svc.{Z}", udp=False))) == 119
    edns = ask(index, f"web.default.svc.{Z}", use_edns=0, payload=1400)
    assert edns.edns == 0 and edns.payload == 1232  # we say what we accept


def test_bad_queries_get_one_clear_rcode(index):
    responder = running.responder(index, running.Config())
    garbage = b"\x12\x34" + b"\x01\x00" + b"\x00\x01\x00\x00\x00\x00\x00\x00" + b"\xff\xff"
    assert dns.message.from_wire(responder.respond(garbage, True)).rcode() == dns.rcode.FORMERR
    assert responder.respond(b"\x00", True) == b""  # not even a header: dropped
    query = dns.message.make_query(f"web.default.svc.{Z}", "A")
    query.set_opcode(dns.opcode.NOTIFY)
    assert dns.message.from_wire(responder.respond(query.to_wire(), True)).rcode() == dns.rcode.NOTIMP
    chaos = dns.message.make_query("version.bind.", "TXT", "CH")
    assert dns.message.from_wire(responder.respond(chaos.to_wire(), True)).rcode() == dns.rcode.REFUSED


def test_cached_answers_keep_the_id_and_never_outlive_a_change(index):
    responder = running.responder(index, running.Config())
    first = dns.message.make_query(f"web.default.svc.{Z}", "A")
    again = dns.message.make_query(f"web.default.svc.{Z}", "A")
    again.id = (first.id + 1) % 65536
    responder.respond(first.to_wire(), True)
    response = dns.message.from_wire(responder.respond(again.to_wire(), True))
    assert response.id == again.id and values(response) == ["10.96.0.20"]
    index.remove_service("default", "web")
    gone = dns.message.from_wire(responder.respond(again.to_wire(), True))
    assert gone.rcode() == dns.rcode.NXDOMAIN


@pytest.mark.parametrize("name, rdtype", [
    (f"web.default.svc.{Z}", "A"), (f"_http._tcp.db.default.svc.{Z}", "SRV"), (f"nope.default.svc.{Z}", "A"),
    ("20.0.96.10.in-addr.arpa.", "PTR"), (f"ext.default.svc.{Z}", "A"),
])
def test_a_cached_answer_in_another_letter_case_is_the_fresh_answer(index, name, rdtype):
    warm = running.responder(index, running.Config())
    warm.respond(dns.message.make_query(name.lower(), rdtype).to_wire(), True)
    for _ in range(5):
        query = dns.message.make_query("".join(random.choice((c.lower(), c.upper())) for c in name), rdtype)
        fresh = running.responder(index, running.Config()).respond(query.to_wire(), True)
        cached = warm.respond(query.to_wire(), True)
        assert dns.message.from_wire(cached) == dns.message.from_wire(fresh)  # records in any order
        assert len(cached) == len(fresh) and cached[:12 + len(name)] == fresh[:12 + len(name)]  # the name as asked


def test_a_remembered_forward_ends_when_the_index_changes(index):
    responder = running.responder(index, running.Config())
    query = dns.message.make_query("30.0.96.10.in-addr.arpa.", "PTR").to_wire()
    assert responder.respond(query, True) is None and responder.respond(query, True) is None
    indexing.apply_service(index, service("new", clusterIP="10.96.0.30", clusterIPs=["10.96.0.30"]))
    assert values(dns.message.from_wire(responder.respond(query, True))) == [f"new.default.svc.{Z}"]
