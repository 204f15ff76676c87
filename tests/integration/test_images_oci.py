"""OCI image layouts: we import what skopeo, umoci and our builder write; skopeo and umoci read our exports."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from rktnetes.rkt import paths
from rktnetes.rkt.images import docker, errors, oci
from rktnetes.rkt.images.store import ImageStore

pytestmark = pytest.mark.integration


def _run(*argv: str) -> str:
    return subprocess.run(argv, capture_output=True, text=True, check=True, timeout=120).stdout


def test_import_our_layout_is_the_same_image_as_from_the_registry(image_store: ImageStore, built_images,
                                                                  registry: str) -> None:
    layout = built_images["nginx"].oci_layout
    info = oci.import_layout(image_store, layout, "latest")
    assert info.name == "nginx" and info.labels["version"] == "latest"
    assert "Welcome to nginx!" in (image_store.rootfs(info.id) / "usr/share/nginx/html/index.html").read_text()
    fetched = docker.fetch_docker(image_store, f"docker://{registry}/nginx", insecure=frozenset({"image", "http"}))
    assert fetched.id == info.id and len(image_store.list()) == 1


def test_import_a_layout_written_by_skopeo(image_store: ImageStore, registry: str, tmp_path: Path) -> None:
    layout = tmp_path / "copied"
    _run("skopeo", "copy", "--quiet", "--src-tls-verify=false", f"docker://{registry}/alpine-sh:latest",
         f"oci:{layout}:v1")
    info = oci.import_layout(image_store, layout, "v1")
    assert "user:x:1000:" in (image_store.rootfs(info.id) / "etc/passwd").read_text()
    assert image_store.manifest(info.id)["app"]["exec"] == ["/bin/sh"]


def test_import_a_layout_written_by_umoci(image_store: ImageStore, tmp_path: Path) -> None:
    layout, content = tmp_path / "umoci", tmp_path / "content"
    content.mkdir()
    (content / "hello").write_text("from umoci\n")
    _run("umoci", "init", "--layout", str(layout))
    _run("umoci", "new", "--image", f"{layout}:t1")
    _run("umoci", "insert", "--image", f"{layout}:t1", str(content), "/srv")
    _run("umoci", "config", "--image", f"{layout}:t1", "--config.entrypoint", "/srv/hello",
         "--config.exposedports", "8080/tcp", "--config.user", "1000:1000")
    info = oci.import_layout(image_store, layout, "t1")
    app = image_store.manifest(info.id)["app"]
    assert (image_store.rootfs(info.id) / "srv/hello").read_text() == "from umoci\n"
    assert app["ports"] == [{"name": "8080-tcp", "protocol": "tcp", "port": 8080}]
    assert (app["user"], app["group"], app["exec"]) == ("1000", "1000", ["/srv/hello"])


def test_export_is_read_by_umoci_and_skopeo(image_store: ImageStore, built_images, tmp_path: Path) -> None:
    info = oci.import_layout(image_store, built_images["alpine-sh"].oci_layout, None)
    out = tmp_path / "exported"
    oci.export_layout(image_store, info.id, out, "v9")
    config = json.loads(_run("skopeo", "inspect", "--config", f"oci:{out}:v9"))["config"]
    assert config["Entrypoint"] == ["/bin/sh"] and "HOME=/root" in config["Env"]
    _run("umoci", "unpack", "--image", f"{out}:v9", str(tmp_path / "bundle"))
    assert "user:x:1000:" in (tmp_path / "bundle/rootfs/etc/passwd").read_text()
    again = oci.import_layout(image_store, out, "v9")
    assert (image_store.rootfs(again.id) / "bin/busybox").is_file() and again.labels["version"] == "v9"


def test_bad_layouts_are_refused_and_leave_nothing(image_store: ImageStore, built_images, tmp_path: Path) -> None:
    with pytest.raises(errors.FetchError, match="not an OCI image layout"):
        oci.import_layout(image_store, tmp_path, None)
    with pytest.raises(errors.FetchError, match="no image tagged 'nope'"):
        oci.import_layout(image_store, built_images["busybox"].oci_layout, "nope")
    layout = tmp_path / "copy"
    _run("cp", "-a", str(built_images["busybox"].oci_layout), str(layout))
    blob = max((layout / "blobs/sha256").iterdir(), key=lambda p: p.stat().st_size)
    blob.write_bytes(blob.read_bytes()[:-10])
    with pytest.raises(errors.FetchError, match="does not match its digest") as info:
        oci.import_layout(image_store, layout, "latest")
    assert "\n" not in str(info.value)
    assert image_store.list() == [] and list(paths.cas_tmp_dir(image_store.root).iterdir()) == []
