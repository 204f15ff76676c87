"""Applying image layers in order onto one rootfs, with OCI/AUFS whiteouts (``.wh.NAME``, ``.wh..wh..opq``).

Each member's parent is resolved inside the rootfs as a chroot would resolve it (``rootfs.inside``), so
links from lower layers cannot redirect a write outside the tree; the member itself replaces whatever
was there and is never followed. An opaque whiteout hides what lower layers put in its directory but keeps
what the same layer adds, whatever order the tar lists them in. Device nodes, absolute or ``..`` names,
and links that leave the rootfs are refused. The uncompressed stream is hashed against the diff id.
"""

from __future__ import annotations

import gzip
import hashlib
import posixpath
import shutil
import tarfile
import zlib
from pathlib import Path
from typing import BinaryIO

from rktnetes.rkt.images import decompressing, errors, limits, rootfs, tarsafe

WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"


class _Hashing:
    """A read-only stream that hashes what passes through it and counts it against a budget."""

    def __init__(self, raw: BinaryIO, budget: limits.Budget) -> None:
        self.raw, self.budget, self.sha = raw, budget, hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.budget.spend(len(data))
        self.sha.update(data)
        return data


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.is_symlink() or path.exists():
        path.unlink()


def _clear_lower(directory: Path, rel: str, added: set[str]) -> None:
    """Remove what lower layers left in ``directory``, keeping entries this layer added."""
    if not directory.is_dir() or directory.is_symlink():
        return
    for child in list(directory.iterdir()):
        name = f"{rel}/{child.name}" if rel else child.name
        if name not in added:
            _remove(child)
        elif child.is_dir() and not child.is_symlink():
            _clear_lower(child, name, added)


def _check_link(member: tarfile.TarInfo, name: str) -> None:
    if member.ischr() or member.isblk():
        raise errors.UnsafeArchiveError(f"layer member {member.name!r} is a device node")
    if member.issym() and not member.linkname.startswith("/"):
        target = posixpath.normpath(posixpath.join(posixpath.dirname(name), member.linkname))
        if target == ".." or target.startswith("../"):
            raise errors.UnsafeArchiveError(f"symlink {name!r} -> {member.linkname!r} escapes the rootfs")


def _place(tar: tarfile.TarFile, member: tarfile.TarInfo, root: Path, name: str) -> str:
    """Extract one member at its in-tree resolved place; returns its path relative to the rootfs."""
    dest = rootfs.inside(root, "/" + name)
    rel = str(dest.relative_to(root))
    if not (member.isdir() and dest.is_dir() and not dest.is_symlink()):
        _remove(dest)
    if not dest.parent.is_dir():
        dest.parent.mkdir(parents=True, exist_ok=True)
    link = ""
    if member.islnk():
        link = str(rootfs.inside(root, "/" + tarsafe.clean_name(member.linkname)).relative_to(root))
    tar.extract(member.replace(name=rel, linkname=link or member.linkname, deep=False), root,
                numeric_owner=True, filter="fully_trusted")
    return rel


def _apply_member(tar: tarfile.TarFile, member: tarfile.TarInfo, root: Path, added: set[str],
                  opaque: list[str]) -> None:
    name = tarsafe.clean_name(member.name)
    if not name:
        return
    parent, base = posixpath.split(name)
    if base == OPAQUE:
        opaque.append(str(rootfs.inside(root, "/" + parent).relative_to(root)) if parent else "")
    elif base.startswith(WHITEOUT):
        _remove(rootfs.inside(root, "/" + posixpath.join(parent, base[len(WHITEOUT):])))
    else:
        _check_link(member, name)
        added.add(_place(tar, member, root, name))


def _next(tar: tarfile.TarFile) -> tarfile.TarInfo | None:
    """The next member; a stream that ends right after the last member's data (no padding, no end
    blocks, as umoci writes) ends the archive, as Go's archive/tar reads it. Digests guard the content."""
    try:
        return tar.next()
    except tarfile.ReadError as exc:
        if str(exc) == "unexpected end of data":
            return None
        raise


def apply_layer(layer: Path, root: Path, diff_id: str | None = None, budget: limits.Budget | None = None) -> None:
    """Apply a gzip, zstd or plain layer tar onto ``root``; checks ``diff_id`` when given. ``budget`` (shared by
    an image's layers; default: ``limits.MAX_UNPACKED_BYTES``) bounds what the layer may unpack."""
    added: set[str] = set()
    opaque: list[str] = []
    with decompressing.opened(layer) as raw:
        stream = _Hashing(raw, budget or limits.Budget(limits.MAX_UNPACKED_BYTES))
        try:
            with tarfile.open(fileobj=stream, mode="r|") as tar:  # type: ignore[call-overload]
                while (member := _next(tar)) is not None:
                    _apply_member(tar, member, root, added, opaque)
            while stream.read(1 << 20):
                pass
        except (tarfile.TarError, EOFError, gzip.BadGzipFile, OSError, zlib.error) as exc:
            raise errors.ImageError(f"layer {layer.name[:12]} is corrupt: {exc}") from None
    for rel in opaque:
        _clear_lower(root / rel if rel else root, rel, added)
    if diff_id and "sha256:" + stream.sha.hexdigest() != diff_id:
        raise errors.ImageError(f"layer {layer.name[:12]}: uncompressed digest does not match diff id {diff_id[:19]}")
