"""Layer tarballs: a directory tree written as a reproducible tar, and gzip with both digests.

Reproducible means the same tree gives the same bytes: members sorted, mtimes clamped, no user or
group names, so a rebuilt image keeps its digests and its image id.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import os
import tarfile
from collections.abc import Iterator
from pathlib import Path

EPOCH = 0
_CHUNK = 1 << 20


@dataclasses.dataclass(frozen=True)
class Blob:
    """A gzip layer: its compressed digest and size, and the digest of the tar inside (the diff id)."""

    path: Path
    digest: str
    size: int
    diff_id: str


def walk(root: Path) -> Iterator[Path]:
    """Every path under ``root`` (not ``root`` itself), sorted, each directory before its contents."""
    with os.scandir(root) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        yield Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            yield from walk(Path(entry.path))


def _normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mtime = EPOCH
    info.uname = info.gname = ""
    return info


def add_tree(tar: tarfile.TarFile, root: Path, prefix: str = "") -> None:
    """Add everything under ``root`` to ``tar``, each named ``prefix`` + its path relative to ``root``."""
    if prefix:
        tar.addfile(_normalise(tar.gettarinfo(str(root), arcname=prefix.rstrip("/"))))
    for path in walk(root):
        info = _normalise(tar.gettarinfo(str(path), arcname=prefix + str(path.relative_to(root))))
        if info.isreg():
            with path.open("rb") as f:
                tar.addfile(info, f)
        else:
            tar.addfile(info)


def write_tar(root: Path, out: Path, prefix: str = "", extra: dict[str, bytes] | None = None) -> None:
    """Write ``root`` as a reproducible tar; ``extra`` files (name -> bytes) come first."""
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in (extra or {}).items():
            info = _normalise(tarfile.TarInfo(name))
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
        add_tree(tar, root, prefix)


def gzip_blob(tar_path: Path, out: Path, level: int = 1) -> Blob:
    """Compress ``tar_path`` into ``out`` (no name, mtime 0), hashing both sides in one pass."""
    raw, packed = hashlib.sha256(), _HashingWriter(out.open("wb"))
    with tar_path.open("rb") as src, gzip.GzipFile(fileobj=packed, mode="wb", compresslevel=level, mtime=0) as gz:
        while chunk := src.read(_CHUNK):
            raw.update(chunk)
            gz.write(chunk)
    packed.close()
    return Blob(out, "sha256:" + packed.sha.hexdigest(), packed.size, "sha256:" + raw.hexdigest())


class _HashingWriter:
    def __init__(self, f) -> None:  # noqa: ANN001 - a binary file object
        self._f, self.sha, self.size = f, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.sha.update(data)
        self.size += len(data)
        return self._f.write(data)

    def flush(self) -> None:
        self._f.flush()

    def close(self) -> None:
        self._f.close()
