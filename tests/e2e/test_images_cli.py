"""The real ``rkt`` CLI on a temp --dir: fetch, image list/rm/export/extract/render/cat-manifest/gc."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from rktnetes.rkt import paths
from rktnetes.rkt.images import keystore
from tests.fixtures.images_acis import add_entry, build_aci, manifest_doc

RKT = str(Path(sys.executable).parent / "rkt")
pytestmark = pytest.mark.e2e


class Rkt:
    def __init__(self, root: Path, config: Path) -> None:
        self.root, self.config = root, config

    def __call__(self, *args: str, ok: bool | None = True) -> subprocess.CompletedProcess[str]:
        """Run rkt; ``ok``: expect success, ``False``: expect one error line and 254, ``None``: no check."""
        argv = [RKT, f"--dir={self.root}", f"--local-config={self.config}", f"--system-config={self.config}/sys",
                *args]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        if ok:
            assert done.returncode == 0, done.stderr
        elif ok is False:
            assert done.returncode == 254, (done.stdout, done.stderr)
            assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        return done

    def fetch(self, *args: str) -> str:
        return self("--insecure-options=image", "fetch", *args).stdout.strip()


@pytest.fixture
def rkt(tmp_path: Path) -> Rkt:
    return Rkt(tmp_path / "rkt", tmp_path / "etc")


@pytest.fixture
def aci(tmp_path: Path) -> Path:
    return build_aci(tmp_path / "hello.aci")


def test_fetch_requires_signature_unless_insecure(rkt: Rkt, aci: Path) -> None:
    done = rkt("fetch", str(aci), ok=False)
    assert "no signature" in done.stderr
    assert rkt("image", "list", "--no-legend").stdout == ""
    short = rkt.fetch(str(aci))
    full = rkt.fetch("--full", str(aci))
    assert len(short) == len("sha512-") + 32 and full.startswith(short) and len(full) == len("sha512-") + 64
    assert full == "sha512-" + hashlib.sha512(_plain_tar(aci)).hexdigest()[:64]


def _plain_tar(aci: Path) -> bytes:
    return gzip.decompress(aci.read_bytes())


def test_signed_fetch_with_trusted_key(rkt: Rkt, aci: Path, gpg_keys) -> None:
    key = gpg_keys("Image Signer")
    key.sign(aci)
    store = keystore.Keystore(rkt.config, rkt.config / "sys")
    store.add(key.armored, "example.com/hello", False)
    image_id = rkt("fetch", str(aci)).stdout.strip()
    assert rkt("image", "list", "--no-legend", "--fields=id").stdout.strip() == image_id


def test_list_formats(rkt: Rkt, aci: Path) -> None:
    image_id = rkt.fetch("--full", str(aci))
    lines = rkt("image", "list").stdout.splitlines()
    assert lines[0].split() == ["ID", "NAME", "SIZE", "IMPORT", "TIME", "LAST", "USED"]
    assert lines[1].split()[:2] == [image_id[:39], "example.com/hello:1.0"]
    full = rkt("image", "list", "--full", "--no-legend", "--fields=id,name,latest").stdout.split()
    assert full == [image_id, "example.com/hello:1.0", "true"]
    docs = json.loads(rkt("image", "list", "--format=json").stdout)
    assert docs[0]["id"] == image_id and docs[0]["name"] == "example.com/hello" and docs[0]["size"] > 0
    assert "unknown field" in rkt("image", "list", "--fields=id,colour", ok=False).stderr
    assert "cannot sort by" in rkt("image", "list", "--sort=colour", ok=False).stderr


def test_list_sort_and_order(rkt: Rkt, tmp_path: Path) -> None:
    for version in ("2.0", "1.0", "3.0"):
        rkt.fetch(str(build_aci(tmp_path / f"{version}.aci", manifest_doc(version=version))))
    names = rkt("image", "list", "--no-legend", "--fields=name").stdout.split()
    assert [n.split(":")[1] for n in names] == ["2.0", "1.0", "3.0"]
    names = rkt("image", "list", "--no-legend", "--fields=name", "--sort=name", "--order=desc").stdout.split()
    assert [n.split(":")[1] for n in names] == ["3.0", "2.0", "1.0"]


def test_export_rm_fetch_round_trip_keeps_the_id(rkt: Rkt, aci: Path, tmp_path: Path) -> None:
    image_id = rkt.fetch("--full", str(aci))
    out = tmp_path / "exported.aci"
    rkt("image", "export", image_id[:20], str(out))
    assert "--overwrite" in rkt("image", "export", image_id, str(out), ok=False).stderr
    rkt("image", "export", "--overwrite", image_id, str(out))
    assert "sha512-" + hashlib.sha512(out.read_bytes()).hexdigest()[:64] == image_id
    assert rkt("image", "rm", image_id).stdout.strip().endswith(image_id)
    assert rkt("image", "list", "--no-legend").stdout == ""
    assert rkt.fetch("--full", str(out)) == image_id


def test_rm_reports_each_image(rkt: Rkt, aci: Path) -> None:
    image_id = rkt.fetch("--full", str(aci))
    done = rkt("image", "rm", "sha512-a", image_id, "example.com/missing", ok=None)
    assert done.returncode == 254
    assert "image ID too short" in done.stderr and "no image named" in done.stderr
    assert f"removed aci for image: {image_id}" in done.stdout
    assert "2 image(s) cannot be removed" in done.stderr


def test_extract_render_and_cat_manifest(rkt: Rkt, aci: Path, tmp_path: Path) -> None:
    image_id = rkt.fetch(str(aci))
    rkt("image", "extract", image_id, str(tmp_path / "x"))
    assert json.loads((tmp_path / "x/manifest").read_text())["name"] == "example.com/hello"
    assert (tmp_path / "x/rootfs/etc/motd").read_text() == "welcome\n"
    rkt("image", "render", "--rootfs-only", image_id, str(tmp_path / "r"))
    assert (tmp_path / "r/bin/hello").exists() and not (tmp_path / "r/manifest").exists()
    assert "--overwrite" in rkt("image", "render", image_id, str(tmp_path / "r"), ok=False).stderr
    rkt("image", "render", "--overwrite", image_id, str(tmp_path / "r"))
    assert (tmp_path / "r/manifest").exists()
    pretty = rkt("image", "cat-manifest", "--pretty-print", image_id).stdout
    assert json.loads(pretty) == manifest_doc() and pretty.count("\n") > 5
    assert rkt("image", "cat-manifest", "example.com/hello:1.0").stdout.count("\n") == 1


def test_gc_keeps_recent_removes_unused_orphans_and_stale_scratch(rkt: Rkt, aci: Path) -> None:
    image_id = rkt.fetch("--full", str(aci))
    scratch = paths.cas_tmp_dir(rkt.root) / "tree-stale"
    scratch.mkdir()
    os.utime(scratch, (time.time() - 7200, time.time() - 7200))
    orphan = paths.cas_tree_dir(rkt.root, "sha512-" + "e" * 64)
    orphan.mkdir(parents=True)
    out = rkt("image", "gc").stdout
    assert image_id not in out and str(orphan) in out and str(scratch) in out
    assert not orphan.exists() and not scratch.exists()
    assert rkt("image", "list", "--no-legend", "--fields=id", "--full").stdout.strip() == image_id
    assert image_id in rkt("image", "gc", "--grace-period=0s").stdout
    assert rkt("image", "list", "--no-legend").stdout == ""
    assert "invalid duration" in rkt("image", "gc", "--grace-period=soon", ok=False).stderr


def test_bad_input_is_one_line_and_writes_nothing(rkt: Rkt, tmp_path: Path) -> None:
    hostile = build_aci(tmp_path / "evil.aci", extra=lambda t: add_entry(t, "rootfs/x", tarfile.SYMTYPE, "../../.."))
    assert "escapes the rootfs" in rkt("--insecure-options=image", "fetch", str(hostile), ok=False).stderr
    assert "cannot read" in rkt("--insecure-options=image", "fetch", str(tmp_path / "none.aci"), ok=False).stderr
    never = rkt("--insecure-options=image", "fetch", "--pull-policy=never", str(tmp_path / "evil.aci"), ok=False)
    assert "not found in store" in never.stderr
    assert "image ID too short" in rkt("image", "cat-manifest", "sha512-1", ok=False).stderr
    assert "no image IDs found" in rkt("image", "export", "sha512-12345", str(tmp_path / "o"), ok=False).stderr
    assert rkt("image", "list", "--no-legend").stdout == ""
    assert not (tmp_path / "o").exists()


def test_pull_policy_new_uses_cache_update_reimports(rkt: Rkt, aci: Path) -> None:
    first = rkt.fetch("--full", str(aci))
    assert rkt.fetch("--full", "--pull-policy=never", str(aci)) == first
    assert rkt.fetch("--full", "--pull-policy=update", str(aci)) == first
    changed = build_aci(aci, manifest_doc(version="2.0"))
    assert rkt.fetch("--full", str(changed)) != first
    assert len(rkt("image", "list", "--no-legend").stdout.splitlines()) == 2


def test_rm_refuses_images_used_by_pods(rkt: Rkt, aci: Path) -> None:
    image_id = rkt.fetch("--full", str(aci))
    pod = paths.pod_dir(rkt.root, "run", "0c3c1b9e-0000-4000-8000-000000000002")
    pod.mkdir(parents=True)
    paths.pod_manifest_path(pod).write_text(json.dumps({"apps": [{"name": "a", "image": {"id": image_id}}]}))
    assert "used by a pod" in rkt("image", "rm", image_id, ok=None).stderr
    assert rkt("image", "list", "--no-legend", "--full", "--fields=id").stdout.strip() == image_id
    paths.pod_state_dir(rkt.root, "garbage").mkdir()
    pod.rename(paths.pod_dir(rkt.root, "garbage", pod.name))
    rkt("image", "rm", image_id)


def test_file_signature_failures_store_nothing(rkt: Rkt, aci: Path, tmp_path: Path, gpg_keys) -> None:
    trusted, stranger = gpg_keys("Trusted Signer"), gpg_keys("Stranger")
    keystore.Keystore(rkt.config, rkt.config / "sys").add(trusted.armored, "example.com/hello", False)
    stranger.sign(aci)
    assert "unknown key" in rkt("fetch", str(aci), ok=False).stderr
    trusted.sign(aci, tmp_path / "other.asc")
    aci.write_bytes(aci.read_bytes() + b"\0" * 1024)  # the signature no longer matches
    assert "bad signature" in rkt("fetch", "--signature", str(tmp_path / "other.asc"), str(aci), ok=False).stderr
    assert rkt("image", "list", "--no-legend").stdout == ""
