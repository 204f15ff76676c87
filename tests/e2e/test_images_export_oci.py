"""`rkt image export --format=oci`: a stored image written as an OCI layout that skopeo and umoci read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

RKT = str(Path(sys.executable).parent / "rkt")


def _rkt(root: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([RKT, f"--dir={root}", *argv], capture_output=True, text=True, timeout=120)


def test_exported_layout_is_read_by_skopeo_and_umoci(tmp_path: Path, built_images) -> None:
    root, layout = tmp_path / "rkt", tmp_path / "layout"
    assert _rkt(root, "fetch", "--insecure-options=image", str(built_images["busybox"].aci)).returncode == 0
    done = _rkt(root, "image", "export", "--format=oci", "--tag=exported", "busybox", str(layout))
    assert done.returncode == 0, done.stderr
    inspect = subprocess.run(["skopeo", "inspect", f"oci:{layout}:exported"], capture_output=True, text=True,
                             timeout=60, check=True)
    assert json.loads(inspect.stdout)["Digest"] == done.stdout.strip()
    subprocess.run(["umoci", "unpack", "--image", f"{layout}:exported", str(tmp_path / "bundle")],
                   capture_output=True, timeout=60, check=True)
    assert (tmp_path / "bundle" / "rootfs" / "bin" / "busybox").exists()


def test_the_layout_comes_back_as_the_same_image(tmp_path: Path, built_images) -> None:
    root, layout = tmp_path / "rkt", tmp_path / "layout"
    _rkt(root, "fetch", "--insecure-options=image", str(built_images["busybox"].aci))
    _rkt(root, "image", "export", "--format=oci", "--tag=t", "busybox", str(layout))
    first = _rkt(tmp_path / "other", "fetch", f"oci:{layout}:t")
    second = _rkt(tmp_path / "other", "fetch", f"oci:{layout}:t")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout


def test_unknown_image_is_one_line(tmp_path: Path) -> None:
    done = _rkt(tmp_path / "rkt", "image", "export", "--format=oci", "nosuch", str(tmp_path / "layout"))
    assert done.returncode == 254 and done.stderr.count("\n") == 1 and "nosuch" in done.stderr
    assert not (tmp_path / "layout").exists()
