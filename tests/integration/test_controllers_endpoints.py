"""Endpoints and EndpointSlices on the real API server: kubectl sees ready pods' IPs on named target ports."""

from __future__ import annotations

import json

import pytest

from rktnetes.client import rest
from rktnetes.controllers import manager
from tests.fixtures.controllers import in_background
from tests.integration.test_controllers_replicaset import until

SERVICE = """{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},
 "spec":{"selector":{"app":"web"},"ports":[{"name":"http","port":80,"targetPort":"http"}]}}"""


def _pod(name: str, port: int) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "c", "image": "busybox",
                                     "ports": [{"name": "http", "containerPort": port}]}]}}


async def _start(client: rest.Client, namespace: str, name: str, ip: str, port: int, ready: bool) -> None:
    """Create a pod and give it the status a kubelet would: Running, an IP, Ready or not."""
    pod = await client.create("pods", _pod(name, port), namespace)
    pod["status"] = {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}],
                     "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}
    await client.update_status("pods", pod, namespace)


@pytest.fixture
async def running(apiserver):
    async with rest.Client.from_kubeconfig(apiserver.kubeconfig) as client:
        async with in_background(manager.run(client, ["endpoints", "endpointslice", "garbagecollector"])):
            yield client


def _get(apiserver, namespace: str, *what: str) -> dict:
    return json.loads(apiserver.kubectl("get", *what, "-n", namespace, "-o", "json").stdout)


async def test_endpoints_and_slices_follow_ready_pods(apiserver, namespace, running) -> None:
    apiserver.kubectl("create", "-n", namespace, "-f", "-", input=SERVICE)
    await _start(running, namespace, "a", "10.244.1.5", 8080, True)
    await _start(running, namespace, "b", "10.244.1.6", 8080, False)
    await until(lambda: "notReadyAddresses" in (_get(apiserver, namespace, "endpoints", "web").get("subsets")
                                                or [{}])[0])
    (subset,) = _get(apiserver, namespace, "endpoints", "web")["subsets"]
    assert [a["ip"] for a in subset["addresses"]] == ["10.244.1.5"]
    assert [a["ip"] for a in subset["notReadyAddresses"]] == ["10.244.1.6"]
    assert subset["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]
    out = apiserver.kubectl("get", "endpoints", "web", "-n", namespace).stdout
    assert "10.244.1.5:8080" in out
    selector = "kubernetes.io/service-name=web"
    await until(lambda: len((_get(apiserver, namespace, "endpointslices", "-l", selector)["items"] or [{}])[0]
                            .get("endpoints") or []) == 2)
    (slice_,) = _get(apiserver, namespace, "endpointslices", "-l", selector)["items"]
    assert {e["addresses"][0]: e["conditions"]["ready"] for e in slice_["endpoints"]} == {
        "10.244.1.5": True, "10.244.1.6": False}
    apiserver.kubectl("delete", "pod", "a", "-n", namespace)
    await until(lambda: "addresses" not in _get(apiserver, namespace, "endpoints", "web")["subsets"][0])
    apiserver.kubectl("delete", "service", "web", "-n", namespace)
    await until(lambda: not _get(apiserver, namespace, "endpoints")["items"])
    await until(lambda: not _get(apiserver, namespace, "endpointslices")["items"])
