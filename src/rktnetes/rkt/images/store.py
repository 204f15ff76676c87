"""The image store under ``<dir>/cas``: uncompressed ACI blobs, rendered trees and an SQLite index.

Why it is built this way: several ``rkt`` processes (fetches, pods, gc) share one store with no daemon.
Every write happens in a private temp dir inside the store and lands with ``rename(2)``, then the index row
is inserted: the row is the commit point, so an interrupted fetch leaves nothing an image lookup can see
(only scratch that ``image gc`` sweeps). Writers of the same image id serialise on a per-id ``flock`` and
re-check for the image once they hold it, so two concurrent fetches of one image store it once.
What only writing needs (aci, tarsafe, rendering, scratch, locking, manifest checks) is imported by the methods
that write, so a cached fetch or a listing pays for opening the index and nothing else.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from io import BufferedIOBase
from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.images import ids, index, resolving
from rktnetes.rkt.images.errors import ImageError, ImageNotFound
from rktnetes.rkt.images.index import ImageInfo, RemoteInfo

__all__ = ["ImageInfo", "ImageStore", "RemoteInfo"]


class ImageStore:
    """The content-addressed image store of one rkt data directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        try:
            paths.cas_tmp_dir(self.root).mkdir(parents=True, exist_ok=True)
            self.db = index.connect(paths.cas_db_path(self.root), paths.cas_db_lock_path(self.root))
        except (OSError, sqlite3.Error) as exc:
            raise ImageError(f"cannot open the image store in {paths.cas_dir(self.root)}: {exc}") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> ImageStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -------------------------------------------------------------------------------------

    def import_aci(self, src: BufferedIOBase | Path, *, origin: str = "") -> ImageInfo:
        """Store an ACI (gzip/bzip2/xz/plain), checking the manifest and every member first."""
        from rktnetes.rkt.images import aci, limits, locking, scratch

        budget = limits.Budget.for_store(paths.cas_tmp_dir(self.root), copies=2)  # the tar is kept beside its tree
        with scratch.spool_file(paths.cas_tmp_dir(self.root)) as spooled:
            if isinstance(src, Path):
                with open(src, "rb") as fh:
                    image_id, doc = aci.spool_checked(fh, spooled, budget)
            else:
                image_id, doc = aci.spool_checked(src, spooled, budget)
            spooled.flush()
            with locking.exclusive(paths.cas_lock_path(self.root, image_id)):
                found = index.get(self.db, image_id)
                return found or self._commit_aci(Path(spooled.name), image_id, doc, origin)

    def _commit_aci(self, blob: Path, image_id: str, doc: dict[str, object], origin: str) -> ImageInfo:
        from rktnetes.rkt.images import rendering, scratch, tarsafe

        with scratch.ScratchDir(paths.cas_tmp_dir(self.root)) as tree:
            tarsafe.extract(blob, tree)
            self._render(tree, doc)
            size = blob.stat().st_size + rendering.tree_size(tree)
            self._place(tree, paths.cas_tree_dir(self.root, image_id))
            final_blob = paths.cas_blob_path(self.root, image_id)
            final_blob.parent.mkdir(parents=True, exist_ok=True)
            scratch.move_file(blob, final_blob)
        return self._insert(doc, image_id, size, origin, "aci", has_blob=True)

    def add_image(self, *, manifest: dict[str, object], build_rootfs: Callable[[Path], None], image_id: str,
                  origin: str, fmt: str) -> ImageInfo:
        """Store an image whose rootfs ``build_rootfs(rootfs_dir)`` fills (OCI and docker images)."""
        from rktnetes.rkt.images import locking, rendering, scratch
        from rktnetes.rkt.images import manifest as manifest_mod

        doc = manifest_mod.validate(manifest)
        ids.check_key(image_id)
        with locking.exclusive(paths.cas_lock_path(self.root, image_id)):
            found = index.get(self.db, image_id)
            if found:
                return found
            with scratch.ScratchDir(paths.cas_tmp_dir(self.root)) as tree:
                (tree / "rootfs").mkdir()
                build_rootfs(tree / "rootfs")
                (tree / "manifest").write_bytes(manifest_mod.dumps(doc))
                self._render(tree, doc)
                size = rendering.tree_size(tree)
                self._place(tree, paths.cas_tree_dir(self.root, image_id))
            return self._insert(doc, image_id, size, origin, fmt, has_blob=False)

    def _render(self, tree: Path, doc: dict[str, object]) -> None:
        from rktnetes.rkt.images import rendering

        deps = [self.rootfs(resolving.dependency(self.db, dep).id) for dep in doc.get("dependencies") or []]
        rendering.render(tree, doc, deps)

    def _place(self, tree: Path, final: Path) -> None:
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():  # left by a fetch interrupted before its index row was written
            import shutil  # lazily: the cached fetch path never needs it
            shutil.rmtree(final)
        tree.rename(final)

    def _insert(self, doc: dict[str, object], image_id: str, size: int, origin: str, fmt: str, *,
                has_blob: bool) -> ImageInfo:
        from rktnetes.rkt.images import manifest as manifest_mod

        now = time.time()
        info = ImageInfo(image_id, doc["name"], manifest_mod.labels(doc), now, now, size, origin, fmt, has_blob)
        index.insert(self.db, info)
        return info

    # -- reading -------------------------------------------------------------------------------------

    def resolve(self, ref: str) -> ImageInfo:
        """An image by id prefix (``sha512-…``) or by ``name[:version][,label=value…]``."""
        return resolving.resolve(self.db, ref)

    def get(self, image_id: str) -> ImageInfo:
        info = index.get(self.db, image_id)
        if info is None:
            raise ImageNotFound(f"no image with ID {image_id!r} in the store")
        return info

    def list(self) -> list[ImageInfo]:
        return index.all_images(self.db)

    def manifest(self, image_id: str) -> dict[str, object]:
        """The appc image manifest of a stored image."""
        self.get(image_id)
        return json.loads((paths.cas_tree_dir(self.root, image_id) / "manifest").read_bytes())

    def rootfs(self, image_id: str) -> Path:
        """The rendered rootfs of an image (dependencies included), to use as an overlay lower dir."""
        self.get(image_id)
        return paths.cas_tree_dir(self.root, image_id) / "rootfs"

    def blob(self, image_id: str) -> Path | None:
        """The stored uncompressed ACI of an image, or None for images stored as trees only (OCI/docker)."""
        return paths.cas_blob_path(self.root, image_id) if self.get(image_id).has_blob else None

    def touch(self, image_id: str) -> None:
        index.touch(self.db, image_id)

    def remote(self, url: str) -> RemoteInfo | None:
        return index.remote(self.db, url)

    def set_remote(self, url: str, image_id: str, etag: str = "") -> None:
        index.set_remote(self.db, url, image_id, etag)

    def remove(self, image_id: str) -> None:
        """Delete an image: index row first (the image disappears at once), then its files."""
        from rktnetes.rkt.images import locking

        self.get(image_id)
        with locking.exclusive(paths.cas_lock_path(self.root, image_id)):
            index.delete(self.db, image_id)
            tree = paths.cas_tree_dir(self.root, image_id)
            if tree.exists():
                import tempfile  # lazily: the cached fetch path never needs it
                doomed = Path(tempfile.mkdtemp(dir=paths.cas_tmp_dir(self.root), prefix="removed-"))
                tree.rename(doomed / "tree")
                import shutil  # lazily: the cached fetch path never needs it
                shutil.rmtree(doomed)
            paths.cas_blob_path(self.root, image_id).unlink(missing_ok=True)
