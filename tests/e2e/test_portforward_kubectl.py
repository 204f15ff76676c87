"""``kubectl port-forward`` (the real kubectl) through the real API server to a real kubelet and rkt pod:
busybox httpd listens inside the pod's network namespace; the forward serves its page on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest

from tests.conftest import free_port, stop_process
from tests.integration.test_portforward_kubelet import listening

pytestmark = pytest.mark.e2e
SERVE = "mkdir -p /www; echo hello from $(hostname) > /www/index.html; head -c 300000 /dev/zero > /www/big; " \
        "exec httpd -f -p 8080 -h /www"
KUBECTL = "/usr/lib/google-cloud-sdk/bin/kubectl"


def _web_pod(kubelet, namespace: str) -> None:
    container = {"name": "web", "image": kubelet.image(), "command": ["/bin/sh", "-c", SERVE],
                 "ports": [{"containerPort": 8080}]}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": namespace,
                                                           "labels": {"app": "web"}},
           "spec": {"nodeName": kubelet.node, "containers": [container], "terminationGracePeriodSeconds": 2}}
    kubelet.apiserver.kubectl("create", "-f", "-", input=json.dumps(pod))
    kubelet.wait_phase(namespace, "web", "Running")
    listening(kubelet, namespace, "web", 8080)


class Forward:
    """One background ``kubectl port-forward``: its local port, and what it printed on stderr once stopped."""

    def __init__(self, port: int) -> None:
        self.port, self.stderr = port, ""


@contextmanager
def forwarding(kubelet, namespace: str, target: str, remote: int, binary: str = KUBECTL) -> Iterator[Forward]:
    """``kubectl port-forward TARGET LOCAL:REMOTE`` in the background, once it says it is forwarding."""
    forward = Forward(free_port())
    proc = subprocess.Popen([binary, "port-forward", "-n", namespace, "--address=127.0.0.1", target,
                             f"{forward.port}:{remote}"], env=kubelet.apiserver.env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("Forwarding from 127.0.0.1"), (line, proc.poll())
        yield forward
    finally:
        stop_process(proc, grace=5)
        forward.stderr = proc.stderr.read()
        proc.stdout.close()
        proc.stderr.close()


def _get(port: int, path: str = "/index.html") -> bytes:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=20) as response:
        return response.read()


def test_port_forward_serves_the_pods_page_to_many_connections(kubelet, namespace):
    _web_pod(kubelet, namespace)
    with forwarding(kubelet, namespace, "pod/web", 8080) as forward:
        assert _get(forward.port) == b"hello from web\n"
        with ThreadPoolExecutor(8) as pool:
            pages = list(pool.map(lambda _: _get(forward.port, "/big"), range(8)))
        assert all(page == bytes(300000) for page in pages)
        assert _get(forward.port) == b"hello from web\n"


def test_port_forward_to_a_service_and_to_a_closed_port(kubelet, namespace):
    _web_pod(kubelet, namespace)
    kubelet.apiserver.kubectl("expose", "pod", "web", "-n", namespace, "--port=80", "--target-port=8080")
    with forwarding(kubelet, namespace, "svc/web", 80) as forward:
        assert _get(forward.port) == b"hello from web\n"
    with forwarding(kubelet, namespace, "pod/web", 9999) as refused, \
            pytest.raises((urllib.error.URLError, OSError)):
        _get(refused.port)
    assert "error forwarding port 9999 to pod web" in refused.stderr
    assert "connect: connection refused" in refused.stderr


@pytest.mark.parametrize("version", ["1.27", "1.30", "1.33"])  # plain SPDY upgrade, the same, the WebSocket tunnel
def test_other_kubectl_versions_forward(kubelet, namespace, version):
    _web_pod(kubelet, namespace)
    with forwarding(kubelet, namespace, "pod/web", 8080, binary=f"{KUBECTL}.{version}") as forward:
        with ThreadPoolExecutor(4) as pool:
            pages = list(pool.map(lambda _: _get(forward.port, "/big"), range(4)))
        assert all(page == bytes(300000) for page in pages)
        assert _get(forward.port) == b"hello from web\n"
