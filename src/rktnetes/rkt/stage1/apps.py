"""Starting each app under runc and preparing its bundle (rootfs overlay, config.json, /etc files)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.pods import volumes
from rktnetes.rkt.stage1 import mounting, oci


def mount_rootfs(pod: Path, name: str, lower: str, overlay: bool) -> Path:
    rootfs = paths.app_rootfs_path(pod, name)
    if overlay:
        mounting.overlay(lower, paths.app_upper_dir(pod, name), paths.app_work_dir(pod, name), rootfs)
    return rootfs


def write_etc(rootfs: Path, files: dict[str, str | None]) -> None:
    """Write /etc/hosts and /etc/resolv.conf into the app's own (upper) rootfs, never through a symlink."""
    etc = rootfs / "etc"
    if etc.is_symlink():
        return
    etc.mkdir(exist_ok=True)
    for dest, text in files.items():
        if text is None:
            continue
        target = rootfs / dest.lstrip("/")
        if target.is_symlink():
            target.unlink()
        target.write_text(text)


def volume_mounts(pod: Path, app: dict[str, object], pod_volumes: list[dict[str, object]]) -> list[dict[str, object]]:
    mounts = []
    for volume, target in volumes.app_mounts(app, pod_volumes):
        if volume["kind"] == "host":
            source = Path(volume["source"])
        else:
            source = paths.pod_volume_dir(pod, volume["name"])
            _make_empty(source, volume)
        mounts.append(oci.bind(source, target, bool(volume.get("readOnly"))))
    return mounts


def _make_empty(source: Path, volume: dict[str, object]) -> None:
    if source.exists():
        return
    source.mkdir(parents=True, mode=int(str(volume.get("mode", "0755")), 8))
    os.chown(source, int(volume.get("uid", 0)), int(volume.get("gid", 0)))


def _stdin(pod: Path, name: str, mode: str) -> int:
    """The app's stdin: /dev/null, or (``stream``, ``tty``) a FIFO opened read-write, so the app never sees
    its end and ``rkt``/the kubelet can open it for writing at any time to type into it."""
    if mode == "null":
        return os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
    fifo = paths.app_stdin_path(pod, name)
    os.mkfifo(fifo, 0o600)
    return os.open(fifo, os.O_RDWR | os.O_CLOEXEC)


def start(pod: Path, name: str, interactive: bool, stdin: str = "null") -> tuple[int, int, int]:
    """``runc run`` in the foreground: (pid, stdout fd, stderr fd); the fds are -1 for a terminal app,
    which shares this process's stdio. A ``tty`` app (its config has a terminal) gets runc's stdin from its
    FIFO and a pty as runc's stderr — runc needs a terminal of its own to size the container's by; the
    master end takes the place of the stderr pipe (runc's own messages land in the log)."""
    argv = ["runc", "--root", str(paths.pod_runc_root(pod)), "run", "--bundle", str(paths.app_dir(pod, name)), name]
    if interactive:
        return os.posix_spawnp("runc", argv, os.environ), -1, -1
    (out_r, out_w), (err_r, err_w) = os.pipe(), os.openpty() if stdin == "tty" else os.pipe()
    fd0 = _stdin(pod, name, stdin)
    try:
        actions = [(os.POSIX_SPAWN_DUP2, fd0, 0), (os.POSIX_SPAWN_DUP2, out_w, 1), (os.POSIX_SPAWN_DUP2, err_w, 2)]
        pid = os.posix_spawnp("runc", argv, os.environ, file_actions=actions)
    finally:
        for fd in (fd0, out_w, err_w):
            os.close(fd)
    return pid, out_r, err_r


def _exited(pid: int) -> bool:
    """True once ``pid`` has ended, without reaping it (the waiting loop does)."""
    return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def wait_created(pod: Path, name: str, pid: int, timeout: float = 10.0) -> None:
    """Return once runc has created the container (its state exists) or has given up."""
    state = paths.app_runc_state_path(pod, name)
    deadline = time.monotonic() + timeout
    while not state.exists() and not _exited(pid) and time.monotonic() < deadline:
        time.sleep(0.002)
