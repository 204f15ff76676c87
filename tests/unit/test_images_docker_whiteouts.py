"""Applying layers: order, whiteouts, opaque directories, and hostile tars refused."""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from pathlib import Path

import pytest

from rktnetes.rkt.images import errors, whiteouts


def _layer(path: Path, members: list[tuple[str, str, str]], *, gz: bool = True) -> str:
    """Write a layer: (name, kind, data) with kind file|dir|sym|link|chr; returns its diff id."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, kind, data in members:
            info = tarfile.TarInfo(name)
            info.type = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "sym": tarfile.SYMTYPE,
                         "link": tarfile.LNKTYPE, "chr": tarfile.CHRTYPE}[kind]
            info.mode = 0o755 if kind == "dir" else 0o644
            if kind in ("sym", "link"):
                info.linkname = data
            body = data.encode() if kind == "file" else b""
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    data = raw.getvalue()
    path.write_bytes(gzip.compress(data) if gz else data)
    return "sha256:" + hashlib.sha256(data).hexdigest()


def test_layers_apply_in_order_with_whiteouts(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    whiteouts.apply_layer(tmp_path / "l1", root, _layer(tmp_path / "l1", [
        ("etc", "dir", ""), ("etc/a", "file", "1"), ("etc/b", "file", "2"),
        ("opq", "dir", ""), ("opq/old", "file", "x"), ("bin", "dir", ""), ("bin/tool", "file", "t")]))
    whiteouts.apply_layer(tmp_path / "l2", root, _layer(tmp_path / "l2", [
        ("etc/.wh.a", "file", ""), ("etc/b", "file", "22"), ("opq/new", "file", "n"),
        ("opq/.wh..wh..opq", "file", ""), ("bin/.wh.tool", "file", ""), ("lnk", "link", "etc/b")], gz=False))
    assert not (root / "etc/a").exists() and (root / "etc/b").read_text() == "22"
    assert sorted(p.name for p in (root / "opq").iterdir()) == ["new"]
    assert list((root / "bin").iterdir()) == []
    assert (root / "lnk").stat().st_ino == (root / "etc/b").stat().st_ino


def test_writes_through_lower_symlinks_stay_in_the_tree(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    whiteouts.apply_layer(tmp_path / "l1", root, _layer(tmp_path / "l1", [
        ("usr", "dir", ""), ("usr/lib", "dir", ""), ("lib", "sym", "/usr/lib"), ("host", "sym", "/")]))
    _layer(tmp_path / "l2", [("lib/x.so", "file", "so"), ("host/escape", "file", "no")])
    whiteouts.apply_layer(tmp_path / "l2", root)
    assert (root / "usr/lib/x.so").read_text() == "so"
    assert (root / "escape").read_text() == "no"


@pytest.mark.parametrize(("members", "message"), [
    ([("../evil", "file", "x")], "contains '..'"),
    ([("/abs", "file", "x")], "absolute path"),
    ([("dev", "chr", "")], "device node"),
    ([("up", "sym", "../../etc/passwd")], "escapes the rootfs"),
    ([("hl", "link", "../../etc/passwd")], "contains '..'"),
])
def test_hostile_layers_are_refused(tmp_path: Path, members, message: str) -> None:
    root = tmp_path / "root"
    root.mkdir()
    _layer(tmp_path / "bad", members)
    with pytest.raises(errors.ImageError, match=message):
        whiteouts.apply_layer(tmp_path / "bad", root)


def test_wrong_diff_id_and_corrupt_gzip_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    _layer(tmp_path / "l", [("a", "file", "1")])
    with pytest.raises(errors.ImageError, match="does not match diff id"):
        whiteouts.apply_layer(tmp_path / "l", root, "sha256:" + "0" * 64)
    data = (tmp_path / "l").read_bytes()
    (tmp_path / "cut").write_bytes(data[: len(data) // 2])
    with pytest.raises(errors.ImageError, match="corrupt"):
        whiteouts.apply_layer(tmp_path / "cut", root)
