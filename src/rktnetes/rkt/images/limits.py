"""How far an image may expand while it is unpacked; past that it is refused as a decompression bomb.

A compressed ACI or layer can grow a thousandfold (gzip) or far more (bzip2, xz) when decompressed, so the
bytes coming out of the decompressor are counted as they are read, and the fetch stops with one line as
soon as they pass the budget: the space free in the store when the unpacking began (an ACI is written
twice, as the kept tar and as its tree, so it gets half), and never more than ``MAX_UNPACKED_BYTES``.
The fetch's scratch space then goes away as on any other error, so a bomb leaves nothing behind and the
disk is never filled.
"""

from __future__ import annotations

import os
from pathlib import Path

from rktnetes.rkt.images.errors import ImageTooLarge

MAX_UNPACKED_BYTES = 64 << 30


class Budget:
    """Uncompressed bytes one image may still unpack; ``spend`` raises ImageTooLarge past the limit."""

    def __init__(self, limit: int, what: str = "image") -> None:
        self.limit, self.what, self.used = limit, what, 0

    @classmethod
    def for_store(cls, where: Path, *, copies: int = 1, what: str = "image") -> Budget:
        """The budget for unpacking into the filesystem holding ``where``, written ``copies`` times."""
        st = os.statvfs(where)
        return cls(min(MAX_UNPACKED_BYTES, st.f_bavail * st.f_frsize // copies), what)

    def spend(self, size: int) -> None:
        self.used += size
        if self.used > self.limit:
            raise ImageTooLarge(f"{self.what} unpacks to more than {_size(self.limit)} (what the store has room "
                                f"for, at most {_size(MAX_UNPACKED_BYTES)}): refused as a decompression bomb")


def _size(size: int) -> str:
    return f"{size / (1 << 30):.0f} GiB" if size >= 1 << 30 else f"{size / (1 << 20):.0f} MiB"
