"""stage0: turn resolved images and flags into a prepared pod folder.

Everything that can fail on bad input (flags, images, manifest) is checked before the first write; the
folder is then built under ``embryo``/``prepare`` while this process holds its lock, and published to
``prepared`` by one rename. A preparer that dies leaves an unlocked ``prepare`` folder, which gc removes.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.pods import state, volumes
from rktnetes.rkt.pods.manifest import ImageRef
from rktnetes.rkt.records import Factory, Record


class Runtime(Record):
    """What stage1 needs besides the manifest (``stage1.json``)."""

    stage1: str = "default"
    hostname: str = ""
    net: list[str] = Factory(lambda: ["default"])
    dns: dict[str, object] = Factory(dict)
    hosts_entries: list[str] = Factory(list)
    ports: list[str] = Factory(list)
    interactive: bool = False
    insecure: list[str] = Factory(list)
    overlay: bool = True
    local_config: str = str(paths.DEFAULT_LOCAL_CONFIG)
    lowers: dict[str, str] = Factory(dict)
    netplan: str = ""


def prepare(root: Path, manifest: dict[str, object], images: list[ImageRef], runtime: Runtime) -> str:
    """Write a prepared pod from a checked manifest; returns its UUID."""
    volumes.check(manifest)
    uuid = new_uuid()
    runtime.hostname = runtime.hostname or f"rkt-{uuid}"
    runtime.lowers = {app["name"]: img.rootfs for app, img in zip(manifest["apps"], images, strict=True)}
    embryo = paths.pod_dir(root, "embryo", uuid)
    embryo.mkdir(parents=True)
    fd = state.lock(embryo)
    try:
        pod = state.transition(state.Pod(root, uuid, "embryo"), "prepare")
        try:
            _fill(pod.path, manifest, runtime)
        except BaseException:
            state.transition(pod, "garbage")
            raise
        state.transition(pod, "prepared")
    finally:
        os.close(fd)
    return uuid


def new_uuid() -> str:
    """A random (version 4, RFC 4122 variant) UUID, without loading ``uuid`` (it costs a pod start ~3 ms)."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40
    raw[8] = raw[8] & 0x3F | 0x80
    text = raw.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def _fill(pod: Path, manifest: dict[str, object], runtime: Runtime) -> None:
    for app in manifest["apps"]:
        name = app["name"]
        paths.app_dir(pod, name).mkdir(parents=True)
        if runtime.overlay:
            for path in (paths.app_rootfs_path, paths.app_upper_dir, paths.app_work_dir):
                path(pod, name).mkdir()
        else:
            import shutil  # on use: only --no-overlay copies (shutil loads zlib, bz2 and lzma: ~1 ms a pod)

            shutil.copytree(runtime.lowers[name], paths.app_rootfs_path(pod, name), symlinks=True)
    write_json(paths.pod_manifest_path(pod), manifest)
    write_json(paths.pod_runtime_path(pod), runtime.as_dict())
    paths.pod_created_path(pod).write_text(f"{time.time():.6f}\n")


def write_json(path: Path, doc: object) -> None:
    """Write atomically: a reader sees the old file or the whole new one."""
    state.publish(path, json.dumps(doc, indent=2) + "\n")


def read_runtime(pod: Path) -> Runtime:
    return Runtime(**json.loads(paths.pod_runtime_path(pod).read_text()))


def read_manifest(pod: Path) -> dict[str, object]:
    return json.loads(paths.pod_manifest_path(pod).read_text())
