"""Generated hostile ACIs: whatever the member names and link targets, an import either refuses with one
line or writes only inside the store. Escapes are aimed at a folder of the test's own temp dir."""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from rktnetes.rkt.images.errors import ImageError
from rktnetes.rkt.images.store import ImageStore
from tests.fixtures.images_acis import manifest_doc

pytestmark = pytest.mark.integration
WILD = st.lists(st.sampled_from(["a", "b", ".", "..", "rootfs"]), min_size=1, max_size=4).map("/".join)
SAFE = st.lists(st.sampled_from(["a", "b", "x"]), min_size=1, max_size=3).map("/".join)
IN_ROOTFS = SAFE.map(lambda p: "rootfs/" + p)
KINDS = st.sampled_from([tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE])


@st.composite
def members(draw: st.DrawFn, outside: str) -> list[tuple[bytes, str, str]]:
    found = []
    for _ in range(draw(st.integers(1, 6))):
        name = draw(st.one_of(WILD, IN_ROOTFS, IN_ROOTFS, IN_ROOTFS, IN_ROOTFS))
        target = draw(st.one_of(WILD, st.just(outside), st.just(outside + "/x"), IN_ROOTFS, SAFE))
        found.append((draw(KINDS), name, target))
    return found


def _write(path: Path, entries: list[tuple[bytes, str, str]]) -> None:
    with tarfile.open(path, "w") as tar:
        raw = json.dumps(manifest_doc()).encode()
        info = tarfile.TarInfo("manifest")
        info.size = len(raw)
        tar.addfile(info, io.BytesIO(raw))
        for kind, name, target in entries:
            info = tarfile.TarInfo(name)
            info.type, info.mode = kind, 0o755
            info.linkname = target if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE) else ""
            info.size = 3 if kind == tarfile.REGTYPE else 0
            tar.addfile(info, io.BytesIO(b"pwn") if kind == tarfile.REGTYPE else None)


def _snapshot(top: Path, skip: Path) -> set[str]:
    seen = set()
    for dirpath, dirnames, filenames in os.walk(top):
        if Path(dirpath) == skip:
            dirnames[:] = []
            continue
        seen.update(os.path.join(dirpath, n) for n in dirnames + filenames)
    return seen


@settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_archives_never_write_outside_the_store(data: st.DataObject) -> None:
    sandbox = Path(tempfile.mkdtemp(prefix="rkt-fuzz-"))
    try:
        outside = sandbox / "outside"
        outside.mkdir()
        deep = sandbox / "d1" / "d2"
        store = ImageStore(deep / "rkt")
        aci = sandbox / "fuzz.aci"
        _write(aci, data.draw(members(str(outside))))
        before = _snapshot(sandbox, deep / "rkt" / "cas")
        try:
            store.import_aci(aci)
            event("imported")
        except ImageError as exc:
            event("refused")
            assert "\n" not in str(exc)
        finally:
            store.close()
        assert _snapshot(sandbox, deep / "rkt" / "cas") == before
    finally:
        shutil.rmtree(sandbox, ignore_errors=True)
