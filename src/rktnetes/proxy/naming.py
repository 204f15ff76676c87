"""Names inside the proxy's own nftables table: every chain and set name comes from here.

Per-Service names end in the readable ``namespace/name/protocol/port-name`` (nft allows ``/`` in names) and
start with a short hash of the whole, as kube-proxy's do, so two ports never share a chain even when their
readable parts would collide after truncation.
"""

from __future__ import annotations

import base64
import functools
import hashlib

from rktnetes.proxy.serviceports import Endpoint, ServicePort

FAMILY = "ip"
TABLE = "rktnetes"
MASQUERADE_MARK = "0x4000"

SERVICE_IPS = "service-ips"
SERVICE_NODEPORTS = "service-nodeports"
NO_ENDPOINT_SERVICES = "no-endpoint-services"
NO_ENDPOINT_NODEPORTS = "no-endpoint-nodeports"
NODEPORT_ADDRESSES = "nodeport-addresses"

SERVICES = "services"
MASQUERADING = "masquerading"
MARK_FOR_MASQUERADE = "mark-for-masquerade"
REJECT = "reject-chain"
SERVICE_ENDPOINTS_CHECK = "service-endpoints-check"
NODEPORT_ENDPOINTS_CHECK = "nodeport-endpoints-check"


def _hash(text: str) -> str:
    return base64.b32encode(hashlib.sha256(text.encode()).digest())[:8].decode()


@functools.lru_cache(maxsize=1 << 16)
def _named(prefix: str, text: str) -> str:
    """Cached: every sync asks again for the names of every unchanged Service (base32 is pure Python)."""
    return f"{prefix}-{_hash(text)}-{text}"


def service_chain(port: ServicePort) -> str:
    """Traffic to the cluster IP: picks one endpoint."""
    return _named("svc", port.id)


def external_chain(port: ServicePort) -> str:
    """Traffic to a NodePort or external IP: masquerades (policy Cluster) then picks one endpoint."""
    return _named("ext", port.id)


def endpoint_chain(port: ServicePort, endpoint: Endpoint) -> str:
    return _named("ep", f"{port.id}__{endpoint.ip}/{endpoint.port}")


def affinity_set(port: ServicePort, endpoint: Endpoint) -> str:
    """Clients recently sent to this endpoint (session affinity ClientIP), forgotten after the timeout."""
    return _named("aff", f"{port.id}__{endpoint.ip}/{endpoint.port}")


def table_ref() -> str:
    return f"{FAMILY} {TABLE}"
