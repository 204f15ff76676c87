"""The image store: ids, resolution and its errors, dedupe, OCI-style trees, dependencies, removal."""

from __future__ import annotations

import bz2
import hashlib
import io
import lzma
import tarfile
from pathlib import Path

import pytest

from rktnetes.rkt import paths
from rktnetes.rkt.images import aci, ids
from rktnetes.rkt.images.errors import AmbiguousImageID, ImageError, ImageIDTooShort, ImageNotFound, ManifestError
from rktnetes.rkt.images.store import ImageStore
from tests.fixtures.images_acis import add_bytes, build_aci, manifest_doc


def test_id_is_sha512_of_uncompressed_tar_whatever_the_compression(image_store: ImageStore, tmp_path: Path) -> None:
    plain = build_aci(tmp_path / "plain.aci", mode="w")
    expected = "sha512-" + hashlib.sha512(plain.read_bytes()).hexdigest()[:64]
    (tmp_path / "x.bz2").write_bytes(bz2.compress(plain.read_bytes()))
    (tmp_path / "x.xz").write_bytes(lzma.compress(plain.read_bytes()))
    for src in (plain, tmp_path / "x.bz2", tmp_path / "x.xz"):
        assert image_store.import_aci(src).id == expected
    assert len(image_store.list()) == 1
    assert ids.display(expected) == expected[:39]
    assert ids.display(expected, full=True) == expected


def test_resolution_and_its_errors(image_store: ImageStore, make_aci) -> None:
    one = image_store.import_aci(make_aci(manifest_doc(version="1.0")))
    two = image_store.import_aci(make_aci(manifest_doc(version="2.0")))
    assert image_store.resolve(one.id[:20]) == one
    assert image_store.resolve(one.id.upper().replace("SHA512", "sha512")) == one
    assert image_store.resolve("example.com/hello:1.0").id == one.id
    assert image_store.resolve("example.com/hello").id == two.id  # the latest import wins
    assert image_store.resolve("example.com/hello,version=1.0,os=linux").id == one.id
    with pytest.raises(ImageIDTooShort, match="image ID too short"):
        image_store.resolve("sha512-a")
    with pytest.raises(ImageNotFound, match="no image IDs found"):
        image_store.resolve(next("sha512-" + c * 10 for c in "0123456789abcdef" if c not in (one.id[7], two.id[7])))
    with pytest.raises(ImageNotFound, match="no image named"):
        image_store.resolve("example.com/hello:3.0")


def test_ambiguous_prefix_with_forced_ids(image_store: ImageStore) -> None:
    doc = manifest_doc()
    for suffix in ("aa", "ab"):
        image_store.add_image(manifest=doc, build_rootfs=lambda r: None, image_id="sha512-" + "1" * 62 + suffix,
                              origin="test", fmt="oci")
    with pytest.raises(AmbiguousImageID, match="ambiguous image ID"):
        image_store.resolve("sha512-1111")
    assert image_store.resolve("sha512-" + "1" * 62 + "ab").id.endswith("ab")


def test_add_image_builds_tree_once(image_store: ImageStore) -> None:
    calls = []

    def build(rootfs: Path) -> None:
        calls.append(rootfs)
        (rootfs / "hello").write_text("hi")

    image_id = "sha512-" + "c" * 64
    first = image_store.add_image(manifest=manifest_doc(), build_rootfs=build, image_id=image_id, origin="o", fmt="oci")
    again = image_store.add_image(manifest=manifest_doc(), build_rootfs=build, image_id=image_id, origin="o", fmt="oci")
    assert first == again and len(calls) == 1
    assert (image_store.rootfs(image_id) / "hello").read_text() == "hi"
    assert image_store.manifest(image_id)["name"] == "example.com/hello"
    assert image_store.blob(image_id) is None and first.fmt == "oci"


