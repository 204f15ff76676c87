"""``rkt logs``: the stdout and stderr each app wrote, as the supervisor captured them; ``-f`` follows."""

from __future__ import annotations

import time
from pathlib import Path
from typing import BinaryIO

from rktnetes.rkt import paths
from rktnetes.rkt.pods import control, state

POLL = 0.1


def _copy(src: BinaryIO, out: BinaryIO) -> int:
    total = 0
    while chunk := src.read(65536):
        out.write(chunk)
        total += len(chunk)
    out.flush()
    return total


def _open(pod: Path, name: str) -> BinaryIO | None:
    try:
        return open(paths.app_log_path(pod, name), "rb")  # noqa: SIM115 (closed by the caller)
    except FileNotFoundError:
        return None


def show(root: Path, uuid: str, app: str | None, out: BinaryIO, *, follow: bool = False) -> None:
    pod = state.find(root, uuid)
    names = [control.choose_app(pod.path, app)] if app else control.app_names(pod.path)
    files = {n: _open(pod.path, n) for n in names}
    try:
        for handle in files.values():
            if handle:
                _copy(handle, out)
        while follow and pod.status() in (state.Status.RUNNING, state.Status.PREPARED):
            time.sleep(POLL)
            pod = state.find(root, uuid)
            for name in names:
                files[name] = files[name] or _open(pod.path, name)
                if files[name]:
                    _copy(files[name], out)  # type: ignore[arg-type]
        for handle in files.values():
            if follow and handle:
                _copy(handle, out)
    finally:
        for handle in files.values():
            if handle:
                handle.close()
