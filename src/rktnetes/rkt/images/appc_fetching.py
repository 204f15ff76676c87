"""Fetching an ACI by appc name (through discovery) or by http(s) URL: download, verify, import.

The ACI and its detached signature land in a scratch folder inside the store (same filesystem, swept by
``image gc`` if we die); the signature is checked against the keystore for the image's name before the
store sees a byte, and the scratch folder is removed whatever happens. With ``--pull-policy=update`` a
known download is revalidated with its ETag, so an unchanged image costs one 304.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rktnetes.rkt import paths
from rktnetes.rkt.images import aci, http, trust
from rktnetes.rkt.images.discovery import App, discover, parse_app
from rktnetes.rkt.images.errors import FetchError, ImageNotFound, SignatureError


@dataclass
class Downloaded:
    url: str
    aci: Path | None
    asc: Path | None
    etag: str
    cached_id: str = ""


@dataclass
class _Job:
    store: Any
    ref: str
    app: App | None
    scratch: Path
    insecure: frozenset[str]
    want_asc: bool
    progress: bool


def fetch_appc(store: Any, ref: str, *, insecure: frozenset[str] = frozenset(), pull_policy: str = "new",
               signature: Path | None = None, local_config: Path = paths.DEFAULT_LOCAL_CONFIG,
               system_config: Path = paths.DEFAULT_SYSTEM_CONFIG, progress: bool = False,
               trust_keys_from_https: bool = False) -> Any:
    """Fetch an ACI by http(s) URL or appc name, verify its signature, import it; returns its ImageInfo.
    ``trust_keys_from_https``: first trust the keys discovery names for the image (see trust.py)."""
    app = None if _is_url(ref) else parse_app(ref)
    cached = _cached(store, ref, pull_policy)
    if cached is not None:
        return cached
    scratch = Path(tempfile.mkdtemp(dir=paths.cas_tmp_dir(store.root), prefix="fetch-"))
    try:
        job = _Job(store, ref, app, scratch, insecure, signature is None and "image" not in insecure, progress)
        got = http.run(lambda session: _download(session, job), insecure_tls="tls" in insecure)
        if got.cached_id:
            return store.get(got.cached_id)
        name = aci.manifest_name(got.aci)
        if app is not None and name != app.name:
            raise FetchError(f"image name mismatch: asked for {app.name}, {got.url} holds {name}")
        if "image" not in insecure:
            if trust_keys_from_https and app is not None and signature is None:
                trust.trust_keys_from_https(name, insecure=insecure, local_config=local_config,
                                            system_config=system_config)
            trust.verify_file(got.aci, signature or got.asc, name, local_config, system_config)
        info = store.import_aci(got.aci, origin=got.url)
        store.set_remote(got.url, info.id, got.etag)
        return info
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _is_url(ref: str) -> bool:
    return ref.startswith(("http://", "https://"))


def _cached(store: Any, ref: str, pull_policy: str) -> Any:
    """The stored image for ``ref`` when the pull policy lets us skip the network."""
    if pull_policy == "update":
        return None
    try:
        if _is_url(ref):
            remote = store.remote(ref)
            return store.get(remote.image_id) if remote else _not_stored(ref, pull_policy)
        return store.resolve(ref)
    except ImageNotFound:
        return _not_stored(ref, pull_policy)


def _not_stored(ref: str, pull_policy: str) -> None:
    if pull_policy == "never":
        raise ImageNotFound(f"image {ref} not found in the store (--pull-policy=never)")
    return None


async def _download(session: Any, job: _Job) -> Downloaded:
    allow_http = "http" in job.insecure
    endpoints = [(job.ref, job.ref + ".asc")] if job.app is None else await discover(session, job.app, "aci", allow_http)
    failures = []
    for aci_url, asc_url in endpoints:
        known = _stored_remote(job.store, aci_url)
        try:
            http.check_scheme(aci_url, allow_http)
            etag = await http.download(session, aci_url, job.scratch / "image.aci", allow_http=allow_http,
                                       progress=job.progress, etag=known.etag if known else "")
        except FetchError as exc:
            failures.append(str(exc))
            continue
        if etag is None:
            return Downloaded(aci_url, None, None, known.etag, known.image_id)
        asc = await _signature(session, asc_url, job.scratch, allow_http) if job.want_asc else None
        return Downloaded(aci_url, job.scratch / "image.aci", asc, etag)
    raise FetchError("; ".join(failures))


def _stored_remote(store: Any, url: str) -> Any:
    """What ``url`` gave last time, if that image is still in the store (for a conditional GET)."""
    known = store.remote(url)
    try:
        return known if known and known.etag and store.get(known.image_id) else None
    except ImageNotFound:
        return None


async def _signature(session: Any, url: str, scratch: Path, allow_http: bool) -> Path:
    try:
        http.check_scheme(url, allow_http)
        await http.download(session, url, scratch / "image.aci.asc", allow_http=allow_http)
    except FetchError as exc:
        raise SignatureError(f"no signature: {exc}") from None
    return scratch / "image.aci.asc"
