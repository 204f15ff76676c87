"""The real kubelet's figures of real rkt pods in real cgroups: /stats/summary, /metrics/resource,
/metrics/cadvisor and /metrics, read over HTTPS with a client certificate of the cluster CA."""

from __future__ import annotations

import json
import ssl
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

MIB = 2**20
BURN = "dd if=/dev/zero of=/tmp/blob bs=1k count=512 2>/dev/null; while :; do :; done"
FILL = "dd if=/dev/zero of=/dev/shm/fill bs=1M count=24 2>/dev/null; exec sleep 300"


def _get(kubelet, path: str) -> bytes:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    pki = kubelet.apiserver.data_dir / "pki"
    context.load_cert_chain(pki / "rktnetes-admin.crt", pki / "rktnetes-admin.key")
    with urllib.request.urlopen(f"https://127.0.0.1:{kubelet.port}{path}", context=context, timeout=30) as answer:
        return answer.read()


def _pod(summary: dict, namespace: str, name: str) -> dict | None:
    return next((p for p in summary["pods"] if p["podRef"] == {**p["podRef"], "namespace": namespace, "name": name}),
                None)


def _samples(text: str, name: str) -> list:
    return [s for family in text_string_to_metric_families(text) for s in family.samples if s.name == name]


def _filled(kubelet, namespace: str) -> dict:
    def check():
        summary = json.loads(_get(kubelet, "/stats/summary"))
        mem = _pod(summary, namespace, "mem")
        return summary if mem and mem["containers"] and mem["containers"][0]["memory"]["workingSetBytes"] > 24 * MIB \
            else None
    return kubelet.wait_for("the mem pod's memory", check, timeout=30)


def test_summary_shows_a_busy_pods_cpu_and_a_limited_pods_memory(kubelet, namespace):
    kubelet.create_pod(namespace, "burn", BURN)
    limits = {"limits": {"memory": "64Mi"}}
    container = {"name": "main", "image": kubelet.image(), "command": ["/bin/sh", "-c", FILL], "resources": limits}
    kubelet.create_pod(namespace, "mem", "", containers=[container])
    kubelet.wait_phase(namespace, "burn", "Running", timeout=90)
    kubelet.wait_phase(namespace, "mem", "Running", timeout=90)
    summary = _filled(kubelet, namespace)
    node = summary["node"]
    assert node["nodeName"] == kubelet.node and node["cpu"]["usageCoreNanoSeconds"] > 0
    assert node["cpu"]["usageNanoCores"] > 0 and node["memory"]["workingSetBytes"] > 0
    assert node["memory"]["availableBytes"] > 0 and node["fs"]["capacityBytes"] > node["fs"]["availableBytes"] > 0
    assert any(i["name"] for i in node["network"]["interfaces"])
    burn = _pod(summary, namespace, "burn")
    assert burn["podRef"]["uid"] and burn["cpu"]["usageNanoCores"] > 1_000_000
    [main] = burn["containers"]
    assert main["name"] == "main" and main["cpu"]["usageNanoCores"] > 1_000_000
    assert main["rootfs"]["usedBytes"] >= 512 * 1024 and burn["ephemeral-storage"]["usedBytes"] >= 512 * 1024
    assert burn["network"]["interfaces"][0]["name"] == "eth0" and burn["process_stats"]["process_count"] >= 1
    mem = _pod(summary, namespace, "mem")
    [filled] = mem["containers"]
    assert filled["memory"]["availableBytes"] == 64 * MIB - filled["memory"]["workingSetBytes"]
    assert mem["memory"]["workingSetBytes"] >= filled["memory"]["workingSetBytes"] > 24 * MIB
    assert "availableBytes" not in main["memory"]  # no limit
    only = json.loads(_get(kubelet, "/stats/summary?only_cpu_and_memory=true"))
    assert "network" not in only["node"] and "fs" not in only["node"] and _pod(only, namespace, "mem")["memory"]


def test_prometheus_endpoints_carry_the_same_pods(kubelet, namespace):
    container = {"name": "main", "image": kubelet.image(), "command": ["/bin/sh", "-c", FILL]}
    kubelet.create_pod(namespace, "mem", "", containers=[container])
    kubelet.wait_phase(namespace, "mem", "Running", timeout=90)
    _filled(kubelet, namespace)
    resource = _get(kubelet, "/metrics/resource").decode()
    labels = {"container": "main", "namespace": namespace, "pod": "mem"}
    [cpu] = [s for s in _samples(resource, "container_cpu_usage_seconds_total") if s.labels == labels]
    [memory] = [s for s in _samples(resource, "container_memory_working_set_bytes") if s.labels == labels]
    assert cpu.value > 0 and cpu.timestamp and memory.value > 24 * MIB
    assert _samples(resource, "node_cpu_usage_seconds_total")[0].value > 0
    assert [s.value for s in _samples(resource, "scrape_error")] == [0.0]
    pod = {"namespace": namespace, "pod": "mem"}
    assert [s for s in _samples(resource, "pod_memory_working_set_bytes") if s.labels == pod][0].value > 24 * MIB
    cadvisor = _get(kubelet, "/metrics/cadvisor").decode()
    [rss] = [s for s in _samples(cadvisor, "container_memory_working_set_bytes")
             if s.labels["pod"] == "mem" and s.labels["container"] == "main"]
    assert "busybox" in rss.labels["image"] and rss.labels["id"].endswith("/main") and rss.value > 24 * MIB
    assert any(s.labels["pod"] == "mem" and s.labels["interface"] == "eth0"
               for s in _samples(cadvisor, "container_network_receive_bytes_total"))
    assert _samples(_get(kubelet, "/metrics").decode(), "process_resident_memory_bytes")[0].value > 0
