"""Scratch space inside the store: temp dirs that vanish unless renamed into place, and blob hand-over."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


class ScratchDir:
    """A temp dir removed on exit unless it was renamed away."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def move_file(src: Path, dest: Path) -> None:
    """Hardlink the spooled blob into place (its temp file is unlinked on close), replacing any orphan."""
    dest.unlink(missing_ok=True)
    os.link(src, dest)
