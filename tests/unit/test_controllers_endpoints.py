"""Endpoints and EndpointSlices: pure building (named ports, readiness) and both controllers on the fake API."""

from __future__ import annotations

import pytest

from rktnetes.client import errors
from rktnetes.controllers import endpointbuilding, endpoints, endpointslice
from tests.conftest import settle

SLICES = "endpointslices.discovery.k8s.io"


def _service(**spec) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "ns", "uid": "s1"},
            "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80, "targetPort": "http",
                                                             "protocol": "TCP"}], **spec}}


def _pod(name: str, ip: str, port: int = 8080, ready: bool = True, app: str = "web", **meta) -> dict:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "ns", "uid": f"u-{name}", "labels": {"app": app}, **meta},
            "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "i",
                                                       "ports": [{"name": "http", "containerPort": port}]}]},
            "status": {"phase": "Running", "podIP": ip,
                       "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}}


def test_named_target_ports_resolve_per_pod_and_group_subsets() -> None:
    pods = [_pod("a", "10.0.0.1"), _pod("b", "10.0.0.2", ready=False), _pod("c", "10.0.0.3", port=9090),
            _pod("x", "10.0.0.9", app="other"), _pod("gone", "10.0.0.4", deletionTimestamp="t"),
            {**_pod("noip", ""), "status": {"phase": "Pending"}}]
    subsets = endpointbuilding.subsets(_service(), pods)
    assert [(s.get("ports"), [a["ip"] for a in s.get("addresses", [])],
             [a["ip"] for a in s.get("notReadyAddresses", [])]) for s in subsets] == [
        ([{"name": "http", "port": 8080, "protocol": "TCP"}], ["10.0.0.1"], ["10.0.0.2"]),
        ([{"name": "http", "port": 9090, "protocol": "TCP"}], ["10.0.0.3"], [])]
    assert subsets[0]["addresses"][0]["targetRef"] == {"kind": "Pod", "namespace": "ns", "name": "a", "uid": "u-a"}
    published = endpointbuilding.subsets(_service(publishNotReadyAddresses=True), pods[:2])
    assert [a["ip"] for a in published[0]["addresses"]] == ["10.0.0.1", "10.0.0.2"]


def test_slices_are_labelled_owned_and_split_by_ports() -> None:
    slices = endpointbuilding.slices_for(_service(), [_pod("a", "10.0.0.1"), _pod("b", "10.0.0.2", ready=False),
                                                      _pod("c", "fd00::3", port=9090)])
    assert len(slices) == 2 and slices[0]["metadata"]["name"] != slices[1]["metadata"]["name"]
    first = slices[0]
    assert first["metadata"]["labels"][endpointbuilding.SERVICE_NAME] == "web"
    assert first["metadata"]["ownerReferences"][0]["uid"] == "s1" and first["addressType"] == "IPv4"
    assert [(e["addresses"], e["conditions"]["ready"]) for e in first["endpoints"]] == [
        (["10.0.0.1"], True), (["10.0.0.2"], False)]
    assert slices[1]["addressType"] == "IPv6" and slices[1]["ports"][0]["port"] == 9090


@pytest.fixture
def env(controller_env):
    return controller_env


async def test_endpoints_follow_pods_and_go_with_the_service(env) -> None:
    api, controller = await env(endpoints.EndpointsController, _service(), _pod("a", "10.0.0.1"))
    await controller.reconcile("ns/web")
    ep = await api.get("endpoints", "web", "ns")
    assert ep["subsets"][0]["addresses"][0]["ip"] == "10.0.0.1"
    created = await api.create("pods", _pod("b", "10.0.0.2"))
    await api.update_status("pods", {**created, "status": _pod("b", "10.0.0.2")["status"]})
    await settle()
    assert len(controller.queue) == 1
    await controller.reconcile("ns/web")
    await settle()
    await controller.reconcile("ns/web")
    assert [a.verb for a in api.actions if a.resource == "endpoints" and a.verb in ("create", "update")] == [
        "create", "update"]
    await api.delete("services", "web", "ns")
    await settle()
    await controller.reconcile("ns/web")
    with pytest.raises(errors.NotFound):
        await api.get("endpoints", "web", "ns")


async def test_services_without_a_selector_are_left_alone(env) -> None:
    api, controller = await env(endpoints.EndpointsController, _service(selector=None))
    await controller.reconcile("ns/web")
    assert not [a for a in api.actions if a.resource == "endpoints" and a.verb not in ("list", "watch")]


async def test_slices_are_created_updated_and_dropped(env) -> None:
    api, controller = await env(endpointslice.EndpointSliceController, _service(), _pod("a", "10.0.0.1"),
                                _pod("c", "10.0.0.3", port=9090))
    await controller.reconcile("ns/web")
    await settle()
    assert len((await api.list(SLICES, "ns"))["items"]) == 2
    await api.delete("pods", "c", "ns")
    await settle()
    await controller.reconcile("ns/web")
    (only,) = (await api.list(SLICES, "ns"))["items"]
    assert only["endpoints"][0]["addresses"] == ["10.0.0.1"]


def test_slices_keep_terminating_pods_marked_and_endpoints_drop_them() -> None:
    pods = [_pod("a", "10.0.0.1"), _pod("t", "10.0.0.2", deletionTimestamp="2026-01-01T00:00:00Z")]
    (slice_,) = endpointbuilding.slices_for(_service(), pods)
    assert [(e["addresses"][0], e["conditions"]) for e in slice_["endpoints"]] == [
        ("10.0.0.1", {"ready": True, "serving": True, "terminating": False}),
        ("10.0.0.2", {"ready": False, "serving": True, "terminating": True})]
    (subset,) = endpointbuilding.subsets(_service(), pods)
    assert [a["ip"] for a in subset["addresses"]] == ["10.0.0.1"] and "notReadyAddresses" not in subset
