"""Handing a prepared pod to its stage1: in the foreground (stage0 execs it, as rkt did) or detached.

Detached, the supervisor runs in its own session with no terminal, reparented to init, so it outlives the
caller (the kubelet, a shell); the caller waits until the pod is running (or has failed) before returning.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.pods import errors, state

STAGE1_MODULES = {"default": "rktnetes.rkt.stage1.supervisor", "fly": "rktnetes.rkt.stage1.fly"}


def stage1_argv(root: Path, uuid: str, stage1: str) -> list[str]:
    if stage1 not in STAGE1_MODULES:
        raise errors.PodError(f"unknown stage1 {stage1!r} (valid: {', '.join(STAGE1_MODULES)})")
    return [sys.executable, "-m", STAGE1_MODULES[stage1], str(root.absolute()), uuid]


def prepared(root: Path, uuid: str) -> state.Pod:
    pod = state.find(root, uuid)
    if pod.folder != "prepared":
        raise errors.IllegalTransition(f"pod {pod.uuid} is not prepared (it is {pod.status().value})")
    return pod


def _argv(pod: state.Pod) -> list[str]:
    runtime = json.loads(paths.pod_runtime_path(pod.path).read_text())
    return stage1_argv(pod.root, pod.uuid, runtime.get("stage1", "default"))


def exec_stage1(root: Path, uuid: str) -> None:
    """Replace this process by the pod's stage1; returns only by raising."""
    argv = _argv(prepared(root, uuid))
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(argv[0], argv)


def start_detached(root: Path, uuid: str, timeout: float = 60.0) -> int:
    """Start stage1 in its own session; return its pid once the pod runs (PodError if it fails first)."""
    pod = prepared(root, uuid)
    log = paths.pod_stage1_log_path(pod.path)
    with open(os.devnull, "rb+") as null, open(log, "ab") as err:
        proc = subprocess.Popen(_argv(pod), stdin=null, stdout=null, stderr=err, start_new_session=True)
    running = paths.pod_dir(root, "run", pod.uuid)
    deadline = time.monotonic() + timeout
    while not paths.pod_started_path(running).exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise errors.PodError(f"pod {pod.uuid} did not start: {_last_line(running, log)}")
        time.sleep(0.005)
    return proc.pid


def _last_line(running: Path, log: Path) -> str:
    for path in (paths.pod_stage1_log_path(running), log):
        if path.exists():
            lines = path.read_text(errors="replace").strip().splitlines()
            return lines[-1] if lines else "stage1 exited"
    return "stage1 exited"
