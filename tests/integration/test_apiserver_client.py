"""The official ``kubernetes`` Python client, unmodified, against the real server on both store backends:
CRUD, watch with timeout_seconds, each patch type, server-side apply."""

from __future__ import annotations

import threading
import time

import pytest
from kubernetes import client, watch
from kubernetes.client.rest import ApiException

pytestmark = pytest.mark.integration


def _core(server) -> client.CoreV1Api:
    return client.CoreV1Api(server.client())


def _deployment(name: str, replicas: int = 1) -> dict:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}}}}


def test_crud(apiserver_any, namespace_any) -> None:
    core = _core(apiserver_any)
    body = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="c", labels={"a": "b"}), data={"k": "v"})
    created = core.create_namespaced_config_map(namespace_any, body)
    assert created.metadata.uid and created.data == {"k": "v"}
    got = core.read_namespaced_config_map("c", namespace_any)
    got.data["k"] = "w"
    replaced = core.replace_namespaced_config_map("c", namespace_any, got)
    assert int(replaced.metadata.resource_version) > int(created.metadata.resource_version)
    assert [c.metadata.name for c in core.list_namespaced_config_map(namespace_any, label_selector="a=b").items] == ["c"]
    with pytest.raises(ApiException) as info:
        core.replace_namespaced_config_map("c", namespace_any, created)
    assert info.value.status == 409
    core.delete_namespaced_config_map("c", namespace_any)
    with pytest.raises(ApiException) as info:
        core.read_namespaced_config_map("c", namespace_any)
    assert info.value.status == 404 and '"reason":"NotFound"' in info.value.body.replace(" ", "")


def test_watch_with_timeout(apiserver_any, namespace_any) -> None:
    core = _core(apiserver_any)
    core.create_namespaced_config_map(namespace_any, {"metadata": {"name": "before"}})
    start = core.list_namespaced_config_map(namespace_any).metadata.resource_version

    def writer() -> None:
        time.sleep(0.5)
        core.create_namespaced_config_map(namespace_any, {"metadata": {"name": "w"}})
        core.patch_namespaced_config_map("w", namespace_any, {"data": {"x": "1"}})
        core.delete_namespaced_config_map("w", namespace_any)

    thread = threading.Thread(target=writer)
    thread.start()
    began = time.monotonic()
    events = [(e["type"], e["object"].metadata.name) for e in watch.Watch().stream(
        core.list_namespaced_config_map, namespace_any, resource_version=start, timeout_seconds=3)]
    elapsed = time.monotonic() - began
    thread.join(timeout=10)
    assert events == [("ADDED", "w"), ("MODIFIED", "w"), ("DELETED", "w")]
    assert 2.5 < elapsed < 8


def test_watch_from_zero_replays_current_objects(apiserver, namespace) -> None:
    core = _core(apiserver)
    for name in ("a", "b"):
        core.create_namespaced_config_map(namespace, {"metadata": {"name": name}})
    events = [(e["type"], e["object"].metadata.name) for e in watch.Watch().stream(
        core.list_namespaced_config_map, namespace, resource_version="0", timeout_seconds=1)]
    assert events == [("ADDED", "a"), ("ADDED", "b")]


def test_patch_types(apiserver_any, namespace_any) -> None:
    apps = client.AppsV1Api(apiserver_any.client())
    apps.create_namespaced_deployment(namespace_any, _deployment("d"))
    # strategic merge (the client's default for dict bodies): containers merge by name
    apps.patch_namespaced_deployment("d", namespace_any, {"spec": {"template": {"spec": {"containers": [
        {"name": "side", "image": "busybox"}]}}}})
    names = [c.name for c in apps.read_namespaced_deployment("d", namespace_any).spec.template.spec.containers]
    assert sorted(names) == ["side", "web"]
    # JSON patch (a list body)
    apps.patch_namespaced_deployment("d", namespace_any, [{"op": "replace", "path": "/spec/replicas", "value": 3}])
    assert apps.read_namespaced_deployment("d", namespace_any).spec.replicas == 3
    # merge patch: lists are replaced wholesale
    apps.patch_namespaced_deployment("d", namespace_any, {"spec": {"template": {"spec": {"containers": [
        {"name": "only", "image": "busybox"}]}}}}, _content_type="application/merge-patch+json")
    dep = apps.read_namespaced_deployment("d", namespace_any)
    assert [c.name for c in dep.spec.template.spec.containers] == ["only"]
    assert dep.metadata.generation == 4


def test_scale_through_the_client(apiserver, namespace) -> None:
    apps = client.AppsV1Api(apiserver.client())
    apps.create_namespaced_deployment(namespace, _deployment("s"))
    scale = apps.patch_namespaced_deployment_scale("s", namespace, {"spec": {"replicas": 5}})
    assert scale.spec.replicas == 5
    assert apps.read_namespaced_deployment_scale("s", namespace).spec.replicas == 5


def test_server_side_apply_creates_then_updates(apiserver, namespace) -> None:
    from kubernetes import utils

    api = apiserver.client()
    utils.create_from_dict(api, _deployment("ssa", 2), namespace=namespace, apply=True)
    utils.create_from_dict(api, _deployment("ssa", 4), namespace=namespace, apply=True)
    dep = client.AppsV1Api(api).read_namespaced_deployment("ssa", namespace)
    assert dep.spec.replicas == 4


def test_service_account_tokens(apiserver, namespace) -> None:
    import json

    import urllib3

    core = _core(apiserver)
    request = client.AuthenticationV1TokenRequest(spec=client.V1TokenRequestSpec(audiences=[],
                                                                                  expiration_seconds=3600))
    answer = core.create_namespaced_service_account_token("default", namespace, request)
    token = answer.status.token
    assert token.count(".") == 2 and answer.status.expiration_timestamp is not None
    pool = urllib3.PoolManager(ca_certs=str(apiserver.data_dir / "pki" / "ca.crt"))
    url = f"{apiserver.url}/api/v1/namespaces/{namespace}/serviceaccounts"
    resp = pool.request("GET", url, headers={"Authorization": f"Bearer {token}"})
    assert resp.status == 200 and json.loads(resp.data)["items"][0]["metadata"]["name"] == "default"
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert pool.request("GET", url, headers={"Authorization": f"Bearer {forged}"}).status == 401
    other = core.create_namespaced_service_account_token("default", namespace, client.AuthenticationV1TokenRequest(
        spec=client.V1TokenRequestSpec(audiences=["somebody-else"]))).status.token
    assert pool.request("GET", url, headers={"Authorization": f"Bearer {other}"}).status == 401
