"""ReplicaSets and ReplicationControllers on the real API server, with kubectl: create, scale, adopt, status."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

import pytest

from rktnetes.client import rest
from rktnetes.controllers import manager
from tests.fixtures.controllers import in_background

RS = """{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"web"},
 "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
  "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}"""
RC = """{"apiVersion":"v1","kind":"ReplicationController","metadata":{"name":"old"},
 "spec":{"replicas":2,"selector":{"app":"old"},
  "template":{"metadata":{"labels":{"app":"old"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}"""


async def until(check: Callable[[], object], timeout: float = 30.0) -> None:
    """Poll ``check`` (sync or async) until it is truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.1)


async def _run_manager(server):
    async with rest.Client.from_kubeconfig(server.kubeconfig) as client:
        async with in_background(manager.run(client)):
            yield client


@pytest.fixture
async def running(apiserver):
    """The controller manager (all controllers) in this process, against the real server."""
    async for client in _run_manager(apiserver):
        yield client


@pytest.fixture
async def running_any(apiserver_any):
    """The same against the server on each store backend (SQLite, etcd)."""
    async for client in _run_manager(apiserver_any):
        yield client


def _pods(apiserver, namespace: str, selector: str) -> list[dict]:
    out = apiserver.kubectl("get", "pods", "-n", namespace, "-l", selector, "-o", "json").stdout
    return [p for p in json.loads(out)["items"] if not p["metadata"].get("deletionTimestamp")]


async def _status(client: rest.Client, resource: str, namespace: str) -> dict:
    return (await client.get(resource, "web" if "replicasets" in resource else "old", namespace)).get("status", {})


async def test_kubectl_scale_of_a_replicaset(apiserver_any, namespace_any, running_any) -> None:
    apiserver, namespace, running = apiserver_any, namespace_any, running_any
    apiserver.kubectl("create", "-n", namespace, "-f", "-", input=RS)
    await until(lambda: len(_pods(apiserver, namespace, "app=web")) == 3)
    await until(async_eq(running, "replicasets.apps", namespace, "replicas", 3))
    apiserver.kubectl("scale", "-n", namespace, "rs/web", "--replicas=1")
    await until(lambda: len(_pods(apiserver, namespace, "app=web")) == 1)
    pod = _pods(apiserver, namespace, "app=web")[0]
    assert pod["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet"
    await until(async_eq(running, "replicasets.apps", namespace, "observedGeneration", 2))
    apiserver.kubectl("scale", "-n", namespace, "rs/web", "--replicas=2")
    await until(lambda: len(_pods(apiserver, namespace, "app=web")) == 2)
    out = apiserver.kubectl("get", "rs", "web", "-n", namespace).stdout
    assert out.split("\n")[1].split()[:4] == ["web", "2", "2", "0"]
    described = apiserver.kubectl("describe", "rs", "web", "-n", namespace).stdout
    assert "SuccessfulCreate" in described and "SuccessfulDelete" in described


def async_eq(client: rest.Client, resource: str, namespace: str, field: str, value: int):
    async def check() -> bool:
        return (await _status(client, resource, namespace)).get(field) == value
    return check


async def test_ready_pods_count_and_orphans_are_adopted(apiserver, namespace, running) -> None:
    apiserver.kubectl("run", "stray", "-n", namespace, "--image=busybox", "--labels=app=old")
    apiserver.kubectl("create", "-n", namespace, "-f", "-", input=RC)
    await until(lambda: len(_pods(apiserver, namespace, "app=old")) == 2)
    stray = await running.get("pods", "stray", namespace)
    assert stray["metadata"]["ownerReferences"][0]["name"] == "old"
    stray["status"] = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
    await running.update_status("pods", stray, namespace)
    await until(async_eq(running, "replicationcontrollers", namespace, "readyReplicas", 1))
    await until(async_eq(running, "replicationcontrollers", namespace, "availableReplicas", 1))
    apiserver.kubectl("label", "pod", "stray", "-n", namespace, "app=gone", "--overwrite")
    await until(lambda: len(_pods(apiserver, namespace, "app=old")) == 2)
    stray = await running.get("pods", "stray", namespace)
    assert not stray["metadata"].get("ownerReferences")
    apiserver.kubectl("scale", "-n", namespace, "rc/old", "--replicas=4")
    await until(lambda: len(_pods(apiserver, namespace, "app=old")) == 4)
    await until(async_eq(running, "replicationcontrollers", namespace, "replicas", 4))
