"""A pod's lifecycle as an explicit state machine over its folder (after rkt's ``pkg/pod``).

The folder a pod sits in (``pods/<folder>/<uuid>``) plus whether its folder is locked give its status:
``run`` + locked is running, ``run`` + unlocked is exited, ``prepare`` + unlocked is an aborted prepare.
Every move is one atomic ``rename(2)`` made by ``transition()``, which refuses moves the lifecycle does not
allow; the process that owns a pod (preparer, supervisor, deleter) holds an exclusive ``flock`` on its
folder, so other processes learn liveness without any daemon or pid file race.
"""

from __future__ import annotations

import enum
import fcntl
import os
from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.pods import errors
from rktnetes.rkt.records import Record


class Status(enum.Enum):
    EMBRYO = "embryo"
    PREPARING = "preparing"
    ABORTED_PREPARE = "abortedprepare"
    PREPARED = "prepared"
    RUNNING = "running"
    EXITED = "exited"
    EXITED_GARBAGE = "exited garbage"
    GARBAGE = "garbage"
    DELETING = "deleting"


# folder -> folders a pod may be renamed to from there
_MOVES = {
    "embryo": {"prepare"},
    "prepare": {"prepared", "garbage"},
    "prepared": {"run", "garbage"},
    "run": {"exited-garbage"},
    "exited-garbage": set(),
    "garbage": set(),
}


class Pod(Record):
    root: Path
    uuid: str
    folder: str

    @property
    def path(self) -> Path:
        return paths.pod_dir(self.root, self.folder, self.uuid)

    def locked(self) -> bool:
        """True when some process holds the pod's lock (it is alive); False if the pod is gone."""
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)
        return False

    def status(self) -> Status:
        locked = self.locked()
        return {
            "embryo": Status.EMBRYO,
            "prepare": Status.PREPARING if locked else Status.ABORTED_PREPARE,
            "prepared": Status.PREPARED,
            "run": Status.RUNNING if locked else Status.EXITED,
            "exited-garbage": Status.DELETING if locked else Status.EXITED_GARBAGE,
            "garbage": Status.DELETING if locked else Status.GARBAGE,
        }[self.folder]


def lock(path: Path, *, wait: bool = False) -> int:
    """Take the exclusive lock on a pod folder; returns the fd, which holds the lock until closed."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        os.close(fd)
        raise errors.PodLocked(f"pod {path.name} is locked by another process") from None
    return fd


def transition(pod: Pod, folder: str) -> Pod:
    """Move ``pod`` to ``folder`` by one rename(2); refuses moves the lifecycle does not allow."""
    if folder not in _MOVES.get(pod.folder, set()):
        raise errors.IllegalTransition(f"pod {pod.uuid} cannot move from {pod.folder} to {folder}")
    moved = Pod(pod.root, pod.uuid, folder)
    paths.pod_state_dir(pod.root, folder).mkdir(parents=True, exist_ok=True)
    try:
        os.rename(pod.path, moved.path)
    except FileNotFoundError:
        raise errors.NoSuchPod(pod.uuid) from None
    return moved


def all_pods(root: Path) -> list[Pod]:
    found = []
    for folder in paths.POD_STATES:
        base = paths.pod_state_dir(root, folder)
        if base.is_dir():
            found.extend(Pod(root, entry.name, folder) for entry in os.scandir(base) if entry.is_dir())
    return found


def find(root: Path, uuid: str) -> Pod:
    """The pod whose uuid is ``uuid`` or starts with it; NoSuchPod or AmbiguousPod otherwise."""
    uuid = uuid.strip()
    if not uuid:
        raise errors.EmptyUUID()
    for _ in range(3):  # a pod may be renamed while we look; look again
        matches = {p.uuid: p for p in all_pods(root) if p.uuid.startswith(uuid)}
        if len(matches) > 1:
            raise errors.AmbiguousPod(uuid)
        if matches:
            pod = next(iter(matches.values()))
            if pod.path.is_dir():
                return pod
    raise errors.NoSuchPod(uuid)


def read_uuid_file(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError as exc:
        raise errors.PodError(f"cannot read uuid file {path}: {exc.strerror}") from None


def publish(path: Path, text: str) -> None:
    """Write a pod file other processes read while the pod lives (pid, exit codes, networks) atomically:
    a reader sees no file or the whole text, never the empty file ``write_text`` leaves between its open
    and its write."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
