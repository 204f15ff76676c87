"""``rkt app start|stop|status|list``: one app of a running sandbox at a time.

``start`` writes one line to the sandbox's control FIFO and waits until runc has created the app (or it has
already ended): the sandbox's supervisor spawns the app's runc itself, so it owns its pipes and exit code
(see ``stage1/sandboxing.py``). ``stop`` signals the app through runc (TERM, KILL after a timeout or with
``force``) and waits for the supervisor to publish its exit code.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.pods import errors, info, sandbox, sandboxapps
from rktnetes.rkt.records import Factory, Record
from rktnetes.rkt.stage1 import sandboxing, teardown

APP_STDIN = "coreos.com/rkt/stage2/stdin"


class AppStatus(Record):
    name: str
    state: str
    image_name: str
    image_id: str
    exit_code: int | None = None
    started_at: float | None = None
    finished_at: float | None = None
    pid: int | None = None
    annotations: dict[str, str] = Factory(dict)
    last_exit_code: int | None = None  # the run before this one (the app was removed and added again)
    last_started_at: float | None = None
    last_finished_at: float | None = None


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def status_of(pod: Path, name: str) -> AppStatus:
    app = sandbox.app_entry(pod, name)
    started, code = _read(paths.app_started_path(pod, name)), _read(paths.app_exit_path(pod, name))
    pid, when = (started.split() + [""])[:2] if started else ("", "")
    image = app.get("image") or {}
    state = sandboxapps.app_state(pod, name)
    last = sandboxapps.previous_run(pod, name)
    return AppStatus(
        name=name, state=state, image_name=image.get("name") or "", image_id=image.get("id") or "",
        exit_code=int(code) if code is not None else None, started_at=float(when) if when else None,
        finished_at=paths.app_exit_path(pod, name).stat().st_mtime if code is not None else None,
        pid=int(pid) if pid and state == "running" else None,
        annotations={a["name"]: a["value"] for a in app.get("annotations") or []},
        last_exit_code=last.get("exit_code"), last_started_at=last.get("started_at"),
        last_finished_at=last.get("finished_at"),
    )


def status(root: Path, uuid: str, name: str) -> AppStatus:
    return status_of(sandbox.started_sandbox(root, uuid).path, name)


def list_apps(root: Path, uuid: str) -> list[AppStatus]:
    pod = sandbox.started_sandbox(root, uuid).path
    return [status_of(pod, a["name"]) for a in sandbox.preparing.read_manifest(pod)["apps"]]


def start(root: Path, uuid: str, name: str, timeout: float = 30.0) -> None:
    """Ask the sandbox's supervisor to run the added app ``name``; return once runc has created it."""
    pod = sandbox.running_sandbox(root, uuid).path
    app = sandbox.app_entry(pod, name)
    if sandboxapps.app_state(pod, name) != "created":
        raise errors.PodError(f'app {name!r} has already been started: "rkt app rm" it and add it again')
    notes = {a["name"]: a["value"] for a in app.get("annotations") or []}
    line = sandboxing.start_line(name, str(paths.app_dir(pod, name)), str(paths.app_log_path(pod, name)),
                                 str(paths.app_exit_path(pod, name)), str(paths.app_started_path(pod, name)),
                                 notes.get(APP_STDIN, "null"), str(paths.app_stdin_path(pod, name)))
    _tell(pod, line)
    deadline = time.monotonic() + timeout
    while not paths.app_runc_state_path(pod, name).exists() and not paths.app_exit_path(pod, name).exists():
        if time.monotonic() > deadline:
            raise errors.PodError(f"app {name!r} did not start within {timeout:g}s")
        time.sleep(0.005)


def _tell(pod: Path, line: bytes) -> None:
    """One line to the supervisor's control FIFO (it holds the FIFO open while the sandbox runs)."""
    try:
        fd = os.open(paths.pod_control_path(pod), os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise errors.PodError(f"the sandbox's supervisor does not listen: {exc.strerror}") from None
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def stop(root: Path, uuid: str, name: str, *, force: bool = False, timeout: float = 10.0) -> AppStatus:
    """SIGTERM the app (SIGKILL with ``force`` or after ``timeout``); return once its exit code is out."""
    pod = sandbox.running_sandbox(root, uuid).path
    sandbox.app_entry(pod, name)
    if sandboxapps.app_state(pod, name) == "running":
        teardown.runc(pod, "kill", name, "KILL" if force else "TERM")
        if not _wait_exit(pod, name, timeout):
            teardown.runc(pod, "kill", name, "KILL")
            if not _wait_exit(pod, name, 30.0):
                raise errors.PodError(f"app {name!r} did not stop")
    return status_of(pod, name)


def _wait_exit(pod: Path, name: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not paths.app_exit_path(pod, name).exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def stop_sandbox(pod: Path) -> None:
    """Tell a sandbox's supervisor to end once its apps have (``rkt stop`` signals them first)."""
    _tell(pod, b"stop\n")


def stamp(when: float | None) -> str:
    return info.stamp(when)
