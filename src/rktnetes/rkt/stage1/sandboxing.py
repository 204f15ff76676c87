"""A sandbox's waiting loop: the pod's loop (``waiting.py``) plus apps started on request, until stopped.

Why it is built this way: a sandbox (``rkt app sandbox``) outlives its apps, and apps are added to it one
at a time while it runs. Its supervisor stays the only owner of every app's ``runc run`` child and output
pipes, so exit codes are reaped, logs written and signals forwarded exactly as for a pod started with its
apps. ``rkt app start`` asks for an app by writing one line to the pod's control FIFO, which this loop holds
read-write (it never sees an end, and a writer never blocks or gets EPIPE while the pod lives) and polls
with the app pipes. Each line is shorter than PIPE_BUF, so lines from concurrent writers never interleave.
The bundle (rootfs, config.json) was made by ``rkt app add``; this loop only spawns runc on it. Like
``waiting.py`` it runs under a bare interpreter, so it imports only ``os``, ``select`` and ``time``.

Control lines (tab-separated): ``start NAME BUNDLE LOG EXIT_FILE STARTED_FILE STDIN_MODE STDIN_FIFO`` and
``stop`` (end once every app has ended; the caller signals the apps). A signal to the supervisor forwards
SIGTERM to the apps and stops the sandbox too.
"""
from __future__ import annotations

import os
import select
import time


def start_line(name: str, bundle: str, log: str, exit_file: str, started: str, stdin: str, fifo: str) -> bytes:
    """The control line that asks the loop to start one app (what ``rkt app start`` writes)."""
    return ("\t".join(("start", name, bundle, log, exit_file, started, stdin, fifo)) + "\n").encode()


class Sandbox:
    def __init__(self, loop: object, control: str, waiting: object) -> None:
        self.loop, self.waiting, self.stopping, self.pending = loop, waiting, False, b""
        self.fd = os.open(control, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
        loop.poll.register(self.fd, select.POLLIN)
        _keep_to_self()


    def run(self) -> dict[str, int]:
        loop = self.loop
        for name in list(loop.pids):
            if name not in loop.left:
                loop.ended(name)
        while loop.left or not self.stopping:
            for fd, _event in loop.poll.poll():
                if fd == self.fd:
                    self.commands()
                elif fd == loop.wake_r:
                    os.read(loop.wake_r, 64)
                    self.signalled()
                else:
                    loop.read(fd)
        os.close(self.fd)
        return loop.codes

    def signalled(self) -> None:
        self.stopping = True
        for name in list(self.loop.left):
            self.waiting._kill(self.loop.runc_root, name, "TERM")

    def commands(self) -> None:
        try:
            self.pending += os.read(self.fd, 65536)
        except BlockingIOError:
            return
        *lines, self.pending = self.pending.split(b"\n")
        for line in lines:
            words = line.decode().split("\t")
            if words[0] == "stop":
                self.stopping = True
            elif words[0] == "start" and len(words) == 8:
                self.start(*words[1:])

    def start(self, name: str, bundle: str, log: str, exit_file: str, started: str, stdin: str, fifo: str) -> None:
        loop = self.loop
        if name in loop.left:  # already running: a repeated request changes nothing
            return
        old = loop.logs.pop(name, None)
        if old is not None:
            os.close(old)
        loop.codes.pop(name, None)
        try:
            pid, out_r, err_r = spawn(loop.runc_root, name, bundle, stdin, fifo)
        except OSError as exc:
            os.write(2, f"stage1: cannot start app {name}: {exc}\n".encode())
            self.waiting.publish(exit_file, "255\n")
            return
        self.waiting.publish(started, f"{pid} {time.time():.6f}\n")
        loop.add(name, pid, out_r, err_r, log, exit_file)


def spawn(runc_root: str, name: str, bundle: str, stdin: str, fifo: str) -> tuple[int, int, int]:
    """``runc run`` of one app in the foreground: (pid, stdout fd, stderr fd), as ``apps.start`` does for a
    pod's first apps (a ``tty`` app's stderr is a pty's master, its stdin the FIFO)."""
    argv = ["runc", "--root", runc_root, "run", "--bundle", bundle, name]
    (out_r, out_w), (err_r, err_w) = os.pipe(), os.openpty() if stdin == "tty" else os.pipe()
    if stdin == "null":
        fd0 = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
    else:
        if not os.path.exists(fifo):
            os.mkfifo(fifo, 0o600)
        fd0 = os.open(fifo, os.O_RDWR | os.O_CLOEXEC)
    try:
        actions = [(os.POSIX_SPAWN_DUP2, fd0, 0), (os.POSIX_SPAWN_DUP2, out_w, 1), (os.POSIX_SPAWN_DUP2, err_w, 2)]
        pid = os.posix_spawnp("runc", argv, os.environ, file_actions=actions)
    except OSError:
        for fd in (out_r, err_r):
            os.close(fd)
        raise
    finally:
        for fd in (fd0, out_w, err_w):
            os.close(fd)
    return pid, out_r, err_r


def _keep_to_self() -> None:
    """The descriptors the supervisor passed through exec (the pod's lock above all) go to no app's runc: a
    runc holding the lock would keep the pod "running" after its supervisor was killed."""
    for name in os.listdir("/proc/self/fd"):
        if int(name) > 2:
            try:
                os.set_inheritable(int(name), False)
            except OSError:  # the listing's own descriptor, closed by now
                pass
