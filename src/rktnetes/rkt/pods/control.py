"""Acting on a running pod from outside its supervisor: ``stop`` and ``enter``, both through runc."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.pods import errors, state
from rktnetes.rkt.stage1 import teardown


def running(root: Path, uuid: str) -> state.Pod:
    pod = state.find(root, uuid)
    status = pod.status()
    if status is not state.Status.RUNNING:
        raise errors.PodError(f'pod "{pod.uuid}" is not running (it is {status.value})')
    return pod


def app_names(pod: Path) -> list[str]:
    return [a["name"] for a in json.loads(paths.pod_manifest_path(pod).read_text())["apps"]]


def _is_fly(pod: state.Pod) -> bool:
    return json.loads(paths.pod_runtime_path(pod.path).read_text()).get("stage1") == "fly"


def _signal(pod: state.Pod, signal_name: str) -> None:
    if _is_fly(pod):  # no runc: the pid file holds the app's own pid
        pid = int(paths.pod_started_path(pod.path).read_text())
        os.kill(pid, signal.SIGKILL if signal_name == "KILL" else signal.SIGTERM)
        return
    for name in app_names(pod.path):
        teardown.runc(pod.path, "kill", name, signal_name)


def wait_exited(pod: state.Pod, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while pod.status() is state.Status.RUNNING:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def stop(root: Path, uuid: str, *, force: bool = False, timeout: float = 10.0) -> str:
    """SIGTERM every app (SIGKILL with ``force``, or after ``timeout``); return once the pod has exited."""
    pod = running(root, uuid)
    _signal(pod, "KILL" if force else "TERM")
    _end_sandbox(pod)
    if not wait_exited(pod, timeout):
        _signal(pod, "KILL")
        if not wait_exited(pod, 30.0):
            raise errors.PodError(f'pod "{pod.uuid}" did not stop')
    return pod.uuid


def _end_sandbox(pod: state.Pod) -> None:
    """A sandbox does not end when its apps do: its supervisor is told to end once they have."""
    from rktnetes.rkt.pods import appcontrol, sandbox  # on use: only sandboxes need them

    if sandbox.is_sandbox(pod.path):
        appcontrol.stop_sandbox(pod.path)


def choose_app(pod: Path, app: str | None) -> str:
    names = app_names(pod)
    if app is None:
        if len(names) != 1:
            raise errors.PodError(f"pod contains multiple apps ({', '.join(names)}): choose one with --app")
        return names[0]
    if app not in names:
        raise errors.PodError(f"pod has no app named {app!r}")
    return app


def enter(root: Path, uuid: str, app: str | None, command: list[str]) -> None:
    """Replace this process by ``runc exec`` in the app's container (with its env, user, cwd)."""
    pod = running(root, uuid)
    name = choose_app(pod.path, app)
    command = command or ["/bin/sh"]
    if _is_fly(pod):  # no container: the app's chroot, with its environment
        manifest = json.loads(paths.pod_manifest_path(pod.path).read_text())
        env = {e["name"]: e["value"] for e in manifest["apps"][0]["app"].get("environment", [])}
        argv = ["chroot", str(paths.app_rootfs_path(pod.path, name)), *command]
        os.execvpe(argv[0], argv, {"PATH": os.environ.get("PATH", ""), **env, "AC_APP_NAME": name})
    tty = ["-t"] if sys.stdin.isatty() and sys.stdout.isatty() else []
    argv = ["runc", "--root", str(paths.pod_runc_root(pod.path)), "exec", *tty, name, *command]
    sys.stdout.flush()
    os.execvp(argv[0], argv)
