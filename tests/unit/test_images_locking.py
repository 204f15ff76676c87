"""Per-image flocks: exclusive, non-blocking probes, and safe removal of idle lock files by gc."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from rktnetes.rkt.images import locking


def test_idle_lock_is_removed_held_lock_is_not(tmp_path: Path) -> None:
    lock = tmp_path / "locks" / "sha512-x"
    with locking.exclusive(lock) as held:
        assert held and not locking.remove_if_idle(lock) and lock.exists()
    assert locking.remove_if_idle(lock) and not lock.exists()


def test_waiter_on_a_removed_lock_file_retries_on_the_new_one(tmp_path: Path) -> None:
    lock = tmp_path / "sha512-y"
    got: list[int] = []
    waiting = threading.Event()

    def waiter() -> None:
        waiting.set()
        with locking.exclusive(lock):
            got.append(os.stat(lock).st_ino)

    with locking.exclusive(lock):
        thread = threading.Thread(target=waiter)
        thread.start()
        waiting.wait(5)
        lock.unlink()  # what gc does while holding it
    thread.join(10)
    assert not thread.is_alive() and got and lock.exists()
    assert got[0] == os.stat(lock).st_ino


def test_non_blocking_probe(tmp_path: Path) -> None:
    lock = tmp_path / "sha512-z"
    with locking.exclusive(lock), locking.exclusive(lock, blocking=False) as second:
        assert second is False
