"""zstd layers (``application/vnd.oci.image.layer.v1.tar+zstd``) as skopeo writes them: from an OCI layout on
disk and from the real registry, giving the same tree as the gzip image; corrupt or bomb-sized zstd streams
are refused in one line."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from rktnetes.rkt.images import docker, errors, limits, oci, whiteouts

pytestmark = pytest.mark.integration
ZSTD_LAYER = "application/vnd.oci.image.layer.v1.tar+zstd"


def _skopeo(*argv: str) -> None:
    subprocess.run(["skopeo", "copy", "--quiet", "--dest-compress-format", "zstd", *argv], capture_output=True,
                   check=True, timeout=120)


def _layer_types(layout: Path) -> list[str]:
    entry = json.loads((layout / "index.json").read_text())["manifests"][0]
    manifest = json.loads(oci.blob_path(layout, entry["digest"]).read_text())
    return [layer["mediaType"] for layer in manifest["layers"]]


@pytest.fixture
def zstd_layout(built_images, tmp_path: Path) -> Path:
    layout = tmp_path / "zstd"
    _skopeo(f"oci:{built_images['busybox'].oci_layout}:latest", f"oci:{layout}:latest")
    assert _layer_types(layout) == [ZSTD_LAYER]
    return layout


def _tree(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.lstat().st_mode for p in sorted(root.rglob("*"))}


def test_a_zstd_layout_from_skopeo_gives_the_same_tree_as_the_gzip_one(image_store, built_images, zstd_layout):
    zstd = oci.import_layout(image_store, zstd_layout, "latest")
    gzip = oci.import_layout(image_store, built_images["busybox"].oci_layout, "latest")
    assert zstd.id != gzip.id and _tree(image_store.rootfs(zstd.id)) == _tree(image_store.rootfs(gzip.id))
    assert (image_store.rootfs(zstd.id) / "bin/busybox").read_bytes() == (image_store.rootfs(gzip.id) / "bin/busybox").read_bytes()


def test_a_zstd_image_is_pulled_from_the_real_registry(image_store, registry, zstd_layout):
    _skopeo("--dest-tls-verify=false", f"oci:{zstd_layout}:latest", f"docker://{registry}/busybox-zstd:latest")
    info = docker.fetch_docker(image_store, f"docker://{registry}/busybox-zstd:latest", insecure=frozenset({"image", "http"}))
    assert (image_store.rootfs(info.id) / "bin/busybox").is_file()


def _zstd_blob(layout: Path) -> Path:
    entry = json.loads((layout / "index.json").read_text())["manifests"][0]
    manifest = json.loads(oci.blob_path(layout, entry["digest"]).read_text())
    return oci.blob_path(layout, manifest["layers"][0]["digest"])


def test_a_truncated_zstd_layer_is_refused_in_one_line(zstd_layout, tmp_path):
    cut = tmp_path / "cut.zst"
    cut.write_bytes(_zstd_blob(zstd_layout).read_bytes()[:50_000])
    (tmp_path / "root").mkdir()
    with pytest.raises(errors.ImageError) as caught:
        whiteouts.apply_layer(cut, tmp_path / "root")
    assert "corrupt" in str(caught.value) and "\n" not in str(caught.value)


def test_a_zstd_layer_past_its_budget_stops_the_decoder(zstd_layout, tmp_path):
    (tmp_path / "root").mkdir()
    with pytest.raises(errors.ImageTooLarge):
        whiteouts.apply_layer(_zstd_blob(zstd_layout), tmp_path / "root", budget=limits.Budget(64 << 10))
    children = subprocess.run(["pgrep", "-P", str(os.getpid()), "zstd"], capture_output=True)
    assert children.stdout == b""
