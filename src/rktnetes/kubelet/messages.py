"""A terminated container's message: what it wrote to its terminationMessagePath, or — with the policy
FallbackToLogsOnError, when it failed and wrote nothing — the tail of its log (as the kubelet does)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rktnetes.kubelet import paths
from rktnetes.kubelet.rktpods import RktPod
from rktnetes.rkt import paths as rkt_paths
from rktnetes.rkt.pods import logs

Obj = dict[str, Any]
MAX_MESSAGE, MAX_LOG_BYTES, MAX_LOG_LINES = 4096, 2048, 80


def _head(path: Path, size: int) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


def _log_tail(path: Path) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(max(os.fstat(handle.fileno()).st_size - 64 * 1024, 0))
            records = [r for r in handle.read().split(b"\n") if r.count(b" ") >= 3]
    except OSError:
        return ""
    text = b"".join(logs.render(r, False) for r in records)
    return b"".join(text.splitlines(keepends=True)[-MAX_LOG_LINES:])[-MAX_LOG_BYTES:].decode(errors="replace")


def message(root: Path, pod: Obj, rkt: RktPod, container: Obj, exit_code: int) -> str:
    name = container["name"]
    path = paths.termination_log_path(root, pod["metadata"]["uid"], name, rkt.restarts)
    text = _head(path, MAX_MESSAGE).decode(errors="replace")
    if text or exit_code == 0 or container.get("terminationMessagePolicy") != "FallbackToLogsOnError":
        return text
    return _log_tail(rkt_paths.app_log_path(rkt.path, name)) if rkt.path is not None else ""


def collect(root: Path, pod: Obj, runs: list[RktPod | None]) -> dict[tuple[str, str], str]:
    """(rkt uuid, container) → message, for every container of ``runs`` that has ended with one."""
    spec = pod.get("spec") or {}
    containers = {c["name"]: c for c in (spec.get("initContainers") or []) + (spec.get("containers") or [])}
    found = {}
    for rkt in runs:
        for app in rkt.info.apps if rkt is not None else []:
            if app.exit_code is not None and app.name in containers:
                text = message(root, pod, rkt, containers[app.name], app.exit_code)
                if text:
                    found[(rkt.info.uuid, app.name)] = text
    return found
