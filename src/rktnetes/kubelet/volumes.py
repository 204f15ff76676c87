"""A pod's volumes made real on the node, under the kubelet's folder for the pod, before the pod starts.

emptyDir is a fresh directory (a tmpfs of its own, ``sizeLimit`` big, for ``medium: Memory``: unmounted
when the pod goes); hostPath is the host's own path (created for ``DirectoryOrCreate``/``FileOrCreate``);
configMap, secret, downwardAPI and projected volumes are files written by ``projecting`` (read-only to the
pod); a persistentVolumeClaim is its bound volume's host directory (``claims``), read-only when asked.
The result is a ``translating.Plan``'s volume table: volume name → host directory.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

from rktnetes.client import interface
from rktnetes.kubelet import claims, environment, errors, paths, projecting

Obj = dict[str, Any]
DEFAULT_MODE = 0o644


def _write(target: Path, files: dict[str, bytes], mode: int) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = (target / rel).resolve()
        if target.resolve() not in path.parents:
            raise errors.BadPod(f"volume file path {rel!r} leaves the volume")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        os.chmod(path, mode)


_HOST_TYPES = {"Directory": stat.S_ISDIR, "File": stat.S_ISREG, "Socket": stat.S_ISSOCK,
               "CharDevice": stat.S_ISCHR, "BlockDevice": stat.S_ISBLK}


def _host_path(source: Obj) -> str:
    """The host path, made for ``DirectoryOrCreate``/``FileOrCreate``, checked against the other types."""
    path, kind = source.get("path", ""), source.get("type") or ""
    if not path.startswith("/"):
        raise errors.BadPod(f"hostPath {path!r} is not absolute")
    if kind == "DirectoryOrCreate":
        Path(path).mkdir(parents=True, exist_ok=True)
    elif kind == "FileOrCreate" and not os.path.exists(path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).touch(mode=0o644)
    if not os.path.exists(path):
        raise errors.BadPod(f"hostPath {path} does not exist")
    if kind in _HOST_TYPES and not _HOST_TYPES[kind](os.stat(path).st_mode):
        raise errors.BadPod(f"hostPath {path} is not a {kind}")
    return path


async def materialise(client: interface.Api, root: Path, pod: Obj) -> tuple[dict[str, str], set[str]]:
    """Make every volume of ``pod``; returns (name → host directory, names of read-only volumes)."""
    meta, dirs, read_only = pod["metadata"], {}, set()
    for volume in (pod.get("spec") or {}).get("volumes") or []:
        name, where = volume["name"], paths.volume_dir(root, meta["uid"], volume["name"])
        if "emptyDir" in volume:
            _empty_dir(where, volume["emptyDir"] or {})
        elif "hostPath" in volume:
            where = Path(_host_path(volume["hostPath"]))
        elif source := volume.get("persistentVolumeClaim"):
            pv = await claims.volume_of(client, meta["namespace"], source)
            where = Path(claims.host_dir(pv))
            if claims.read_only(source, pv):
                read_only.add(name)
        elif kind := next((k for k in projecting.KINDS if k in volume), None):
            files = await projecting.files(client, pod, kind, volume[kind])
            _write(where, files, volume[kind].get("defaultMode") or DEFAULT_MODE)
            read_only.add(name)
        else:
            raise errors.BadPod(f"volume {name}: only emptyDir, hostPath, configMap, secret, downwardAPI and "
                                "projected volumes (and persistentVolumeClaims) are supported")
        dirs[name] = str(where)
    return dirs, read_only


def _empty_dir(where: Path, source: Obj) -> None:
    where.mkdir(parents=True, exist_ok=True)
    if source.get("medium") != "Memory" or os.path.ismount(where):
        return
    size = f",size={environment.bytes_of(str(source['sizeLimit']))}" if source.get("sizeLimit") else ""
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"mode=0777{size}", "tmpfs", str(where)],
                          capture_output=True, text=True, timeout=30, check=False)
    if done.returncode != 0:
        raise errors.BadPod(f"emptyDir {where.name}: cannot mount a tmpfs: {done.stderr.strip()}")


def forget(root: Path, uid: str) -> None:
    """Remove what the kubelet kept for a pod that is gone (emptyDirs, configMap and secret copies), its
    memory-backed emptyDirs unmounted first."""
    volumes_dir = paths.volumes_dir(root, uid)
    for volume in volumes_dir.iterdir() if volumes_dir.is_dir() else []:
        for _ in range(8):  # the pod's own bind mounts may have propagated back: one umount each
            if not os.path.ismount(volume):
                break
            subprocess.run(["umount", "--lazy", str(volume)], capture_output=True, timeout=30, check=False)
    shutil.rmtree(paths.pod_dir(root, uid), ignore_errors=True)
