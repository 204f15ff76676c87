"""``rkt export``: an exited pod's app, with every change it made to its rootfs, as a new ACI.

The app's rootfs is rebuilt read-only by an overlay of its upper dir on the image's tree (so deletions
recorded as whiteouts are honoured), archived with the image's manifest, and the file lands by rename.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.pods import control, errors, state
from rktnetes.rkt.stage1 import mounting


def export(root: Path, uuid: str, app: str | None, output: Path, *, overwrite: bool = False) -> str:
    """Write the ACI; returns its image id."""
    pod = state.find(root, uuid)
    if pod.status() is not state.Status.EXITED:
        raise errors.PodError(f'pod "{pod.uuid}" is not exited (it is {pod.status().value})')
    name = control.choose_app(pod.path, app)
    if output.exists() and not overwrite:
        raise errors.PodError(f"{output} already exists (use --overwrite)")
    doc = _image_manifest(root, pod.path, name)
    runtime = json.loads(paths.pod_runtime_path(pod.path).read_text())
    tmp_out = output.with_name(f".{output.name}.tmp")
    with open(tmp_out, "wb") as out:
        image_id = _write(root, pod.path, name, runtime, doc, out)
    os.replace(tmp_out, output)
    return image_id


def _image_manifest(root: Path, pod: Path, name: str) -> dict:
    from rktnetes.rkt.images.store import ImageStore

    manifest = json.loads(paths.pod_manifest_path(pod).read_text())
    image_id = next(a["image"]["id"] for a in manifest["apps"] if a["name"] == name)
    store = ImageStore(root)
    try:
        return store.manifest(image_id)
    finally:
        store.close()


def _write(root: Path, pod: Path, name: str, runtime: dict, doc: dict, out) -> str:
    from rktnetes.rkt.images import aci

    if not runtime.get("overlay", True):
        return aci.write_aci(doc, paths.app_rootfs_path(pod, name), out)
    paths.tmp_dir(root).mkdir(parents=True, exist_ok=True)
    view = Path(tempfile.mkdtemp(prefix="export-", dir=paths.tmp_dir(root)))
    lowers = f"{paths.app_upper_dir(pod, name)}:{runtime['lowers'][name]}"
    try:
        mounting.mount("overlay", view, "overlay", mounting.MS_RDONLY, f"lowerdir={lowers}")
        try:
            return aci.write_aci(doc, view, out)
        finally:
            mounting.umount(view)
    finally:
        view.rmdir()
