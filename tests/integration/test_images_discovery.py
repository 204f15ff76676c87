"""appc discovery and fetch against a discovery server started by the test (tests/fixtures/appc_discovery.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rktnetes.rkt.images import discovery, http
from rktnetes.rkt.images.errors import FetchError, ImageNotFound, SignatureError
from rktnetes.rkt.images.store import ImageStore
from tests.fixtures.appc_discovery import DiscoveryServer, aci_path, make_aci, publish

pytestmark = pytest.mark.integration


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


def test_fetch_over_https_verifies_the_certificate(appc_tls_server, tmp_path, gpg_keys, image_store) -> None:
    key = gpg_keys()
    name = publish(appc_tls_server, tmp_path, key, scheme="https")
    _trust(tmp_path, key, name)
    with pytest.raises(FetchError, match="(?i)certificate verify failed"):
        _fetch(image_store, name, tmp_path, insecure=frozenset())
    info = _fetch(image_store, name, tmp_path, insecure=frozenset({"tls"}))
    assert info.name == name
    assert image_store.list()[0].origin.startswith("https://")


def test_redirect_to_plain_http_is_refused(appc_tls_server, tmp_path, gpg_keys, image_store) -> None:
    key = gpg_keys()
    name = publish(appc_tls_server, tmp_path, key, scheme="https")
    _trust(tmp_path, key, name)
    appc_tls_server.files["plain.aci"] = appc_tls_server.files[aci_path(name)]
    appc_tls_server.redirects[aci_path(name)] = appc_tls_server.url("plain.aci", "http")
    _refused(image_store, name, tmp_path, "refusing plain HTTP for http://", insecure=frozenset({"tls"}))
    assert _fetch(image_store, name, tmp_path, insecure=frozenset({"tls", "http"})).name == name


def test_fetch_with_a_given_signature_file(appc_server, tmp_path, gpg_keys, image_store) -> None:
    key = gpg_keys()
    name = publish(appc_server, tmp_path, None)
    _trust(tmp_path, key, name)
    local = tmp_path / "local.aci"
    local.write_bytes(appc_server.files[aci_path(name)])
    info = _fetch(image_store, appc_server.url(aci_path(name)), tmp_path, signature=key.sign(local))
    assert info.name == name


def test_pull_policy_update_uses_etags(appc_server, tmp_path, gpg_keys, image_store) -> None:
    key = gpg_keys()
    name = publish(appc_server, tmp_path, key)
    _trust(tmp_path, key, name)
    first = _fetch(image_store, name, tmp_path)
    assert _fetch(image_store, name, tmp_path, pull_policy="update").id == first.id
    assert appc_server.not_modified == 1
    newer = tmp_path / "newer.aci"
    newer.write_bytes(make_aci(name, "latest", payload=b"version two\n"))
    appc_server.files[aci_path(name)] = newer.read_bytes()
    appc_server.files[aci_path(name) + ".asc"] = key.sign(newer).read_bytes()
    second = _fetch(image_store, name, tmp_path, pull_policy="update")
    assert second.id != first.id and (image_store.rootfs(second.id) / "hello.txt").read_bytes() == b"version two\n"
    assert _fetch(image_store, name, tmp_path).id == second.id


def test_progress_bar_on_stderr_when_asked(appc_server, tmp_path, gpg_keys, image_store, capsys) -> None:
    key = gpg_keys()
    name = publish(appc_server, tmp_path, key)
    _trust(tmp_path, key, name)
    _fetch(image_store, name, tmp_path, progress=True)
    captured = capsys.readouterr()
    assert "Downloading" in captured.err and captured.out == ""
