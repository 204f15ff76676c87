"""Server-side printing: columns and cells as kube-apiserver renders them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rktnetes.api import resources, tables


def _stamp(seconds_ago: int) -> str:
    return (datetime.now(UTC) - timedelta(seconds=seconds_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(("seconds", "text"), [
    (5, "5s"), (119, "119s"), (125, "2m5s"), (600, "10m"), (3 * 3600 + 60, "3h1m"), (10 * 3600, "10h"),
    (50 * 3600, "2d2h"), (30 * 86400, "30d"), (3 * 365 * 86400, "3y"),
])
def test_human_duration(seconds: int, text: str) -> None:
    assert tables.human_duration(seconds) == text


def test_pod_table() -> None:
    pod = {"kind": "Pod", "apiVersion": "v1",
           "metadata": {"name": "p", "namespace": "ns", "creationTimestamp": _stamp(30)},
           "spec": {"containers": [{"name": "a"}, {"name": "b"}], "nodeName": "n1"},
           "status": {"phase": "Running", "podIP": "10.244.1.5",
                      "containerStatuses": [{"ready": True, "restartCount": 2, "state": {"running": {}}},
                                            {"ready": False, "restartCount": 0, "state": {"running": {}}}]}}
    table = tables.table(resources.lookup("", "v1", "pods"), [pod], {"resourceVersion": "7"})
    names = [c["name"] for c in table["columnDefinitions"]]
    assert names == ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"]
    assert [c["priority"] for c in table["columnDefinitions"]][4:] == [0, 1, 1, 1, 1]
    assert table["rows"][0]["cells"] == ["p", "1/2", "Running", "2", "30s", "10.244.1.5", "n1", "<none>", "<none>"]
    assert table["rows"][0]["object"] == {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                                          "metadata": pod["metadata"]}


def test_terminating_and_waiting_pods() -> None:
    pod = {"metadata": {"name": "p", "deletionTimestamp": _stamp(0)}, "spec": {"containers": [{"name": "a"}]},
           "status": {"phase": "Running"}}
    assert tables.table(resources.lookup("", "v1", "pods"), [pod], {})["rows"][0]["cells"][2] == "Terminating"
    pod = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}]},
           "status": {"phase": "Pending", "containerStatuses": [{"state": {"waiting": {"reason": "ErrImagePull"}}}]}}
    assert tables.table(resources.lookup("", "v1", "pods"), [pod], {})["rows"][0]["cells"][2] == "ErrImagePull"


def test_deployment_and_service_columns() -> None:
    dep = {"kind": "Deployment", "metadata": {"name": "d"},
           "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "d"}},
                    "template": {"spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
           "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}}
    row = tables.table(resources.lookup("apps", "v1", "deployments"), [dep], {}, include="None")["rows"][0]
    assert row == {"cells": ["d", "2/3", 3, 2, "<unknown>", "c", "nginx", "app=d"]}
    svc = {"metadata": {"name": "s"}, "spec": {"type": "NodePort", "clusterIP": "10.96.0.9",
                                               "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}]}}
    row = tables.table(resources.lookup("", "v1", "services"), [svc], {})["rows"][0]
    assert row["cells"][:5] == ["s", "NodePort", "10.96.0.9", "<none>", "80:30080/TCP"]


def test_every_kind_has_columns_starting_with_a_name() -> None:
    for resource in resources.TABLE:
        names = [c.name for c in tables.columns_for(resource)]
        assert "Name" in names and len(names) >= 2, resource.kind


def _status_cell(status: dict, spec: dict | None = None, **meta) -> list:
    pod = {"metadata": {"name": "p", **meta}, "spec": spec or {"containers": [{"name": "a"}]}, "status": status}
    return tables.table(resources.lookup("", "v1", "pods"), [pod], {})["rows"][0]["cells"][1:4]


def test_pod_status_follows_kubectl_printer() -> None:
    spec = {"initContainers": [{"name": "i1"}, {"name": "i2"}], "containers": [{"name": "a"}]}
    init = {"phase": "Pending", "initContainerStatuses": [
        {"name": "i1", "state": {"terminated": {"exitCode": 0}}}, {"name": "i2", "state": {"running": {}}}]}
    assert _status_cell(init, spec) == ["0/1", "Init:1/2", "0"]
    crash = {"phase": "Running", "containerStatuses": [
        {"name": "a", "restartCount": 4, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
         "lastState": {"terminated": {"exitCode": 1, "finishedAt": _stamp(90)}}}]}
    assert _status_cell(crash) == ["0/1", "CrashLoopBackOff", "4 (90s ago)"]
    failed = {"phase": "Failed", "containerStatuses": [{"name": "a", "state": {"terminated": {"exitCode": 3}}}]}
    assert _status_cell(failed)[1] == "ExitCode:3"
    done = {"phase": "Succeeded", "containerStatuses": [
        {"name": "a", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]}
    assert _status_cell(done, deletionTimestamp=_stamp(0))[1] == "Completed"
    sidecar = {"initContainers": [{"name": "s", "restartPolicy": "Always"}], "containers": [{"name": "a"}]}
    running = {"phase": "Running", "conditions": [{"type": "Initialized", "status": "True"}],
               "initContainerStatuses": [{"name": "s", "started": True, "ready": True, "state": {"running": {}}}],
               "containerStatuses": [{"name": "a", "ready": True, "state": {"running": {}}}]}
    assert _status_cell(running, sidecar)[:2] == ["2/2", "Running"]
