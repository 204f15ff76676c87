"""Image gc: grace periods, images still used by pods are kept, orphans and stale scratch go."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from rktnetes.rkt import paths
from rktnetes.rkt.images import gc, scratch
from rktnetes.rkt.images.errors import ImageError
from rktnetes.rkt.images.store import ImageStore
from tests.fixtures.images_acis import manifest_doc


@pytest.mark.parametrize(("text", "seconds"), [("24h0m0s", 86400), ("90s", 90), ("1h30m", 5400), ("0", 0),
                                               ("250ms", 0.25), ("0s", 0)])
def test_parse_duration(text: str, seconds: float) -> None:
    assert gc.parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "soon", "10", "5d", "1h 2m"])
def test_bad_duration(text: str) -> None:
    with pytest.raises(ImageError, match="invalid duration"):
        gc.parse_duration(text)


def _pod_using(root: Path, state: str, image_id: str) -> None:
    pod = paths.pod_dir(root, state, "0c3c1b9e-0000-4000-8000-000000000001")
    pod.mkdir(parents=True)
    doc = {"acKind": "PodManifest", "apps": [{"name": "app", "image": {"name": "x", "id": image_id}}]}
    paths.pod_manifest_path(pod).write_text(json.dumps(doc))


def test_images_used_by_live_pods_are_kept(image_store: ImageStore, make_aci) -> None:
    used = image_store.import_aci(make_aci())
    unused = image_store.import_aci(make_aci(manifest_doc(version="2.0")))
    _pod_using(image_store.root, "run", used.id)
    report = gc.collect(image_store, 0.0, now=time.time() + 1)
    assert report.images == [unused.id] and [i.id for i in image_store.list()] == [used.id]


def test_images_of_garbage_pods_are_collected(image_store: ImageStore, make_aci) -> None:
    info = image_store.import_aci(make_aci())
    _pod_using(image_store.root, "exited-garbage", info.id)
    assert gc.collect(image_store, 0.0, now=time.time() + 1).images == [info.id]


def test_grace_period_keeps_recent_images(image_store: ImageStore, make_aci) -> None:
    info = image_store.import_aci(make_aci())
    assert gc.collect(image_store, 3600.0).images == []
    assert gc.collect(image_store, 3600.0, now=time.time() + 7200).images == [info.id]


def test_orphans(image_store: ImageStore, make_aci) -> None:
    info = image_store.import_aci(make_aci())
    orphan_blob = paths.cas_blob_path(image_store.root, "sha512-" + "0" * 64)
    orphan_blob.write_bytes(b"left by a killed fetch")
    report = gc.collect(image_store, 3600.0)
    assert report.orphans == [str(orphan_blob)] and not orphan_blob.exists()
    assert image_store.rootfs(info.id).is_dir() and paths.cas_blob_path(image_store.root, info.id).exists()


def test_scratch_of_killed_fetches_goes_in_a_minute_work_in_progress_stays(image_store: ImageStore) -> None:
    tmp = paths.cas_tmp_dir(image_store.root)
    killed = tmp / "tree-killed"
    killed.mkdir()
    other = tmp / "fetch-download"  # not under the lock protocol: aged out after an hour
    other.mkdir()
    with scratch.ScratchDir(tmp) as busy:
        assert gc.collect(image_store, 0.0).scratch == []
        minute = gc.collect(image_store, 0.0, now=time.time() + gc.ABANDONED_AGE + 1)
        assert minute.scratch == [str(killed)] and busy.exists() and other.exists()
        hour = gc.collect(image_store, 0.0, now=time.time() + gc.SCRATCH_MAX_AGE + 1)
        assert hour.scratch == [str(other)] and busy.exists()
