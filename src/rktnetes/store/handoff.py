"""One thread that runs a store's blocking calls in order and answers on the event loop.

Why it is built this way: a SQLite commit at synchronous=FULL waits for an fsync, so it must leave the event
loop. ``loop.run_in_executor`` cost ~28 us of CPU per call (a concurrent Future with its condition lock, the
executor's idle semaphore, chaining into an asyncio Future) against ~11 us here: a ``SimpleQueue`` to the
thread and ``call_soon_threadsafe`` back. With the small group-commit batches of an API server under load
(2-3 writes each) that hand-over was a few percent of a create. Calls run one at a time, in the order they
were submitted, so whatever they share (the writer connection) is never used by two threads at once. A call
whose awaiter was cancelled still runs to the end; only its answer is dropped.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from typing import Any


class Worker:
    """A thread serving ``run`` calls until ``shutdown``."""

    def __init__(self, name: str) -> None:
        self._calls: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def run(self, fn: Callable[..., Any], *args: Any) -> asyncio.Future:
        """``fn(*args)`` on the thread; the future of its result (or exception)."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._calls.put((loop, future, fn, args))
        return future

    def _serve(self) -> None:
        while (call := self._calls.get()) is not None:
            loop, future, fn, args = call
            try:
                outcome, failed = fn(*args), False
            except BaseException as exc:  # noqa: BLE001 - handed to the awaiter, whatever it is
                outcome, failed = exc, True
            try:
                loop.call_soon_threadsafe(_settle, future, outcome, failed)
            except RuntimeError:
                pass  # the loop is closed: nobody is waiting any more

    def shutdown(self, wait: bool = True) -> None:
        """Stop after the calls already submitted (waiting for them with ``wait``)."""
        self._calls.put(None)
        if wait:
            self._thread.join()


def _settle(future: asyncio.Future, outcome: Any, failed: bool) -> None:
    if future.done():
        return  # its awaiter was cancelled
    if failed:
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
