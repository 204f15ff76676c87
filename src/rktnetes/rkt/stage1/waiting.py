"""The pod's waiting loop: copy app output to logs (and the terminal), forward signals, reap the apps.

Why it is built this way: this loop is what a pod's supervisor does for the pod's whole life, so it must
be small. It runs either in-process (``rkt run`` in the foreground) or, for a detached pod, as this very
file executed by ``python -I -S`` in the supervisor's own process after setup (``execv`` keeps the pid,
the pod lock fd, the app pipes and the runc children), importing only ``os``, ``select``, ``_signal``,
``sys`` and ``time`` (about 9 MB resident). It is single-threaded: ``poll`` watches every app's
stdout/stderr and a wakeup pipe that SIGTERM/SIGINT/SIGHUP write to, and a signal is forwarded to the
apps with ``runc kill``. An app has ended when both its pipes reach EOF (or at once, for a terminal app);
its runc is then reaped and its exit code published at once (as rkt's reaper wrote each app's status when
it ended), so ``rkt status`` and the kubelet see one app of a pod end while the others run. When every app
has ended, the detached form execs the teardown (``next`` argv plus ``name=code`` words). Logs are written
in the CRI log format (see ``log_lines``).

A sandbox (``rkt app sandbox``) gives the loop its control FIFO (``--control PATH``), held read-write so it
never sees an end: ``rkt app start`` writes a ``start`` line and this loop spawns the app's ``runc run``
itself (see ``sandboxing.py``), so one process keeps owning every app's runc and pipes; the loop then runs
until a ``stop`` line or a signal, not until its apps have ended.

Script usage: ``waiting.py [--control FIFO] RUNC_ROOT ECHO NAME:PID:OUTFD:ERRFD:LOG EXIT_FILE… -- NEXT_ARGV…``
(each app is a word and the path of its exit file).
"""
from __future__ import annotations

import _signal
import os
import select
import sys
import time

FORWARDED = (_signal.SIGTERM, _signal.SIGINT, _signal.SIGHUP)


App = tuple[str, int, int, int, str, str]


def pump(apps: list[App], runc_root: str, echo: bool, control: str = "") -> dict[str, int]:
    """``apps`` is (name, runc pid, stdout fd, stderr fd, log path, exit file); fd -1 means a terminal app.
    With a ``control`` FIFO (a sandbox), apps are also started on request and the loop runs until stopped."""
    loop = _Loop(runc_root, echo)
    try:
        for app in apps:
            loop.add(*app)
        if control:
            return _sandboxing().Sandbox(loop, control, sys.modules[__name__]).run()
        return loop.run()
    finally:
        loop.close()


class _Loop:
    def __init__(self, runc_root: str, echo: bool) -> None:
        self.runc_root, self.echo = runc_root, echo
        self.poll, self.codes, self.pids = select.poll(), {}, {}
        self.streams, self.logs, self.left, self.exits = {}, {}, {}, {}
        self.wake_r, self.wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        _signal.set_wakeup_fd(self.wake_w)
        for sig in FORWARDED:
            _signal.signal(sig, _ignore)
        self.poll.register(self.wake_r, select.POLLIN)

    def add(self, name: str, pid: int, out_fd: int, err_fd: int, log: str, exit_file: str) -> None:
        self.pids[name], self.exits[name] = pid, exit_file
        if out_fd < 0:
            return
        self.logs[name] = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o640)
        self.left[name] = 2
        for fd, stream in ((out_fd, 1), (err_fd, 2)):
            self.streams[fd] = (name, stream)
            self.poll.register(fd, select.POLLIN)

    def run(self) -> dict[str, int]:
        for name in list(self.pids):
            if name not in self.left:
                self.ended(name)
        while self.left:
            for fd, _event in self.poll.poll():
                if fd == self.wake_r:
                    _forward(os.read(self.wake_r, 64), self.runc_root, self.left)
                else:
                    self.read(fd)
        return self.codes

    def read(self, fd: int) -> None:
        name, stream = self.streams[fd]
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: a tty app's pty, once runc has closed its end
            data = b""
        if data:
            os.write(self.logs[name], log_lines(data, stream, time.time_ns()))
            if self.echo:
                _write(stream, data)
            return
        self.poll.unregister(fd)
        os.close(fd)
        self.left[name] -= 1
        if not self.left[name]:
            del self.left[name]
            self.ended(name)

    def ended(self, name: str) -> None:
        self.codes[name] = _reap(self.pids[name])
        publish(self.exits[name], f"{self.codes[name]}\n")

    def close(self) -> None:
        _signal.set_wakeup_fd(-1)
        for fd in (self.wake_r, self.wake_w, *self.logs.values()):
            os.close(fd)


def log_lines(data: bytes, stream: int, now_ns: int) -> bytes:
    """CRI log format, one record per line: ``<RFC 3339 UTC ns> stdout|stderr F|P <text>``; ``P`` marks a
    partial line (the chunk ended before its newline), so readers can join it with what follows."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now_ns // 10**9)) + f".{now_ns % 10**9:09d}Z"
    head = f"{stamp} {'stdout' if stream == 1 else 'stderr'} ".encode()
    lines = data.split(b"\n")
    out = [head + b"F " + line + b"\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(head + b"P " + lines[-1] + b"\n")
    return b"".join(out)


def publish(path: str, text: str) -> None:
    """Write ``path`` atomically (as ``state.publish`` does, with ``os`` alone): a reader sees no file or all."""
    folder, name = os.path.split(path)
    tmp = os.path.join(folder, f".{name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)
    os.replace(tmp, path)


def _ignore(signum: int, frame: object) -> None:
    """Signals only wake the loop (through the wakeup fd); the loop forwards them."""


def _reap(pid: int) -> int:
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return 255
    return 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def _forward(signals: bytes, runc_root: str, names: dict[str, int]) -> None:
    for _ in set(signals):
        for name in list(names):
            _kill(runc_root, name, "TERM")


def _kill(runc_root: str, name: str, sig: str) -> None:
    with open(os.devnull, "wb") as null:
        pid = os.posix_spawnp("runc", ["runc", "--root", runc_root, "kill", name, sig], os.environ,
                              file_actions=[(os.POSIX_SPAWN_DUP2, null.fileno(), 2)])
    os.waitpid(pid, 0)


def _write(stream: int, data: bytes) -> None:
    try:
        os.write(stream, data)
    except OSError:
        pass


def _sandboxing() -> object:
    """``sandboxing.py``, beside this file: imported from the package, or as a script's sibling (``-I``
    leaves the script's folder off ``sys.path``)."""
    if __package__:
        from rktnetes.rkt.stage1 import sandboxing

        return sandboxing
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import sandboxing

    return sandboxing


def parse_app(word: str, exit_file: str) -> App:
    name, pid, out_fd, err_fd, log = word.split(":", 4)
    return name, int(pid), int(out_fd), int(err_fd), log, exit_file


def main(argv: list[str]) -> None:
    control = argv[1] if argv[0] == "--control" else ""
    argv = argv[2:] if control else argv
    split = argv.index("--")
    runc_root, echo, apps, after = argv[0], argv[1] == "1", argv[2:split], argv[split + 1:]
    codes = pump([parse_app(w, f) for w, f in zip(apps[::2], apps[1::2], strict=True)], runc_root, echo, control)
    os.execv(after[0], after + [f"{name}={code}" for name, code in codes.items()])


if __name__ == "__main__":
    main(sys.argv[1:])
