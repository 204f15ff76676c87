"""Images fetched with docker:// run under ``rkt run``: the appc app made from the image config is right."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import require_root

pytestmark = pytest.mark.e2e
RKT = str(Path(sys.executable).parent / "rkt")
INSECURE = "--insecure-options=image,http"


def _rkt(root: Path, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([RKT, f"--dir={root}", *argv], capture_output=True, text=True, timeout=timeout)


def test_alpine_sh_runs_as_its_named_user(tmp_path: Path, registry: str) -> None:
    require_root()
    done = _rkt(tmp_path / "rkt", INSECURE, "run", "--net=none", f"docker://{registry}/alpine-sh",
                "--user=user", "--exec", "/bin/sh", "--", "-c", "id -un; . /etc/os-release; echo $ID")
    try:
        assert done.returncode == 0, done.stderr
        assert done.stdout.split()[-2:] == ["user", "alpine-sh"], done.stdout
    finally:
        _rkt(tmp_path / "rkt", "gc", "--grace-period=0s")


def _wait_running(root: Path) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        listed = _rkt(root, "list", "--no-legend", "--full").stdout.split()
        if "running" in listed:
            return listed[0]
        time.sleep(0.2)
    raise AssertionError("the nginx pod never reached running")


def test_nginx_from_the_registry_serves_its_page_in_its_pod(tmp_path: Path, registry: str) -> None:
    require_root()
    root = tmp_path / "rkt"
    pod = subprocess.Popen([RKT, f"--dir={root}", INSECURE, "run", "--net=none", f"docker://{registry}/nginx"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    uuid = ""
    try:
        uuid = _wait_running(root)
        page = ""
        for _ in range(50):
            page = _rkt(root, "enter", uuid, "/usr/bin/curl", "-s", "http://127.0.0.1/", timeout=30).stdout
            if page:
                break
            time.sleep(0.1)
        assert "Welcome to nginx!" in page
    finally:
        if uuid:
            _rkt(root, "stop", uuid)
        try:
            pod.wait(timeout=60)
        finally:
            pod.kill()
            pod.wait()
            _rkt(root, "gc", "--grace-period=0s")
