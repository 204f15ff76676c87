"""mount(2)/umount2(2) through libc, and the mount table, for overlays, binds and namespace files."""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

from rktnetes.rkt.stage1.errors import Stage1Error

MS_RDONLY, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
_libc = ctypes.CDLL(None, use_errno=True)


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise Stage1Error(f"{what}: {os.strerror(err)}")


def mount(source: str, target: Path, fstype: str, flags: int = 0, data: str = "") -> None:
    ret = _libc.mount(source.encode(), str(target).encode(), fstype.encode(), flags, data.encode() or None)
    _check(ret, f"mount {fstype} on {target}")


def overlay(lower: Path | str, upper: Path, work: Path, target: Path) -> None:
    """An app's rootfs; ``volatile``: the upper dir is scratch, so unmounting need not sync it to disk."""
    mount("overlay", target, "overlay", 0, f"lowerdir={lower},upperdir={upper},workdir={work},volatile")


def bind(source: Path | str, target: Path, *, recursive: bool = False) -> None:
    mount(str(source), target, "", MS_BIND | (MS_REC if recursive else 0))


def umount(target: Path, *, detach: bool = True) -> bool:
    """Unmount ``target``; False if it was not mounted."""
    ret = _libc.umount2(str(target).encode(), MNT_DETACH if detach else 0)
    if ret != 0 and ctypes.get_errno() in (22, 2):  # EINVAL: not a mount point; ENOENT: gone
        return False
    _check(ret, f"umount {target}")
    return True


def _unescape(field: str) -> str:
    return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")


def mounts_under(prefix: Path) -> list[Path]:
    """Mount points at or below ``prefix``, deepest first (the order to unmount them in)."""
    base = str(prefix).rstrip("/")
    found = []
    with open("/proc/self/mountinfo") as table:
        for line in table:
            point = _unescape(line.split()[4])
            if point == base or point.startswith(base + "/"):
                found.append(Path(point))
    return sorted(set(found), key=lambda p: -len(p.parts))


def umount_all(prefix: Path) -> None:
    """Detach every mount at or below ``prefix`` (stacked mounts included)."""
    for _ in range(8):
        points = mounts_under(prefix)
        if not points:
            return
        for point in points:
            umount(point)
