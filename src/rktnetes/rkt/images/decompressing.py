"""Opening a layer blob as its uncompressed tar stream: gzip, zstd or plain, told apart by magic bytes.

gzip is read in-process. zstd goes through Debian's ``zstd`` binary on a pipe: Python 3.11 has no zstd
module, the binary is the reference decoder, and a pipe streams a layer of any size in constant memory
while the tar reader consumes it. Leaving early (a bad member, a decompression bomb) kills the decoder;
a decoder that fails on a corrupt frame is reported like a corrupt gzip stream.
"""

from __future__ import annotations

import gzip
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from rktnetes.rkt.images import errors

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_ZSTD_TIMEOUT = 600


@contextmanager
def opened(layer: Path) -> Iterator[BinaryIO]:
    """The uncompressed bytes of ``layer``; raises ImageError if its zstd decoder fails."""
    with layer.open("rb") as f:
        head = f.read(len(ZSTD_MAGIC))
        f.seek(0)
        if head.startswith(ZSTD_MAGIC):
            with _zstd(layer) as stream:
                yield stream
        elif head.startswith(GZIP_MAGIC):
            yield gzip.GzipFile(fileobj=f)  # type: ignore[misc]
        else:
            yield f


@contextmanager
def _zstd(layer: Path) -> Iterator[BinaryIO]:
    try:
        decoder = subprocess.Popen(["zstd", "--decompress", "--stdout", "--quiet", "--", str(layer)],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except FileNotFoundError:
        raise errors.FetchError("zstd layers need the zstd program (Debian package zstd)") from None
    finished = False
    try:
        assert decoder.stdout is not None
        yield decoder.stdout
        finished = True
    finally:
        if not finished:
            decoder.kill()
        _, stderr = decoder.communicate(timeout=_ZSTD_TIMEOUT)
    if decoder.returncode != 0:
        detail = (stderr.decode(errors="replace").strip().splitlines() or ["zstd failed"])[-1]
        raise errors.ImageError(f"layer {layer.name[:12]} is corrupt: {detail}")
