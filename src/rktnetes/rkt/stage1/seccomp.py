"""Seccomp profiles for runc: the default allow-list, or an app's retain/remove set isolator."""

from __future__ import annotations

import errno
import json
from functools import cache
from pathlib import Path
from typing import Any

from rktnetes.rkt.stage1.errors import Stage1Error

ARCHES = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]
_DEFAULT_FILE = Path(__file__).with_name("default_seccomp.json")
DEFAULT_GROUPS = ("@rkt/default-whitelist", "@docker/default-whitelist", "@default")


@cache
def default_allow() -> list[str]:
    return json.loads(_DEFAULT_FILE.read_text())["allow"]


def _errno(name: str | None) -> int:
    if name is None:
        return errno.EPERM
    if not hasattr(errno, name):
        raise Stage1Error(f"unknown errno {name!r} in seccomp isolator")
    return getattr(errno, name)


def _names(words: list[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        out.extend(default_allow() if word in DEFAULT_GROUPS else [word])
    return out


def profile(isolators: dict[str, Any]) -> dict[str, Any]:
    """Allow the default list; a retain set allows only its syscalls; a remove set denies its syscalls."""
    retain, remove = isolators.get("os/linux/seccomp-retain-set"), isolators.get("os/linux/seccomp-remove-set")
    if remove:
        ret = _errno(remove.get("errno"))
        rules = [{"names": _names(remove["set"]), "action": "SCMP_ACT_ERRNO", "errnoRet": ret}]
        return {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ARCHES, "syscalls": rules}
    allowed = _names(retain["set"]) if retain else default_allow()
    ret = _errno(retain.get("errno") if retain else None)
    return {
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": ret,
        "architectures": ARCHES,
        "syscalls": [{"names": allowed, "action": "SCMP_ACT_ALLOW"}],
    }
