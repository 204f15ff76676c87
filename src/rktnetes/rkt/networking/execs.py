"""Running the programs networking drives (CNI plugins, iptables): argv and bytes for its stdin in, its exit
status and everything it printed out.

Why not ``subprocess``: importing it (threading, selectors, signal) costs ~4 ms of CPU, paid by every pod
with a network before its first plugin runs and again by the process that DELs it. What these programs need
is small: spawn with three pipes, write stdin while reading stdout and stderr, all in one ``poll`` (so
neither side can block the other) that also watches a pidfd for the exit, and give up after a deadline.
"""

from __future__ import annotations

import _signal
import os
import select
import time

from rktnetes.rkt.records import Record


class Finished(Record, frozen=True):
    """How a program ended: its exit status (negative: killed by that signal) and its output."""

    returncode: int
    stdout: bytes
    stderr: bytes


def run(argv: list[str], stdin: bytes = b"", env: dict[str, str] | None = None, timeout: float = 60.0) -> Finished:
    """Runs ``argv`` (looked up on PATH) to its end. OSError if it cannot start; TimeoutError, once it has
    been killed and reaped, if it outlives ``timeout`` seconds."""
    (in_r, in_w), (out_r, out_w), (err_r, err_w) = os.pipe(), os.pipe(), os.pipe()
    actions = [(os.POSIX_SPAWN_DUP2, in_r, 0), (os.POSIX_SPAWN_DUP2, out_w, 1), (os.POSIX_SPAWN_DUP2, err_w, 2)]
    try:
        pid = os.posix_spawnp(argv[0], argv, os.environ if env is None else env, file_actions=actions)
    except OSError:
        _close(in_w, out_r, err_r)
        raise
    finally:
        _close(in_r, out_w, err_w)
    try:
        exchange = _Exchange(pid, in_w, out_r, err_r, stdin)
    except BaseException:
        _close(in_w, out_r, err_r)
        os.kill(pid, _signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    try:
        exchange.until(time.monotonic() + timeout)
    except BaseException:
        os.kill(pid, _signal.SIGKILL)
        raise
    finally:
        exchange.close()
        status = os.waitpid(pid, 0)[1]
    return Finished(os.waitstatus_to_exitcode(status), b"".join(exchange.out), b"".join(exchange.err))


class _Exchange:
    """The parent's ends of one run: stdin fed, stdout and stderr collected, the exit seen on a pidfd."""

    def __init__(self, pid: int, in_w: int, out_r: int, err_r: int, data: bytes) -> None:
        self.pidfd, self.in_w, self.pending = os.pidfd_open(pid), in_w, memoryview(data)
        self.out: list[bytes] = []
        self.err: list[bytes] = []
        self.reads = {out_r: self.out, err_r: self.err}
        self.poll = select.poll()
        self.open: set[int] = set()
        for fd in (self.pidfd, out_r, err_r):
            self._watch(fd, select.POLLIN)
        if data:
            os.set_blocking(in_w, False)
            self._watch(in_w, select.POLLOUT)
        else:
            os.close(in_w)

    def _watch(self, fd: int, event: int) -> None:
        self.poll.register(fd, event)
        self.open.add(fd)

    def until(self, deadline: float) -> None:
        """Runs the exchange until the program has exited and both its outputs reached end of file."""
        while self.open - {self.in_w}:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("timed out")
            for fd, _event in self.poll.poll(left * 1000):
                if fd == self.in_w:
                    self._feed()
                elif fd == self.pidfd:
                    self._done(fd)
                else:
                    self._read(fd)

    def _feed(self) -> None:
        try:
            sent = os.write(self.in_w, self.pending[:65536])
        except BrokenPipeError:  # it stopped reading (or exited): what is left is not wanted
            sent = len(self.pending)
        self.pending = self.pending[sent:]
        if not self.pending:
            self._done(self.in_w)

    def _read(self, fd: int) -> None:
        chunk = os.read(fd, 65536)
        if chunk:
            self.reads[fd].append(chunk)
        else:
            self._done(fd)

    def _done(self, fd: int) -> None:
        self.poll.unregister(fd)
        self.open.discard(fd)
        os.close(fd)

    def close(self) -> None:
        _close(*self.open)
        self.open.clear()


def _close(*fds: int) -> None:
    for fd in fds:
        os.close(fd)
