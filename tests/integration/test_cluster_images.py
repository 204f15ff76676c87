"""``rktnetes image load`` / ``image ls`` with the real CLI on a two-node profile (no cluster needs to run): an
OCI layout, an OCI archive written by the real skopeo, an ACI and an image of a host rkt store each land in
every node's store under the docker:// name a pod uses, so the real ``rkt fetch --pull-policy=never`` (what the
kubelet's prepare does for imagePullPolicy Never) finds them; bad input is one line, exit 1, nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rktnetes.cluster.profiles import Profile
from rktnetes.cluster.spec import ClusterSpec

pytestmark = pytest.mark.integration
BIN = Path(sys.executable).parent


@pytest.fixture
def profile(tmp_path):
    made = Profile(tmp_path / "home", "img")
    made.save(ClusterSpec(profile="img", nodes=2))
    return made


def _rktnetes(profile, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "rktnetes"), "image", *args, f"--dir={profile.dir.parent.parent}", "-p", "img"],
                          capture_output=True, text=True, timeout=240, check=False,
                          env={**os.environ, "KUBECONFIG": "/dev/null"})


def _never(rkt_dir: Path, name: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "rkt"), f"--dir={rkt_dir}", "--insecure-options=image", "fetch",
                           "--pull-policy=never", f"docker://{name}"], capture_output=True, text=True, timeout=60,
                          check=False)


def _on_every_node(profile, name: str) -> None:
    for node in ("img", "img-m02"):
        done = _never(profile.dir / "nodes" / node / "rkt", name)
        assert done.returncode == 0 and done.stdout.startswith("sha512-"), done.stderr


def test_layout_archive_and_aci_load_on_every_node(profile, built_images, tmp_path):
    busybox = built_images["busybox"]
    done = _rktnetes(profile, "load", str(busybox.oci_layout), "--tag=local/busybox:layout")
    assert done.returncode == 0 and done.stdout.count("loaded local/busybox:layout") == 2, done.stderr
    _on_every_node(profile, "local/busybox:layout")
    archive = tmp_path / "busybox.tar"
    copied = subprocess.run(["skopeo", "copy", "--quiet", f"oci:{busybox.oci_layout}:latest",
                             f"oci-archive:{archive}:example.com/team/busybox:1.0"], capture_output=True, text=True,
                            timeout=120, check=False)
    assert copied.returncode == 0, copied.stderr
    assert _rktnetes(profile, "load", str(archive)).returncode == 0  # the archive names itself
    _on_every_node(profile, "example.com/team/busybox:1.0")
    assert _rktnetes(profile, "load", str(busybox.aci), "--tag=busybox:aci").returncode == 0
    _on_every_node(profile, "docker.io/library/busybox:aci")
    assert _never(profile.dir / "nodes" / "img" / "rkt", "busybox:other").returncode != 0
    listed = _rktnetes(profile, "ls").stdout
    for name in ("local/busybox:layout", "example.com/team/busybox:1.0", "docker.io/library/busybox:aci"):
        assert listed.count(name) == 2, listed


def test_an_image_of_the_host_store(profile, built_images, tmp_path):
    host = tmp_path / "host-rkt"
    fetched = subprocess.run([str(BIN / "rkt"), f"--dir={host}", "--insecure-options=image", "fetch",
                              f"oci:{built_images['busybox'].oci_layout}"], capture_output=True, text=True,
                             timeout=120, check=False)
    assert fetched.returncode == 0, fetched.stderr
    image_id = fetched.stdout.strip()
    done = _rktnetes(profile, "load", image_id, f"--rkt-dir={host}", "--tag=from/host:1")
    assert done.returncode == 0, done.stderr
    _on_every_node(profile, "from/host:1")


def test_bad_sources_fail_in_one_line_and_write_nothing(profile, built_images, tmp_path):
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar at all" * 100)
    cases = [("load", str(junk), "--tag=x:1"), ("load", "no/such:image", f"--rkt-dir={tmp_path / 'none'}"),
             ("load", str(built_images["busybox"].oci_layout)), ("load", str(built_images["busybox"].aci), "--tag=Bad Name")]
    for args in cases:
        done = _rktnetes(profile, *args)
        assert done.returncode == 1 and done.stderr.count("\n") == 1 and done.stderr.startswith("rktnetes: "), done
    assert not (profile.dir / "nodes").exists()
    missing = subprocess.run([str(BIN / "rktnetes"), "image", "ls", f"--dir={tmp_path}", "-p", "nope"],
                             capture_output=True, text=True, timeout=60, check=False)
    assert missing.returncode == 1 and "does not exist" in missing.stderr
