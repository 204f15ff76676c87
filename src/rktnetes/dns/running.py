"""``rktnetes dns`` as a library call: informers on Services, EndpointSlices and Namespaces fill the record
index, then the listeners answer from it until cancelled."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from rktnetes.client import interface, sharing
from rktnetes.dns import indexing, names, serving, soa
from rktnetes.dns.answering import Answerer
from rktnetes.dns.forwarding import DEFAULT_TIMEOUT, Address, Forwarder
from rktnetes.dns.indexing import RecordIndex
from rktnetes.dns.lookup import Lookup
from rktnetes.dns.responding import Responder

SLICES = "endpointslices.discovery.k8s.io"


@dataclass
class Config:
    listen: Address = ("127.0.0.1", 53)
    domain: str = "cluster.local"
    upstreams: list[Address] = field(default_factory=list)
    ttl: int = soa.DEFAULT_TTL
    timeout: float = DEFAULT_TIMEOUT


def watch(factory: sharing.InformerFactory, index: RecordIndex) -> None:
    """Keep ``index`` current from the factory's Service, EndpointSlice and Namespace informers."""
    services = factory.informer("services")
    services.add_handlers(lambda o: indexing.apply_service(index, o),
                          lambda _old, new: indexing.apply_service(index, new),
                          lambda o: index.remove_service(o["metadata"].get("namespace", ""), o["metadata"]["name"]))
    namespaces = factory.informer("namespaces")
    namespaces.add_handlers(lambda o: index.set_namespace(o["metadata"]["name"], True), None,
                            lambda o: index.set_namespace(o["metadata"]["name"], False))
    slices = factory.informer(SLICES)
    slices.add_handlers(lambda o: indexing.apply_slice(index, o),
                        lambda _old, new: indexing.apply_slice(index, new),
                        lambda o: index.remove_slice(o["metadata"].get("namespace", ""), o["metadata"]["name"]))


def responder(index: RecordIndex, config: Config) -> Responder:
    origin = names.zone(config.domain)
    return Responder(Answerer(Lookup(index, origin), origin, config.ttl), index)


async def serve(client: interface.Api, config: Config, ready: Callable[[], object] | None = None) -> None:
    """Sync the informers, listen, call ``ready()``, answer until cancelled."""
    index = RecordIndex()
    answers = responder(index, config)
    factory = sharing.InformerFactory(client)
    watch(factory, index)
    factory.start()
    try:
        await factory.wait_for_sync()
        forwarder = Forwarder([u for u in config.upstreams if u != config.listen], config.timeout)
        udp, tcp = await serving.listen(answers, forwarder, config.listen)
        try:
            if ready is not None:
                ready()
            await asyncio.Event().wait()
        finally:
            udp.close()
            tcp.close()
            forwarder.close()
    finally:
        await factory.stop()
