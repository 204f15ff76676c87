"""The DNS wire format of what cluster DNS reads and writes (RFC 1035, EDNS0 from RFC 6891), done directly.

dnspython parses and renders any message, at about 300 µs per answer here; this module handles the one shape
that makes up nearly all of the traffic — a standard query with one question and at most an OPT record — in
about a tenth of that. ``parse`` returns None for anything else, which ``answering`` hands to dnspython.
Names inside record data are written whole (compression there is optional); owner names point back into the
question where they share a suffix with it, which is what keeps answers small.
"""

from __future__ import annotations

import socket
import struct
from typing import NamedTuple

Labels = tuple[str, ...]  # a name, lower case, without the root label
QR, AA, TC, RD, RA = 0x8000, 0x0400, 0x0200, 0x0100, 0x0080
OPT = 41
NAME_MAX = 255  # bytes of a name on the wire (RFC 1035)
_HEADER = struct.Struct("!HHHHHH")
_RR = struct.Struct("!HHIH")


class Question(NamedTuple):  # tuples: built for every query, and a NamedTuple is the cheapest record to build
    id: int
    flags: int
    labels: Labels  # lower case
    name: bytes  # the name as the client wrote it (the answer repeats it byte for byte)
    qtype: int
    qclass: int
    edns: bool
    payload: int = 0  # the client's EDNS0 UDP buffer size


class Record(NamedTuple):
    owner: Labels
    rdtype: int
    rdata: bytes


def _name_end(wire: bytes, at: int) -> int:
    """Where the uncompressed name starting at ``at`` ends (past its root label), or -1."""
    size = len(wire)
    while at < size and 0 < wire[at] < 64:
        at += wire[at] + 1
    return at + 1 if at < size and wire[at] == 0 else -1


def _opt_ok(wire: bytes, at: int) -> bool:
    """True when ``wire[at:]`` is exactly one OPT record (owner: the root)."""
    if len(wire) < at + 11 or wire[at] != 0:
        return False
    rdtype, _, _, size = _RR.unpack_from(wire, at + 1)
    return rdtype == OPT and at + 11 + size == len(wire)


def parse(wire: bytes) -> Question | None:
    """The question of a plain standard query (one question, no records but an optional OPT), else None."""
    if len(wire) < 17:
        return None
    qid, flags, qd, an, ns, ar = _HEADER.unpack_from(wire)
    end = _name_end(wire, 12)
    if flags & 0xF800 or qd != 1 or an or ns or ar > 1 or end < 0 or end + 4 > len(wire) or end - 12 > NAME_MAX:
        return None
    if (ar and not _opt_ok(wire, end + 4)) or (not ar and end + 4 != len(wire)):
        return None
    name = wire[12:end]
    qtype, qclass = struct.unpack_from("!HH", wire, end)
    payload = struct.unpack_from("!H", wire, end + 7)[0] if ar else 0
    return Question(qid, flags, labels_of(name.lower()), name, qtype, qclass, bool(ar), payload)


def labels_of(name: bytes) -> Labels:
    """The labels of an uncompressed wire name."""
    labels, at = [], 0
    while name[at]:
        labels.append(name[at + 1:at + 1 + name[at]].decode("latin-1"))
        at += name[at] + 1
    return tuple(labels)


def name(labels: Labels) -> bytes:
    """A whole name on the wire."""
    return b"".join(bytes([len(label)]) + label.encode("latin-1") for label in labels) + b"\0"


def address(ip: str) -> tuple[int, bytes]:
    """(A or AAAA, the address's bytes) of a valid IP."""
    if ":" in ip:
        return 28, socket.inet_pton(socket.AF_INET6, ip)
    return 1, socket.inet_pton(socket.AF_INET, ip)


def srv(priority: int, weight: int, port: int, target: Labels) -> bytes:
    return struct.pack("!HHH", priority, weight, port) + name(target)


def txt(text: str) -> bytes:
    data = text.encode()
    return bytes([len(data)]) + data


def soa(mname: Labels, rname: Labels, serial: int, *times: int) -> bytes:
    return name(mname) + name(rname) + struct.pack("!IIIII", serial, *times)


class Writer:
    """One response being written: owner names are compressed against the question's name."""

    def __init__(self, question: Question) -> None:
        self.question = question
        self.parts: list[bytes] = []
        self._suffixes: dict[Labels, int] | None = None

    def owner(self, labels: Labels) -> bytes:
        if labels == self.question.labels:
            return b"\xc0\x0c"  # the usual case: the question's own name, at offset 12
        suffixes = self._suffixes if self._suffixes is not None else self._offsets()
        for i in range(len(labels)):
            offset = suffixes.get(labels[i:])
            if offset is not None:
                return name(labels[:i])[:-1] + struct.pack("!H", 0xC000 | offset)
        return name(labels)

    def _offsets(self) -> dict[Labels, int]:
        """Where each suffix of the question's name starts in the message."""
        self._suffixes, at = {}, 12
        for i, label in enumerate(self.question.labels):
            self._suffixes[self.question.labels[i:]] = at
            at += len(label) + 1
        return self._suffixes

    def records(self, records: list[Record], ttl: int) -> None:
        for record in records:
            self.parts.append(self.owner(record.owner) + _RR.pack(record.rdtype, 1, ttl, len(record.rdata))
                              + record.rdata)


def response(question: Question, rcode: int, sections: tuple[list[Record], list[Record], list[Record]],
             ttl: int, limit: int, payload: int, authoritative: bool = True) -> bytes:
    """The whole answer; when it is longer than ``limit``, only its header (TC set), question and OPT."""
    flags = QR | (question.flags & RD) | RA | (AA if authoritative else 0) | (rcode & 0xF)
    opt = b"\0" + _RR.pack(OPT, payload, 0, 0) if question.edns else b""
    tail = question.name + struct.pack("!HH", question.qtype, question.qclass)
    writer = Writer(question)
    counts = []
    for section in sections:
        writer.records(section, ttl)
        counts.append(len(section))
    body = tail + b"".join(writer.parts) + opt
    if 12 + len(body) > limit:
        return _HEADER.pack(question.id, flags | TC, 1, 0, 0, int(bool(opt))) + tail + opt
    return _HEADER.pack(question.id, flags, 1, counts[0], counts[1], counts[2] + int(bool(opt))) + body
