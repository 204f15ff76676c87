"""Download progress bars with rich, as rkt printed them: ``Downloading sha256:2fdfe1cd78c [===] 2.06 MB / 2.06 MB``.

Shown on stderr, and only when the caller asks (the CLI asks when the terminal is interactive).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Bars:
    """One rich Progress for a fetch; ``add(digest, size)`` returns the function that advances its bar."""

    def __init__(self, shown: bool) -> None:
        self.shown, self.progress = shown, None

    def __enter__(self) -> Bars:
        if self.shown:
            from rich.console import Console
            from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

            self.progress = Progress(TextColumn("Downloading {task.description}"), BarColumn(), DownloadColumn(),
                                     console=Console(stderr=True))
            self.progress.start()
        return self

    def add(self, digest: str, size: int | None) -> Callable[[int], Any] | None:
        if self.progress is None:
            return None
        task = self.progress.add_task(digest[:19], total=size)
        progress = self.progress
        return lambda n: progress.advance(task, n)

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()
