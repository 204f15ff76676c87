"""The real kubectl against a real API server, scheduler and kubelet: ``kubectl run`` lands on the node and
runs as an rkt pod; ``kubectl wait``, ``get -o wide``, ``logs``, ``exec`` (exit codes, stderr, stdin), ``cp`` and
``delete`` behave as on Kubernetes."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import stop_process
from tests.fixtures.kubelet import RKTNETES

pytestmark = pytest.mark.e2e


def _component(tmp_path: Path, name: str, *args: str) -> Iterator[subprocess.Popen]:
    """``rktnetes NAME ARGS`` with its output in tmp_path/NAME.log, stopped (TERM, then KILL) afterwards."""
    with open(tmp_path / f"{name}.log", "wb") as log:
        proc = subprocess.Popen([RKTNETES, name, *args], stdout=log, stderr=log)
    try:
        yield proc
    finally:
        stop_process(proc, grace=15)


@pytest.fixture
def scheduler(apiserver, tmp_path) -> Iterator[subprocess.Popen]:
    yield from _component(tmp_path, "scheduler", f"--kubeconfig={apiserver.kubeconfig}", "--no-leader-elect")


def test_kubectl_run_wait_logs_exec_cp_delete(kubelet, scheduler, namespace, tmp_path):
    kubectl = kubelet.apiserver.kubectl
    kubelet.wait_for("node registered", lambda: kubectl("get", "node", kubelet.node, check=False).returncode == 0)
    kubectl("label", "node", kubelet.node, f"e2e={namespace}")
    overrides = json.dumps({"spec": {"nodeSelector": {"e2e": namespace}, "terminationGracePeriodSeconds": 3}})
    kubectl("run", "web", "-n", namespace, f"--image={kubelet.image()}", "--restart=Never",
            f"--overrides={overrides}", "--command", "--", "sh", "-c", "echo started; exec sleep 300")
    kubectl("wait", "-n", namespace, "--for=condition=Ready", "pod/web", "--timeout=90s", timeout=120)
    wide = kubectl("get", "pod", "web", "-n", namespace, "-o", "wide", "--no-headers").stdout.split()
    assert wide[:3] == ["web", "1/1", "Running"] and kubelet.node in wide and wide[5].startswith("172.16.28.")
    assert kubectl("logs", "web", "-n", namespace).stdout == "started\n"
    done = kubectl("exec", "web", "-n", namespace, "--", "/bin/sh", "-c", "echo out; echo err >&2; exit 3",
                   check=False)
    assert done.returncode == 3 and done.stdout == "out\n" and "err" in done.stderr
    piped = kubectl("exec", "-i", "web", "-n", namespace, "--", "/bin/cat", input="through stdin\n")
    assert piped.stdout == "through stdin\n"
    assert kubectl("exec", "web", "-n", namespace, "--", "hostname").stdout == "web\n"
    (tmp_path / "payload.txt").write_text("copied in\n")
    kubectl("cp", str(tmp_path / "payload.txt"), f"{namespace}/web:/tmp/payload.txt")
    assert kubectl("exec", "web", "-n", namespace, "--", "cat", "/tmp/payload.txt").stdout == "copied in\n"
    kubectl("cp", f"{namespace}/web:/tmp/payload.txt", str(tmp_path / "back.txt"))
    assert (tmp_path / "back.txt").read_text() == "copied in\n"
    kubectl("delete", "pod", "web", "-n", namespace, "--timeout=60s", timeout=90)
    assert [p for p in kubelet.rkt_pods() if p["state"] == "running"] == []


def _on_a_terminal(argv: list[str], env: dict, typed: bytes = b"") -> tuple[int, bytes]:
    """Run ``argv`` with a pseudo-terminal as its stdin/stdout (as a person's shell), typing ``typed``."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(argv[0], argv, env)
    out = b""
    if typed:
        time.sleep(1.0)
        os.write(fd, typed)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1.0)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), out


def test_kubectl_exec_with_a_terminal(kubelet, namespace):
    kubelet.create_pod(namespace, "shell", "exec sleep 300")
    kubelet.wait_phase(namespace, "shell", "Running")
    argv = ["kubectl", "exec", "-it", "-n", namespace, "shell", "--", "/bin/sh"]
    code, out = _on_a_terminal(argv, kubelet.apiserver.env(), b"tty; echo sum=$((3+4)); exit 5\r")
    text = out.decode(errors="replace")
    assert "/dev/pts/" in text and "sum=7" in text and code == 5


@pytest.fixture
def controller_manager(apiserver, tmp_path) -> Iterator[subprocess.Popen]:
    yield from _component(tmp_path, "controller-manager", f"--kubeconfig={apiserver.kubeconfig}",
                          "--leader-elect=false")


def _deployment(namespace: str, image: str, replicas: int) -> str:
    serve = "mkdir -p /www; echo hello > /www/index.html; exec httpd -f -p 80 -h /www"
    container = {"name": "web", "image": image, "command": ["/bin/sh", "-c", serve],
                 "ports": [{"containerPort": 80, "name": "http"}],
                 "readinessProbe": {"httpGet": {"path": "/", "port": "http"}, "periodSeconds": 1}}
    template = {"metadata": {"labels": {"app": "web"}},
                "spec": {"nodeSelector": {"e2e": namespace}, "containers": [container],
                         "terminationGracePeriodSeconds": 2}}
    return json.dumps({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": namespace},
                       "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                                "template": template}})


def test_deployment_rolls_out_on_the_node_and_its_endpoints_follow(kubelet, scheduler, controller_manager,
                                                                   namespace, testhost):
    kubectl = kubelet.apiserver.kubectl
    kubelet.wait_for("node registered", lambda: kubectl("get", "node", kubelet.node, check=False).returncode == 0)
    kubectl("label", "node", kubelet.node, f"e2e={namespace}")
    kubectl("apply", "-f", "-", input=_deployment(namespace, kubelet.image(), 2))
    kubectl("rollout", "status", "-n", namespace, "deployment/web", "--timeout=120s", timeout=150)
    kubectl("expose", "deployment", "web", "-n", namespace, "--port=80")

    def endpoint_ips() -> list[str]:
        found = json.loads(kubectl("get", "endpoints", "web", "-n", namespace, "-o", "json", check=False).stdout
                           or "{}")
        return sorted(a["ip"] for s in found.get("subsets") or [] for a in s.get("addresses") or [])
    ips = kubelet.wait_for("two endpoints", lambda: len(found := endpoint_ips()) == 2 and found)
    for ip in ips:
        got = testhost.run(["curl", "-s", "--max-time", "5", f"http://{ip}/"])
        assert got.stdout == "hello\n", (got.returncode, got.stderr)
    kubectl("scale", "deployment", "web", "-n", namespace, "--replicas=1")
    kubelet.wait_for("one endpoint", lambda: len(endpoint_ips()) == 1, timeout=60)
    kubelet.wait_for("one rkt pod running", lambda: len([p for p in kubelet.rkt_pods() if p["state"] == "running"])
                     == 1, timeout=60)
