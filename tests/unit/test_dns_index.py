"""The record index: Services and EndpointSlices in, ready endpoints, ports and PTR names out."""

from __future__ import annotations

from rktnetes.dns import indexing, records
from rktnetes.dns.indexing import RecordIndex


def service(name: str = "web", namespace: str = "default", **spec) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": namespace},
            "spec": {"clusterIP": "10.96.0.20", "clusterIPs": ["10.96.0.20"],
                     "ports": [{"name": "http", "port": 80, "protocol": "TCP"}], **spec}}


def endpoint_slice(name: str, service_name: str, *endpoints: dict, namespace: str = "default") -> dict:
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
            "metadata": {"name": name, "namespace": namespace,
                         "labels": {"kubernetes.io/service-name": service_name}},
            "endpoints": list(endpoints), "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]}


def ep(ip: str, ready: bool | None = True, hostname: str | None = None) -> dict:
    item: dict = {"addresses": [ip], "conditions": {} if ready is None else {"ready": ready}}
    if hostname:
        item["hostname"] = hostname
    return item


def test_service_records_by_type():
    plain = records.service_of(service())
    assert plain.cluster_ips == ("10.96.0.20",) and not plain.headless and not plain.external_name
    headless = records.service_of(service(clusterIP="None", clusterIPs=["None"]))
    assert headless.headless and headless.cluster_ips == ()
    external = records.service_of(service(type="ExternalName", externalName="db.example.com.", clusterIP=""))
    assert external.external_name == "db.example.com" and not external.headless
    assert plain.ports == (records.Port("http", "tcp", 80),)


def test_slices_without_a_service_or_of_fqdns_are_not_indexed():
    assert records.slice_of({**endpoint_slice("s", "web"), "addressType": "FQDN"}) is None
    unlabelled = endpoint_slice("s", "web")
    unlabelled["metadata"]["labels"] = {}
    assert records.slice_of(unlabelled) is None


def test_ready_endpoints_merge_across_slices_once_per_ip():
    index = RecordIndex()
    indexing.apply_service(index, service(clusterIP="None", clusterIPs=["None"]))
    indexing.apply_slice(index, endpoint_slice("a", "web", ep("10.0.0.1"), ep("10.0.0.2", ready=False)))
    indexing.apply_slice(index, endpoint_slice("b", "web", ep("10.0.0.1"), ep("10.0.0.3", ready=None)))
    svc = index.service("default", "web")
    assert [e.ip for e in index.endpoints(svc)] == ["10.0.0.1", "10.0.0.3"]  # unknown readiness counts as ready
    published = records.service_of(service(clusterIP="None", publishNotReadyAddresses=True))
    assert [e.ip for e in index.endpoints(published)] == ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
    assert index.endpoint_ports(svc) == [records.Port("http", "tcp", 8080)]


def test_ptr_names_follow_services_and_endpoints():
    index = RecordIndex()
    indexing.apply_service(index, service())
    assert index.reverse("10.96.0.20") == [("web", "default", "svc")]
    indexing.apply_service(index, service("db", clusterIP="None", clusterIPs=["None"]))
    indexing.apply_slice(index, endpoint_slice("db-1", "db", ep("10.0.0.7", hostname="db-0"), ep("10.0.0.8")))
    assert index.reverse("10.0.0.7") == [("db-0", "db", "default", "svc")]
    assert index.reverse("10.0.0.8") == [("10-0-0-8", "db", "default", "svc")]
    index.remove_slice("default", "db-1")
    assert index.reverse("10.0.0.7") == [] and index.endpoints(index.service("default", "db")) == []
    index.remove_service("default", "web")
    assert index.reverse("10.96.0.20") == []


def test_every_change_moves_the_generation_and_namespaces_come_and_go():
    index = RecordIndex()
    before = index.generation
    indexing.apply_service(index, service(namespace="shop"))
    assert index.generation > before and index.has_namespace("shop")
    relabelled = endpoint_slice("s", "web", ep("10.0.0.1"), namespace="shop")
    indexing.apply_slice(index, relabelled)
    relabelled["metadata"]["labels"] = {}
    indexing.apply_slice(index, relabelled)  # no longer names a Service: dropped
    assert index.endpoint_ports(index.service("shop", "web")) == []
    index.remove_service("shop", "web")
    assert not index.has_namespace("shop")
