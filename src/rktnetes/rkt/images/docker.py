"""``docker://`` fetches: the entry point, pull policies, and what docker and OCI layout imports share.

A cache hit (pull policy ``new`` or ``never``) answers from the store without importing the network side
(``pulling``: asyncio, aiohttp), so a cached fetch costs a store lookup.

The image id is ``sha512-`` + the sha512 of the registry manifest bytes: that manifest pins the config
and every layer by digest, so its bytes identify the image content exactly, the id is known before any
layer is downloaded (a second fetch of the same content stops there), and no ACI tar has to be
serialised just to name a tree that is stored unpacked.
"""

from __future__ import annotations

import json
from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.images import errors, references
from rktnetes.rkt.images.store import ImageInfo, ImageStore

INDEX_TYPES = ("application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json")
IMAGE_TYPES = ("application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json")
PLATFORM = {"os": "linux", "architecture": "amd64"}


def fetch_docker(store: ImageStore, ref: str, *, insecure: frozenset[str] = frozenset(), pull_policy: str = "new",
                 progress: bool = False, local_config: Path = paths.DEFAULT_LOCAL_CONFIG,
                 system_config: Path = paths.DEFAULT_SYSTEM_CONFIG) -> ImageInfo:
    """Fetch ``docker://…`` into ``store`` (or find it there, as the pull policy allows); registry
    credentials come from ``dockerAuth`` files in the configs' ``auth.d``."""
    parsed = references.parse(ref)
    if "image" not in insecure:
        raise errors.SignatureError(f"{ref}: docker images are not signed; "
                                    "fetch them with --insecure-options=image")
    cached = _cached(store, parsed.url(), pull_policy)
    if cached is not None:
        return cached
    from rktnetes.rkt.images import config, pulling  # the network side costs nothing on a cache hit

    settings = config.load(system_config, local_config)
    credentials = settings.docker_credentials(parsed.registry) or settings.docker_credentials(parsed.host)
    return pulling.pull(store, parsed, scheme="http" if "http" in insecure else "https",
                        insecure_tls="tls" in insecure, progress=progress, credentials=credentials)


def stored(store: ImageStore, image_id: str) -> ImageInfo | None:
    try:
        return store.get(image_id)
    except errors.ImageNotFound:
        return None


def _cached(store: ImageStore, url: str, pull_policy: str) -> ImageInfo | None:
    remote = store.remote(url)
    found = stored(store, remote.image_id) if remote and pull_policy != "update" else None
    if found is None and pull_policy == "never":
        raise errors.ImageNotFound(f"image {url} not found in store (--pull-policy=never)")
    return found


def _descriptor(entry: object, what: str) -> dict[str, object]:
    if not isinstance(entry, dict) or not isinstance(entry.get("digest"), str):
        raise errors.FetchError(f"{what} is not a descriptor with a digest")
    if not isinstance(entry.get("size", 0), int):
        raise errors.FetchError(f"{what} has a size that is not a number")
    return entry


def check_descriptors(manifest: dict[str, object]) -> None:
    """Refuse an image manifest whose config or layers are not well-formed descriptors."""
    if not isinstance(manifest.get("layers"), list):
        raise errors.FetchError("image manifest has no layers list")
    _descriptor(manifest.get("config"), "image manifest config")
    for n, layer in enumerate(manifest["layers"]):
        _descriptor(layer, f"image manifest layer {n}")


def pick_platform(index: dict[str, object]) -> dict[str, object]:
    """The linux/amd64 entry of an image index or manifest list."""
    for entry in index.get("manifests") or []:
        platform = (entry.get("platform") if isinstance(entry, dict) else None) or {}
        if all(platform.get(k) == v for k, v in PLATFORM.items()):
            return _descriptor(entry, "image index entry")
    raise errors.FetchError("the image index has no linux/amd64 image")


def parse_json(raw: bytes, what: str) -> dict[str, object]:
    try:
        doc = json.loads(raw)
    except ValueError:
        raise errors.FetchError(f"{what} is not valid JSON") from None
    if not isinstance(doc, dict):
        raise errors.FetchError(f"{what} is not a JSON object")
    return doc


def move_tree(tree: Path, dest: Path) -> None:
    dest.rmdir()
    tree.rename(dest)