def test_add_image_failure_leaves_nothing(image_store: ImageStore) -> None:
    def explode(rootfs: Path) -> None:
        (rootfs / "partial").write_text("x")
        raise RuntimeError("layer digest mismatch")

    with pytest.raises(RuntimeError):
        image_store.add_image(manifest=manifest_doc(), build_rootfs=explode, image_id="sha512-" + "d" * 64,
                              origin="o", fmt="docker")
    assert image_store.list() == [] and not list(paths.cas_tmp_dir(image_store.root).iterdir())
    with pytest.raises(ImageError, match="invalid image ID"):
        image_store.add_image(manifest=manifest_doc(), build_rootfs=explode, image_id="sha512-../../etc",
                              origin="o", fmt="docker")
    with pytest.raises(ManifestError):
        image_store.add_image(manifest={"acKind": "x"}, build_rootfs=explode, image_id="sha512-" + "d" * 64,
                              origin="o", fmt="docker")


def test_dependencies_and_path_whitelist_render(image_store: ImageStore, make_aci) -> None:
    base = image_store.import_aci(make_aci(manifest_doc(name="example.com/base", version="1")))

    def own(tar: tarfile.TarFile) -> None:
        add_bytes(tar, "rootfs/etc/motd", b"overridden\n")
        add_bytes(tar, "rootfs/extra", b"dropped")

    doc = manifest_doc(name="example.com/app", dependencies=[
        {"imageName": "example.com/base", "labels": [{"name": "version", "value": "1"}]}])
    app = image_store.import_aci(make_aci(doc, extra=own))
    rootfs = image_store.rootfs(app.id)
    assert (rootfs / "etc/motd").read_text() == "overridden\n"
    assert (rootfs / "bin/hello").exists() and (rootfs / "extra").exists()
    assert (image_store.rootfs(base.id) / "etc/motd").read_text() == "welcome\n"
    doc_wl = manifest_doc(name="example.com/slim", dependencies=[{"imageName": "example.com/base", "imageID": base.id}],
                          pathWhitelist=["/bin/hello"])
    slim = image_store.rootfs(image_store.import_aci(make_aci(doc_wl)).id)
    assert (slim / "bin/hello").exists() and not (slim / "etc/motd").exists()


def test_missing_dependency_is_refused(image_store: ImageStore, make_aci) -> None:
    doc = manifest_doc(dependencies=[{"imageName": "example.com/nowhere"}])
    with pytest.raises(ImageNotFound, match="fetch it first"):
        image_store.import_aci(make_aci(doc))
    assert image_store.list() == []


def test_remove_touch_and_remotes(image_store: ImageStore, make_aci) -> None:
    info = image_store.import_aci(make_aci())
    image_store.touch(info.id)
    assert image_store.get(info.id).last_used >= info.last_used
    image_store.set_remote("https://example.com/hello.aci", info.id, "etag-1")
    assert image_store.remote("https://example.com/hello.aci").etag == "etag-1"
    image_store.remove(info.id)
    assert image_store.list() == [] and image_store.remote("https://example.com/hello.aci") is None
    assert not paths.cas_tree_dir(image_store.root, info.id).exists()
    assert not paths.cas_blob_path(image_store.root, info.id).exists()
    with pytest.raises(ImageNotFound):
        image_store.remove(info.id)


def test_write_aci_is_deterministic_and_reimports_to_same_id(image_store: ImageStore, make_aci,
                                                              tmp_path: Path) -> None:
    info = image_store.import_aci(make_aci())
    doc, rootfs = image_store.manifest(info.id), image_store.rootfs(info.id)
    first, second = io.BytesIO(), io.BytesIO()
    id1, id2 = aci.write_aci(doc, rootfs, first), aci.write_aci(doc, rootfs, second)
    assert id1 == id2 and first.getvalue() == second.getvalue()
    (tmp_path / "w.aci").write_bytes(first.getvalue())
    other = ImageStore(tmp_path / "other")
    try:
        assert other.import_aci(tmp_path / "w.aci").id == id1
    finally:
        other.close()


def test_unusable_store_dir_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(ImageError, match="cannot open the image store"):
        ImageStore(tmp_path / "file")
