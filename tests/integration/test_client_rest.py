"""The async client against the real API server (HTTPS, client certificate or bearer token, on SQLite)."""

from __future__ import annotations

import asyncio

import pytest

from rktnetes.api import resources
from rktnetes.client import errors, kubeconfig, rest


def _cm(name: str, **data: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


@pytest.fixture
async def client(apiserver):
    async with rest.Client.from_kubeconfig(apiserver.kubeconfig) as c:
        yield c


async def test_crud_round_trip(client, namespace) -> None:
    created = await client.create("configmaps", _cm("one", a="1"), namespace)
    assert created["metadata"]["namespace"] == namespace and created["metadata"]["uid"]
    got = await client.get("cm", "one", namespace)
    assert got["data"] == {"a": "1"}
    got["data"]["b"] = "2"
    updated = await client.update("configmaps", got)
    assert updated["data"] == {"a": "1", "b": "2"}
    patched = await client.patch("configmaps", "one", {"data": {"c": "3"}}, "merge", namespace)
    assert patched["data"] == {"a": "1", "b": "2", "c": "3"}
    patched = await client.patch("configmaps", "one", [{"op": "remove", "path": "/data/a"}], "json", namespace)
    assert patched["data"] == {"b": "2", "c": "3"}
    await client.delete("configmaps", "one", namespace)
    with pytest.raises(errors.NotFound) as caught:
        await client.get("configmaps", "one", namespace)
    assert caught.value.code == 404 and caught.value.details["name"] == "one"


async def test_errors_come_from_status_objects(client, namespace) -> None:
    await client.create("configmaps", _cm("dup"), namespace)
    with pytest.raises(errors.AlreadyExists):
        await client.create("configmaps", _cm("dup"), namespace)
    stale = await client.get("configmaps", "dup", namespace)
    await client.update("configmaps", {**stale, "data": {"x": "1"}})
    with pytest.raises(errors.Conflict):
        await client.update("configmaps", {**stale, "data": {"x": "2"}})
    bad = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "Not_Valid"}}
    with pytest.raises(errors.Invalid) as caught:
        await client.create("configmaps", bad, namespace)
    assert caught.value.causes and caught.value.causes[0]["field"] == "metadata.name"


async def test_list_pages_and_selectors(client, namespace) -> None:
    await asyncio.gather(*(client.create("configmaps", {**_cm(f"c{i}"), "metadata": {
        "name": f"c{i}", "labels": {"parity": "even" if i % 2 == 0 else "odd"}}}, namespace) for i in range(7)))
    items, version = await client.list_all("configmaps", namespace, page=2)
    assert sorted(i["metadata"]["name"] for i in items if i["metadata"]["name"].startswith("c")) == [
        f"c{i}" for i in range(7)]
    assert int(version) > 0
    even = await client.list("configmaps", namespace, label_selector="parity=even")
    assert sorted(i["metadata"]["name"] for i in even["items"]) == ["c0", "c2", "c4", "c6"]


async def test_status_subresource_and_cluster_scope(client, namespace) -> None:
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"node-{namespace}"}}
    created = await client.create(resources.by_kind("", "Node"), node)
    try:
        created["status"] = {"capacity": {"cpu": "2"}}
        updated = await client.update_status("nodes", created)
        assert updated["status"]["capacity"] == {"cpu": "2"}
    finally:
        await client.delete("nodes", created["metadata"]["name"])


async def test_bearer_token(apiserver, namespace) -> None:
    base = kubeconfig.load_kubeconfig(apiserver.kubeconfig)
    config = kubeconfig.Config(server=base.server, ca_data=base.ca_data, token=apiserver.token)
    async with rest.Client(config) as client:
        listed = await client.list("configmaps", namespace)
        assert listed["kind"] == "ConfigMapList"
    async with rest.Client(kubeconfig.Config(server=base.server, ca_data=base.ca_data, token="wrong")) as client:
        with pytest.raises(errors.Unauthorized):
            await client.list("configmaps", namespace)


async def test_unreachable_server_is_a_transport_error() -> None:
    async with rest.Client(kubeconfig.Config(server="http://127.0.0.1:1"), timeout=5) as client:
        with pytest.raises(errors.TransportError):
            await client.get("pods", "x", "default")


async def test_watch_sees_changes_then_times_out(client, namespace) -> None:
    start = (await client.list("configmaps", namespace))["metadata"]["resourceVersion"]
    await client.create("configmaps", _cm("w"), namespace)
    await client.patch("configmaps", "w", {"data": {"k": "v"}}, "merge", namespace)
    await client.delete("configmaps", "w", namespace)
    seen = []
    async with client.watch("configmaps", namespace, resource_version=start, timeout_seconds=2) as events:
        async for kind, obj in events:
            if kind != "BOOKMARK":
                seen.append((kind, obj["metadata"]["name"]))
    assert seen == [("ADDED", "w"), ("MODIFIED", "w"), ("DELETED", "w")]
    assert int(events.resource_version) > int(start)


async def test_recorded_events_show_in_kubectl_describe(apiserver, client, namespace) -> None:
    from rktnetes.client.recording import WARNING, EventRecorder

    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "evt"},
           "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
    pod = await client.create("pods", pod, namespace)
    recorder = EventRecorder(client, "client-test", "node-x")
    for _ in range(3):
        assert await recorder.event(pod, WARNING, "FailedMount", "volume not ready") is not None
    described = (await asyncio.to_thread(apiserver.kubectl, "describe", "pod", "evt", "-n", namespace)).stdout
    line = next(line for line in described.splitlines() if "FailedMount" in line)
    assert "Warning" in line and "volume not ready" in line and "client-test" in line and "x3" in line


