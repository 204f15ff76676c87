"""The cluster domain's SOA and NS data, with CoreDNS's numbers (refresh 7200, retry 1800, expire 86400).

The SOA's minimum, and the TTL it is sent with in a negative answer's authority section, is the record TTL
(5 s by default): a client caches an NXDOMAIN or NODATA no longer than it would cache a positive answer.
"""

from __future__ import annotations

import time

import dns.name
from dns.rdataclass import IN
from dns.rdatatype import SOA
from dns.rdtypes.ANY.SOA import SOA as SOAData

DEFAULT_TTL = 5
REFRESH, RETRY, EXPIRE = 7200, 1800, 86400
_SERIAL = int(time.time()) & 0xFFFFFFFF


def nameserver(origin: dns.name.Name) -> dns.name.Name:
    return dns.name.Name((b"ns", b"dns", *origin.labels))


def rdata(origin: dns.name.Name, ttl: int = DEFAULT_TTL) -> SOAData:
    """The SOA of ``origin``; its serial is the start time, as CoreDNS's is."""
    return SOAData(IN, SOA, nameserver(origin), dns.name.Name((b"hostmaster", *origin.labels)),
                   _SERIAL, REFRESH, RETRY, EXPIRE, ttl)

