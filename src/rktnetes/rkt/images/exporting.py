"""Getting images out of the store: ``image export`` (an ACI file), ``image extract`` and ``image render``.

Every output is written next to its destination under a temp name and renamed into place, so a failure
never leaves a half-written file or tree where the user asked for one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rktnetes.rkt.images import aci, tarsafe
from rktnetes.rkt.images.errors import ImageError
from rktnetes.rkt.images.store import ImageStore


def export(store: ImageStore, image_id: str, dest: Path, *, overwrite: bool) -> str:
    """Write the image as an uncompressed ACI at ``dest``; returns the id the written file hashes to."""
    with _reporting(dest):
        return _export(store, image_id, dest, overwrite)


def _export(store: ImageStore, image_id: str, dest: Path, overwrite: bool) -> str:
    _check_free(dest, overwrite)
    blob = store.blob(image_id)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            if blob is not None:
                with open(blob, "rb") as src:
                    shutil.copyfileobj(src, out, 1 << 20)
                written = image_id
            else:
                written = aci.write_aci(store.manifest(image_id), store.rootfs(image_id), out)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return written


def extract(store: ImageStore, image_id: str, dest: Path, *, rootfs_only: bool, overwrite: bool,
            render: bool) -> None:
    """Unpack an image into ``dest``: its own files (extract) or with its dependencies (render)."""
    with _reporting(dest):
        _check_free(dest, overwrite)
        scratch = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}."))
        try:
            _fill(store, image_id, scratch, render)
            _install(scratch / "rootfs" if rootfs_only else scratch, dest)
        finally:  # gone already unless something failed, or the manifest stayed behind (--rootfs-only)
            shutil.rmtree(scratch, ignore_errors=True)


@contextmanager
def _reporting(dest: Path) -> Iterator[None]:
    """Turn an OS error while writing ``dest`` into one line for the user."""
    try:
        yield
    except OSError as exc:
        raise ImageError(f"cannot write {dest}: {exc.strerror or exc}") from None


def _fill(store: ImageStore, image_id: str, scratch: Path, render: bool) -> None:
    """Put the image's files (``manifest`` and ``rootfs/``) into ``scratch``."""
    blob = None if render else store.blob(image_id)
    if blob is not None:
        tarsafe.extract(blob, scratch)  # checked member by member when it was imported
    else:
        _copy_tree(store.rootfs(image_id).parent, scratch)


def _copy_tree(tree: Path, dest: Path) -> None:
    done = subprocess.run(["cp", "-a", "--", f"{tree}/.", f"{dest}/"], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise ImageError(f"cannot copy image tree: {(done.stderr.strip().splitlines() or ['cp failed'])[-1]}")


def _install(source: Path, dest: Path) -> None:
    if dest.is_dir() and not dest.is_symlink():
        shutil.rmtree(dest)
    elif dest.exists() or dest.is_symlink():
        dest.unlink()
    source.rename(dest)


def _check_free(dest: Path, overwrite: bool) -> None:
    if not dest.parent.is_dir():
        raise ImageError(f"{dest.parent} is not a directory")
    if dest.is_dir() and not any(dest.iterdir()):
        return
    if (dest.exists() or dest.is_symlink()) and not overwrite:
        raise ImageError(f"{dest} already exists (use --overwrite)")
