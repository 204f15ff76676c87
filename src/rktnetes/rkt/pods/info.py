"""What ``list`` and ``status`` show of a pod, read from its folder without taking its lock."""

from __future__ import annotations

import json
import time
from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.pods import state
from rktnetes.rkt.records import Factory, Record

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: ``rkt list``/``status`` would import typing (~3 ms)
if TYPE_CHECKING:
    from typing import Any


class AppInfo(Record):  # records, not dataclasses: dataclasses (with inspect) cost every list/status ~8 ms
    name: str
    image_name: str
    image_id: str
    exit_code: int | None = None


class PodInfo(Record):
    uuid: str
    state: str
    created: float | None
    started: float | None
    exited_at: float | None
    pid: int | None
    exit_code: int | None
    networks: list[dict[str, Any]] = Factory(list)
    apps: list[AppInfo] = Factory(list)
    annotations: dict[str, str] = Factory(dict)
    netns: str = ""

    def to_dict(self) -> dict[str, Any]:
        return self.as_dict()


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def _manifest(pod: Path) -> dict[str, Any]:
    try:
        return json.loads(paths.pod_manifest_path(pod).read_text())
    except (OSError, ValueError):
        return {}


def _apps(manifest: dict[str, Any], pod: Path) -> list[AppInfo]:
    found = []
    for app in manifest.get("apps", []):
        code = _read(paths.app_exit_path(pod, app["name"]))
        image = app.get("image", {})
        found.append(AppInfo(app["name"], image.get("name") or "", image.get("id") or "",
                             int(code) if code is not None else None))
    return found


def networks(pod: Path) -> list[dict[str, Any]]:
    """[{name, ip}] of the networks the pod joined: the supervisor's summary, else networking's record."""
    try:
        return json.loads(paths.pod_net_summary_path(pod).read_text())
    except (OSError, ValueError):
        pass
    if not paths.pod_networks_path(pod).exists():
        return []
    from rktnetes.rkt.networking import podnet

    try:
        return [{"name": i.name, "ip": i.ip} for i in podnet.pod_networks(pod)]
    except (OSError, ValueError, AttributeError, KeyError):
        return []


def info(pod: state.Pod) -> PodInfo:
    path, status = pod.path, pod.status()
    pid, exited = _read(paths.pod_started_path(path)), _read(paths.pod_exited_path(path))
    manifest, running = _manifest(path), status is state.Status.RUNNING
    code, when = (exited.split() + [None])[:2] if exited else (None, None)
    return PodInfo(
        uuid=pod.uuid,
        state=status.value,
        created=_mtime(paths.pod_created_path(path)),
        started=_mtime(paths.pod_started_path(path)),
        exited_at=float(when) if when else None,
        pid=int(pid) if pid and running else None,
        exit_code=int(code) if code is not None else None,
        networks=networks(path),
        apps=_apps(manifest, path),
        annotations={a["name"]: a["value"] for a in manifest.get("annotations", [])},
        netns=str(paths.pod_netns_path(path)) if running and paths.pod_netns_path(path).exists() else "",
    )


def stamp(when: float | None) -> str:
    if when is None:
        return ""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(when)) + f".{int(when % 1 * 1000):03d} +0000 UTC"
