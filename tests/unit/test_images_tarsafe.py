"""Hostile ACIs, generated here, are each refused with one clear line and leave nothing in the store."""

from __future__ import annotations

import gzip
import io
import json
import os
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from rktnetes.rkt import paths
from rktnetes.rkt.images.errors import ImageError
from rktnetes.rkt.images.manifest import MAX_MANIFEST_BYTES
from rktnetes.rkt.images.store import ImageStore
from tests.fixtures.images_acis import add_bytes, add_entry, build_aci, manifest_doc

Extra = Callable[[tarfile.TarFile], None]

HOSTILE: dict[str, tuple[Extra, str]] = {
    "dotdot": (lambda t: add_bytes(t, "rootfs/../../evil", b"x"), "contains '..'"),
    "absolute": (lambda t: add_bytes(t, "/etc/evil", b"x"), "absolute path"),
    "outside-rootfs": (lambda t: add_bytes(t, "other/file", b"x"), "outside rootfs/"),
    "symlink-escape": (lambda t: add_entry(t, "rootfs/bin/up", tarfile.SYMTYPE, "../../../etc"), "escapes the rootfs"),
    "through-symlink": (
        lambda t: (add_entry(t, "rootfs/sys", tarfile.SYMTYPE, "/etc"), add_bytes(t, "rootfs/sys/passwd", b"x")),
        "goes through the symlink",
    ),
    "hardlink-absolute": (lambda t: add_entry(t, "rootfs/h", tarfile.LNKTYPE, "/etc/shadow"), "hardlink"),
    "hardlink-dotdot": (lambda t: add_entry(t, "rootfs/h", tarfile.LNKTYPE, "rootfs/../../x"), "hardlink"),
    "hardlink-manifest": (lambda t: add_entry(t, "rootfs/h", tarfile.LNKTYPE, "manifest"), "hardlink"),
    "rootfs-symlink": (lambda t: add_entry(t, "./rootfs", tarfile.SYMTYPE, "/"), "'rootfs' is not a directory"),
    "char-device": (lambda t: add_entry(t, "rootfs/dev-null", tarfile.CHRTYPE), "device node"),
    "block-device": (lambda t: add_entry(t, "rootfs/sda", tarfile.BLKTYPE), "device node"),
}


def assert_store_empty(store: ImageStore) -> None:
    assert store.list() == []
    assert not list(paths.cas_tmp_dir(store.root).iterdir())
    for folder in ("blobs", "tree"):
        where = paths.cas_dir(store.root) / folder
        assert not where.exists() or not list(where.iterdir())


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_member_is_refused(case: str, image_store: ImageStore, tmp_path: Path) -> None:
    extra, message = HOSTILE[case]
    aci = build_aci(tmp_path / "bad.aci", extra=extra)
    with pytest.raises(ImageError, match=message) as info:
        image_store.import_aci(aci)
    assert "\n" not in str(info.value)
    assert_store_empty(image_store)
    assert not (tmp_path / "evil").exists()


def test_missing_manifest(image_store: ImageStore, tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="no manifest"):
        image_store.import_aci(build_aci(tmp_path / "bad.aci", False))  # type: ignore[arg-type]
    assert_store_empty(image_store)


def test_oversized_manifest(image_store: ImageStore, tmp_path: Path) -> None:
    path = tmp_path / "big.aci"
    with tarfile.open(path, "w") as tar:
        add_bytes(tar, "manifest", b" " * (MAX_MANIFEST_BYTES + 1))
    with pytest.raises(ImageError, match="too large"):
        image_store.import_aci(path)
    assert_store_empty(image_store)


def test_manifest_must_be_regular_file(image_store: ImageStore, tmp_path: Path) -> None:
    path = tmp_path / "link.aci"
    with tarfile.open(path, "w") as tar:
        add_entry(tar, "manifest", tarfile.SYMTYPE, "/etc/passwd")
    with pytest.raises(ImageError, match="not a regular file"):
        image_store.import_aci(path)


def test_invalid_manifest(image_store: ImageStore, tmp_path: Path) -> None:
    doc = manifest_doc()
    doc["labels"] = []
    with pytest.raises(ImageError, match="label 'os' is required"):
        image_store.import_aci(build_aci(tmp_path / "bad.aci", doc))
    assert_store_empty(image_store)


def test_garbage_and_truncated(image_store: ImageStore, tmp_path: Path) -> None:
    (tmp_path / "junk").write_bytes(os.urandom(4096))
    with pytest.raises(ImageError, match="not a tar archive"):
        image_store.import_aci(tmp_path / "junk")
    good = build_aci(tmp_path / "good.aci", mode="w:gz").read_bytes()
    (tmp_path / "cut").write_bytes(good[: len(good) // 2])
    with pytest.raises(ImageError, match="cannot decompress|corrupt|not a tar"):
        image_store.import_aci(tmp_path / "cut")
    assert_store_empty(image_store)


def test_absolute_symlinks_inside_rootfs_are_fine(image_store: ImageStore, tmp_path: Path) -> None:
    def links(tar: tarfile.TarFile) -> None:
        add_entry(tar, "rootfs/bin/sh", tarfile.SYMTYPE, "/bin/hello")
        add_entry(tar, "rootfs/bin/up", tarfile.SYMTYPE, "../etc/motd")
        add_entry(tar, "rootfs/bin/hard", tarfile.LNKTYPE, "rootfs/bin/hello")

    info = image_store.import_aci(build_aci(tmp_path / "ok.aci", extra=links))
    rootfs = image_store.rootfs(info.id)
    assert os.readlink(rootfs / "bin/sh") == "/bin/hello"
    assert (rootfs / "bin/up").read_text() == "welcome\n"
    assert (rootfs / "bin/hard").stat().st_ino == (rootfs / "bin/hello").stat().st_ino


def test_manifest_json_in_gzip_stream(image_store: ImageStore, tmp_path: Path) -> None:
    """A stream (not a path) is accepted too, e.g. an HTTP body."""
    path = build_aci(tmp_path / "plain.aci", mode="w")
    data = gzip.compress(path.read_bytes())
    info = image_store.import_aci(io.BytesIO(data))
    assert json.loads(json.dumps(image_store.manifest(info.id)))["name"] == "example.com/hello"
