"""``rkt stop``: SIGTERM by default, SIGKILL with ``--force``, UUIDs from ``--uuid-file``."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from tests.fixtures.pods import RKT

pytestmark = pytest.mark.e2e
TRAP = 'trap "exit 7" TERM; sleep 60 & wait'


def test_stop_sends_sigterm(rkt):
    uuid = rkt.detach("busybox", "--exec", "/bin/sh", "--", "-c", TRAP, "---")
    done = rkt("stop", uuid)
    assert done.returncode == 0 and done.stdout.strip() == uuid
    status = rkt.status(uuid)
    assert status["state"] == "exited" and status["app-busybox"] == "7"


def test_stop_force_kills(rkt, tmp_path):
    uuid = rkt.detach("busybox", "--exec", "/bin/sh", "--", "-c", TRAP, "---")
    (tmp_path / "uuid").write_text(uuid)
    assert rkt("stop", "--force", f"--uuid-file={tmp_path / 'uuid'}").returncode == 0
    assert rkt.status(uuid)["app-busybox"] == "137"


def test_stop_of_exited_or_unknown_pod_fails(rkt):
    uuid = rkt("prepare", "--net=none", "busybox", check=True).stdout.strip()
    assert rkt("stop", uuid).returncode == 254
    assert 'no matches found for "zzz"' in rkt("stop", "zzz").stderr
    assert "UUID cannot be empty" in rkt("stop").stderr


@pytest.mark.parametrize("detach", [False, True])
def test_sigterm_to_the_supervisor_reaches_the_apps(rkt, detach):
    if detach:
        uuid = rkt.detach("busybox", "--exec", "/bin/sh", "--", "-c", TRAP, "---")
        os.kill(int(rkt.status(uuid)["pid"]), signal.SIGTERM)
    else:
        uuid_file = rkt.root / "sigterm-uuid"
        proc = subprocess.Popen([RKT, "--dir", str(rkt.root), "run", "--net=none", f"--uuid-file-save={uuid_file}",
                                 "busybox", "--exec", "/bin/sh", "--", "-c", f"echo up; {TRAP}", "---"],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline() == "up\n"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 7
        proc.stdout.close()
        uuid = uuid_file.read_text().strip()
    deadline = time.monotonic() + 60
    while rkt.status(uuid)["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert rkt.status(uuid)["app-busybox"] == "7"
