"""Rendering an image's tree: the rootfs of its dependencies, in order, then its own, then the path whitelist.

The result is a plain directory used as an overlay lower dir; ``cp -a`` keeps owners, modes, links and
hardlinks exactly as the dependency trees have them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from rktnetes.rkt.images.errors import ImageError


def render(tree: Path, doc: dict[str, Any], dependency_rootfs: list[Path]) -> None:
    """Turn ``tree/rootfs`` (this image's own files) into the full rendered rootfs, in place."""
    whitelist = set(doc.get("pathWhitelist") or [])
    if not dependency_rootfs and not whitelist:
        return
    own, merged = tree / "rootfs", tree / "rootfs.rendering"
    merged.mkdir()
    for source in [*dependency_rootfs, own]:
        _copy_into(source, merged)
    if whitelist:
        _prune(merged, whitelist)
    shutil.rmtree(own)
    merged.rename(own)


def _copy_into(source: Path, dest: Path) -> None:
    done = subprocess.run(["cp", "-a", "--", f"{source}/.", f"{dest}/"], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise ImageError(f"cannot render image tree: {done.stderr.strip().splitlines()[-1]}")


def _prune(rootfs: Path, whitelist: set[str]) -> None:
    """Remove every non-directory whose path is not in the whitelist."""
    for dirpath, dirnames, filenames in os.walk(rootfs):
        here = Path(dirpath)
        links = [d for d in dirnames if (here / d).is_symlink()]
        for name in [*filenames, *links]:
            if "/" + (here / name).relative_to(rootfs).as_posix() not in whitelist:
                (here / name).unlink()


def tree_size(top: Path) -> int:
    """Bytes used by the files of a tree (hardlinked files counted once)."""
    seen: set[int] = set()
    total = 0
    for dirpath, _dirs, filenames in os.walk(top):
        for name in filenames:
            st = os.lstat(os.path.join(dirpath, name))
            if st.st_ino not in seen:
                seen.add(st.st_ino)
                total += st.st_size
    return total
