import asyncio

from rktnetes.rkt.images import http


class _Trickle:
    """A stream that hands out at most 3 bytes a read, as a socket under load may."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    async def read(self, n: int) -> bytes:
        chunk, self.data = self.data[:min(n, 3)], self.data[min(n, 3):]
        return chunk


def test_a_small_document_is_read_whole_however_it_arrives():
    assert asyncio.run(http._read_up_to(_Trickle(b"0123456789"), 100)) == b"0123456789"


def test_reading_stops_past_the_limit():
    assert asyncio.run(http._read_up_to(_Trickle(b"0123456789"), 5)) == b"01234"
