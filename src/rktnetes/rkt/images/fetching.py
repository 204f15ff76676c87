"""The one fetch dispatcher used by ``rkt fetch``, ``rkt run`` and ``rkt prepare``.

``docker://…`` goes to the registry client, ``oci:PATH[:TAG]`` to the OCI layout importer, http(s) URLs and
appc names to appc discovery, ids to the store, anything else that names a file to the local ACI importer.
Format modules are imported lazily: the cached path stays cheap, and a missing one is one clear line.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from rktnetes.rkt import paths
from rktnetes.rkt.images import ids, resolving
from rktnetes.rkt.images.errors import FetchError, ImageNotFound, MissingDependency, SignatureError
from rktnetes.rkt.images.store import ImageInfo, ImageStore

PULL_POLICIES = ("new", "update", "never")
MAX_DEPENDENCIES = 32


def fetch(store: ImageStore, ref: str, *, insecure: frozenset[str] = frozenset(), pull_policy: str = "new",
          signature: Path | None = None, local_config: Path = paths.DEFAULT_LOCAL_CONFIG,
          system_config: Path = paths.DEFAULT_SYSTEM_CONFIG, progress: bool = False,
          trust_keys_from_https: bool = False) -> ImageInfo:
    """Bring the image ``ref`` into the store (or find it there, as the pull policy allows).

    Dependencies an ACI names are fetched by name (appc discovery) first, then its import is retried.
    ``trust_keys_from_https``: an image fetched by appc name is verified against the keys its discovery
    names over https, trusted for its name without review (rkt's ``--trust-keys-from-https``).
    """
    if pull_policy not in PULL_POLICIES:
        raise FetchError(f"unknown pull policy {pull_policy!r} (valid: {', '.join(PULL_POLICIES)})")
    options = {"insecure": insecure, "pull_policy": pull_policy, "local_config": local_config,
               "system_config": system_config, "progress": progress, "trust_keys_from_https": trust_keys_from_https}
    for _ in range(MAX_DEPENDENCIES):
        try:
            return _dispatch(store, ref, signature=signature, **options)
        except MissingDependency as missing:
            _fetch_dependency(store, missing.dependency, options)
    raise FetchError(f"{ref}: more than {MAX_DEPENDENCIES} missing dependencies")


def _fetch_dependency(store: ImageStore, dep: dict[str, object], options: dict[str, object]) -> None:
    got = fetch(store, resolving.dependency_ref(dep), **options)
    try:
        resolving.dependency(store.db, dep)
    except MissingDependency:
        wanted = dep.get("imageID", dep["imageName"])
        raise FetchError(f"dependency {dep['imageName']} resolved to {got.id}, not {wanted}") from None


def _dispatch(store: ImageStore, ref: str, *, insecure: frozenset[str], pull_policy: str, signature: Path | None,
              local_config: Path, system_config: Path, progress: bool, trust_keys_from_https: bool) -> ImageInfo:
    if ref.startswith("docker://"):
        fetch_docker = _entry("docker", "fetch_docker", "docker images")
        return fetch_docker(store, ref, insecure=insecure, pull_policy=pull_policy, progress=progress,
                            local_config=local_config, system_config=system_config)
    if ref.startswith("oci:"):
        return _fetch_oci(store, ref[len("oci:"):], pull_policy)
    if ids.looks_like_id(ref):
        return store.resolve(ref)
    if is_file_ref(ref):
        trust = (signature, local_config, system_config)
        return fetch_file(store, _file_path(ref), insecure=insecure, pull_policy=pull_policy, trust=trust)
    fetch_appc = _entry("discovery", "fetch_appc", "appc discovery")
    return fetch_appc(store, ref, insecure=insecure, pull_policy=pull_policy, signature=signature,
                      local_config=local_config, system_config=system_config, progress=progress,
                      trust_keys_from_https=trust_keys_from_https)


def is_file_ref(ref: str) -> bool:
    """True when ``ref`` names a local ACI rather than an appc name."""
    if ref.startswith("file://") or ref.startswith(("/", "./", "../")):
        return True
    if "://" in ref:
        return False
    return ref.endswith(".aci") or os.path.exists(ref)


def _file_path(ref: str) -> Path:
    return Path(ref[len("file://"):] if ref.startswith("file://") else ref).absolute()


def fetch_file(store: ImageStore, path: Path, *, insecure: frozenset[str], pull_policy: str,
               trust: tuple[Path | None, Path, Path]) -> ImageInfo:
    """Import a local ACI after checking its detached signature (unless ``image`` is insecure)."""
    try:
        st = path.stat()
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror}") from None
    url, etag = f"file://{path}", f"{st.st_size}-{st.st_mtime_ns}"
    cached = _cached(store, url, etag, pull_policy)
    if cached is not None:
        return cached
    if "image" not in insecure:
        _verify(path, *trust)
    info = store.import_aci(path, origin=url)
    store.set_remote(url, info.id, etag)
    return info


def _cached(store: ImageStore, url: str, etag: str, pull_policy: str) -> ImageInfo | None:
    remote = store.remote(url) if pull_policy != "update" else None
    if remote is not None and (remote.etag == etag or pull_policy == "never"):
        try:
            return store.get(remote.image_id)
        except ImageNotFound:
            pass
    if pull_policy == "never":
        raise ImageNotFound(f"image {url} not found in store (--pull-policy=never)")
    return None


def _verify(path: Path, signature: Path | None, local_config: Path, system_config: Path) -> str:
    asc = signature or path.with_name(path.name + ".asc")
    if not asc.exists():
        raise SignatureError(f"no signature for {path}: {asc} not found (use --insecure-options=image to skip)")
    trust = _module("trust", "signature verification")
    from rktnetes.rkt.images import aci

    return str(trust.verify_file(path, asc, aci.manifest_name(path), local_config, system_config))


def _fetch_oci(store: ImageStore, spec: str, pull_policy: str) -> ImageInfo:
    where, sep, tag = spec.rpartition(":")
    layout, tag = (Path(where), tag) if sep and "/" not in tag and where else (Path(spec), "")
    if pull_policy == "never":
        raise ImageNotFound(f"image oci:{spec} not found in store (--pull-policy=never)")
    import_layout = _entry("oci", "import_layout", "OCI layouts")
    return import_layout(store, layout, tag or None)


def _module(name: str, what: str) -> ModuleType:
    try:
        return importlib.import_module(f"rktnetes.rkt.images.{name}")
    except ImportError as exc:
        raise FetchError(f"{what} are not supported in this build ({exc})") from None


def _entry(module: str, function: str, what: str) -> Callable[..., ImageInfo]:
    found = getattr(_module(module, what), function, None)
    if found is None:
        raise FetchError(f"{what} are not supported in this build (no {module}.{function})")
    return found
