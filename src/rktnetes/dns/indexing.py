"""The in-memory record index every DNS answer is read from (no API call per query).

Informer handlers call ``set_*``/``remove_*`` inline on the event loop, and queries read on the same loop, so
the index changes only between awaits and needs no lock. Each change bumps ``generation``: the answer cache
keys on it, so no answer computed before a change is ever served after it.
"""

from __future__ import annotations

from collections import Counter

from rktnetes.dns import names, records
from rktnetes.dns.records import Endpoint, Port, Service, Slice

Key = tuple[str, str]  # (namespace, name)
Labels = tuple[str, ...]  # a name relative to the cluster domain, lower case: ("web", "default", "svc")


def endpoint_label(endpoint: Endpoint) -> str:
    """The endpoint's name under its headless Service: its hostname, else its dashed IP (as CoreDNS does)."""
    return endpoint.hostname.lower() or names.dashed(endpoint.ip)


class RecordIndex:
    def __init__(self) -> None:
        self.generation = 0
        self._services: dict[Key, Service] = {}
        self._slices: dict[Key, dict[str, Slice]] = {}  # by service
        self._slice_service: dict[Key, Key] = {}  # slice -> its service
        self._namespaces: Counter[str] = Counter()  # Services per namespace
        self._namespace_objects: set[str] = set()
        self._reverse: dict[str, list[Labels]] = {}
        self._published: dict[Key, list[tuple[str, Labels]]] = {}

    def service(self, namespace: str, name: str) -> Service | None:
        return self._services.get((namespace, name))

    def has_namespace(self, namespace: str) -> bool:
        """True while the Namespace exists or a Service lives in it (so ``<ns>.svc.<domain>`` exists)."""
        return namespace in self._namespace_objects or self._namespaces[namespace] > 0

    def set_namespace(self, namespace: str, present: bool) -> None:
        if present != (namespace in self._namespace_objects):
            (self._namespace_objects.add if present else self._namespace_objects.discard)(namespace)
            self.generation += 1

    def reverse(self, ip: str) -> list[Labels]:
        """The names an IP's PTR record points to (ClusterIPs, and headless endpoints)."""
        return self._reverse.get(ip, [])

    def endpoints(self, service: Service) -> list[Endpoint]:
        """The Service's endpoints that DNS publishes: ready ones (all with publishNotReadyAddresses), one per IP."""
        seen: dict[str, Endpoint] = {}
        for name in sorted(self._slices.get((service.namespace, service.name), {})):
            for endpoint in self._slices[(service.namespace, service.name)][name].endpoints:
                if (endpoint.ready or service.publish_not_ready) and endpoint.ip not in seen:
                    seen[endpoint.ip] = endpoint
        return list(seen.values())

    def endpoint_ports(self, service: Service) -> list[Port]:
        """The named ports of the Service's EndpointSlices (a headless Service's SRV records use these)."""
        ports: dict[Port, None] = {}
        for slice_ in self._slices.get((service.namespace, service.name), {}).values():
            ports.update(dict.fromkeys(p for p in slice_.ports if p.name))
        return list(ports)

    def set_service(self, service: Service) -> None:
        key = (service.namespace, service.name)
        if key not in self._services:
            self._namespaces[service.namespace] += 1
        self._services[key] = service
        self._republish(key)

    def remove_service(self, namespace: str, name: str) -> None:
        if self._services.pop((namespace, name), None) is not None:
            self._namespaces[namespace] -= 1
            self._republish((namespace, name))

    def set_slice(self, slice_: Slice) -> None:
        self.remove_slice(slice_.namespace, slice_.name)
        service = (slice_.namespace, slice_.service)
        self._slices.setdefault(service, {})[slice_.name] = slice_
        self._slice_service[(slice_.namespace, slice_.name)] = service
        self._republish(service)

    def remove_slice(self, namespace: str, name: str) -> None:
        service = self._slice_service.pop((namespace, name), None)
        if service is not None:
            slices = self._slices[service]
            del slices[name]
            if not slices:
                del self._slices[service]
            self._republish(service)

    def _republish(self, key: Key) -> None:
        """Replace the Service's PTR entries by what it publishes now; every change ends here."""
        for ip, labels in self._published.pop(key, []):
            self._reverse[ip].remove(labels)
            if not self._reverse[ip]:
                del self._reverse[ip]
        entries = self._ptr_entries(key)
        for ip, labels in entries:
            self._reverse.setdefault(ip, []).append(labels)
        if entries:
            self._published[key] = entries
        self.generation += 1

    def _ptr_entries(self, key: Key) -> list[tuple[str, Labels]]:
        service = self._services.get(key)
        if service is None:
            return []
        base = (service.name, service.namespace, "svc")
        entries = [(ip, base) for ip in service.cluster_ips]
        if service.headless:
            entries += [(e.ip, (endpoint_label(e), *base)) for e in self.endpoints(service)]
        return entries


def apply_service(index: RecordIndex, obj: records.Obj) -> None:
    index.set_service(records.service_of(obj))


def apply_slice(index: RecordIndex, obj: records.Obj) -> None:
    """Index an EndpointSlice (a slice that no longer names a Service is dropped)."""
    slice_ = records.slice_of(obj)
    if slice_ is None:
        meta = obj.get("metadata") or {}
        index.remove_slice(str(meta.get("namespace") or ""), str(meta.get("name") or ""))
    else:
        index.set_slice(slice_)
