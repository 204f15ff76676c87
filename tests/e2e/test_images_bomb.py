"""Decompression bombs through the real ``rkt fetch``, into a store on a small tmpfs: an ACI and an OCI
layout that expand far past the free space are refused in one line, and the store is left as it was."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.images_acis import add_zeros, build_aci

RKT = str(Path(sys.executable).parent / "rkt")
STORE_MIB, BOMB_MIB = 24, 160
pytestmark = pytest.mark.e2e


@pytest.fixture
def small_dir(tmp_path: Path) -> Iterator[Path]:
    where = tmp_path / "rkt"
    where.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={STORE_MIB}m", "tmpfs", str(where)], check=True, timeout=30)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=True, timeout=30)


def _rkt(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([RKT, f"--dir={root}", "--insecure-options=image", *args], capture_output=True, text=True,
                          timeout=120)


def _used(root: Path) -> int:
    st = os.statvfs(root)
    return (st.f_blocks - st.f_bfree) * st.f_frsize


def _assert_refused_and_clean(root: Path, done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 254 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "decompression bomb" in done.stderr
    listed = _rkt(root, "image", "list", "--no-legend")
    assert listed.returncode == 0 and listed.stdout == ""
    assert list((root / "cas" / "tmp").iterdir()) == []
    assert _used(root) < (1 << 20)  # the index, nothing of the bomb


def _layout_with_one_layer(layout: Path, build) -> None:  # noqa: ANN001 - a callable filling a tar
    blobs = layout / "blobs" / "sha256"
    blobs.mkdir(parents=True)
    layer, raw = layout / "layer.tmp", hashlib.sha256()
    with layer.open("wb") as out, gzip.GzipFile(fileobj=out, mode="wb", compresslevel=1) as gz:
        hashing = _Hashing(gz, raw)
        with tarfile.open(fileobj=hashing, mode="w|") as tar:
            build(tar)
    layer_digest = _store_blob(blobs, layer.read_bytes())
    layer.unlink()
    config = {"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
              "rootfs": {"type": "layers", "diff_ids": ["sha256:" + raw.hexdigest()]}}
    config_raw = json.dumps(config).encode()
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": _descriptor("application/vnd.oci.image.config.v1+json", config_raw, blobs),
                "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer_digest,
                            "size": (blobs / layer_digest.split(":")[1]).stat().st_size}]}
    entry = _descriptor("application/vnd.oci.image.manifest.v1+json", json.dumps(manifest).encode(), blobs)
    entry["annotations"] = {"org.opencontainers.image.ref.name": "latest"}
    (layout / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [entry]}))
    (layout / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')


class _Hashing:
    def __init__(self, out, sha) -> None:  # noqa: ANN001 - a binary file and a hash
        self.out, self.sha = out, sha

    def write(self, data: bytes) -> int:
        self.sha.update(data)
        return self.out.write(data)


def _store_blob(blobs: Path, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    (blobs / digest).write_bytes(data)
    return "sha256:" + digest


def _descriptor(media_type: str, data: bytes, blobs: Path) -> dict:
    return {"mediaType": media_type, "digest": _store_blob(blobs, data), "size": len(data)}


def test_an_aci_bomb_is_refused_and_leaves_the_store_as_it_was(tmp_path, small_dir):
    bomb = build_aci(tmp_path / "bomb.aci", extra=lambda tar: add_zeros(tar, "rootfs/zeros", BOMB_MIB << 20))
    assert bomb.stat().st_size < STORE_MIB << 19
    _assert_refused_and_clean(small_dir, _rkt(small_dir, "fetch", str(bomb)))


def test_a_layer_bomb_in_an_oci_layout_is_refused_and_leaves_the_store_as_it_was(tmp_path, small_dir):
    _layout_with_one_layer(tmp_path / "layout", lambda tar: add_zeros(tar, "zeros", BOMB_MIB << 20))
    _assert_refused_and_clean(small_dir, _rkt(small_dir, "fetch", f"oci:{tmp_path / 'layout'}:latest"))


def test_an_image_that_fits_is_still_fetched(tmp_path, small_dir):
    _layout_with_one_layer(tmp_path / "layout", lambda tar: add_zeros(tar, "zeros", 2 << 20))
    done = _rkt(small_dir, "fetch", f"oci:{tmp_path / 'layout'}:latest")
    assert done.returncode == 0 and done.stdout.startswith("sha512-"), done.stderr
