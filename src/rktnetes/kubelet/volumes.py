"""A pod's volumes made real on the node, under the kubelet's folder for the pod, before the pod starts.

emptyDir is a fresh directory; hostPath is the host's own path (created for ``DirectoryOrCreate``);
configMap and secret are read through the API and written as one file per key (read-only to the pod).
The result is a ``translating.Plan``'s volume table: volume name → host directory.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from rktnetes.client import interface
from rktnetes.kubelet import errors, paths, sources

Obj = dict[str, Any]
DEFAULT_MODE = 0o644


def _files(source: Obj, data: dict[str, bytes]) -> dict[str, bytes]:
    """Path → content: every key, or only the ``items`` asked for (at their own paths)."""
    items = source.get("items")
    if not items:
        return data
    missing = [i["key"] for i in items if i["key"] not in data and not source.get("optional")]
    if missing:
        raise errors.BadPod(f"volume key {missing[0]!r} not found")
    return {i["path"]: data[i["key"]] for i in items if i["key"] in data}


def _write(target: Path, files: dict[str, bytes], mode: int) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = (target / rel).resolve()
        if target.resolve() not in path.parents:
            raise errors.BadPod(f"volume file path {rel!r} leaves the volume")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        os.chmod(path, mode)


async def _object_data(client: interface.Api, kind: str, name: str, namespace: str, optional: bool) -> dict[str, bytes]:
    data = await sources.read(client, kind, name, namespace)
    if data is None and not optional:
        raise errors.BadPod(f'{kind[:-1]} "{name}" not found')
    return data or {}


def _host_path(source: Obj) -> str:
    path = source.get("path", "")
    if not path.startswith("/"):
        raise errors.BadPod(f"hostPath {path!r} is not absolute")
    if source.get("type") == "DirectoryOrCreate":
        Path(path).mkdir(parents=True, exist_ok=True)
    elif not os.path.exists(path):
        raise errors.BadPod(f"hostPath {path} does not exist")
    return path


async def materialise(client: interface.Api, root: Path, pod: Obj) -> tuple[dict[str, str], set[str]]:
    """Make every volume of ``pod``; returns (name → host directory, names of read-only volumes)."""
    meta, sources, read_only = pod["metadata"], {}, set()
    for volume in (pod.get("spec") or {}).get("volumes") or []:
        name, where = volume["name"], paths.volume_dir(root, meta["uid"], volume["name"])
        if "emptyDir" in volume:
            where.mkdir(parents=True, exist_ok=True)
        elif "hostPath" in volume:
            where = Path(_host_path(volume["hostPath"]))
        elif "configMap" in volume or "secret" in volume:
            kind, source = ("configmaps", volume["configMap"]) if "configMap" in volume else ("secrets", volume["secret"])
            ref = source.get("name") or source.get("secretName") or ""
            data = await _object_data(client, kind, ref, meta["namespace"], bool(source.get("optional")))
            _write(where, _files(source, data), source.get("defaultMode") or DEFAULT_MODE)
            read_only.add(name)
        else:
            raise errors.BadPod(f"volume {name}: only emptyDir, hostPath, configMap and secret are supported")
        sources[name] = str(where)
    return sources, read_only


def forget(root: Path, uid: str) -> None:
    """Remove what the kubelet kept for a pod that is gone (emptyDirs, configMap and secret copies)."""
    shutil.rmtree(paths.pod_dir(root, uid), ignore_errors=True)
