"""dns/wire.py: which queries it reads itself, and that what it writes is what dnspython reads back."""

from __future__ import annotations

import random

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.reversename

from rktnetes.dns import indexing, running, wire
from rktnetes.dns.indexing import RecordIndex
from tests.unit.test_dns_index import endpoint_slice, ep, service


def test_plain_queries_are_read_with_their_edns_buffer_and_name_as_written():
    query = dns.message.make_query("Web.Default.svc.cluster.local.", "AAAA", use_edns=0, payload=1400,
                                   options=[dns.edns.GenericOption(10, b"12345678")])  # a cookie, as dig sends
    question = wire.parse(query.to_wire())
    assert question.labels == ("web", "default", "svc", "cluster", "local") and question.qtype == 28
    assert question.name == dns.name.from_text("Web.Default.svc.cluster.local.").to_wire()
    assert question.edns and question.payload == 1400 and question.id == query.id
    plain = wire.parse(dns.message.make_query("a.b.", "A").to_wire())
    assert not plain.edns and plain.payload == 0


def test_anything_unusual_is_left_to_dnspython():
    query = dns.message.make_query("a.b.", "A").to_wire()
    assert wire.parse(query + b"junk") is None
    assert wire.parse(query[:-2]) is None
    too_long = b"".join(b"\x3f" + b"a" * 63 for _ in range(4)) + b"\0"  # 257 bytes: dnspython says what is wrong
    assert wire.parse(query[:12] + too_long + query[-4:]) is None
    two = dns.message.make_query("a.b.", "A")
    two.question.append(two.question[0])
    assert wire.parse(two.to_wire()) is None
    response = dns.message.make_response(dns.message.make_query("a.b.", "A")).to_wire()
    assert wire.parse(response) is None


def _index() -> RecordIndex:
    index = RecordIndex()
    indexing.apply_service(index, service("v6", clusterIP="fd00::20", clusterIPs=["fd00::20"]))
    indexing.apply_service(index, service("db", clusterIP="None"))
    indexing.apply_slice(index, endpoint_slice("db-a", "db", ep("10.0.0.7", hostname="db-0")))
    return index


def test_responses_and_junk_are_never_answered_and_broken_queries_get_formerr():
    responder = running.responder(_index(), running.Config())
    response = dns.message.make_response(dns.message.make_query("db.default.svc.cluster.local.", "A"))
    assert responder.respond(response.to_wire(), True) == b""
    junk = dns.message.make_query("db.default.svc.cluster.local.", "A").to_wire() + b"junk"
    assert dns.message.from_wire(responder.respond(junk, True)).rcode() == dns.rcode.FORMERR


def test_owner_names_point_into_the_question():
    responder = running.responder(_index(), running.Config())
    query = dns.message.make_query("_http._tcp.db.default.svc.cluster.local.", "SRV")
    answer = responder.respond(query.to_wire(), True)
    message = dns.message.from_wire(answer)
    assert [str(r.name) for r in message.additional] == ["db-0.db.default.svc.cluster.local."]
    assert answer.count(b"\x07default") == 2  # once in the question, once in the SRV target: owners are pointers
    assert message.flags & dns.flags.RA and message.flags & dns.flags.AA


def test_ipv6_reverse_names():
    responder = running.responder(_index(), running.Config())
    query = dns.message.make_query(dns.reversename.from_address("fd00::20"), "PTR")
    message = dns.message.from_wire(responder.respond(query.to_wire(), True))
    assert [str(r.target) for r in message.answer[0]] == ["v6.default.svc.cluster.local."]


def test_inputs_found_by_fuzzing_get_answers_not_exceptions():
    responder = running.responder(_index(), running.Config())
    notify_response = b"\xab^\xbb\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07cluster\x05local\x00\x00\x10\x00\x01"
    assert responder.respond(notify_response, True) == b""  # QR set (and opcode 7): a response, dropped
    nul_label = b"\xfc<\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x0810-0-0\x001\x03any\x03pod\x07cluster\x05local\x00" \
                b"\x00\x01\x00\x01"
    assert dns.message.from_wire(responder.respond(nul_label, True)).rcode() == dns.rcode.NXDOMAIN


def test_addresses_that_are_not_ips_are_never_indexed():
    index = _index()
    indexing.apply_slice(index, endpoint_slice("db-b", "db", ep("10.0.0.9"), ep("not-an-ip")))
    assert [e.ip for e in index.endpoints(index.service("default", "db"))] == ["10.0.0.7", "10.0.0.9"]


def test_mutated_queries_never_raise_and_every_answer_parses():
    rng = random.Random(7)
    responder = running.responder(_index(), running.Config())
    seeds = [dns.message.make_query(name, rdtype, use_edns=edns).to_wire()
             for name in ("db.default.svc.cluster.local.", "_http._tcp.db.default.svc.cluster.local.",
                          "1-2-3-4.x.pod.cluster.local.", "7.0.0.10.in-addr.arpa.", "cluster.local.")
             for rdtype in ("A", "AAAA", "SRV", "PTR", "SOA", "ANY") for edns in (None, 0)]
    for _ in range(5000):
        query = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 3)):
            query[rng.randrange(len(query))] = rng.randrange(256)
        answer = responder.respond(bytes(query), rng.random() < 0.5)
        if answer:
            dns.message.from_wire(answer)
