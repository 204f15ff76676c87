"""ACIs cross the border both ways: GNU tar reads what we write, we read what GNU tar writes."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from rktnetes.rkt.images import aci, manifest
from rktnetes.rkt.images.store import ImageStore
from tests.conftest import require_binary
from tests.fixtures.images_acis import manifest_doc

pytestmark = pytest.mark.integration


def _tree(top: Path) -> Path:
    rootfs = top / "rootfs"
    (rootfs / "bin").mkdir(parents=True)
    (rootfs / "bin/hello").write_text("#!/bin/sh\necho hi\n")
    (rootfs / "bin/hello").chmod(0o755)
    os.symlink("/bin/hello", rootfs / "bin/sh")
    os.link(rootfs / "bin/hello", rootfs / "bin/hello2")
    (rootfs / "empty").mkdir()
    (top / "manifest").write_bytes(manifest.dumps(manifest_doc()))
    return top


def _tar(*args: str) -> str:
    return subprocess.run(["tar", *args], capture_output=True, text=True, check=True, timeout=60).stdout


def test_gnu_tar_reads_our_aci(tmp_path: Path) -> None:
    require_binary("tar")
    src = _tree(tmp_path / "src")
    out = tmp_path / "ours.aci"
    with open(out, "wb") as fh:
        image_id = aci.write_aci(manifest_doc(), src / "rootfs", fh)
    names = _tar("-tf", str(out)).split()
    assert names[0] == "manifest" and "rootfs/bin/hello" in names and "rootfs/empty/" in names
    (tmp_path / "x").mkdir()
    _tar("-xf", str(out), "-C", str(tmp_path / "x"))
    got = tmp_path / "x"
    assert json.loads((got / "manifest").read_text()) == manifest_doc()
    assert os.readlink(got / "rootfs/bin/sh") == "/bin/hello"
    assert (got / "rootfs/bin/hello2").stat().st_ino == (got / "rootfs/bin/hello").stat().st_ino
    assert os.access(got / "rootfs/bin/hello", os.X_OK)
    assert image_id.startswith("sha512-")


@pytest.mark.parametrize("flags", ["-cf", "-czf", "-cjf", "-cJf"])
def test_we_read_gnu_tar_acis(tmp_path: Path, flags: str) -> None:
    require_binary("tar")
    src = _tree(tmp_path / "src")
    made = tmp_path / "theirs.aci"
    _tar("--numeric-owner", "-C", str(src), flags, str(made), ".")
    store = ImageStore(tmp_path / "rkt")
    try:
        info = store.import_aci(made)
        rootfs = store.rootfs(info.id)
        assert (rootfs / "bin/hello").read_text() == "#!/bin/sh\necho hi\n"
        assert os.readlink(rootfs / "bin/sh") == "/bin/hello"
        assert (rootfs / "bin/hello2").stat().st_ino == (rootfs / "bin/hello").stat().st_ino
        assert store.manifest(info.id)["name"] == "example.com/hello"
    finally:
        store.close()
