"""Multi-layer images with whiteouts, image indexes, and a server that cuts a blob short."""

from __future__ import annotations

import contextlib
import io
import json
import signal
import subprocess
import sys
import tarfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rktnetes.rkt import paths
from rktnetes.rkt.images import docker, errors, oci
from rktnetes.rkt.images.store import ImageStore
from tests.fixtures.registry import push_layout, run_registry

pytestmark = pytest.mark.integration
INSECURE = frozenset({"image", "http"})
CONFIG = {"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/true"]}}


def _tar(path: Path, files: dict[str, str]) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            if data == "/":
                info.type, info.mode = tarfile.DIRTYPE, 0o755
            else:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data.encode()))
    return path


def test_layers_and_whiteouts_through_the_registry(image_store: ImageStore, tmp_path: Path) -> None:
    layout = tmp_path / "layout"
    lower = _tar(tmp_path / "1.tar", {"bin/": "/", "bin/true": "", "etc/": "/", "etc/gone": "x", "data/": "/",
                                      "data/old": "o"})
    upper = _tar(tmp_path / "2.tar", {"etc/.wh.gone": "", "data/.wh..wh..opq": "", "data/new": "n"})
    oci.write_image(layout, CONFIG, [lower, upper], "latest")
    with run_registry() as addr:
        push_layout(layout, f"{addr}/layered:latest")
        info = docker.fetch_docker(image_store, f"docker://{addr}/layered", insecure=INSECURE)
    root = image_store.rootfs(info.id)
    assert not (root / "etc/gone").exists() and (root / "etc").is_dir()
    assert sorted(p.name for p in (root / "data").iterdir()) == ["new"]


def test_an_index_resolves_to_linux_amd64(image_store: ImageStore, tmp_path: Path) -> None:
    layout = tmp_path / "layout"
    for arch in ("arm64", "amd64"):
        oci.write_image(layout, {**CONFIG, "architecture": arch}, [_tar(tmp_path / f"{arch}.tar", {"arch": arch})],
                        arch)
    entries = json.loads((layout / "index.json").read_text())["manifests"]
    platforms = [{**{k: v for k, v in e.items() if k != "annotations"},
                  "platform": {"os": "linux", "architecture": e["annotations"][oci.REF_NAME]}} for e in entries]
    nested = oci.put_bytes(layout, json.dumps({"schemaVersion": 2, "mediaType": oci.INDEX,
                                               "manifests": platforms}).encode(), oci.INDEX)
    oci.tag_manifest(layout, nested, "multi")
    with run_registry() as addr:
        push_layout(layout, f"{addr}/multi:latest", tag="multi", all_images=True)
        info = docker.fetch_docker(image_store, f"docker://{addr}/multi", insecure=INSECURE)
    assert (image_store.rootfs(info.id) / "arch").read_text() == "amd64"
    assert info.labels["arch"] == "amd64"


class _Truncating(BaseHTTPRequestHandler):
    """A registry that serves one valid manifest and config, and a layer cut in half; with ``stall`` it then
    holds the connection open (setting ``stalled``) instead of closing it."""

    blobs: dict[str, bytes] = {}
    manifest = b""
    stall: threading.Event | None = None
    stalled = threading.Event()
    whole_layer = False  # serve the layer in full, the manifest in slow pieces

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path.endswith("/manifests/latest"):
            self._send(self.manifest, len(self.manifest), "application/vnd.oci.image.manifest.v1+json",
                       pieces=3 if self.whole_layer else 1)
            return
        if self.whole_layer:
            body = self.blobs[self.path.rsplit("/", 1)[-1]]
            self._send(body, len(body), "application/octet-stream")
            return
        body = self.blobs[self.path.rsplit("/", 1)[-1]]
        cut = body if b"rootfs" in body else body[: len(body) // 2]
        self._send(cut, len(body), "application/octet-stream")
        if self.stall is not None and cut is not body:
            self.wfile.flush()
            self.stalled.set()
            self.stall.wait(30)

    def _send(self, body: bytes, length: int, media_type: str, pieces: int = 1) -> None:
        self.send_response(200)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        step = -(-len(body) // pieces)
        for start in range(0, len(body), step):
            self.wfile.write(body[start : start + step])
            self.wfile.flush()
            if pieces > 1:
                time.sleep(0.05)
        self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def _cutting_registry(tmp_path: Path, stall: threading.Event | None = None, whole: bool = False) -> Iterator[str]:
    layout = tmp_path / "layout"
    digest = oci.write_image(layout, CONFIG, [_tar(tmp_path / "l.tar", {"big": "x" * 300_000})], "latest")
    _Truncating.manifest = oci.blob_path(layout, digest).read_bytes()
    _Truncating.blobs = {"sha256:" + p.name: p.read_bytes() for p in (layout / "blobs/sha256").iterdir()}
    _Truncating.stall, _Truncating.whole_layer = stall, whole
    _Truncating.stalled.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Truncating)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        if stall is not None:
            stall.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_a_truncated_layer_leaves_nothing(image_store: ImageStore, tmp_path: Path) -> None:
    with _cutting_registry(tmp_path) as addr, pytest.raises(errors.FetchError, match="truncated") as info:
        docker.fetch_docker(image_store, f"docker://{addr}/cut", insecure=INSECURE)
    assert "\n" not in str(info.value)
    assert image_store.list() == [] and list(paths.cas_tmp_dir(image_store.root).iterdir()) == []


def test_an_interrupted_fetch_leaves_nothing(image_store: ImageStore, tmp_path: Path) -> None:
    rkt = str(Path(sys.executable).parent / "rkt")
    with _cutting_registry(tmp_path, threading.Event()) as addr:
        proc = subprocess.Popen([rkt, f"--dir={image_store.root}", "--insecure-options=image,http", "fetch",
                                 f"docker://{addr}/cut"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert _Truncating.stalled.wait(60), "the fetch never reached the layer download"
            proc.send_signal(signal.SIGINT)
            proc.communicate(timeout=30)
        finally:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130
    assert image_store.list() == [] and list(paths.cas_tmp_dir(image_store.root).iterdir()) == []


def test_a_manifest_arriving_in_pieces_is_read_whole(image_store: ImageStore, tmp_path: Path) -> None:
    with _cutting_registry(tmp_path, whole=True) as addr:
        info = docker.fetch_docker(image_store, f"docker://{addr}/slow", insecure=INSECURE)
    assert (image_store.rootfs(info.id) / "big").stat().st_size == 300_000
