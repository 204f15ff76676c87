"""The fetch dispatcher routes each kind of reference to its fetcher, and applies pull policies to files."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pytest

from rktnetes.rkt import paths
from rktnetes.rkt.images import fetching
from rktnetes.rkt.images.errors import FetchError, ImageNotFound, SignatureError
from rktnetes.rkt.images.store import ImageStore


def _fake(monkeypatch: pytest.MonkeyPatch, module: str, function: str, calls: list[Any]) -> None:
    fake = types.ModuleType(f"rktnetes.rkt.images.{module}")
    setattr(fake, function, lambda *args, **kwargs: calls.append((function, args, kwargs)) or "fetched")
    monkeypatch.setitem(sys.modules, fake.__name__, fake)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    recorded: list[Any] = []
    _fake(monkeypatch, "docker", "fetch_docker", recorded)
    _fake(monkeypatch, "oci", "import_layout", recorded)
    _fake(monkeypatch, "discovery", "fetch_appc", recorded)
    return recorded


def test_routes(calls: list[Any], image_store: ImageStore) -> None:
    insecure = frozenset({"image"})
    fetching.fetch(image_store, "docker://busybox:latest", insecure=insecure, pull_policy="update")
    fetching.fetch(image_store, "oci:/srv/layout:v1", insecure=insecure)
    fetching.fetch(image_store, "oci:/srv/layout", insecure=insecure)
    fetching.fetch(image_store, "example.com/app:1.0", insecure=insecure)
    fetching.fetch(image_store, "https://example.com/app.aci", insecure=insecure)
    assert calls[0] == ("fetch_docker", (image_store, "docker://busybox:latest"),
                        {"insecure": insecure, "pull_policy": "update", "progress": False,
                         "local_config": paths.DEFAULT_LOCAL_CONFIG, "system_config": paths.DEFAULT_SYSTEM_CONFIG})
    assert calls[1][1] == (image_store, Path("/srv/layout"), "v1")
    assert calls[2][1] == (image_store, Path("/srv/layout"), None)
    assert [c[0] for c in calls[3:]] == ["fetch_appc", "fetch_appc"]
    assert calls[3][1][1] == "example.com/app:1.0" and calls[3][2]["pull_policy"] == "new"


def test_ids_come_from_the_store(calls: list[Any], image_store: ImageStore, make_aci) -> None:
    info = image_store.import_aci(make_aci())
    assert fetching.fetch(image_store, info.id[:16]) == info
    assert calls == []


def test_unknown_pull_policy_and_missing_fetcher(image_store: ImageStore, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(FetchError, match="unknown pull policy"):
        fetching.fetch(image_store, "docker://x", pull_policy="sometimes")
    monkeypatch.setitem(sys.modules, "rktnetes.rkt.images.docker", None)
    with pytest.raises(FetchError, match="docker images are not supported"):
        fetching.fetch(image_store, "docker://x")


@pytest.mark.parametrize(("ref", "is_file"), [
    ("/abs/x.aci", True), ("./x", True), ("../x", True), ("file:///x.aci", True), ("x.aci", True),
    ("example.com/app:1.0", False), ("example.com/app", False), ("https://h/x.aci", False),
])
def test_file_refs(ref: str, is_file: bool) -> None:
    assert fetching.is_file_ref(ref) is is_file


def test_file_pull_policies_and_signature(image_store: ImageStore, make_aci, tmp_path: Path) -> None:
    aci = make_aci()
    trust = (None, tmp_path / "etc", tmp_path / "sys")
    with pytest.raises(ImageNotFound, match="not found in store"):
        fetching.fetch_file(image_store, aci, insecure=frozenset({"image"}), pull_policy="never", trust=trust)
    with pytest.raises(SignatureError, match="no signature"):
        fetching.fetch_file(image_store, aci, insecure=frozenset(), pull_policy="new", trust=trust)
    assert image_store.list() == []
    first = fetching.fetch_file(image_store, aci, insecure=frozenset({"image"}), pull_policy="new", trust=trust)
    image_store.remove(first.id)
    again = fetching.fetch_file(image_store, aci, insecure=frozenset({"image"}), pull_policy="new", trust=trust)
    assert again.id == first.id and image_store.remote(f"file://{aci}").image_id == first.id


def test_missing_dependencies_are_fetched_by_name(image_store: ImageStore, make_aci,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.fixtures.images_acis import manifest_doc

    base = make_aci(manifest_doc(name="example.com/base", version="1"))
    asked: list[str] = []

    def fetch_appc(store: ImageStore, ref: str, **options: Any) -> Any:
        asked.append(ref)
        return store.import_aci(base)

    fake = types.ModuleType("rktnetes.rkt.images.discovery")
    fake.fetch_appc = fetch_appc  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, fake.__name__, fake)
    dep = {"imageName": "example.com/base", "labels": [{"name": "version", "value": "1"},
                                                       {"name": "arch", "value": "amd64"}]}
    app = make_aci(manifest_doc(name="example.com/app", dependencies=[dep]))
    info = fetching.fetch(image_store, str(app), insecure=frozenset({"image"}))
    assert asked == ["example.com/base:1,arch=amd64"]
    assert (image_store.rootfs(info.id) / "etc/motd").exists() and len(image_store.list()) == 2
    pinned = make_aci(manifest_doc(name="example.com/pinned", dependencies=[
        {"imageName": "example.com/base", "imageID": "sha512-" + "0" * 64}]))
    with pytest.raises(FetchError, match="resolved to"):
        fetching.fetch(image_store, str(pinned), insecure=frozenset({"image"}))