async def test_watch_carries_objects_larger_than_a_read_buffer(client, namespace) -> None:
    start = (await client.list("configmaps", namespace))["metadata"]["resourceVersion"]
    big = "x" * 300_000
    await client.create("configmaps", _cm("big", blob=big), namespace)
    await client.create("configmaps", _cm("small", k="v"), namespace)
    async with client.watch("configmaps", namespace, resource_version=start, timeout_seconds=5) as events:
        seen = []
        async for kind, obj in events:
            if kind == "ADDED":
                seen.append(obj)
            if len(seen) == 2:
                break
    assert seen[0]["data"]["blob"] == big and seen[1]["data"] == {"k": "v"}


async def test_watch_with_a_bad_resource_version_is_bad_request(client, namespace) -> None:
    with pytest.raises(errors.BadRequest):
        async with client.watch("configmaps", namespace, resource_version="abc") as events:
            async for _ in events:
                pass


async def test_crud_and_watch_on_each_store(apiserver_any, namespace_any) -> None:
    async with rest.Client.from_kubeconfig(apiserver_any.kubeconfig) as client:
        start = (await client.list("configmaps", namespace_any))["metadata"]["resourceVersion"]
        await client.create("configmaps", _cm("e", a="1"), namespace_any)
        await client.patch("configmaps", "e", {"data": {"a": "2"}}, "strategic", namespace_any)
        await client.delete("configmaps", "e", namespace_any)
        async with client.watch("configmaps", namespace_any, resource_version=start, timeout_seconds=2) as events:
            kinds = [kind async for kind, _ in events if kind != "BOOKMARK"]
        assert kinds == ["ADDED", "MODIFIED", "DELETED"]


async def test_binding_and_delete_collection(client, namespace) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "tobind", "labels": {"tier": "x"}},
           "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
    await client.create("pods", pod, namespace)
    binding = {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "tobind"}, "target": {"name": "node-1"}}
    await client.create_subresource("pods", "tobind", "binding", binding, namespace)
    assert (await client.get("pods", "tobind", namespace, "status"))["spec"]["nodeName"] == "node-1"
    with pytest.raises(errors.Conflict):
        await client.create_subresource("pods", "tobind", "binding", binding, namespace)
    for i in range(3):
        await client.create("configmaps", {"metadata": {"name": f"dc{i}", "labels": {"gone": "yes"}}}, namespace)
    await client.create("configmaps", _cm("kept"), namespace)
    await client.delete_collection("configmaps", namespace, label_selector="gone=yes")
    left = {c["metadata"]["name"] for c in (await client.list("configmaps", namespace))["items"]}
    assert "kept" in left and not {"dc0", "dc1", "dc2"} & left


async def test_server_side_apply_and_strategic_patch(client, namespace) -> None:
    await client.create("configmaps", _cm("ssa", owned="1"), namespace)
    intent = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa"}, "data": {"mine": "a"}}
    applied = await client.patch("configmaps", "ssa", intent, "apply", namespace, field_manager="client-test")
    assert applied["data"] == {"owned": "1", "mine": "a"}
    managers = {entry["manager"] for entry in applied["metadata"]["managedFields"]}
    assert "client-test" in managers
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "smp"},
           "spec": {"containers": [{"name": "a", "image": "one"}, {"name": "b", "image": "two"}]}}
    await client.create("pods", pod, namespace)
    patched = await client.patch("pods", "smp", {"spec": {"containers": [{"name": "b", "image": "three"}]}},
                                 "strategic", namespace)
    assert [(c["name"], c["image"]) for c in patched["spec"]["containers"]] == [("a", "one"), ("b", "three")]
    with pytest.raises(errors.ClientError, match="unknown patch type"):
        await client.patch("pods", "smp", {}, "yaml", namespace)


async def test_wait_for_a_condition_and_a_deletion(client, namespace) -> None:
    from rktnetes.client import waiting

    await client.create("configmaps", _cm("w8"), namespace)

    async def later() -> None:
        await asyncio.sleep(0.3)
        await client.patch("configmaps", "w8", {"data": {"ready": "yes"}}, "merge", namespace)
        await asyncio.sleep(0.3)
        await client.delete("configmaps", "w8", namespace)

    change = asyncio.create_task(later())
    ready = await waiting.wait_for(client, "configmaps", "w8", lambda o: bool(o and (o.get("data") or {}).get("ready")),
                                   namespace, timeout=20)
    assert ready["data"] == {"ready": "yes"}
    assert await waiting.wait_for(client, "configmaps", "w8", waiting.deleted, namespace, timeout=20) is None
    await change
    with pytest.raises(errors.WaitTimeout):
        await waiting.wait_for(client, "configmaps", "w8", lambda o: o is not None, namespace, timeout=0.5)


async def test_many_open_watches_do_not_starve_requests(client, namespace) -> None:
    from rktnetes.client import transport

    extra = transport.REQUEST_CONNECTIONS + 5
    watches = [client.watch("configmaps", namespace, timeout_seconds=300) for _ in range(extra)]
    try:
        await asyncio.wait_for(asyncio.gather(*(w.__aenter__() for w in watches)), 20)
        created = await asyncio.wait_for(client.create("configmaps", _cm("amid"), namespace), 10)
        assert created["metadata"]["name"] == "amid"
    finally:
        for w in watches:
            w.close()


async def test_client_side_rate_limit_spaces_requests_on_its_clock(apiserver, namespace) -> None:
    from rktnetes.client.clock import FakeClock

    clock = FakeClock(autojump=True)
    start = clock.now()
    config = kubeconfig.load_kubeconfig(apiserver.kubeconfig)
    async with rest.Client(config, qps=10, burst=5, clock=clock) as limited:
        for _ in range(25):
            await limited.list("configmaps", namespace)
    assert clock.now() - start == pytest.approx(2.0)
