"""Running networking's programs without subprocess: stdin in, exit status and both outputs out, bounded."""

from __future__ import annotations

import os
import time

import pytest

from rktnetes.rkt.networking import execs


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_stdin_in_outputs_and_status_out():
    before = _fds()
    done = execs.run(["sh", "-c", "cat; echo err >&2; exit 3"], b"x" * 300_000)  # more than a pipe holds
    assert (done.returncode, len(done.stdout), done.stderr) == (3, 300_000, b"err\n")
    assert _fds() == before


def test_environment_and_no_stdin():
    done = execs.run(["sh", "-c", 'printf %s "$ONLY"'], env={"ONLY": "this", "PATH": os.environ["PATH"]})
    assert done.stdout == b"this" and done.returncode == 0


def test_a_program_that_does_not_read_its_stdin():
    done = execs.run(["true"], b"y" * 1_000_000)
    assert done.returncode == 0


def test_timeout_kills_and_reaps():
    before, start = _fds(), time.monotonic()
    with pytest.raises(TimeoutError):
        execs.run(["sleep", "30"], timeout=0.2)
    assert time.monotonic() - start < 5 and _fds() == before


def test_missing_program_is_an_oserror_and_leaks_nothing():
    before = _fds()
    with pytest.raises(OSError):
        execs.run(["/nonexistent/program"])
    assert _fds() == before


def test_killed_by_a_signal_is_a_negative_status():
    assert execs.run(["sh", "-c", "kill -9 $$"]).returncode == -9
