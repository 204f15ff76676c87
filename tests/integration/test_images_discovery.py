"""appc discovery and fetch against a discovery server started by the test on a loopback address.

The server listens on port 80 of a random 127.x.y.z address, so image names (``127.x.y.z/app``) are
plain AC identifiers and discovery runs exactly as it would against a real host.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import tarfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rktnetes.rkt.images import discovery, http
from rktnetes.rkt.images.errors import FetchError, ImageNotFound, SignatureError
from rktnetes.rkt.images.store import ImageStore

pytestmark = pytest.mark.integration


@dataclass
class DiscoveryServer:
    """Serves discovery pages (by path) and files (by path) over plain HTTP on ``host``:80."""

    host: str
    pages: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    truncated: set[str] = field(default_factory=set)
    requests: list[str] = field(default_factory=list)

    def meta(self, path: str, prefix: str, template: str | None = None, pubkeys: str | None = None) -> None:
        tags = []
        if template:
            tags.append(f'<meta name="ac-discovery" content="{prefix} {template}">')
        if pubkeys:
            tags.append(f'<meta name="ac-discovery-pubkeys" content="{prefix} {pubkeys}">')
        self.pages[path] = f"<html><head>{''.join(tags)}</head><body>discovery</body></html>"

    def url(self, path: str) -> str:
        return f"http://{self.host}/{path.lstrip('/')}"


def _handler(server: DiscoveryServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            server.requests.append(self.path)
            path, _, query = self.path.partition("?")
            key = f"{server.host}{path}".rstrip("/")
            if query == "ac-discovery=1" and key in server.pages:
                return self._send(server.pages[key].encode(), "text/html")
            body = server.files.get(path.lstrip("/"))
            if body is None:
                return self.send_error(404)
            if path.lstrip("/") in server.truncated:
                return self._send(body[: len(body) // 2], "application/octet-stream", length=len(body))
            self._send(body, "application/octet-stream")

        def _send(self, body: bytes, ctype: str, length: int | None = None) -> None:
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(length or len(body)))
            self.send_header("ETag", '"v1"')
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def appc_server() -> Iterator[DiscoveryServer]:
    """A discovery server on 127.x.y.z:80 (root can bind it; the address is random to avoid collisions)."""
    for _ in range(20):
        host = f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"
        state = DiscoveryServer(host)
        try:
            httpd = ThreadingHTTPServer((host, 80), _handler(state))
            break
        except OSError:
            continue
    else:
        pytest.fail("no free loopback address with port 80 for the discovery server")
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)


def make_aci(name: str, version: str = "1.0.0", payload: bytes = b"hello\n") -> bytes:
    """A gzip ACI built with a plain tar: a manifest and one file in rootfs/."""
    manifest = {"acKind": "ImageManifest", "acVersion": "0.8.11", "name": name,
                "labels": [{"name": "version", "value": version}, {"name": "os", "value": "linux"},
                           {"name": "arch", "value": "amd64"}]}
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for arcname, data in (("manifest", json.dumps(manifest).encode()), ("rootfs/hello.txt", payload)):
            info = tarfile.TarInfo(arcname)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
        rootfs = tarfile.TarInfo("rootfs")
        rootfs.type, rootfs.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(rootfs)
    return gzip.compress(buf.getvalue())


def aci_path(name: str, version: str = "latest") -> str:
    """Where ``publish`` serves an image (the discovery template's expansion, without the host)."""
    return f"images/{name}-{version}-linux-amd64.aci"


def publish(server: DiscoveryServer, tmp_path: Path, key, app: str = "app", version: str = "latest") -> str:
    """Serve a signed ACI for ``<host>/<app>`` behind a discovery page at the host root; returns the name."""
    name = f"{server.host}/{app}"
    aci = tmp_path / f"{app}-{version}.aci"
    aci.write_bytes(make_aci(name, version))
    aci.with_name(aci.name + ".asc").unlink(missing_ok=True)
    server.files[aci_path(name, version)] = aci.read_bytes()
    if key is not None:
        server.files[aci_path(name, version) + ".asc"] = key.sign(aci).read_bytes()
        server.files["pubkeys.gpg"] = key.armored
    template = server.url("images/{name}-{version}-{os}-{arch}.{ext}")
    server.meta(server.host, server.host, template, server.url("pubkeys.gpg"))
    return name


@pytest.fixture
def image_store(tmp_path: Path) -> Iterator[ImageStore]:
    store = ImageStore(tmp_path / "rkt")
    yield store
    store.close()


def _fetch(store: ImageStore, ref: str, tmp_path: Path, **kw):
    kw.setdefault("insecure", frozenset({"http"}))
    return discovery.fetch_appc(store, ref, local_config=tmp_path / "etc", system_config=tmp_path / "usr", **kw)


def _trust(tmp_path: Path, key, prefix: str | None) -> None:
    from rktnetes.rkt.images import trust

    trust.Keystore(tmp_path / "etc", tmp_path / "usr").add(key.armored, prefix, root=prefix is None)


def _leftovers(store: ImageStore) -> list[Path]:
    from rktnetes.rkt import paths

    return list(paths.cas_tmp_dir(store.root).iterdir())


def test_discovery_walks_up_to_parent_and_prefers_longest_prefix(appc_server: DiscoveryServer) -> None:
    host = appc_server.host
    appc_server.pages[host] = (
        f'<meta name="ac-discovery" content="{host} http://short/{{name}}.{{ext}}">'
        f'<meta name="ac-discovery" content="{host}/team http://long/{{name}}-{{version}}.{{ext}}">'
        f'<meta name="ac-discovery" content="{host}/team http://needs/{{missing}}.{{ext}}">'
        f'<meta name="ac-discovery" content="other.org http://other/{{name}}.{{ext}}">')
    app = discovery.App(f"{host}/team/app", {"version": "2.0"})
    found = http.run(lambda s: discovery.discover(s, app, "aci", allow_http=True))
    assert found == [(f"http://long/{host}/team/app-2.0.aci", f"http://long/{host}/team/app-2.0.aci.asc"),
                     (f"http://short/{host}/team/app.aci", f"http://short/{host}/team/app.aci.asc")]
    asked = [r for r in appc_server.requests if r.endswith("ac-discovery=1")]
    assert asked == ["/team/app?ac-discovery=1", "/team?ac-discovery=1", "/?ac-discovery=1"]


def test_discovery_needs_https_unless_http_allowed(appc_server: DiscoveryServer) -> None:
    appc_server.meta(appc_server.host, appc_server.host, "http://x/{name}.{ext}")
    app = discovery.App(f"{appc_server.host}/app")
    with pytest.raises(FetchError, match=f"discovery failed for {appc_server.host}/app: GET https://"):
        http.run(lambda s: discovery.discover(s, app, "aci", allow_http=False))
    assert appc_server.requests == []


def test_pubkeys_discovered(appc_server: DiscoveryServer, tmp_path: Path, gpg_keys) -> None:
    publish(appc_server, tmp_path, gpg_keys())
    urls = http.run(lambda s: discovery.pubkey_urls(s, f"{appc_server.host}/app", allow_http=True))
    assert urls == [appc_server.url("pubkeys.gpg")]


def test_fetch_signed_image_by_name(appc_server, tmp_path, gpg_keys, image_store) -> None:
    key = gpg_keys()
    name = publish(appc_server, tmp_path, key, version="1.0.0")
    _trust(tmp_path, key, name)
    info = _fetch(image_store, f"{name}:1.0.0", tmp_path)
    assert info.name == name and info.labels["version"] == "1.0.0"
    assert (image_store.rootfs(info.id) / "hello.txt").read_bytes() == b"hello\n"
    assert _leftovers(image_store) == []
    before = len(appc_server.requests)
    assert _fetch(image_store, f"{name}:1.0.0", tmp_path).id == info.id
    assert len(appc_server.requests) == before, "pull policy new must use the store"


def test_fetch_by_url_reads_name_from_manifest(appc_server, tmp_path, gpg_keys, image_store) -> None:
    key = gpg_keys()
    name = publish(appc_server, tmp_path, key)
    _trust(tmp_path, key, None)
    url = appc_server.url(aci_path(name))
    info = _fetch(image_store, url, tmp_path)
    assert info.name == name and image_store.remote(url).image_id == info.id


def _refused(store, ref, tmp_path, match, **kw) -> None:
    with pytest.raises((FetchError, SignatureError)) as caught:
        _fetch(store, ref, tmp_path, **kw)
    assert match in str(caught.value) and "\n" not in str(caught.value)
    assert store.list() == [] and _leftovers(store) == []


def test_fetch_refuses_unsigned(appc_server, tmp_path, image_store) -> None:
    name = publish(appc_server, tmp_path, None)
    _refused(image_store, name, tmp_path, "no signature: GET http://")


def test_fetch_unsigned_allowed_with_insecure_image(appc_server, tmp_path, image_store) -> None:
    name = publish(appc_server, tmp_path, None)
    assert _fetch(image_store, name, tmp_path, insecure=frozenset({"http", "image"})).name == name


def test_fetch_refuses_unknown_key(appc_server, tmp_path, gpg_keys, image_store) -> None:
    name = publish(appc_server, tmp_path, gpg_keys("Signer"))
    _trust(tmp_path, gpg_keys("Someone Else"), name)
    _refused(image_store, name, tmp_path, "is signed by an unknown key")


def test_fetch_refuses_key_of_another_prefix(appc_server, tmp_path, gpg_keys, image_store) -> None:
    key = gpg_keys()
    name = publish(appc_server, tmp_path, key)
    _trust(tmp_path, key, "example.com/other")
    _refused(image_store, name, tmp_path, f"is not trusted for prefix {name} (only for example.com/other)")


def test_fetch_refuses_bad_signature(appc_server, tmp_path, gpg_keys, image_store) -> None:
    key = gpg_keys()
    name = publish(appc_server, tmp_path, key)
    _trust(tmp_path, key, name)
    appc_server.files[aci_path(name)] = make_aci(name, "latest", payload=b"evil\n")
    _refused(image_store, name, tmp_path, "bad signature for")


def test_fetch_refuses_truncated_download(appc_server, tmp_path, gpg_keys, image_store) -> None:
    key = gpg_keys()
    name = publish(appc_server, tmp_path, key)
    _trust(tmp_path, key, name)
    appc_server.truncated.add(aci_path(name))
    _refused(image_store, name, tmp_path, "truncated download of http://")


def test_fetch_refuses_name_mismatch(appc_server, tmp_path, gpg_keys, image_store) -> None:
    key = gpg_keys()
    name = publish(appc_server, tmp_path, key)
    _trust(tmp_path, key, None)
    appc_server.meta(f"{appc_server.host}/impostor", appc_server.host, appc_server.url(aci_path(name)[:-3] + "{ext}"))
    _refused(image_store, f"{appc_server.host}/impostor", tmp_path, f"image name mismatch: asked for {appc_server.host}/impostor")
    assert name


def test_fetch_plain_http_refused_without_insecure_http(appc_server, tmp_path, gpg_keys, image_store) -> None:
    name = publish(appc_server, tmp_path, gpg_keys())
    _refused(image_store, name, tmp_path, "discovery failed", insecure=frozenset())
    _refused(image_store, appc_server.url(aci_path(name)), tmp_path, "refusing plain HTTP",
             insecure=frozenset())


def test_pull_policy_never_without_image(appc_server, tmp_path, image_store) -> None:
    with pytest.raises(ImageNotFound, match="not found in the store"):
        _fetch(image_store, f"{appc_server.host}/app", tmp_path, pull_policy="never")
    assert appc_server.requests == []
