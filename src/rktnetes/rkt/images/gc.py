"""``rkt image gc``: remove images unused for longer than a grace period, orphaned trees/blobs and stale scratch.

Orphans (a tree or blob with no index row) are what a fetch killed between rename and insert leaves; gc takes
the image's lock before deleting one, so it never races a fetch that is about to insert that row.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path
from typing import NamedTuple

from rktnetes.rkt import paths
from rktnetes.rkt.images import index, locking, scratch
from rktnetes.rkt.images.errors import ImageError
from rktnetes.rkt.images.store import ImageStore

SCRATCH_MAX_AGE = 3600.0
ABANDONED_AGE = 60.0  # covers the instant between creating a scratch entry and locking it
_LIVE_POD_STATES = ("embryo", "prepare", "prepared", "run")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


class GcReport(NamedTuple):
    images: list[str]
    orphans: list[str]
    scratch: list[str]


def parse_duration(text: str) -> float:
    """A Go-style duration (``24h0m0s``, ``90s``, ``0``) in seconds."""
    if text.strip() == "0":
        return 0.0
    parts = _DURATION.findall(text.strip())
    if not parts or "".join(n + u for n, u in parts) != text.strip():
        raise ImageError(f"invalid duration {text!r} (e.g. 24h0m0s, 10m, 30s)")
    return sum(float(n) * _UNIT_SECONDS[u] for n, u in parts)


def referenced_images(root: Path) -> set[str]:
    """Ids of the images that pods not yet garbage still use (from their appc pod manifests)."""
    used: set[str] = set()
    for state in _LIVE_POD_STATES:
        folder = paths.pod_state_dir(root, state)
        for pod in folder.iterdir() if folder.is_dir() else ():
            try:
                doc = json.loads(paths.pod_manifest_path(pod).read_bytes())
            except (OSError, ValueError):
                continue
            used.update(str(app.get("image", {}).get("id", "")) for app in doc.get("apps") or [])
    return used


def collect(store: ImageStore, grace_period: float, *, now: float | None = None) -> GcReport:
    now = time.time() if now is None else now
    used = referenced_images(store.root)
    images = [info.id for info in store.list() if info.last_used < now - grace_period and info.id not in used]
    for image_id in images:
        store.remove(image_id)
    report = GcReport(images, _remove_orphans(store), _remove_scratch(store, now))
    _remove_idle_locks(store)
    return report


def _remove_orphans(store: ImageStore) -> list[str]:
    removed = []
    for folder in (paths.cas_dir(store.root) / "tree", paths.cas_dir(store.root) / "blobs"):
        for entry in sorted(folder.iterdir()) if folder.is_dir() else ():
            with locking.exclusive(paths.cas_lock_path(store.root, entry.name)):
                if index.get(store.db, entry.name) is None:
                    _delete(entry)
                    removed.append(str(entry))
    return removed


def _remove_idle_locks(store: ImageStore) -> None:
    """Lock files of images no longer stored (they are tiny, but one per image ever fetched adds up)."""
    folder = paths.cas_lock_path(store.root, "x").parent
    for lock in sorted(folder.iterdir()) if folder.is_dir() else ():
        if index.get(store.db, lock.name) is None:
            locking.remove_if_idle(lock)


def _remove_scratch(store: ImageStore, now: float) -> list[str]:
    """Unlocked store scratch a minute old (a killed fetch's), and anything else an hour old."""
    removed = []
    for entry in sorted(paths.cas_tmp_dir(store.root).iterdir()):
        age = now - entry.lstat().st_mtime
        if entry.name.startswith(scratch.PREFIXES):
            doomed = age > ABANDONED_AGE and scratch.abandoned(entry)
        else:
            doomed = age > SCRATCH_MAX_AGE
        if doomed:
            _delete(entry)
            removed.append(str(entry))
    return removed


def _delete(entry: Path) -> None:
    if entry.is_dir() and not entry.is_symlink():
        shutil.rmtree(entry, ignore_errors=True)
    else:
        entry.unlink(missing_ok=True)
