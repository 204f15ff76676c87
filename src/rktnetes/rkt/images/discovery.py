"""appc meta discovery: from an image name to the URLs of its ACI, signature and public keys.

``GET https://{name}?ac-discovery=1`` (plain HTTP only when allowed) returns HTML whose
``<meta name="ac-discovery" content="PREFIX TEMPLATE">`` tags map names to URL templates and
``<meta name="ac-discovery-pubkeys" content="PREFIX URL">`` tags name the keys. A name with no matching
tag is retried at each parent path (``example.com/a/b`` → ``example.com/a`` → ``example.com``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from rktnetes.rkt.images import http
from rktnetes.rkt.images.errors import FetchError

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


def fetch_appc(store: Any, ref: str, **options: Any) -> Any:
    """Fetch by appc name or http(s) URL; see ``appc_fetching.fetch_appc`` (kept here for the dispatcher)."""
    from rktnetes.rkt.images import appc_fetching

    return appc_fetching.fetch_appc(store, ref, **options)
