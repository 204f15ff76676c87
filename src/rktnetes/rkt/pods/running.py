"""Handing a prepared pod to its stage1: in the foreground (stage0 execs it, as rkt did) or detached.

Detached, the supervisor runs in its own session with no terminal, reparented to init, so it outlives the
caller (the kubelet, a shell); the caller waits until the pod is running (or has failed) before returning.
Why the default stage1 is forked, not spawned: this process has already loaded everything the supervisor
needs, and a fresh interpreter would load it all again (~50 ms a pod); the supervisor re-execs itself into
the small waiting loop once the apps run, so its memory is not the caller's for long. A caller with threads
(forking one is unsafe), and stage1 fly (which stays resident), get a new interpreter instead.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import sys
import time
from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.pods import errors, state

STAGE1_MODULES = {"default": "rktnetes.rkt.stage1.supervisor", "fly": "rktnetes.rkt.stage1.fly"}


def stage1_argv(root: Path, uuid: str, stage1: str) -> list[str]:
    """The detached stage1 command line (its own interpreter, in its own session)."""
    if stage1 not in STAGE1_MODULES:
        raise errors.PodError(f"unknown stage1 {stage1!r} (valid: {', '.join(STAGE1_MODULES)})")
    mode = ["--detached"] if stage1 == "default" else []
    return [sys.executable, "-m", STAGE1_MODULES[stage1], *mode, str(root.absolute()), uuid]


def prepared(root: Path, uuid: str) -> state.Pod:
    pod = state.find(root, uuid)
    if pod.folder != "prepared":
        raise errors.IllegalTransition(f"pod {pod.uuid} is not prepared (it is {pod.status().value})")
    return pod


def _stage1(pod: state.Pod) -> str:
    return json.loads(paths.pod_runtime_path(pod.path).read_text()).get("stage1", "default")


def _argv(pod: state.Pod) -> list[str]:
    return stage1_argv(pod.root, pod.uuid, _stage1(pod))


def run_foreground(root: Path, uuid: str) -> int:
    """Run the pod's stage1 in this process (as rkt's stage0 exec'd it); returns the pod's exit code."""
    pod = prepared(root, uuid)
    module = importlib.import_module(STAGE1_MODULES[_stage1(pod)])
    # The rkt console script starts with the collector off (loading is done); a pod may live long, so it
    # goes back on, but first everything loaded so far is frozen: the next collection would otherwise walk
    # every import-time object (~3 ms on the pod's start path) to find no garbage among them.
    gc.freeze()
    gc.enable()
    sys.stdout.flush()
    return module.main([str(root.absolute()), pod.uuid])


def start_detached(root: Path, uuid: str, timeout: float = 60.0) -> int:
    """Start stage1 in its own session; return its pid once the pod runs (PodError if it fails first)."""
    pod = prepared(root, uuid)
    log = paths.pod_stage1_log_path(pod.path)
    forking = _stage1(pod) == "default" and len(os.listdir("/proc/self/task")) == 1  # no other thread
    pid = _fork(pod, log) if forking else _spawn(pod, log)
    running = paths.pod_dir(root, "run", pod.uuid)
    deadline = time.monotonic() + timeout
    while not paths.pod_started_path(running).exists():
        if _ended(pid) or time.monotonic() > deadline:
            raise errors.PodError(f"pod {pod.uuid} did not start: {_last_line(running, log)}")
        time.sleep(0.002)
    return pid


def _spawn(pod: state.Pod, log: Path) -> int:
    import subprocess  # on use: only a threaded caller or stage1 fly needs a new interpreter

    with open(os.devnull, "rb+") as null, open(log, "ab") as err:
        return subprocess.Popen(_argv(pod), stdin=null, stdout=null, stderr=err, start_new_session=True,
                                cwd="/").pid


def _fork(pod: state.Pod, log: Path) -> int:
    """The default stage1 in a forked child, as ``stage1_argv`` would start it in a new interpreter."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 254
    try:
        _detach_stdio(log)
        code = importlib.import_module(STAGE1_MODULES["default"]).main(
            ["--detached", str(pod.root.absolute()), pod.uuid])
    except BaseException as exc:  # noqa: BLE001 (the child reports anything in its log, then leaves)
        os.write(2, f"stage1: {exc!r}\n".encode())
    finally:
        os._exit(code)


def _detach_stdio(log: Path) -> None:
    os.setsid()
    os.chdir("/")
    null = os.open(os.devnull, os.O_RDWR)
    err = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    for fd, target in ((null, 0), (null, 1), (err, 2)):
        os.dup2(fd, target)
    os.close(null)
    os.close(err)


def _ended(pid: int) -> bool:
    """True once the stage1 ``pid`` (our child) has exited; reaps it then."""
    try:
        return os.waitpid(pid, os.WNOHANG)[0] == pid
    except ChildProcessError:
        return True


def _last_line(running: Path, log: Path) -> str:
    for path in (paths.pod_stage1_log_path(running), log):
        if path.exists():
            lines = path.read_text(errors="replace").strip().splitlines()
            return lines[-1] if lines else "stage1 exited"
    return "stage1 exited"
