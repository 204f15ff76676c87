"""``rktnetes controller-manager`` as its own process, driven by the real kubectl: deployments get pods,
scale, delete with their children; leader election lets one of two managers act, and a stopped leader
releases the Lease so the other takes over at once; bad flags are one line."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import free_port, stop_process

pytestmark = pytest.mark.e2e
RKTNETES = str(Path(sys.executable).with_name("rktnetes"))


def _until(check: Callable[[], object], timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.2)


@pytest.fixture
def managers(apiserver) -> Iterator[Callable[[], subprocess.Popen]]:
    started: list[subprocess.Popen] = []

    def start(*extra: str) -> subprocess.Popen:
        log = open(apiserver.data_dir / f"controller-manager-{len(started)}.log", "ab")  # noqa: SIM115
        process = subprocess.Popen([RKTNETES, "controller-manager", "--kubeconfig", str(apiserver.kubeconfig),
                                    *extra], stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        log.close()
        started.append(process)
        return process

    yield start
    for process in started:
        stop_process(process)


def _pods(apiserver, namespace: str) -> list[dict]:
    out = apiserver.kubectl("get", "pods", "-n", namespace, "-l", "app=web", "-o", "json").stdout
    return [p for p in json.loads(out)["items"] if not p["metadata"].get("deletionTimestamp")]


def _holder(apiserver) -> str:
    result = apiserver.kubectl("get", "lease", "kube-controller-manager", "-n", "kube-system", "-o", "json",
                               check=False)
    return json.loads(result.stdout)["spec"].get("holderIdentity", "") if result.returncode == 0 else ""


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()
    except OSError:
        return ""


def test_deployment_scale_and_delete_with_a_manager_process(apiserver, namespace, managers) -> None:
    port = free_port()
    managers("--metrics-port", str(port))
    _until(lambda: _get(f"http://127.0.0.1:{port}/healthz") == "ok")
    _until(lambda: _holder(apiserver))
    apiserver.kubectl("create", "deployment", "web", "-n", namespace, "--image=busybox", "--replicas=2")
    _until(lambda: len(_pods(apiserver, namespace)) == 2)
    apiserver.kubectl("scale", "deployment", "web", "-n", namespace, "--replicas=4")
    _until(lambda: len(_pods(apiserver, namespace)) == 4)
    rs = json.loads(apiserver.kubectl("get", "rs", "-n", namespace, "-o", "json").stdout)["items"]
    assert len(rs) == 1 and rs[0]["metadata"]["ownerReferences"][0]["kind"] == "Deployment"
    apiserver.kubectl("delete", "deployment", "web", "-n", namespace)
    _until(lambda: not _pods(apiserver, namespace))
    metrics = _get(f"http://127.0.0.1:{port}/metrics")
    adds = [line for line in metrics.splitlines() if line.startswith('workqueue_adds_total{name="deployment"}')]
    assert adds and float(adds[0].split()[-1]) >= 3


def test_only_the_leader_acts_and_a_second_takes_over(apiserver, namespace, managers) -> None:
    first = managers()
    _until(lambda: _holder(apiserver))
    leader = _holder(apiserver)
    second = managers()
    time.sleep(1)
    assert _holder(apiserver) == leader
    first.terminate()
    first.wait(timeout=10)
    _until(lambda: _holder(apiserver) not in ("", leader), timeout=10)
    apiserver.kubectl("create", "deployment", "web", "-n", namespace, "--image=busybox", "--replicas=1")
    _until(lambda: len(_pods(apiserver, namespace)) == 1)
    assert second.poll() is None


def test_unknown_controller_is_one_line(apiserver) -> None:
    result = subprocess.run([RKTNETES, "controller-manager", "--kubeconfig", str(apiserver.kubeconfig),
                             "--controllers", "replicaset,nope"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == ["rktnetes: unknown controller 'nope' (known: cronjob, daemonset, "
                                                  "deployment, endpoints, endpointslice, garbagecollector, job, "
                                                  "nodelifecycle, persistentvolume-binder, podgc, pv-protection, "
                                                  "pvc-protection, replicaset, replicationcontroller, "
                                                  "statefulset, ttlafterfinished)"]
