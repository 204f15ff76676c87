"""The supervisor's one loop: copy app output to logs and the terminal, forward signals, collect exits.

Single-threaded on purpose (see supervisor.py): ``selectors`` watches every app's stdout/stderr pipe and a
wakeup pipe that ``signal.set_wakeup_fd`` writes a byte to on SIGTERM/SIGINT/SIGHUP. An app has exited
when both its pipes reach EOF; its runc process is then reaped and its exit code kept.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.stage1 import teardown

FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class Pump:
    def __init__(self, pod: Path, procs: dict[str, subprocess.Popen[bytes]], interactive: bool) -> None:
        self.pod, self.procs, self.interactive = pod, procs, interactive
        self.selector = selectors.DefaultSelector()
        self.open: dict[str, int] = {}
        self.logs: dict[str, int] = {}
        self.codes: dict[str, int] = {}

    def run(self) -> dict[str, int]:
        wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        old = signal.set_wakeup_fd(wake_w)
        for sig in FORWARDED:
            signal.signal(sig, lambda *_: None)
        self.selector.register(wake_r, selectors.EVENT_READ, ("signal", None))
        try:
            self._register_apps()
            while self.open:
                for key, _ in self.selector.select():
                    self._handle(key)
        finally:
            signal.set_wakeup_fd(old)
            for fd in (wake_r, wake_w, *self.logs.values()):
                os.close(fd)
        return self.codes

    def _register_apps(self) -> None:
        for name, proc in self.procs.items():
            if self.interactive or proc.stdout is None or proc.stderr is None:
                self.codes[name] = proc.wait()
                continue
            flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC
            self.logs[name] = os.open(paths.app_log_path(self.pod, name), flags, 0o640)
            self.open[name] = 2
            self.selector.register(proc.stdout, selectors.EVENT_READ, (name, 1))
            self.selector.register(proc.stderr, selectors.EVENT_READ, (name, 2))

    def _handle(self, key: selectors.SelectorKey) -> None:
        name, stream = key.data
        if name == "signal":
            return self._forward(os.read(key.fd, 64))
        data = os.read(key.fd, 65536)
        if data:
            os.write(self.logs[name], data)
            _echo(stream, data)
            return None
        self.selector.unregister(key.fileobj)
        key.fileobj.close()  # type: ignore[union-attr]
        self.open[name] -= 1
        if not self.open[name]:
            del self.open[name]
            self.codes[name] = self.procs[name].wait()
        return None

    def _forward(self, signals: bytes) -> None:
        for signum in set(signals):
            for name in self.open:
                teardown.runc(self.pod, "kill", name, "KILL" if signum == signal.SIGHUP else "TERM")


def _echo(stream: int, data: bytes) -> None:
    try:
        os.write(stream, data)
    except OSError:
        pass
