"""Two ``rkt fetch`` processes importing the same ACI at once store it once, and both report its id."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rktnetes.rkt import paths
from rktnetes.rkt.images.store import ImageStore
from tests.fixtures.images_acis import add_bytes, build_aci

RKT = str(Path(sys.executable).parent / "rkt")
pytestmark = pytest.mark.integration


def _fetchers(root: Path, aci: Path, count: int) -> list[subprocess.Popen[str]]:
    argv = [RKT, f"--dir={root}", "--insecure-options=image", "fetch", "--full", str(aci)]
    return [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(count)]


def test_concurrent_fetches_of_one_image(tmp_path: Path) -> None:
    payload = os.urandom(8 << 20)
    aci = build_aci(tmp_path / "big.aci", mode="w", extra=lambda t: add_bytes(t, "rootfs/blob", payload))
    root = tmp_path / "rkt"
    procs = _fetchers(root, aci, 3)
    try:
        results = [proc.communicate(timeout=120) for proc in procs]
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
    assert all(proc.returncode == 0 for proc in procs), [err for _out, err in results]
    ids = {out.strip() for out, _err in results}
    assert len(ids) == 1
    store = ImageStore(root)
    try:
        (image_id,) = ids
        assert [info.id for info in store.list()] == [image_id]
        assert (store.rootfs(image_id) / "blob").read_bytes() == payload
    finally:
        store.close()
    assert list(paths.cas_tmp_dir(root).iterdir()) == []
    assert [p.name for p in (paths.cas_dir(root) / "tree").iterdir()] == [image_id]
