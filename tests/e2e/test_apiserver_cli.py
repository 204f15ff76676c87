"""``rktnetes apiserver`` as a user runs it: bad input gives one line, exit 1 and writes nothing; a good run
serves HTTPS, writes the admin kubeconfig and stops cleanly on SIGTERM; plain HTTP only on request."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port

pytestmark = pytest.mark.e2e
RKTNETES = str(Path(sys.executable).with_name("rktnetes"))


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([RKTNETES, "apiserver", *args], capture_output=True, text=True, timeout=30)


def test_bad_store_url(tmp_path) -> None:
    result = _run("--store", "foo://x", "--data-dir", str(tmp_path / "d"), "--port", "0")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == ["rktnetes: unknown store URL scheme 'foo' (known: etcd, sqlite)"]
    assert not (tmp_path / "d").exists()


def test_busy_port(tmp_path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        result = _run("--data-dir", str(tmp_path / "d"), "--port", str(busy.getsockname()[1]))
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "cannot listen on 127.0.0.1" in result.stderr and not (tmp_path / "d").exists()


def test_bad_flag() -> None:
    result = _run("--port", "abc")
    assert result.returncode == 1 and result.stderr.strip() == "rktnetes: argument --port: invalid int value: 'abc'"


def test_serves_writes_kubeconfig_and_stops(tmp_path) -> None:
    kubeconfig, insecure = tmp_path / "kc", free_port()
    proc = subprocess.Popen([RKTNETES, "apiserver", "--data-dir", str(tmp_path / "d"), "--port", "0",
                             "--insecure-port", str(insecure), "--kubeconfig", str(kubeconfig)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not kubeconfig.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        with urllib.request.urlopen(f"http://127.0.0.1:{insecure}/api/v1/namespaces", timeout=10) as resp:
            names = {n["metadata"]["name"] for n in json.load(resp)["items"]}
        assert "kube-system" in names
        got = subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), "config", "view", "--minify", "-o",
                              "jsonpath={.contexts[0].name}"], capture_output=True, text=True, timeout=30)
        assert got.stdout == "rktnetes"
        nodes = subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), "get", "ns", "default", "-o", "name"],
                               capture_output=True, text=True, timeout=30)
        assert nodes.stdout.strip() == "namespace/default", nodes.stderr
        watcher = subprocess.Popen(["kubectl", "--kubeconfig", str(kubeconfig), "get", "cm", "-w"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
    finally:
        began = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    watcher.wait(timeout=20)
    assert proc.returncode == 0 and time.monotonic() - began < 8  # open watches do not hold the shutdown


def _start(data_dir: Path, insecure: int, *extra: str) -> subprocess.Popen:
    proc = subprocess.Popen([RKTNETES, "apiserver", "--data-dir", str(data_dir), "--port", "0", "--insecure-port",
                             str(insecure), *extra], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{insecure}/readyz", timeout=2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("apiserver did not start")


def _get(insecure: int, path: str) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{insecure}{path}", timeout=10) as resp:
        return json.load(resp)


def test_state_survives_a_restart(tmp_path) -> None:
    insecure = free_port()
    proc = _start(tmp_path / "d", insecure)
    try:
        body = json.dumps({"metadata": {"name": "kept"}, "data": {"a": "1"}}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{insecure}/api/v1/namespaces/default/configmaps",
                                         data=body, headers={"Content-Type": "application/json"}, method="POST")
        urllib.request.urlopen(request, timeout=10).close()
    finally:
        proc.kill()
        proc.wait(timeout=10)
    proc = _start(tmp_path / "d", insecure, "--advertise-address", "127.0.0.2")
    try:
        assert _get(insecure, "/api/v1/namespaces/default/configmaps/kept")["data"] == {"a": "1"}
        endpoints = _get(insecure, "/api/v1/namespaces/default/endpoints/kubernetes")
        assert endpoints["subsets"][0]["addresses"] == [{"ip": "127.0.0.2"}]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
