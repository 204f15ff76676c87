"""Importing images from OCI image layouts on disk, and exporting stored images as OCI layouts.

Import checks every blob it reads against its descriptor (digest and size), applies the layers in order
into a scratch tree in the store's tmp, and commits with ``add_image``: as for ``docker://``, the image
id is the sha512 of the manifest bytes, so the same image imported from a layout or fetched from a
registry is one image. Export writes the rendered rootfs as one layer and an image config derived from
the appc manifest, so ``skopeo`` and ``umoci`` read what we write.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from rktnetes.rkt import paths
from rktnetes.rkt.images import converting, docker, errors, ids, layers, limits, oci, whiteouts
from rktnetes.rkt.images.store import ImageInfo, ImageStore

_MAX_DOC = 4 << 20
_ARCH_BACK = {v: k for k, v in converting.ARCHES.items()}


def _blob(layout: Path, descriptor: dict[str, Any], *, limit: int | None = None) -> Path:
    """The path of a blob, after checking it against its descriptor's digest and size."""
    digest = str(descriptor.get("digest", ""))
    if not re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
        raise errors.FetchError(f"unsupported or malformed digest {digest!r} in the layout")
    path = oci.blob_path(layout, digest)
    if not path.is_file():
        raise errors.FetchError(f"layout {layout} is missing blob {digest[:19]}")
    if limit is not None and path.stat().st_size > limit:
        raise errors.FetchError(f"blob {digest[:19]} is larger than {limit} bytes")
    with path.open("rb") as f:
        if "sha256:" + hashlib.file_digest(f, "sha256").hexdigest() != digest:
            raise errors.FetchError(f"blob {digest[:19]} in {layout} does not match its digest")
    if descriptor.get("size") is not None and path.stat().st_size != int(descriptor["size"]):
        raise errors.FetchError(f"blob {digest[:19]} in {layout} does not have the size its descriptor says")
    return path


def _document(layout: Path, descriptor: dict[str, Any]) -> tuple[bytes, dict[str, Any]]:
    raw = _blob(layout, descriptor, limit=_MAX_DOC).read_bytes()
    return raw, docker.parse_json(raw, f"blob {descriptor['digest'][:19]}")


def _select(layout: Path, tag: str | None) -> dict[str, Any]:
    try:
        index = json.loads((layout / "index.json").read_bytes())
        version = json.loads((layout / "oci-layout").read_bytes())["imageLayoutVersion"]
    except (OSError, ValueError, KeyError, TypeError):
        raise errors.FetchError(f"{layout} is not an OCI image layout (oci-layout, index.json)") from None
    if not str(version).startswith("1."):
        raise errors.FetchError(f"unsupported OCI layout version {version!r}")
    entries = index.get("manifests") or []
    if tag is not None:
        entries = [e for e in entries if (e.get("annotations") or {}).get(oci.REF_NAME) == tag]
    if len(entries) != 1:
        what = f"no image tagged {tag!r}" if tag is not None else f"{len(entries)} images; name one with oci:PATH:TAG"
        raise errors.FetchError(f"layout {layout} has {what}")
    return entries[0]


def _manifest(layout: Path, tag: str | None) -> tuple[bytes, dict[str, Any]]:
    descriptor = _select(layout, tag)
    raw, doc = _document(layout, descriptor)
    if descriptor.get("mediaType") in docker.INDEX_TYPES or "manifests" in doc:
        raw, doc = _document(layout, docker.pick_platform(doc))
    docker.check_descriptors(doc)
    return raw, doc


def _name(layout: Path) -> str:
    stem = layout.resolve().name.removesuffix(".oci").lower()
    return re.sub(r"[^a-z0-9]+", "-", stem).strip("-") or "oci-image"


def import_layout(store: ImageStore, layout: Path, tag: str | None) -> ImageInfo:
    """Import the image ``tag`` (or the only image) of the OCI layout at ``layout``."""
    raw, manifest = _manifest(layout, tag)
    image_id = ids.from_hexdigest(hashlib.sha512(raw).hexdigest())
    found = docker.stored(store, image_id)
    if found is not None:
        return found
    _, config = _document(layout, manifest["config"])
    diff_ids = (config.get("rootfs") or {}).get("diff_ids") or []
    if len(diff_ids) != len(manifest["layers"]):
        raise errors.FetchError("image config and manifest disagree on the number of layers")
    work = Path(tempfile.mkdtemp(prefix="oci-", dir=paths.cas_tmp_dir(store.root)))
    try:
        tree = work / "rootfs"
        tree.mkdir()
        budget = limits.Budget.for_store(work)
        for descriptor, diff_id in zip(manifest["layers"], diff_ids, strict=True):
            whiteouts.apply_layer(_blob(layout, descriptor), tree, diff_id, budget)
        annotations = {"appc.io/oci/layout": str(layout.resolve()), "appc.io/oci/manifestdigest":
                       "sha256:" + hashlib.sha256(raw).hexdigest()}
        doc = converting.appc_manifest(_name(layout), tag, config, tree, annotations)
        return store.add_image(manifest=doc, build_rootfs=lambda dest: docker.move_tree(tree, dest),
                               image_id=image_id, origin=f"oci:{layout.resolve()}:{tag or ''}", fmt="oci")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def image_config(doc: dict[str, Any]) -> dict[str, Any]:
    """The OCI image config of a stored image, from its appc manifest."""
    app, labels = doc.get("app") or {}, {x["name"]: x["value"] for x in doc.get("labels") or []}
    config: dict[str, Any] = {
        "Env": [f"{e['name']}={e['value']}" for e in app.get("environment") or []],
        "User": f"{app.get('user', '0')}:{app.get('group', '0')}",
        "WorkingDir": app.get("workingDirectory") or "/",
    }
    if app.get("exec"):
        config["Entrypoint"] = app["exec"]
    if app.get("ports"):
        config["ExposedPorts"] = {f"{p['port']}/{p.get('protocol', 'tcp')}": {} for p in app["ports"]}
    arch = labels.get("arch", "amd64")
    return {"architecture": _ARCH_BACK.get(arch, arch), "os": labels.get("os", "linux"), "config": config}


def export_layout(store: ImageStore, image_id: str, layout: Path, tag: str) -> str:
    """Write a stored image into the OCI layout at ``layout`` under ``tag``; returns the manifest digest."""
    info = store.resolve(image_id)
    config = image_config(store.manifest(info.id))
    with tempfile.TemporaryDirectory(prefix="export-", dir=paths.cas_tmp_dir(store.root)) as work:
        layer = Path(work) / "layer.tar"
        layers.write_tar(store.rootfs(info.id), layer)
        return oci.write_image(layout, config, [layer], tag)
