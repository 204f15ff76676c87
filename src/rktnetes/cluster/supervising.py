"""Detached components: started in their own session (one process group each), found again by pid file.

``rktnetes start`` returns once the cluster is up, so nothing stays to supervise: each component runs
re-parented to init, with its output in its own log. A pid file records the pid *and* the process's start
time (``/proc/PID/stat`` field 22), so ``stop`` never signals a recycled pid that now belongs to someone
else; a component is stopped by signalling its whole process group (SIGTERM, then SIGKILL after a grace
period), which also reaches helpers it started in the same group.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

SUPERVISOR = (sys.executable, "-m", "rktnetes.cluster.restarting")


def start_time(pid: int) -> str | None:
    """Field 22 of /proc/PID/stat (clock ticks since boot); None for a missing or zombie process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return None if fields[0] in ("Z", "X") else fields[19]


def start(argv: list[str], log: Path, pid_file: Path, netns: str | None = None, state: Path | None = None,
          backoff: float = 1.0) -> int:
    """Start ``argv`` detached (inside network namespace ``netns`` if given); its pid. With a ``state`` file it
    runs under its own supervisor (``restarting``), which restarts it when it exits: the pid is the
    supervisor's, and a component left behind by a supervisor that was killed is ended first."""
    log.parent.mkdir(parents=True, exist_ok=True)
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    full = ["nsenter", f"--net={netns}", *argv] if netns else argv
    if state is not None:
        _end_orphan(state, 15.0)
        full = [*SUPERVISOR, f"--name={pid_file.stem}", f"--state={state}", f"--backoff={backoff}", "--", *full]
    with open(log, "ab") as out:
        proc = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True)
    record = {"pid": proc.pid, "started": start_time(proc.pid), "argv": full}
    tmp = pid_file.with_name(pid_file.name + ".tmp")
    tmp.write_text(json.dumps(record))
    tmp.replace(pid_file)
    return proc.pid


def running(pid_file: Path) -> int | None:
    """The pid in ``pid_file`` if that very process (same start time) is still alive, else None (a supervisor's
    state file records its child the same way)."""
    try:
        record = json.loads(pid_file.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict):
        return None
    pid = record.get("pid")
    if not isinstance(pid, int) or pid <= 1:
        return None
    started = start_time(pid)
    return pid if started is not None and started == record.get("started") else None


def _signal_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        pass


def _group_alive(pgid: int) -> bool:
    """Whether any process of group ``pgid`` is still alive (zombies waiting for their parent do not count)."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        state, _ppid, pgrp = stat[stat.rindex(")") + 2:].split(maxsplit=3)[:3]
        if pgrp == str(pgid) and state not in ("Z", "X"):
            return True
    return False


def _wait_gone(pgid: int, timeout: float) -> bool:
    """Wait until the whole group has ended (the leader first, its helpers may take a moment longer)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _group_alive(pgid):
            return True
        time.sleep(0.05)
    return not _group_alive(pgid)


def _end_group(pgid: int, grace: float) -> None:
    _signal_group(pgid, signal.SIGTERM)
    if not _wait_gone(pgid, grace):
        _signal_group(pgid, signal.SIGKILL)
        _wait_gone(pgid, 5.0)


def _end_orphan(state: Path, grace: float) -> bool:
    """End the component a supervisor recorded in ``state`` if it outlived its supervisor (which was killed)."""
    child = running(state)
    if child is None:
        return False
    try:
        _end_group(os.getpgid(child), grace)
    except ProcessLookupError:
        return False
    return True


def stop(pid_file: Path, grace: float = 15.0, state: Path | None = None) -> bool:
    """SIGTERM the component's process group, SIGKILL it after ``grace`` s (and the same to a component its
    killed supervisor left behind); True if anything was running."""
    pid = running(pid_file)
    if pid is not None:
        _end_group(pid, grace)
    orphaned = state is not None and _end_orphan(state, grace)
    pid_file.unlink(missing_ok=True)
    if state is not None:
        state.unlink(missing_ok=True)
    return pid is not None or orphaned
