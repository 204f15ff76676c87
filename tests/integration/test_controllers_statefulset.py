"""StatefulSets on the real API server: ordered pods with stable names and claims; kubectl rollout status and
scale. The test plays the kubelet (pods Ready, deletions confirmed)."""

from __future__ import annotations

import asyncio
import json

import pytest

from rktnetes.client import rest
from rktnetes.controllers import manager
from tests.fixtures.controllers import in_background, ready_all
from tests.integration.test_controllers_replicaset import until

STS = """{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"db"},
 "spec":{"replicas":3,"serviceName":"db","selector":{"matchLabels":{"app":"db"}},
  "template":{"metadata":{"labels":{"app":"db"}},"spec":{"containers":[{"name":"c","image":"busybox:1"}]}},
  "volumeClaimTemplates":[{"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"],
   "resources":{"requests":{"storage":"1Gi"}}}}]}}"""


@pytest.fixture
async def cluster(apiserver, namespace):
    async with rest.Client.from_kubeconfig(apiserver.kubeconfig) as client:
        async with in_background(manager.run(client, ["statefulset"]), ready_all(client, namespace)):
            yield client


def _pods(apiserver, namespace: str) -> list[tuple[str, str]]:
    pods = json.loads(apiserver.kubectl("get", "pods", "-n", namespace, "-o", "json").stdout)["items"]
    return sorted((p["metadata"]["name"], p["spec"]["containers"][0]["image"]) for p in pods
                  if not p["metadata"].get("deletionTimestamp"))


async def _rollout(apiserver, namespace: str) -> str:
    return (await asyncio.to_thread(apiserver.kubectl, "rollout", "status", "sts/db", "-n", namespace,
                                    "--timeout=40s")).stdout


async def test_ordered_pods_claims_update_and_scale(apiserver, namespace, cluster) -> None:
    apiserver.kubectl("create", "-n", namespace, "-f", "-", input=STS)
    assert "partitioned roll out complete: 3 new pods have been updated" in await _rollout(apiserver, namespace)
    await until(lambda: _pods(apiserver, namespace) == [("db-0", "busybox:1"), ("db-1", "busybox:1"),
                                                        ("db-2", "busybox:1")])
    pods = json.loads(apiserver.kubectl("get", "pods", "-n", namespace, "-o", "json").stdout)["items"]
    created = {p["metadata"]["name"]: p["metadata"]["creationTimestamp"] for p in pods}
    assert created["db-0"] <= created["db-1"] <= created["db-2"]
    claims = json.loads(apiserver.kubectl("get", "pvc", "-n", namespace, "-o", "json").stdout)["items"]
    assert sorted(c["metadata"]["name"] for c in claims) == ["data-db-0", "data-db-1", "data-db-2"]
    apiserver.kubectl("set", "image", "-n", namespace, "sts/db", "c=busybox:2")
    assert "partitioned roll out complete: 3 new pods have been updated" in await _rollout(apiserver, namespace)
    assert [image for _, image in _pods(apiserver, namespace)] == ["busybox:2"] * 3
    apiserver.kubectl("scale", "-n", namespace, "sts/db", "--replicas=1")
    await until(lambda: _pods(apiserver, namespace) == [("db-0", "busybox:2")])
