"""Export, extract and render: tree-only (OCI/docker) images too, atomic outputs, --overwrite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rktnetes.rkt.images import exporting
from rktnetes.rkt.images.errors import ImageError
from rktnetes.rkt.images.store import ImageStore
from tests.fixtures.images_acis import manifest_doc

TREE_ID = "sha512-" + "ab" * 32


def _tree_image(store: ImageStore) -> str:
    def build(rootfs: Path) -> None:
        (rootfs / "bin").mkdir()
        (rootfs / "bin/hello").write_text("hi\n")
        os.symlink("hello", rootfs / "bin/hi")

    return store.add_image(manifest=manifest_doc(), build_rootfs=build, image_id=TREE_ID, origin="t", fmt="oci").id


def test_export_of_tree_image_is_a_reproducible_aci(image_store: ImageStore, tmp_path: Path) -> None:
    image_id = _tree_image(image_store)
    first = exporting.export(image_store, image_id, tmp_path / "a.aci", overwrite=False)
    second = exporting.export(image_store, image_id, tmp_path / "b.aci", overwrite=False)
    assert first == second and (tmp_path / "a.aci").read_bytes() == (tmp_path / "b.aci").read_bytes()
    other = ImageStore(tmp_path / "other")
    try:
        info = other.import_aci(tmp_path / "a.aci")
        assert info.id == first and os.readlink(other.rootfs(info.id) / "bin/hi") == "hello"
    finally:
        other.close()


def test_export_refuses_existing_file_and_leaves_no_temp(image_store: ImageStore, tmp_path: Path) -> None:
    image_id = _tree_image(image_store)
    (tmp_path / "a.aci").write_text("keep me")
    with pytest.raises(ImageError, match="already exists"):
        exporting.export(image_store, image_id, tmp_path / "a.aci", overwrite=False)
    assert (tmp_path / "a.aci").read_text() == "keep me"
    exporting.export(image_store, image_id, tmp_path / "a.aci", overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    with pytest.raises(ImageError, match="not a directory"):
        exporting.export(image_store, image_id, tmp_path / "missing" / "a.aci", overwrite=False)


def test_extract_and_render_tree_image(image_store: ImageStore, tmp_path: Path) -> None:
    image_id = _tree_image(image_store)
    exporting.extract(image_store, image_id, tmp_path / "x", rootfs_only=True, overwrite=False, render=False)
    assert (tmp_path / "x/bin/hello").read_text() == "hi\n"
    exporting.extract(image_store, image_id, tmp_path / "x", rootfs_only=False, overwrite=True, render=True)
    assert (tmp_path / "x/manifest").exists() and (tmp_path / "x/rootfs/bin/hello").exists()
    (tmp_path / "empty").mkdir()
    exporting.extract(image_store, image_id, tmp_path / "empty", rootfs_only=True, overwrite=False, render=False)
    assert (tmp_path / "empty/bin/hi").is_symlink()


def test_unwritable_destination_is_one_line(image_store: ImageStore) -> None:
    image_id = _tree_image(image_store)
    with pytest.raises(ImageError, match="cannot write /proc/rkt-export.aci"):  # /proc refuses new files, even to root
        exporting.export(image_store, image_id, Path("/proc/rkt-export.aci"), overwrite=False)


def test_extract_leaves_no_scratch(image_store: ImageStore, tmp_path: Path) -> None:
    image_id = _tree_image(image_store)
    exporting.extract(image_store, image_id, tmp_path / "x", rootfs_only=True, overwrite=False, render=False)
    exporting.extract(image_store, image_id, tmp_path / "y", rootfs_only=False, overwrite=False, render=True)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "rkt") == ["x", "y"]
