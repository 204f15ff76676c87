"""/metrics/resource text from a Summary, and back into metrics.k8s.io objects; the scraper's cache and its
treatment of kubelets that do not answer (fake fetch, fake clock)."""

from __future__ import annotations

import asyncio

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from rktnetes.apiserver import resourcemetrics, resourcemetricsdiscovery
from rktnetes.apiserver import resourcemetricspoints as points
from rktnetes.apiserver import resourcemetricsscraping as scraping
from rktnetes.kubelet import metricsresource, metricsserving


def _summary(at: str, cpu_ns: int, start: str = "2026-01-01T00:00:00.000000Z") -> dict:
    usage = {"cpu": {"time": at, "usageCoreNanoSeconds": cpu_ns},
             "memory": {"time": at, "workingSetBytes": 4 * 2**20, "usageBytes": 5 * 2**20, "rssBytes": 3 * 2**20}}
    container = {"name": "main", "startTime": start, **usage}
    pod = {"podRef": {"name": "web", "namespace": "ns", "uid": "u1"}, "startTime": start, "containers": [container],
           "network": {"interfaces": [{"name": "eth0", "rxBytes": 10, "txBytes": 20}]}, **usage}
    return {"node": {"nodeName": "n1", **usage}, "pods": [pod]}


def _text(summary: dict | None) -> str:
    return metricsserving.render(metricsresource.resource(summary)).decode()


NODE = {"metadata": {"name": "n1", "labels": {"zone": "a"}},
        "status": {"addresses": [{"type": "InternalIP", "address": "127.0.0.9"}],
                   "daemonEndpoints": {"kubeletEndpoint": {"Port": 4242}},
                   "conditions": [{"type": "Ready", "status": "True"}]}}
POD = {"metadata": {"name": "web", "namespace": "ns"}, "spec": {"nodeName": "n1", "containers": [{"name": "main"}]}}


def test_resource_metrics_carry_the_kubelets_names_labels_and_stamps():
    families = {f.name: f for f in text_string_to_metric_families(_text(_summary("2026-01-01T00:00:10.500000Z",
                                                                                 2_000_000_000)))}
    [cpu] = families["container_cpu_usage_seconds"].samples
    assert cpu.labels == {"container": "main", "namespace": "ns", "pod": "web"} and cpu.value == 2.0
    assert cpu.timestamp == 1767225610.5
    assert families["pod_memory_working_set_bytes"].samples[0].labels == {"namespace": "ns", "pod": "web"}
    assert families["node_cpu_usage_seconds"].samples[0].labels == {}
    assert families["scrape_error"].samples[0].value == 0.0
    assert {f.name for f in text_string_to_metric_families(_text(None))} >= {"scrape_error", "node_cpu_usage_seconds"}
    assert [s.value for f in text_string_to_metric_families(_text(None)) if f.name == "scrape_error"
            for s in f.samples] == [1.0]


def test_cadvisor_series_have_container_pod_namespace_image_name_labels():
    ids = {("u1", "main"): metricsresource.Identity("/rkt/x/main", "x/main", "example.com/web:1")}
    text = metricsserving.render(metricsresource.cadvisor(_summary("2026-01-01T00:00:10Z", 7), ids)).decode()
    samples = [s for f in text_string_to_metric_families(text) for s in f.samples]
    [rss] = [s for s in samples if s.name == "container_memory_rss" and s.labels["container"] == "main"]
    assert rss.labels == {"container": "main", "id": "/rkt/x/main", "image": "example.com/web:1", "name": "x/main",
                          "namespace": "ns", "pod": "web"}
    [rx] = [s for s in samples if s.name == "container_network_receive_bytes_total"]
    assert rx.labels["container"] == "" and rx.labels["interface"] == "eth0" and rx.value == 10


def test_two_scrapes_give_node_and_pod_metrics():
    before = points.parse(_text(_summary("2026-01-01T00:00:10Z", 1_000_000_000)))
    after = points.parse(_text(_summary("2026-01-01T00:00:12Z", 2_000_000_000)))
    node = points.node_metrics(NODE, after, before)
    assert node["usage"] == {"cpu": "500000000n", "memory": "4096Ki"} and node["window"] == "2s"
    assert node["metadata"]["labels"] == {"zone": "a"}
    pod = points.pod_metrics(POD, after, before)
    assert pod["containers"] == [{"name": "main", "usage": {"cpu": "500000000n", "memory": "4096Ki"}}]
    assert points.pod_metrics(POD, after, after) is None  # no time between: no rate
    restarted = points.parse(_text(_summary("2026-01-01T00:00:12Z", 2_000_000_000, "2026-01-01T00:00:11Z")))
    assert points.pod_metrics(POD, restarted, before) is None


def test_table_cells_sum_the_containers():
    before = points.parse(_text(_summary("2026-01-01T00:00:10Z", 1_000_000_000)))
    after = points.parse(_text(_summary("2026-01-01T00:00:12Z", 2_000_000_000)))
    table = resourcemetrics.table([points.pod_metrics(POD, after, before)])
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "CPU", "Memory", "Window"]
    assert table["rows"][0]["cells"] == ["web", "500m", "4Mi", "2s"]


def test_discovery_lists_the_group():
    assert resourcemetricsdiscovery.group()["preferredVersion"]["groupVersion"] == "metrics.k8s.io/v1beta1"
    kinds = {r["name"]: r["kind"] for r in resourcemetricsdiscovery.resource_list()["resources"]}
    assert kinds == {"nodes": "NodeMetrics", "pods": "PodMetrics"}


class FakeKubelet:
    def __init__(self) -> None:
        self.cpu, self.urls, self.down = 0, [], False

    async def fetch(self, url: str) -> str:
        self.urls.append(url)
        if self.down:
            raise aiohttp.ClientConnectionError("connection refused")
        self.cpu += 1_000_000_000
        return _text(_summary(f"2026-01-01T00:00:{10 + len(self.urls):02d}Z", self.cpu))


def test_scraper_scrapes_twice_at_first_then_caches_and_drops_unreachable_nodes():
    kubelet, now = FakeKubelet(), [100.0]
    scraper = scraping.Scraper(kubelet.fetch, clock=lambda: now[0], settle=0)
    not_ready = {"metadata": {"name": "n2"}, "status": {"conditions": [{"type": "Ready", "status": "False"}]}}
    found = asyncio.run(scraper.nodes([NODE, not_ready]))
    assert list(found) == ["n1"] and kubelet.urls == ["https://127.0.0.9:4242/metrics/resource"] * 2
    asyncio.run(scraper.nodes([NODE]))
    assert len(kubelet.urls) == 2  # fresh: from the cache
    now[0] += scraping.FRESH + 1
    latest, previous = asyncio.run(scraper.node(NODE))
    assert len(kubelet.urls) == 3 and points.rate(previous.node, latest.node)[0] == 1_000_000_000
    kubelet.down, now[0] = True, now[0] + scraping.FRESH + 1
    assert asyncio.run(scraper.nodes([NODE])) == {} and "n1" not in scraper.points
