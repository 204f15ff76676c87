"""App user and group, by number or by name looked up in the app's own ``/etc/passwd`` and ``/etc/group``."""

from __future__ import annotations

from pathlib import Path

from rktnetes.rkt.stage1.errors import Stage1Error


def _entries(path: Path) -> list[list[str]]:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return []
    return [line.split(":") for line in text.splitlines() if line and not line.startswith("#")]


def _lookup(rootfs: Path, table: str, name: str, what: str) -> int:
    if name.isdigit():
        return int(name)
    for fields in _entries(rootfs / "etc" / table):
        if len(fields) > 2 and fields[0] == name and fields[2].isdigit():
            return int(fields[2])
    raise Stage1Error(f"{what} {name!r} not found in the image's /etc/{table}")


def uid(rootfs: Path, user: str) -> int:
    return _lookup(rootfs, "passwd", user, "user")


def gid(rootfs: Path, group: str) -> int:
    return _lookup(rootfs, "group", group, "group")


def home(rootfs: Path, user_id: int) -> str:
    for fields in _entries(rootfs / "etc" / "passwd"):
        if len(fields) > 5 and fields[2] == str(user_id):
            return fields[5] or "/"
    return "/root" if user_id == 0 else "/"
