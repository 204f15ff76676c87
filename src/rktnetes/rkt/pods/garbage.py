"""Garbage collection and removal of pods (``rkt gc``, ``rkt rm``).

gc first marks: exited pods move ``run`` → ``exited-garbage``, aborted prepares and expired prepared pods
move to ``garbage`` (the folder is touched, so the grace period counts from the mark). It then deletes
marked pods whose grace period has passed. A pod is deleted under its own lock, after ``teardown`` has
undone whatever its stage1 left (containers, mounts, networks, namespaces, cgroups); its folder is
removed only once nothing is mounted below it, so a host volume is never walked into.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

from rktnetes.rkt.pods import errors, state
from rktnetes.rkt.stage1 import mounting, teardown


def mark(root: Path, expire_prepared: float, now: float) -> list[state.Pod]:
    marked = []
    for pod in state.all_pods(root):
        status = pod.status()
        if status is state.Status.EXITED:
            marked.append(_mark(pod, "exited-garbage"))
        elif status is state.Status.ABORTED_PREPARE or _expired(pod, status, now - expire_prepared):
            marked.append(_mark(pod, "garbage"))
    return marked


def _expired(pod: state.Pod, status: state.Status, before: float) -> bool:
    return status is state.Status.PREPARED and _mtime(pod.path) < before


def _mark(pod: state.Pod, folder: str) -> state.Pod:
    moved = state.transition(pod, folder)
    os.utime(moved.path)
    return moved


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return time.time()


def sweep(root: Path, grace: float, now: float) -> list[str]:
    """Delete marked pods older than ``grace`` (and embryos nobody holds); returns their uuids."""
    deleted = []
    for pod in state.all_pods(root):
        if pod.folder == "embryo" and not pod.locked():
            shutil.rmtree(pod.path, ignore_errors=True)
        elif pod.folder in ("garbage", "exited-garbage") and now - _mtime(pod.path) >= grace and delete(pod):
            deleted.append(pod.uuid)
    return deleted


def delete(pod: state.Pod) -> bool:
    """Tear down and remove one marked pod; False if another process holds it."""
    try:
        fd = state.lock(pod.path)
    except (errors.PodLocked, FileNotFoundError):
        return False
    try:
        teardown.teardown(pod.path, pod.uuid)
        left = mounting.mounts_under(pod.path)
        if left:
            print(f"gc: pod {pod.uuid}: still mounted: {left[0]}; not removing it", file=sys.stderr)
            return False
        shutil.rmtree(pod.path)
        return True
    finally:
        os.close(fd)


def gc(root: Path, *, grace: float, expire_prepared: float, mark_only: bool = False) -> list[str]:
    now = time.time()
    mark(root, expire_prepared, now)
    return [] if mark_only else sweep(root, grace, time.time())


def remove(root: Path, uuid: str) -> None:
    """``rkt rm``: delete an exited or prepared pod now, whatever the grace period."""
    pod = state.find(root, uuid)
    status = pod.status()
    if status in (state.Status.EXITED, state.Status.PREPARED, state.Status.ABORTED_PREPARE):
        pod = state.transition(pod, "exited-garbage" if pod.folder == "run" else "garbage")
    elif status not in (state.Status.EXITED_GARBAGE, state.Status.GARBAGE):
        raise errors.PodError(f'pod "{pod.uuid}" is {status.value}: stop it first')
    if not delete(pod):
        raise errors.PodLocked(f'pod "{pod.uuid}" is being removed by another process')
