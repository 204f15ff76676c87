"""The real ``kubectl top node`` and ``kubectl top pod`` against our API server, which reads the real kubelet's
/metrics/resource for metrics.k8s.io; discovery lists the group, ``kubectl get`` prints its Table."""

from __future__ import annotations

import json

import pytest

from tests.conftest import free_port

pytestmark = pytest.mark.e2e
BURN = "while :; do :; done"


def _ready(kubelet) -> None:
    def check():
        found = kubelet.apiserver.kubectl("get", "node", kubelet.node, "-o", "json", check=False)
        conditions = json.loads(found.stdout)["status"].get("conditions", []) if found.returncode == 0 else []
        return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)
    kubelet.wait_for("Ready node", check)


def _millicores(cell: str) -> int:
    return int(cell[:-1]) if cell.endswith("m") else int(cell) * 1000


def _rows(text: str) -> list[list[str]]:
    return [line.split() for line in text.strip().splitlines()[1:]]


def test_kubectl_top_node_and_pods(kubelet, namespace):
    kubectl = kubelet.apiserver.kubectl
    _ready(kubelet)
    kubelet.create_pod(namespace, "burn", BURN)
    kubelet.create_pod(namespace, "idle", "exec sleep 300")
    kubelet.wait_phase(namespace, "burn", "Running", timeout=90)
    kubelet.wait_phase(namespace, "idle", "Running", timeout=90)
    kubectl("label", "pod", "-n", namespace, "burn", "role=busy")
    assert "metrics.k8s.io/v1beta1" in kubectl("api-versions").stdout
    [node] = _rows(kubectl("top", "node", kubelet.node).stdout)
    assert node[0] == kubelet.node and node[1].endswith("m") and node[3].endswith("Mi") and node[2].endswith("%")
    rows = {r[0]: r for r in _rows(kubectl("top", "pod", "-n", namespace).stdout)}
    assert set(rows) == {"burn", "idle"} and _millicores(rows["burn"][1]) > 0 and rows["idle"][2].endswith("Mi")
    [busy] = _rows(kubectl("top", "pod", "-n", namespace, "-l", "role=busy").stdout)
    assert busy[0] == "burn"
    [container] = _rows(kubectl("top", "pod", "-n", namespace, "burn", "--containers").stdout)
    assert container[:2] == ["burn", "main"] and _millicores(container[2]) > 0
    everywhere = _rows(kubectl("top", "pod", "-A").stdout)
    assert [namespace, "burn"] in [r[:2] for r in everywhere]
    assert [r[0] for r in _rows(kubectl("top", "pod", "-n", namespace, "--sort-by=cpu").stdout)] == ["burn", "idle"]


def test_metrics_api_objects_tables_and_errors(kubelet, namespace):
    kubectl = kubelet.apiserver.kubectl
    _ready(kubelet)
    kubelet.create_pod(namespace, "idle", "exec sleep 300")
    kubelet.wait_phase(namespace, "idle", "Running", timeout=90)
    raw = json.loads(kubectl("get", "--raw", f"/apis/metrics.k8s.io/v1beta1/nodes/{kubelet.node}").stdout)
    assert raw["kind"] == "NodeMetrics" and raw["usage"]["cpu"].endswith("n") and raw["window"].endswith("s")
    pods = json.loads(kubectl("get", "--raw", f"/apis/metrics.k8s.io/v1beta1/namespaces/{namespace}/pods").stdout)
    assert pods["kind"] == "PodMetricsList" and [p["metadata"]["name"] for p in pods["items"]] == ["idle"]
    assert pods["items"][0]["containers"][0]["name"] == "main"
    table = kubectl("get", "podmetrics", "-n", namespace).stdout.splitlines()
    assert table[0].split() == ["NAME", "CPU", "MEMORY", "WINDOW"] and table[1].split()[0] == "idle"
    missing = kubectl("get", "podmetrics", "-n", namespace, "nope", check=False)
    assert missing.returncode != 0 and f'podmetrics.metrics.k8s.io "{namespace}/nope" not found' in missing.stderr
    refused = kubectl("delete", "podmetrics", "-n", namespace, "idle", check=False)
    assert refused.returncode != 0
    bad = kubectl("get", "--raw", "/apis/metrics.k8s.io/v1beta1/pods?labelSelector=a%20in%20(b", check=False)
    assert bad.returncode != 0 and "unable to parse requirement" in bad.stderr


def test_node_proxy_reaches_the_kubelets_summary_and_metrics(kubelet, namespace):
    kubectl = kubelet.apiserver.kubectl
    _ready(kubelet)
    kubelet.create_pod(namespace, "idle", "exec sleep 300")
    kubelet.wait_phase(namespace, "idle", "Running", timeout=90)
    proxy = f"/api/v1/nodes/{kubelet.node}/proxy"
    summary = json.loads(kubectl("get", "--raw", f"{proxy}/stats/summary").stdout)
    assert summary["node"]["nodeName"] == kubelet.node
    assert [p["podRef"]["name"] for p in summary["pods"] if p["podRef"]["namespace"] == namespace] == ["idle"]
    assert "container_cpu_usage_seconds_total{" in kubectl("get", "--raw", f"{proxy}/metrics/resource").stdout
    assert "container_memory_rss{" in kubectl("get", "--raw", f"{proxy}/metrics/cadvisor").stdout
    assert kubectl("get", "--raw", f"{proxy}/healthz").stdout == "ok"
    missing = kubectl("get", "--raw", "/api/v1/nodes/no-such-node/proxy/stats/summary", check=False)
    assert missing.returncode != 0 and 'nodes "no-such-node" not found' in missing.stderr


def test_a_node_whose_kubelet_does_not_answer_is_left_out(kubelet):
    kubectl = kubelet.apiserver.kubectl
    _ready(kubelet)
    ghost = f"ghost-{kubelet.node}"
    kubectl("create", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "Node", "metadata": {"name": ghost}}))
    try:
        status = {"status": {"addresses": [{"type": "InternalIP", "address": "127.0.0.1"}],
                             "daemonEndpoints": {"kubeletEndpoint": {"Port": free_port()}},
                             "conditions": [{"type": "Ready", "status": "True"}]}}
        kubectl("patch", "node", ghost, "--subresource=status", "--type=merge", "-p", json.dumps(status))
        listed = json.loads(kubectl("get", "--raw", "/apis/metrics.k8s.io/v1beta1/nodes").stdout)["items"]
        names = [n["metadata"]["name"] for n in listed]
        assert kubelet.node in names and ghost not in names
        unreachable = kubectl("get", "--raw", f"/api/v1/nodes/{ghost}/proxy/healthz", check=False)
        assert unreachable.returncode != 0 and "error trying to reach service" in unreachable.stderr
        missing = kubectl("top", "node", ghost, check=False)
        assert missing.returncode != 0 and f'nodemetrics.metrics.k8s.io "{ghost}" not found' in missing.stderr
    finally:
        kubectl("delete", "node", ghost, "--wait=false", check=False)
