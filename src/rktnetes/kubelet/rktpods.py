"""An rkt pod as the kubelet sees it: rkt's own view (``rkt status``) plus the kubelet's annotations on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rktnetes.kubelet import translating
from rktnetes.rkt import paths
from rktnetes.rkt.pods import info, state


@dataclass(frozen=True)
class RktPod:
    """One rkt pod that belongs to a Kubernetes pod (it carries the kubelet's annotations)."""

    info: info.PodInfo
    finished: dict[str, float] = field(default_factory=dict)  # app name -> when it exited
    path: Path | None = None  # its folder when last listed

    @property
    def uid(self) -> str:
        return self.info.annotations.get(translating.UID, "")

    @property
    def key(self) -> str:
        notes = self.info.annotations
        return f"{notes.get(translating.NAMESPACE, '')}/{notes.get(translating.NAME, '')}"

    @property
    def node(self) -> str:
        return self.info.annotations.get(translating.NODE, "")

    @property
    def init(self) -> str:
        """The init container this rkt pod runs ("" for the pod's containers)."""
        return self.info.annotations.get(translating.INIT, "")

    @property
    def restarts(self) -> int:
        return int(self.info.annotations.get(translating.RESTARTS) or 0)

    @property
    def running(self) -> bool:
        return self.info.state == state.Status.RUNNING.value

    @property
    def exited(self) -> bool:
        return self.info.state == state.Status.EXITED.value

    @property
    def ip(self) -> str:
        return next((n.get("ip") or "" for n in self.info.networks if n.get("ip")), "")


def finished(folder: Path, apps: list[info.AppInfo]) -> dict[str, float]:
    """When each exited app wrote its exit code (the mtime of that file)."""
    stamps = {a.name: paths.app_exit_path(folder, a.name) for a in apps if a.exit_code is not None}
    return {name: path.stat().st_mtime for name, path in stamps.items() if path.exists()}
