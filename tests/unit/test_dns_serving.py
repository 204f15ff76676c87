"""The server's parts around the answers: informers feeding the index (fake client), forwarding to a loopback
upstream (with SERVFAIL when it fails), argument parsing, and the CLI's one-line errors."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from pathlib import Path

import dns.message
import dns.rcode
import dns.rrset
import pytest

from rktnetes.client import fake, sharing
from rktnetes.dns import addresses, running
from rktnetes.dns.errors import BadAddress
from rktnetes.dns.forwarding import Forwarder
from rktnetes.dns.indexing import RecordIndex
from tests.conftest import settle
from tests.unit.test_dns_index import endpoint_slice, ep, service


async def test_informers_keep_the_index_current():
    client = fake.FakeClient(service(clusterIP="None"), endpoint_slice("web-a", "web", ep("10.0.0.1")))
    index = RecordIndex()
    factory = sharing.InformerFactory(client)
    running.watch(factory, index)
    factory.start()
    try:
        await factory.wait_for_sync()
        web = index.service("default", "web")
        assert [e.ip for e in index.endpoints(web)] == ["10.0.0.1"]
        await client.create("endpointslices.discovery.k8s.io", endpoint_slice("web-b", "web", ep("10.0.0.2")))
        await settle()
        assert [e.ip for e in index.endpoints(web)] == ["10.0.0.1", "10.0.0.2"]
        assert not index.has_namespace("empty")
        await client.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "empty"}})
        await settle()
        assert index.has_namespace("empty")  # <ns>.svc.<domain> of a namespace without Services is NODATA
        await client.delete("namespaces", "empty")
        await client.delete("services", "web", "default")
        await client.delete("endpointslices.discovery.k8s.io", "web-a", "default")
        await settle()
        assert index.service("default", "web") is None and index.reverse("10.0.0.1") == []
        assert not index.has_namespace("empty")
    finally:
        await factory.stop()


class _Upstream(asyncio.DatagramProtocol):
    """A loopback UDP server answering ``hN.…`` with 192.0.2.N (anything else 192.0.2.1), a little out of order."""

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr) -> None:
        response = dns.message.make_response(dns.message.from_wire(data))
        name = response.question[0].name
        last = int(name.labels[0][1:]) if name.labels[0][1:].isdigit() else 1  # h7.example. -> 192.0.2.7
        response.answer.append(dns.rrset.from_text(name, 30, "IN", "A", f"192.0.2.{last}"))
        asyncio.get_running_loop().call_later(0.001 * (last % 5), self.transport.sendto, response.to_wire(), addr)


def _unused_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_forwarding_tries_upstreams_in_order_then_servfails():
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(_Upstream, local_addr=("127.0.0.1", 0))
    live = transport.get_extra_info("sockname")
    dead = ("127.0.0.1", _unused_udp_port())
    both, only_dead = Forwarder([dead, live], timeout=0.3), Forwarder([dead], timeout=0.3)
    try:
        query = dns.message.make_query("example.com.", "A")
        answer = await both.forward(query.to_wire())
        assert dns.message.from_wire(answer).answer[0][0].address == "192.0.2.1"
        failed = dns.message.from_wire(await only_dead.forward(query.to_wire()))
        assert failed.rcode() == dns.rcode.SERVFAIL and failed.id == query.id
    finally:
        both.close()
        only_dead.close()
        transport.close()


@pytest.mark.parametrize("text, expected", [
    ("10.0.0.1:5353", ("10.0.0.1", 5353)), ("10.0.0.1", ("10.0.0.1", 53)), ("[fd00::1]:54", ("fd00::1", 54)),
    ("fd00::1", ("fd00::1", 53)),
])
def test_addresses_parse(text, expected):
    assert addresses.parse(text) == expected


@pytest.mark.parametrize("text", ["host:53", "10.0.0.1:x", "10.0.0.1:70000", ""])
def test_bad_addresses_are_refused(text):
    with pytest.raises(BadAddress):
        addresses.parse(text)


def test_resolv_conf_nameservers(tmp_path: Path):
    conf = tmp_path / "resolv.conf"
    conf.write_text("search x\nnameserver 127.0.0.53\nnameserver bogus\nnameserver ::1\noptions edns0\n")
    assert addresses.resolv_conf_nameservers(conf) == [("127.0.0.53", 53), ("::1", 53)]
    assert addresses.resolv_conf_nameservers(tmp_path / "missing") == []


@pytest.mark.parametrize("args, message", [
    (["--listen", "nowhere:53"], "bad address 'nowhere:53'"),
    (["--domain", ".."], "bad --domain"),
    (["--upstream", "1.2.3.4:99999"], "port out of range"),
])
def test_cli_bad_input_is_one_line(tmp_path: Path, args, message):
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\n")
    rktnetes = Path(sys.executable).with_name("rktnetes")
    result = subprocess.run([str(rktnetes), "dns", "--kubeconfig", str(kubeconfig), *args], capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 1 and message in result.stderr and len(result.stderr.strip().splitlines()) == 1


async def test_concurrent_forwarded_queries_share_a_socket_and_keep_their_ids():
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(_Upstream, local_addr=("127.0.0.1", 0))
    forwarder = Forwarder([transport.get_extra_info("sockname")], timeout=2)
    try:
        queries = [dns.message.make_query(f"h{i}.example.", "A", id=4242) for i in range(1, 101)]  # one ID for all
        answers = await asyncio.gather(*(forwarder.forward(q.to_wire()) for q in queries))
        parsed = [dns.message.from_wire(a) for a in answers]
        assert all(m.id == 4242 for m in parsed)
        assert [m.answer[0][0].address for m in parsed] == [f"192.0.2.{i}" for i in range(1, 101)]
        assert len(forwarder._sockets) == 1
    finally:
        forwarder.close()
        transport.close()
