"""The cluster domain's SOA and NS data, with CoreDNS's numbers (refresh 7200, retry 1800, expire 86400).

The SOA's minimum, and the TTL it is sent with in a negative answer's authority section, is the record TTL
(5 s by default): a client caches an NXDOMAIN or NODATA no longer than it would cache a positive answer.
"""

from __future__ import annotations

import time

from rktnetes.dns import wire
from rktnetes.dns.wire import Labels

DEFAULT_TTL = 5
REFRESH, RETRY, EXPIRE = 7200, 1800, 86400
_SERIAL = int(time.time()) & 0xFFFFFFFF  # the start time, as CoreDNS's serial is


def nameserver(origin: Labels) -> Labels:
    return ("ns", "dns", *origin)


def rdata(origin: Labels, ttl: int = DEFAULT_TTL) -> bytes:
    """The SOA record data of ``origin``."""
    return wire.soa(nameserver(origin), ("hostmaster", *origin), _SERIAL, REFRESH, RETRY, EXPIRE, ttl)
