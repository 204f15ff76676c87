"""The in-memory fake API: the server's metadata rules, errors, recorded actions, and informers running on it."""

from __future__ import annotations

import pytest

from rktnetes.client import caching, errors
from rktnetes.client.fake import Action, FakeClient
from rktnetes.client.informing import Informer
from tests.conftest import settle


def _pod(name: str, node: str = "", labels: dict | None = None) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels or {}},
            "spec": {"nodeName": node, "containers": [{"name": "c", "image": "i"}]}}


async def test_crud_and_recorded_actions() -> None:
    api = FakeClient(_pod("seeded"))
    created = await api.create("pods", _pod("a"), "ns")
    assert created["metadata"]["uid"] and created["metadata"]["namespace"] == "ns"
    patched = await api.patch("pods", "a", {"metadata": {"labels": {"x": "1"}}}, "merge", "ns")
    assert patched["metadata"]["labels"] == {"x": "1"}
    assert int(patched["metadata"]["resourceVersion"]) > int(created["metadata"]["resourceVersion"])
    status = await api.update_status("pods", {**patched, "status": {"phase": "Running"}, "spec": {}})
    assert status["status"] == {"phase": "Running"} and status["spec"]["nodeName"] == ""
    await api.delete("pods", "a", "ns")
    assert [(a.verb, a.namespace, a.name, a.subresource) for a in api.actions] == [
        ("create", "ns", "a", ""), ("patch", "ns", "a", ""), ("update", "ns", "a", "status"),
        ("delete", "ns", "a", "")]
    assert api.actions[0] == Action("create", "pods", "ns", "a", "", _pod("a"))
    assert [p["metadata"]["name"] for p in (await api.list("pods"))["items"]] == ["seeded"]


async def test_errors_match_the_real_server() -> None:
    api = FakeClient(_pod("a"))
    with pytest.raises(errors.AlreadyExists):
        await api.create("pods", _pod("a"))
    stale = await api.get("pods", "a")
    await api.update("pods", stale)
    with pytest.raises(errors.Conflict):
        await api.update("pods", stale)
    with pytest.raises(errors.NotFound, match='pods "b" not found'):
        await api.get("pods", "b")
    with pytest.raises(errors.BadRequest):
        await api.list("pods", field_selector="spec.nope=x")
    api.fail_next("create", "pods", errors.ServerError(500, "InternalError", "boom"))
    with pytest.raises(errors.ServerError):
        await api.create("pods", _pod("c"))
    await api.create("pods", _pod("c"))


async def test_selectors_and_strategic_patch() -> None:
    api = FakeClient(_pod("a", "n1", {"app": "x"}), _pod("b", "n2", {"app": "y"}))
    assert [p["metadata"]["name"] for p in (await api.list("pods", label_selector="app=x"))["items"]] == ["a"]
    assert [p["metadata"]["name"] for p in (await api.list("pods", field_selector="spec.nodeName=n2"))["items"]] == ["b"]
    patch = {"spec": {"containers": [{"name": "c", "image": "j"}]}}
    patched = await api.patch("pods", "a", patch, "strategic")
    assert patched["spec"]["containers"] == [{"name": "c", "image": "j"}]


async def test_finalizers_hold_a_delete_until_removed() -> None:
    pod = _pod("f")
    pod["metadata"]["finalizers"] = ["example.com/hold"]
    api = FakeClient(pod)
    await api.delete("pods", "f")
    held = await api.get("pods", "f")
    assert held["metadata"]["deletionTimestamp"]
    await api.patch("pods", "f", [{"op": "remove", "path": "/metadata/finalizers"}], "json")
    with pytest.raises(errors.NotFound):
        await api.get("pods", "f")


async def test_informer_runs_on_the_fake_and_relists_after_compaction() -> None:
    api = FakeClient(_pod("a", "n1"))
    informer = Informer(api, "pods", indexers={"node": caching.by_field("spec.nodeName")})
    events = []
    informer.add_handlers(lambda o: events.append(("add", o["metadata"]["name"])),
                          lambda old, new: events.append(("update", new["metadata"]["name"])),
                          lambda o: events.append(("delete", o["metadata"]["name"])))
    informer.start()
    await settle(20)
    await api.create("pods", _pod("b", "n1"))
    await api.patch("pods", "a", {"spec": {"nodeName": "n2"}}, "merge")
    await api.delete("pods", "b")
    await settle(20)
    assert events == [("add", "a"), ("add", "b"), ("update", "a"), ("delete", "b")]
    assert [p["metadata"]["name"] for p in informer.cache.by_index("node", "n2")] == ["a"]
    await informer.stop()
    await api.create("pods", _pod("c"))
    api.compact()
    informer.start()
    await settle(20)
    await informer.stop()
    assert informer.lists == 2 and sorted(informer.cache.list_keys()) == ["default/a", "default/c"]


async def test_label_scoped_watch_sees_objects_leave() -> None:
    api = FakeClient(_pod("a", labels={"app": "x"}))
    informer = Informer(api, "pods", "default", label_selector="app=x")
    informer.start()
    await settle(20)
    assert informer.cache.list_keys() == ["default/a"]
    await api.patch("pods", "a", {"metadata": {"labels": {"app": "y"}}}, "merge")
    await settle(20)
    await informer.stop()
    assert informer.cache.list_keys() == []


async def test_wrong_kind_and_bad_patch_are_client_errors() -> None:
    api = FakeClient(_pod("a"))
    with pytest.raises(errors.BadRequest):
        await api.create("pods", {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"}})
    with pytest.raises(errors.APIStatusError):
        await api.patch("pods", "a", [{"op": "remove", "path": "/nope"}], "json")


async def test_binding_eviction_and_delete_collection() -> None:
    api = FakeClient(_pod("a"), _pod("b", labels={"gone": "yes"}), _pod("c", labels={"gone": "yes"}))
    binding = {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "a"}, "target": {"name": "n1"}}
    bound = await api.create_subresource("pods", "a", "binding", binding)
    assert bound["spec"]["nodeName"] == "n1"
    with pytest.raises(errors.Conflict):
        await api.create_subresource("pods", "a", "binding", binding)
    await api.delete_collection("pods", "default", label_selector="gone=yes")
    assert [p["metadata"]["name"] for p in (await api.list("pods"))["items"]] == ["a"]
    await api.create_subresource("pods", "a", "eviction", {"apiVersion": "policy/v1", "kind": "Eviction"})
    assert (await api.list("pods"))["items"] == []
    assert [(a.verb, a.subresource) for a in api.actions] == [
        ("create", "binding"), ("create", "binding"), ("deletecollection", ""), ("list", ""),
        ("create", "eviction"), ("list", "")]
