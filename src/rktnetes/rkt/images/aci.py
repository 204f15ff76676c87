"""Reading and writing ACIs (appc image archives): a tar, maybe compressed, of ``manifest`` + ``rootfs/``.

An image's id is the sha512 of its *uncompressed* tar, so reading spools the decompressed bytes to a file
while hashing them, and writing produces a deterministic tar (sorted names, fixed times, no user names) so
that writing the same tree twice gives the same id.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import lzma
import os
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from rktnetes.rkt.images import ids, limits, manifest, tarsafe
from rktnetes.rkt.images.errors import ImageError

_CHUNK = 1 << 20
_TAR_BUFFER = 256 << 10  # tarfile re-slices its stream buffer per header: bigger is not faster
_MAGIC = (
    (b"\x1f\x8b", lambda f: gzip.GzipFile(fileobj=f)),
    (b"BZh", bz2.BZ2File),
    (b"\xfd7zXZ\x00", lzma.LZMAFile),
)


class _Prefixed:
    """A read-only stream that replays the bytes already read to sniff the format (works on pipes)."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self.head, self.rest = head, rest

    def read(self, size: int = -1) -> bytes:
        if not self.head:
            return self.rest.read(size)
        if size < 0:
            data, self.head = self.head + self.rest.read(), b""
            return data
        data, self.head = self.head[:size], self.head[size:]
        return data if data else self.rest.read(size)


def decompressed(src: BinaryIO) -> BinaryIO:
    """Wrap ``src`` in the decompressor its magic bytes call for."""
    head = src.read(6)
    stream: Any = _Prefixed(head, src)
    for magic, opener in _MAGIC:
        if head.startswith(magic):
            return opener(stream)  # type: ignore[operator,no-any-return]
    return stream


class _Tee:
    """Reads a stream, hashing, counting against a budget and copying every byte it hands out."""

    def __init__(self, stream: BinaryIO, out: BinaryIO, budget: limits.Budget) -> None:
        self.stream, self.out, self.budget, self.digest = stream, out, budget, hashlib.sha512()

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.budget.spend(len(data))
        self.digest.update(data)
        self.out.write(data)
        return data


def spool_checked(src: BinaryIO, out: BinaryIO, budget: limits.Budget | None = None) -> tuple[str, dict[str, Any]]:
    """In one pass: decompress ``src`` into ``out``, hash it, check every member and the manifest, and stop
    once more than ``budget`` (default: no more than ``limits.MAX_UNPACKED_BYTES``) came out.

    Returns the image id and the manifest; raises before the caller has stored anything.
    """
    tee = _Tee(decompressed(src), out, budget or limits.Budget(limits.MAX_UNPACKED_BYTES))
    try:
        with tarfile.open(fileobj=tee, mode="r|", bufsize=_TAR_BUFFER) as tar:  # type: ignore[call-overload]
            raw = tarsafe.check_members(tar)
        while tee.read(_CHUNK):  # the end-of-archive padding counts for the id too
            pass
    except tarfile.TarError as exc:
        raise ImageError(f"image is not a tar archive (or is truncated): {exc}") from None
    except (OSError, EOFError, lzma.LZMAError) as exc:
        raise ImageError(f"cannot decompress image: {exc}") from None
    return ids.from_hexdigest(tee.digest.hexdigest()), manifest.parse(raw)


class _HashingWriter:
    def __init__(self, out: BinaryIO) -> None:
        self.out, self.digest = out, hashlib.sha512()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.out.write(data)


def write_aci(doc: dict[str, Any], rootfs: Path, out: BinaryIO) -> str:
    """Write ``doc`` and the tree at ``rootfs`` as an uncompressed, deterministic ACI; returns its id."""
    manifest.validate(doc)
    writer = _HashingWriter(out)
    with tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar:  # type: ignore[call-overload]
        raw = manifest.dumps(doc)
        info = _normalise(tarfile.TarInfo("manifest"))
        info.size, info.mode = len(raw), 0o644
        tar.addfile(info, io.BytesIO(raw))
        for path in _walk_sorted(rootfs):
            arcname = "rootfs" if path == rootfs else "rootfs/" + path.relative_to(rootfs).as_posix()
            _add(tar, path, arcname)
    return ids.from_hexdigest(writer.digest.hexdigest())


def _add(tar: tarfile.TarFile, path: Path, arcname: str) -> None:
    info = tar.gettarinfo(str(path), arcname)
    if info is None:  # sockets cannot be archived
        return
    info = _normalise(info)
    if info.isreg():
        with open(path, "rb") as fh:
            tar.addfile(info, fh)
    else:
        tar.addfile(info)


def _normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mtime, info.uname, info.gname = 0, "", ""
    return info


def _walk_sorted(top: Path) -> Iterator[Path]:
    yield top
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        here = Path(dirpath)
        for name in sorted(dirnames + filenames):
            yield here / name


def manifest_name(path: Path) -> str:
    """The ``name`` in an ACI's manifest, found by streaming the (possibly compressed) tar."""
    try:
        with open(path, "rb") as raw, tarfile.open(fileobj=decompressed(raw), mode="r|") as tar:
            for member in tar:
                if tarsafe.clean_name(member.name) == "manifest":
                    return str(manifest.parse(tarsafe.read_manifest(tar, member))["name"])
    except (tarfile.TarError, OSError, EOFError, lzma.LZMAError) as exc:
        raise ImageError(f"{path} is not a valid ACI: {exc}") from None
    raise ImageError(f"{path} is not a valid ACI: no manifest")
