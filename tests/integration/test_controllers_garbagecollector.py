"""Garbage collection on the real API server with kubectl delete: background, foreground and orphan cascades."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from rktnetes.client import rest
from rktnetes.controllers import manager
from tests.fixtures.controllers import in_background
from tests.integration.test_controllers_deployment import DEPLOY
from tests.integration.test_controllers_replicaset import RS, until


@pytest.fixture
async def running(apiserver):
    async with rest.Client.from_kubeconfig(apiserver.kubeconfig) as client:
        async with in_background(manager.run(client)):
            yield client


def _names(apiserver, namespace: str, kind: str) -> list[str]:
    out = apiserver.kubectl("get", kind, "-n", namespace, "-o", "json").stdout
    return [o["metadata"]["name"] for o in json.loads(out)["items"]]


def _pods(apiserver, namespace: str) -> list[dict]:
    return json.loads(apiserver.kubectl("get", "pods", "-n", namespace, "-o", "json").stdout)["items"]


async def test_kubectl_delete_deployment_removes_its_replicasets_and_pods(apiserver, namespace, running) -> None:
    apiserver.kubectl("create", "-n", namespace, "-f", "-", input=DEPLOY % '{"type":"RollingUpdate"}')
    await until(lambda: len(_pods(apiserver, namespace)) == 3)
    apiserver.kubectl("delete", "deployment", "web", "-n", namespace, "--wait=false")
    await until(lambda: not _names(apiserver, namespace, "rs") and not _pods(apiserver, namespace))


async def test_foreground_deletion_waits_for_the_pods(apiserver, namespace, running) -> None:
    apiserver.kubectl("create", "-n", namespace, "-f", "-", input=RS)
    await until(lambda: len(_pods(apiserver, namespace)) == 3)
    await asyncio.to_thread(apiserver.kubectl, "delete", "rs", "web", "-n", namespace, "--cascade=foreground",
                            "--timeout=40s")
    assert not _pods(apiserver, namespace) and not _names(apiserver, namespace, "rs")


async def test_orphan_deletion_leaves_the_pods_free(apiserver, namespace, running) -> None:
    apiserver.kubectl("create", "-n", namespace, "-f", "-", input=RS)
    await until(lambda: len(_pods(apiserver, namespace)) == 3)
    await asyncio.to_thread(apiserver.kubectl, "delete", "rs", "web", "-n", namespace, "--cascade=orphan",
                            "--timeout=40s")
    await until(lambda: not _names(apiserver, namespace, "rs"))
    await until(lambda: all(not p["metadata"].get("ownerReferences") for p in _pods(apiserver, namespace)))
    assert len(_pods(apiserver, namespace)) == 3


async def test_deleting_a_namespace_with_running_controllers_finishes(apiserver, running) -> None:
    name = f"t-{uuid.uuid4().hex[:10]}"
    apiserver.kubectl("create", "namespace", name)
    apiserver.kubectl("create", "-n", name, "-f", "-", input=DEPLOY % '{"type":"RollingUpdate"}')
    await until(lambda: len(_pods(apiserver, name)) == 3)
    result = await asyncio.to_thread(apiserver.kubectl, "delete", "namespace", name, "--timeout=60s", check=False)
    if result.returncode != 0:
        apiserver.kubectl("delete", "namespace", name, "--wait=false", check=False)
    assert result.returncode == 0, result.stderr
    gone = apiserver.kubectl("get", "namespace", name, check=False)
    assert gone.returncode != 0 and "NotFound" in gone.stderr
