"""The network gate: runc creates a pod's apps while stage1 ADDs the pod's networks, and they start only
once the networks, and the /etc files that name their addresses, are in place.

Why it is built this way: a CNI ADD (plugin and iptables execs, ~20 ms) and runc's creation of a container
(~20 ms) do not depend on each other, and on two cores they take the time of one. Each app's config.json
gets a createRuntime hook, ``flock -s GATE test -s GATE``, which runc runs before it starts the app: it blocks
while stage1 holds the gate's lock, then succeeds only if stage1 wrote into the gate. A failed ADD leaves the
gate empty, so the hook fails and runc undoes the container itself; a supervisor that dies drops the lock
with the gate empty, so its apps never start either. Pods with no CNI network get no hook.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.stage1.errors import Stage1Error


class Gate:
    """Shut (locked and empty) from construction until ``open``; ``shut=False`` makes an open one."""

    def __init__(self, pod: Path, shut: bool) -> None:
        self.pod, self.fd = pod, -1
        if shut:
            flags = os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC  # runc must not inherit the lock
            self.fd = os.open(paths.pod_net_gate_path(pod), flags, 0o600)
            fcntl.flock(self.fd, fcntl.LOCK_EX)

    def hooks(self) -> dict[str, object]:
        """The OCI ``hooks`` an app's config.json needs to wait at this gate (none when it is open)."""
        if self.fd < 0:
            return {}
        gate = str(paths.pod_net_gate_path(self.pod))
        # a shared lock: the apps of one pod go through together once stage1's exclusive one is gone
        return {"createRuntime": [{"path": _tool("flock"), "args": ["flock", "-s", gate, _tool("test"), "-s", gate]}]}

    def open(self, up: bool) -> None:
        """Let the apps go on: to start (``up``) or to fail. Idempotent: only the first call counts."""
        if self.fd < 0:
            return
        try:
            if up:
                os.write(self.fd, b"up\n")
        finally:
            os.close(self.fd)
            self.fd = -1


def _tool(name: str) -> str:
    """The program ``name`` on PATH (``shutil.which`` would load zlib, bz2 and lzma: ~1.5 ms a pod start)."""
    for folder in os.environ.get("PATH", os.defpath).split(os.pathsep):
        path = os.path.join(folder or ".", name)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise Stage1Error(f"{name} not found on PATH (util-linux and coreutils provide it)")
