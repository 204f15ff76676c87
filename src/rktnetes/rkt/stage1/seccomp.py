"""Seccomp profiles for runc: the default allow-list, or an app's retain/remove set isolator."""

from __future__ import annotations

import errno
import json
import os
from functools import cache
from pathlib import Path

from rktnetes.rkt.stage1.errors import Stage1Error

# The filter covers the kernel's native syscall table (libseccomp's default when no architecture is named);
# a compat table (32-bit x86 or ARM) is added only for an image built for it. Compiling the allow-list for
# x86_64, x86 and x32 every time cost runc ~15 ms per app; a syscall through a table the filter does not
# cover kills the process, so an amd64 app loses nothing it may use but the 32-bit entry points.
NATIVE = {"x86_64": "SCMP_ARCH_X86_64", "aarch64": "SCMP_ARCH_AARCH64", "ppc64le": "SCMP_ARCH_PPC64LE",
          "s390x": "SCMP_ARCH_S390X"}
COMPAT = {("x86_64", "i386"): "SCMP_ARCH_X86", ("aarch64", "armv7l"): "SCMP_ARCH_ARM",
          ("aarch64", "armv6l"): "SCMP_ARCH_ARM"}
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


def architectures(image_arch: str | None, machine: str | None = None) -> list[str]:
    """The tables to filter: none named (the native one only) unless the image is built for a compat one."""
    machine = machine or os.uname().machine
    compat = COMPAT.get((machine, image_arch or ""))
    return [NATIVE[machine], compat] if compat and machine in NATIVE else []


def profile(isolators: dict[str, object], image_arch: str | None = None) -> dict[str, object]:
    """Allow the default list; a retain set allows only its syscalls; a remove set denies its syscalls."""
    retain, remove = isolators.get("os/linux/seccomp-retain-set"), isolators.get("os/linux/seccomp-remove-set")
    if remove:
        ret = _errno(remove.get("errno"))
        doc = {"defaultAction": "SCMP_ACT_ALLOW",
               "syscalls": [{"names": _names(remove["set"]), "action": "SCMP_ACT_ERRNO", "errnoRet": ret}]}
    else:
        allowed = _names(retain["set"]) if retain else default_allow()
        doc = {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": _errno(retain.get("errno") if retain else None),
               "syscalls": [{"names": allowed, "action": "SCMP_ACT_ALLOW"}]}
    arches = architectures(image_arch)
    return {**doc, "architectures": arches} if arches else doc
