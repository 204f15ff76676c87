"""OCI image layouts on disk (``oci-layout``, ``index.json``, ``blobs/sha256``): writing them."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from rktnetes.rkt.images import layers

LAYOUT_VERSION = {"imageLayoutVersion": "1.0.0"}
MANIFEST = "application/vnd.oci.image.manifest.v1+json"
INDEX = "application/vnd.oci.image.index.v1+json"
CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
REF_NAME = "org.opencontainers.image.ref.name"


def blob_path(layout: Path, digest: str) -> Path:
    algorithm, hexdigest = digest.split(":", 1)
    return layout / "blobs" / algorithm / hexdigest


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def put_bytes(layout: Path, data: bytes, media_type: str) -> dict[str, Any]:
    """Store ``data`` as a blob; returns its descriptor."""
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    path = blob_path(layout, digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return {"mediaType": media_type, "digest": digest, "size": len(data)}


def put_layer(layout: Path, tar_path: Path) -> tuple[dict[str, Any], str]:
    """Gzip a layer tar into the layout; returns its descriptor and diff id."""
    tmp = layout / "blobs" / "sha256" / f".tmp-{os.getpid()}"
    tmp.parent.mkdir(parents=True, exist_ok=True)
    blob = layers.gzip_blob(tar_path, tmp)
    tmp.rename(blob_path(layout, blob.digest))
    return {"mediaType": LAYER_GZIP, "digest": blob.digest, "size": blob.size}, blob.diff_id


def _read_index(layout: Path) -> dict[str, Any]:
    path = layout / "index.json"
    if path.exists():
        return json.loads(path.read_bytes())
    return {"schemaVersion": 2, "manifests": []}


def tag_manifest(layout: Path, descriptor: dict[str, Any], tag: str) -> None:
    """Point ``tag`` at a manifest in ``index.json`` (replacing the tag's previous target)."""
    index = _read_index(layout)
    kept = [m for m in index["manifests"] if m.get("annotations", {}).get(REF_NAME) != tag]
    index["manifests"] = [*kept, {**descriptor, "annotations": {REF_NAME: tag}}]
    (layout / "oci-layout").write_bytes(_canonical(LAYOUT_VERSION))
    (layout / "index.json").write_bytes(_canonical(index))


def write_image(layout: Path, config: dict[str, Any], layer_tars: list[Path], tag: str) -> str:
    """Write one image (config + gzip layers) into ``layout`` under ``tag``; returns the manifest digest."""
    layout.mkdir(parents=True, exist_ok=True)
    described = [put_layer(layout, t) for t in layer_tars]
    config = {**config, "rootfs": {"type": "layers", "diff_ids": [d for _, d in described]}}
    manifest = {
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "config": put_bytes(layout, _canonical(config), CONFIG),
        "layers": [desc for desc, _ in described],
    }
    descriptor = put_bytes(layout, _canonical(manifest), MANIFEST)
    tag_manifest(layout, descriptor, tag)
    return descriptor["digest"]


def import_layout(store: Any, layout: Path, tag: str | None) -> Any:
    """Import an image from an OCI layout (``rkt fetch oci:PATH[:TAG]``); see ``layouts.import_layout``."""
    from rktnetes.rkt.images import layouts

    return layouts.import_layout(store, layout, tag)


def export_layout(store: Any, image_id: str, layout: Path, tag: str) -> str:
    """Export a stored image into an OCI layout; see ``layouts.export_layout``."""
    from rktnetes.rkt.images import layouts

    return layouts.export_layout(store, image_id, layout, tag)
