"""appc meta discovery: from an image name to the URLs of its ACI, signature and public keys.

``GET https://{name}?ac-discovery=1`` (plain HTTP only when allowed) returns HTML whose
``<meta name="ac-discovery" content="PREFIX TEMPLATE">`` tags map names to URL templates and
``<meta name="ac-discovery-pubkeys" content="PREFIX URL">`` tags name the keys. A name with no matching
tag is retried at each parent path (``example.com/a/b`` → ``example.com/a`` → ``example.com``).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from rktnetes.rkt import paths
from rktnetes.rkt.images import aci, http, trust
from rktnetes.rkt.images.errors import FetchError, ImageNotFound, SignatureError

DEFAULT_LABELS = {"os": "linux", "arch": "amd64", "version": "latest"}
_PLACEHOLDER = re.compile(r"\{[^}]*\}")


@dataclass(frozen=True)
class Meta:
    kind: str
    prefix: str
    uri: str


@dataclass
class App:
    """An appc name and its labels (version, os, arch), as templates see them."""

    name: str
    labels: dict[str, str] = field(default_factory=dict)

    def template_vars(self) -> dict[str, str]:
        return {**DEFAULT_LABELS, **self.labels, "name": self.name}


class _MetaParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[Meta] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "meta":
            return
        attr = {k: v or "" for k, v in attrs}
        prefix, _, uri = attr.get("content", "").strip().partition(" ")
        if attr.get("name", "").startswith("ac-") and prefix and uri.strip():
            self.found.append(Meta(attr["name"], prefix, uri.strip()))


def parse_meta(page: str) -> list[Meta]:
    """Every ``ac-*`` meta tag of a discovery page."""
    parser = _MetaParser()
    parser.feed(page)
    parser.close()
    return parser.found


def render(template: str, variables: dict[str, str]) -> str | None:
    """Substitute ``{var}``s; None when a placeholder is left that we have no value for."""
    out = _PLACEHOLDER.sub(lambda m: variables.get(m.group(0)[1:-1], m.group(0)), template)
    return None if _PLACEHOLDER.search(out) else out


def matching(metas: list[Meta], kind: str, name: str) -> list[Meta]:
    """Tags of ``kind`` whose prefix matches ``name``, longest prefix first."""
    return sorted((m for m in metas if m.kind == kind and name.startswith(m.prefix)), key=lambda m: -len(m.prefix))


def aci_endpoints(metas: list[Meta], app: App) -> list[tuple[str, str]]:
    """(ACI URL, signature URL) pairs a page offers for ``app``."""
    pairs = []
    for meta in matching(metas, "ac-discovery", app.name):
        image_url = render(meta.uri, {**app.template_vars(), "ext": "aci"})
        asc_url = render(meta.uri, {**app.template_vars(), "ext": "aci.asc"})
        if image_url and asc_url:
            pairs.append((image_url, asc_url))
    return pairs


def parents(name: str) -> list[str]:
    """The name and each parent path, longest first."""
    parts = name.split("/")
    return ["/".join(parts[:i]) for i in range(len(parts), 0, -1)]


async def discover(session: Any, app: App, kind: str, allow_http: bool) -> list[Any]:
    """Walk up the name until a page offers something of ``kind`` (``aci`` or ``pubkeys``)."""
    attempts = []
    for path in parents(app.name):
        try:
            metas = parse_meta(await _page(session, path, allow_http))
        except FetchError as exc:
            attempts.append(str(exc))
            continue
        found = aci_endpoints(metas, app) if kind == "aci" else [m.uri for m in matching(metas, "ac-discovery-pubkeys", app.name)]
        if found:
            return found
        attempts.append(f"{path}: no {kind} meta tag for {app.name}")
    raise FetchError(f"discovery failed for {app.name}: {'; '.join(attempts)}")


async def _page(session: Any, path: str, allow_http: bool) -> str:
    """The discovery page at ``path``: https first, plain http as a fallback when allowed."""
    try:
        page = await http.get_bytes(session, f"https://{path}?ac-discovery=1", allow_http=allow_http)
    except FetchError:
        if not allow_http:
            raise
        page = await http.get_bytes(session, f"http://{path}?ac-discovery=1", allow_http=True)
    return page.decode(errors="replace")


def parse_app(ref: str) -> App:
    """``example.com/app[:version][,label=value…]`` as an App; the name must be an AC identifier."""
    from rktnetes.rkt.images import keystore, resolving

    name, labels = resolving.parse_name(ref)
    keystore.check_prefix(name)
    return App(name, labels)


async def pubkey_urls(session: Any, prefix: str, allow_http: bool) -> list[str]:
    """The ``ac-discovery-pubkeys`` URLs found for a prefix."""
    return await discover(session, App(prefix), "pubkeys", allow_http)


def discover_pubkeys(prefix: str, *, allow_http: bool, insecure_tls: bool = False) -> list[str]:
    """The public key URLs that appc discovery finds for ``prefix`` (for ``rkt trust --prefix``)."""
    return http.run(lambda session: pubkey_urls(session, prefix, allow_http), insecure_tls=insecure_tls)


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
               system_config: Path = paths.DEFAULT_SYSTEM_CONFIG, progress: bool = False) -> Any:
    """Fetch an ACI by http(s) URL or appc name, verify its signature, import it; returns its ImageInfo."""
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
