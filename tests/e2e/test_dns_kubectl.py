"""The whole chain, each part its own real process: kubectl writes a headless Service and its pods, the
``rktnetes controller-manager`` turns ready pods into EndpointSlices, ``rktnetes dns`` answers dig with them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import pytest

from tests.conftest import stop_process

pytestmark = pytest.mark.e2e
RKTNETES = str(Path(sys.executable).with_name("rktnetes"))


def _until(check: Callable[[], object], timeout: float = 30.0) -> object:
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)
    return value


@pytest.fixture
def endpointslice_controller(apiserver) -> Iterator[subprocess.Popen]:
    log = open(apiserver.data_dir / "controller-manager-dns.log", "ab")  # noqa: SIM115 - the child keeps it
    process = subprocess.Popen([RKTNETES, "controller-manager", "--kubeconfig", str(apiserver.kubeconfig),
                                "--controllers", "endpointslice", "--leader-elect", "false"],
                               stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    log.close()
    try:
        yield process
    finally:
        stop_process(process)


def _pod(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]}}


def _set_status(apiserver, namespace: str, name: str, ip: str, ready: bool) -> None:
    status = {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}],
              "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}
    apiserver.kubectl("patch", "pod", name, "-n", namespace, "--subresource=status", "--type=merge",
                      "-p", json.dumps({"status": status}))


def _dig(port: int, name: str) -> list[str]:
    dig = shutil.which("dig") or pytest.fail("dig is not installed: run `make deps` (bind9-dnsutils)")
    out = subprocess.run([dig, "+short", "+tries=1", "+time=2", "-p", str(port), "@127.0.0.1", name],
                         capture_output=True, text=True, timeout=10)
    return sorted(out.stdout.split())


def test_ready_pods_of_a_headless_service_are_its_dns_answers(apiserver, dns_server, namespace,
                                                                endpointslice_controller):
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
               "spec": {"clusterIP": "None", "selector": {"app": "web"}, "ports": [{"name": "http", "port": 80}]}}
    items = [service, _pod("web-a"), _pod("web-b")]
    apiserver.kubectl("apply", "-n", namespace, "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List",
                                                                            "items": items}))
    _set_status(apiserver, namespace, "web-a", "10.244.0.5", True)
    _set_status(apiserver, namespace, "web-b", "10.244.0.6", True)
    name = f"web.{namespace}.svc.cluster.local"
    _until(lambda: _dig(dns_server.port, name) == ["10.244.0.5", "10.244.0.6"])
    assert _dig(dns_server.port, f"10-244-0-6.{name}") == ["10.244.0.6"]

    _set_status(apiserver, namespace, "web-b", "10.244.0.6", False)
    _until(lambda: _dig(dns_server.port, name) == ["10.244.0.5"])

    apiserver.kubectl("delete", "service", "web", "-n", namespace)
    query = dns.message.make_query(name + ".", "A")
    _until(lambda: dns.query.udp(query, "127.0.0.1", port=dns_server.port, timeout=2).rcode() == dns.rcode.NXDOMAIN)
