"""Pulling one image from a registry: manifest -> verified blobs -> layers applied -> one image in the store.

Why it is built this way: layer downloads start together and run concurrently on one aiohttp session
(``registry``), while layers are applied strictly in order in a worker thread as soon as each one (and
all before it) is verified, so extraction overlaps the network. Everything happens in a scratch dir in
the store's tmp; the store sees the image only when ``add_image`` commits it, so a wrong digest, a
truncated body or an interrupt leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from rktnetes.rkt import paths
from rktnetes.rkt.images import converting, docker, errors, http, ids, limits, progressing, references, whiteouts
from rktnetes.rkt.images.registry import Registry
from rktnetes.rkt.images.store import ImageInfo, ImageStore

_MAX_CONFIG = 4 << 20


def pull(store: ImageStore, ref: references.DockerRef, *, scheme: str, insecure_tls: bool, progress: bool,
         credentials: tuple[str, str] | None = None) -> ImageInfo:
    """Fetch ``ref`` from its registry into ``store`` (reusing a stored image with the same manifest)."""
    job = Pull(store, ref, progress)
    return http.run(lambda session: job.run(Registry(session, ref, scheme=scheme, credentials=credentials)),
                    insecure_tls=insecure_tls)


class Pull:
    """One fetch: resolve the manifest, download and apply layers, commit to the store."""

    def __init__(self, store: ImageStore, ref: references.DockerRef, progress: bool) -> None:
        self.store, self.ref, self.progress = store, ref, progress

    async def run(self, registry: Registry) -> ImageInfo:
        body, digest = await self._image_manifest(registry)
        image_id = ids.from_hexdigest(hashlib.sha512(body).hexdigest())
        info = docker.stored(self.store, image_id)
        if info is None:
            work = Path(tempfile.mkdtemp(prefix="docker-", dir=paths.cas_tmp_dir(self.store.root)))
            try:
                info = await self._download(registry, json.loads(body), digest, image_id, work)
            finally:
                shutil.rmtree(work, ignore_errors=True)
        self.store.set_remote(self.ref.url(), info.id, digest)
        return info

    async def _image_manifest(self, registry: Registry) -> tuple[bytes, str]:
        body, media_type, digest = await registry.manifest(self.ref.reference)
        doc = docker.parse_json(body, "manifest")
        if media_type in docker.INDEX_TYPES or (not media_type and "manifests" in doc):
            body, media_type, digest = await registry.manifest(docker.pick_platform(doc)["digest"])
            doc = docker.parse_json(body, "manifest")
        if media_type not in docker.IMAGE_TYPES and doc.get("schemaVersion") != 2:
            raise errors.FetchError(f"unsupported manifest type {media_type or 'schema ' + str(doc.get('schemaVersion'))}")
        docker.check_descriptors(doc)
        return body, digest

    async def _download(self, registry: Registry, manifest: dict[str, Any], digest: str, image_id: str,
                        work: Path) -> ImageInfo:
        config = await self._config(registry, manifest["config"], work)
        diff_ids = (config.get("rootfs") or {}).get("diff_ids") or []
        if len(diff_ids) != len(manifest["layers"]):
            raise errors.FetchError("image config and manifest disagree on the number of layers")
        tree = work / "rootfs"
        tree.mkdir()
        with progressing.Bars(self.progress) as bars:
            await _fetch_and_apply(registry, manifest["layers"], diff_ids, tree, work, bars)
        doc = converting.appc_manifest(self.ref.image_name(), self.ref.tag or (None if self.ref.digest else "latest"),
                                       config, tree, self._annotations(digest))
        return self.store.add_image(manifest=doc, build_rootfs=lambda dest: docker.move_tree(tree, dest),
                                    image_id=image_id, origin=self.ref.url(), fmt="oci")

    async def _config(self, registry: Registry, descriptor: dict[str, Any], work: Path) -> dict[str, Any]:
        if int(descriptor.get("size") or 0) > _MAX_CONFIG:
            raise errors.FetchError(f"image config is larger than {_MAX_CONFIG} bytes")
        path = work / "config.json"
        await registry.blob(descriptor["digest"], descriptor.get("size"), path)
        return docker.parse_json(path.read_bytes(), "image config")

    def _annotations(self, digest: str) -> dict[str, str]:
        found = {"appc.io/docker/registryurl": self.ref.host, "appc.io/docker/repository": self.ref.repository,
                 "appc.io/docker/manifestdigest": digest}
        if not self.ref.digest:
            found["appc.io/docker/tag"] = self.ref.tag or "latest"
        return found


async def _fetch_and_apply(registry: Registry, layers: list[dict[str, Any]], diff_ids: list[str], tree: Path,
                           work: Path, bars: progressing.Bars) -> None:
    """Download every layer concurrently; apply them in order, each as soon as it has verified."""
    for layer in layers:
        _check_media_type(layer.get("mediaType", ""))
    files = [work / f"layer-{n}" for n in range(len(layers))]
    budget = limits.Budget.for_store(work)
    tasks = [asyncio.ensure_future(registry.blob(layer["digest"], layer.get("size"), path,
                                                 bars.add(layer["digest"], layer.get("size"))))
             for layer, path in zip(layers, files, strict=True)]
    try:
        for task, path, diff_id in zip(tasks, files, diff_ids, strict=True):
            await task
            await asyncio.to_thread(whiteouts.apply_layer, path, tree, diff_id, budget)
            path.unlink()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _check_media_type(media_type: str) -> None:
    if "nondistributable" in media_type or "foreign" in media_type:
        raise errors.FetchError(f"unsupported layer type {media_type}")
