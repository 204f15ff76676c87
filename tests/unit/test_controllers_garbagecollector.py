"""The garbage collector: pure verdicts, and the collector on the fake API (orphans, foreground, orphan policy)."""

from __future__ import annotations

import pytest

from rktnetes.client import errors
from rktnetes.controllers import garbagecollector, ownership
from rktnetes.controllers.ownership import ABSENT, PRESENT, WAITING, Verdict
from tests.conftest import settle


def _ref(uid: str, kind: str = "ReplicaSet", name: str = "rs", block: bool = True) -> dict:
    return {"apiVersion": "apps/v1", "kind": kind, "name": name, "uid": uid, "controller": True,
            "blockOwnerDeletion": block}


def _pod(name: str, *refs: dict, **meta) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "ns",
                                                            "ownerReferences": list(refs), **meta},
            "spec": {"containers": [{"name": "c", "image": "i"}]}}


def test_verdicts_follow_the_owners_states() -> None:
    pod = _pod("p", _ref("a"), _ref("b"))
    assert ownership.verdict(pod, {"a": PRESENT, "b": PRESENT}) == Verdict("keep")
    assert ownership.verdict(pod, {"a": PRESENT, "b": ABSENT}) == Verdict("drop", drop=("b",))
    assert ownership.verdict(pod, {"a": ABSENT, "b": ABSENT}) == Verdict("delete", "Background")
    assert ownership.verdict(pod, {"a": WAITING, "b": ABSENT}) == Verdict("delete", "Foreground")
    assert ownership.verdict(_pod("q"), {}) == Verdict("keep")


def test_owner_state_needs_the_same_uid() -> None:
    owner = {"metadata": {"uid": "a"}}
    assert ownership.owner_state(owner, "a") == PRESENT and ownership.owner_state(owner, "x") == ABSENT
    deleting = {"metadata": {"uid": "a", "deletionTimestamp": "t", "finalizers": ["foregroundDeletion"]}}
    assert ownership.owner_state(deleting, "a") == WAITING and ownership.owner_state(None, "a") == ABSENT


@pytest.fixture
def gc(controller_env):
    return lambda *objects: controller_env(garbagecollector.GarbageCollector, *objects)


async def test_a_pod_whose_owner_is_gone_is_deleted_and_one_with_an_owner_kept(gc) -> None:
    api, collector = await gc(_pod("orphan", _ref("gone")), _pod("mine", _ref("x")))
    owner = await api.create("replicasets.apps", {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                                  "metadata": {"name": "rs"}, "spec": {}})
    await api.patch("pods", "mine", {"metadata": {"ownerReferences": [_ref(owner["metadata"]["uid"])]}}, "merge")
    await settle()
    assert len(collector.queue) == 2
    await collector.reconcile("pods|ns|orphan")
    await collector.reconcile("pods|ns|mine")
    with pytest.raises(errors.NotFound):
        await api.get("pods", "orphan", "ns")
    assert (await api.get("pods", "mine", "ns"))["metadata"]["ownerReferences"][0]["name"] == "rs"
    await api.delete("replicasets.apps", "rs", "ns")
    await settle()
    await collector.reconcile("pods|ns|mine")
    with pytest.raises(errors.NotFound):
        await api.get("pods", "mine", "ns")


async def test_foreground_owner_waits_for_blocking_dependents_then_goes(gc) -> None:
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "rs", "namespace": "ns"},
          "spec": {}}
    api, collector = await gc(rs)
    uid = (await api.get("replicasets.apps", "rs", "ns"))["metadata"]["uid"]
    await api.create("pods", _pod("child", _ref(uid)))
    await api.patch("replicasets.apps", "rs", {"metadata": {"finalizers": ["foregroundDeletion"]}}, "merge", "ns")
    await api.delete("replicasets.apps", "rs", "ns")
    await settle()
    await collector.reconcile("replicasets.apps|ns|rs")
    with pytest.raises(errors.NotFound):
        await api.get("pods", "child", "ns")
    assert (await api.get("replicasets.apps", "rs", "ns"))["metadata"]["deletionTimestamp"]
    await settle()
    await collector.reconcile("replicasets.apps|ns|rs")
    with pytest.raises(errors.NotFound):
        await api.get("replicasets.apps", "rs", "ns")


async def test_orphan_policy_frees_the_dependents(gc) -> None:
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "rs", "namespace": "ns",
                                                                      "finalizers": ["orphan"]}, "spec": {}}
    api, collector = await gc(rs)
    uid = (await api.get("replicasets.apps", "rs", "ns"))["metadata"]["uid"]
    await api.create("pods", _pod("child", _ref(uid)))
    await api.delete("replicasets.apps", "rs", "ns")
    await settle()
    await collector.reconcile("replicasets.apps|ns|rs")
    assert not (await api.get("pods", "child", "ns"))["metadata"].get("ownerReferences")
    with pytest.raises(errors.NotFound):
        await api.get("replicasets.apps", "rs", "ns")
