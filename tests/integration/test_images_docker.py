"""docker:// fetches from the real Docker registry (Debian's docker-registry) on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from rktnetes.rkt import paths
from rktnetes.rkt.images import docker, errors
from rktnetes.rkt.images.store import ImageStore
from tests.fixtures.registry import push_layout, run_registry

pytestmark = pytest.mark.integration
INSECURE = frozenset({"image", "http"})


def _nothing_left(image_store: ImageStore) -> bool:
    return image_store.list() == [] and list(paths.cas_tmp_dir(image_store.root).iterdir()) == []


def test_fetch_nginx(image_store: ImageStore, registry: str) -> None:
    info = docker.fetch_docker(image_store, f"docker://{registry}/nginx", insecure=INSECURE)
    doc = image_store.manifest(info.id)
    assert doc["name"] == registry.replace(":", "-") + "/nginx" and info.labels["version"] == "latest"
    assert doc["app"]["ports"] == [{"name": "80-tcp", "protocol": "tcp", "port": 80}]
    assert doc["app"]["exec"] == ["/usr/sbin/nginx", "-e", "stderr"]
    assert "Welcome to nginx!" in (image_store.rootfs(info.id) / "usr/share/nginx/html/index.html").read_text()
    assert (image_store.rootfs(info.id) / "usr/bin/curl").is_file()


def test_pull_policies(image_store: ImageStore, built_images) -> None:
    with run_registry() as addr:
        ref = f"docker://{addr}/app:v1"
        push_layout(built_images["alpine-sh"].oci_layout, f"{addr}/app:v1")
        first = docker.fetch_docker(image_store, ref, insecure=INSECURE)
        push_layout(built_images["busybox"].oci_layout, f"{addr}/app:v1")
        assert docker.fetch_docker(image_store, ref, insecure=INSECURE, pull_policy="new").id == first.id
        updated = docker.fetch_docker(image_store, ref, insecure=INSECURE, pull_policy="update")
        assert updated.id != first.id and (image_store.rootfs(updated.id) / "bin/busybox").exists()
    # the registry is gone: "new" and "never" answer from the store, "update" has to ask
    assert docker.fetch_docker(image_store, ref, insecure=INSECURE, pull_policy="never").id == updated.id
    assert docker.fetch_docker(image_store, ref, insecure=INSECURE).id == updated.id
    with pytest.raises(errors.FetchError):
        docker.fetch_docker(image_store, ref, insecure=INSECURE, pull_policy="update")
    with pytest.raises(errors.ImageNotFound, match="pull-policy=never"):
        docker.fetch_docker(image_store, f"docker://{addr}/other", insecure=INSECURE, pull_policy="never")


def _digest(addr: str, name: str) -> str:
    out = subprocess.run(["skopeo", "inspect", "--tls-verify=false", f"docker://{addr}/{name}:latest"],
                         capture_output=True, text=True, check=True, timeout=60)
    return json.loads(out.stdout)["Digest"]


def test_digest_references(image_store: ImageStore, registry: str) -> None:
    digest = _digest(registry, "busybox")
    info = docker.fetch_docker(image_store, f"docker://{registry}/busybox@{digest}", insecure=INSECURE)
    assert "version" not in info.labels
    with pytest.raises(errors.FetchError, match="404"):
        docker.fetch_docker(image_store, f"docker://{registry}/busybox@sha256:{'0' * 64}", insecure=INSECURE)


def test_a_corrupt_blob_leaves_nothing(image_store: ImageStore, built_images, tmp_path: Path) -> None:
    storage = tmp_path / "registry"
    with run_registry(storage=storage) as addr:
        push_layout(built_images["busybox"].oci_layout, f"{addr}/busybox:latest")
        blob = max((storage / "docker/registry/v2/blobs").rglob("data"), key=lambda p: p.stat().st_size)
        data = bytearray(blob.read_bytes())
        data[len(data) // 2] ^= 0xFF
        blob.write_bytes(bytes(data))
        with pytest.raises(errors.RegistryError, match="does not match") as info:
            docker.fetch_docker(image_store, f"docker://{addr}/busybox", insecure=INSECURE)
    assert "\n" not in str(info.value)
    assert _nothing_left(image_store)


def test_https_by_default_and_signature_policy(image_store: ImageStore, registry: str) -> None:
    with pytest.raises(errors.FetchError) as info:
        docker.fetch_docker(image_store, f"docker://{registry}/busybox", insecure=frozenset({"image"}))
    assert "\n" not in str(info.value)
    with pytest.raises(errors.SignatureError, match="insecure-options=image"):
        docker.fetch_docker(image_store, f"docker://{registry}/busybox", insecure=frozenset({"http"}))
    assert _nothing_left(image_store)
