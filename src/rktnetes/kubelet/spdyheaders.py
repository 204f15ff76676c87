"""SPDY/3 header blocks: the name/value pairs of SYN_STREAM, SYN_REPLY and HEADERS, zlib-compressed.

A block is a 32-bit pair count, then each name and value as a 32-bit length and its bytes (several values of
one name are joined by NUL). Each direction of a session is ONE zlib stream, primed with the dictionary of
the SPDY/3 draft (§2.6.10.1) and flushed with Z_SYNC_FLUSH after every block, so the two ends must compress
and decompress blocks in the order the frames travel — a ``Codec`` belongs to one session.
"""

from __future__ import annotations

import struct
import zlib

# the draft's dictionary: length-prefixed words, then a run of plain text (1423 bytes)
_WORDS = ("options head post put delete trace accept accept-charset accept-encoding accept-language "
          "accept-ranges age allow authorization cache-control connection content-base content-encoding "
          "content-language content-length content-location content-md5 content-range content-type date etag "
          "expect expires from host if-match if-modified-since if-none-match if-range if-unmodified-since "
          "last-modified location max-forwards pragma proxy-authenticate proxy-authorization range referer "
          "retry-after server te trailer transfer-encoding upgrade user-agent vary via warning www-authenticate "
          "method get status 200_OK version HTTP/1.1 url public set-cookie keep-alive origin")
_TEXT = ("100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
         "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized"
         "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable"
         "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT"
         "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,"
         "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.")
DICTIONARY = b"".join(struct.pack(">I", len(w)) + w.replace("_", " ").encode() for w in _WORDS.split()) + _TEXT.encode()

Headers = dict[str, list[str]]


class HeaderError(ValueError):
    """A header block that does not decode (a protocol error: the session cannot go on)."""


def encode(headers: Headers) -> bytes:
    """The uncompressed block: names lowercased, several values NUL-joined."""
    out = [struct.pack(">I", len(headers))]
    for name, values in headers.items():
        key, value = name.lower().encode(), "\0".join(values).encode()
        out += [struct.pack(">I", len(key)), key, struct.pack(">I", len(value)), value]
    return b"".join(out)


def _chunk(block: bytes, at: int) -> tuple[bytes, int]:
    if at + 4 > len(block):
        raise HeaderError("header block truncated")
    size = struct.unpack_from(">I", block, at)[0]
    if at + 4 + size > len(block):
        raise HeaderError("header block truncated")
    return block[at + 4:at + 4 + size], at + 4 + size


def decode(block: bytes) -> Headers:
    """The pairs of an uncompressed block (zero-length names are skipped, as the draft asks)."""
    if len(block) < 4:
        raise HeaderError("header block truncated")
    count, at = struct.unpack_from(">I", block, 0)[0], 4
    headers: Headers = {}
    for _ in range(count):
        name, at = _chunk(block, at)
        value, at = _chunk(block, at)
        if name:
            headers[name.decode(errors="replace")] = value.decode(errors="replace").split("\0")
    return headers


class Codec:
    """One session's two zlib streams: ``pack`` for the blocks it sends, ``unpack`` for those it receives."""

    def __init__(self) -> None:
        self._out = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, 15, zdict=DICTIONARY)
        self._in = zlib.decompressobj(zdict=DICTIONARY)

    def pack(self, headers: Headers) -> bytes:
        return self._out.compress(encode(headers)) + self._out.flush(zlib.Z_SYNC_FLUSH)

    def unpack(self, compressed: bytes) -> Headers:
        try:
            return decode(self._in.decompress(compressed))
        except zlib.error as exc:
            raise HeaderError(f"header block does not decompress: {exc}") from None
