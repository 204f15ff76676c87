"""Running a command inside the network namespace the proxy programs, and refusing the host's own.

The proxy process itself stays in the namespace it was started in (its /healthz listens there, on
loopback); only the ``nft`` and ``conntrack`` commands it runs enter ``--netns``, through ``nsenter``.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from rktnetes.proxy import errors

TIMEOUT = 60.0
HOST_NETNS = Path("/proc/1/ns/net")
SELF_NETNS = Path("/proc/self/ns/net")


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except PermissionError:
        return None
    return st.st_dev, st.st_ino


def check(netns: Path | None) -> None:
    """Raise unless ``netns`` names a network namespace other than the host's: pid 1's, or, when that one
    cannot be looked at, the namespace this process was started in (the proxy is then only ever run with
    ``--netns``)."""
    target = netns or SELF_NETNS
    if not target.exists():
        raise errors.NamespaceError(f"no network namespace at {target}")
    host = _identity(HOST_NETNS) or _identity(SELF_NETNS)
    if _identity(target) == host:
        raise errors.NamespaceError(f"{target} is the host's own network namespace: refusing to program it "
                                    "(pass --netns of a node namespace)")


def run(netns: Path | None, argv: list[str], stdin: str | None = None,
        timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    """``argv`` inside ``netns`` (or here, when None), its output captured as text; never raises on exit status."""
    prefix = ["nsenter", f"--net={netns}"] if netns is not None else []
    return subprocess.run([*prefix, *argv], input=stdin, capture_output=True, text=True, timeout=timeout,
                          check=False)
