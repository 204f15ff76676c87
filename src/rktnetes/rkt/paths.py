"""Every on-disk path of the runtime, from one named helper each (after rkt's ``common/common.go``).

Nothing else in ``rktnetes.rkt`` joins paths under the data directory by hand; add a helper here instead.
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_DIR = Path("/var/lib/rkt")
DEFAULT_SYSTEM_CONFIG = Path("/usr/lib/rkt")
DEFAULT_LOCAL_CONFIG = Path("/etc/rkt")

POD_STATES = ("embryo", "prepare", "prepared", "run", "exited-garbage", "garbage")


def cas_dir(root: Path) -> Path:
    """The image store: blobs, the SQLite index, rendered trees."""
    return root / "cas"


def pods_dir(root: Path) -> Path:
    return root / "pods"


def pod_state_dir(root: Path, state: str) -> Path:
    """One of the folders a pod moves between by rename(2)."""
    if state not in POD_STATES:
        raise ValueError(f"unknown pod state folder {state!r}")
    return pods_dir(root) / state


def tmp_dir(root: Path) -> Path:
    """Scratch space on the same filesystem as the store, so renames into it are atomic."""
    return root / "tmp"


def trusted_keys_dir(config: Path) -> Path:
    return config / "trustedkeys"


def net_d_dir(config: Path) -> Path:
    return config / "net.d"
