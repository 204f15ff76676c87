"""A ``rkt fetch`` killed at any moment leaves no partial image; a later fetch and gc recover fully."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rktnetes.rkt import paths
from rktnetes.rkt.images import gc
from rktnetes.rkt.images.store import ImageStore
from tests.fixtures.images_acis import add_bytes, build_aci

RKT = str(Path(sys.executable).parent / "rkt")
pytestmark = pytest.mark.integration


def _killed_fetch(root: Path, aci: Path, after: float) -> None:
    proc = subprocess.Popen([RKT, f"--dir={root}", "--insecure-options=image", "fetch", str(aci)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(after)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def _assert_consistent(store: ImageStore) -> None:
    for info in store.list():
        assert (store.rootfs(info.id) / "blob").stat().st_size == 32 << 20
        assert paths.cas_blob_path(store.root, info.id).exists()


@pytest.mark.parametrize("after", [0.05, 0.2, 0.4, 0.8])
def test_killed_fetch_leaves_no_partial_image(tmp_path: Path, after: float) -> None:
    aci = build_aci(tmp_path / "big.aci", mode="w", extra=lambda t: add_bytes(t, "rootfs/blob", os.urandom(32 << 20)))
    root = tmp_path / "rkt"
    _killed_fetch(root, aci, after)
    store = ImageStore(root)
    try:
        _assert_consistent(store)
        gc.collect(store, 86400.0, now=time.time() + gc.SCRATCH_MAX_AGE + 1)
        done = subprocess.run([RKT, f"--dir={root}", "--insecure-options=image", "fetch", "--full", str(aci)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert [info.id for info in store.list()] == [done.stdout.strip()]
        _assert_consistent(store)
        assert list(paths.cas_tmp_dir(root).iterdir()) == []
    finally:
        store.close()
