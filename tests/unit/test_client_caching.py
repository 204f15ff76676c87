"""The informer cache: keys, namespace and field indexes kept exact through updates and removals."""

from __future__ import annotations

import pytest

from rktnetes.client import caching


def _pod(name: str, node: str = "", namespace: str = "default", rv: str = "1", owner: str = "") -> dict:
    meta = {"name": name, "namespace": namespace, "resourceVersion": rv}
    if owner:
        meta["ownerReferences"] = [{"uid": owner, "kind": "ReplicaSet", "name": "rs"}]
    return {"metadata": meta, "spec": {"nodeName": node} if node else {}}


def test_keys() -> None:
    assert caching.key_of(_pod("a", namespace="ns")) == "ns/a"
    assert caching.key_of({"metadata": {"name": "node1"}}) == "node1"
    assert caching.split_key("ns/a") == ("ns", "a")
    assert caching.split_key("node1") == (None, "node1")


def test_indexes_follow_updates_and_removals() -> None:
    cache = caching.Cache({"node": caching.by_field("spec.nodeName"), "owner": caching.by_owner_uid})
    cache.upsert(_pod("a", "n1", owner="u1"))
    cache.upsert(_pod("b", "n1", namespace="other"))
    cache.upsert(_pod("c"))
    assert [p["metadata"]["name"] for p in cache.by_index("node", "n1")] == ["a", "b"]
    assert [p["metadata"]["name"] for p in cache.by_index("owner", "u1")] == ["a"]
    old = cache.upsert(_pod("a", "n2", rv="2"))
    assert old["spec"]["nodeName"] == "n1"
    assert [p["metadata"]["name"] for p in cache.by_index("node", "n1")] == ["b"]
    assert [p["metadata"]["name"] for p in cache.by_index("node", "n2")] == ["a"]
    assert cache.by_index("owner", "u1") == []
    assert sorted(p["metadata"]["name"] for p in cache.list("default")) == ["a", "c"]
    assert cache.remove("other/b")["metadata"]["name"] == "b"
    assert cache.by_index("node", "n1") == [] and cache.list("other") == [] and len(cache) == 2
    assert cache.remove("missing") is None


def test_indexer_added_later_sees_existing_objects() -> None:
    cache = caching.Cache()
    cache.upsert(_pod("a", "n1"))
    cache.add_indexer("node", caching.by_field("spec.nodeName"))
    assert [p["metadata"]["name"] for p in cache.by_index("node", "n1")] == ["a"]
    with pytest.raises(KeyError):
        cache.by_index("nope", "x")


def test_cache_hands_out_its_objects_and_mutable_copies() -> None:
    cache = caching.Cache()
    pod = _pod("a", "n1")
    cache.upsert(pod)
    assert cache.get("default/a") is pod
    copy = caching.mutable(cache.get("default/a"))
    copy["spec"]["nodeName"] = "changed"
    assert cache.get("default/a")["spec"]["nodeName"] == "n1"


def test_select_by_label_selector() -> None:
    cache = caching.Cache()
    for name, labels, namespace in (("a", {"app": "web", "tier": "fe"}, "ns"), ("b", {"app": "web"}, "ns"),
                                    ("c", {"app": "db"}, "ns"), ("d", {"app": "web"}, "other")):
        pod = _pod(name, namespace=namespace)
        pod["metadata"]["labels"] = labels
        cache.upsert(pod)

    def names(objs: list) -> list[str]:
        return sorted(o["metadata"]["name"] for o in objs)

    assert names(cache.select("ns", {"matchLabels": {"app": "web"}})) == ["a", "b"]
    assert names(cache.select("ns", {"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]})) == ["b", "c"]
    assert names(cache.select(None, "app=web,tier!=fe")) == ["b", "d"]
    assert names(cache.select("ns", {})) == ["a", "b", "c"]
    assert cache.select("ns", None) == []


def test_mutation_detector_names_the_mutated_objects(monkeypatch) -> None:
    from rktnetes.client import errors

    cache = caching.Cache(detect_mutations=True)
    cache.upsert(_pod("a", "n1"))
    cache.upsert(_pod("b", "n1"))
    cache.verify()
    cache.get("default/a")["spec"]["nodeName"] = "oops"
    with pytest.raises(errors.CacheMutated, match="default/a"):
        cache.verify()
    cache.upsert(_pod("a", "n2", rv="2"))
    assert cache.mutated == {"default/a"}
    monkeypatch.setenv(caching.MUTATION_DETECTOR_ENV, "1")
    watched = caching.Cache()
    watched.upsert(_pod("c"))
    watched.list()[0]["metadata"]["labels"] = {"x": "y"}
    watched.remove("default/c")
    with pytest.raises(errors.CacheMutated, match="default/c"):
        watched.verify()
    monkeypatch.delenv(caching.MUTATION_DETECTOR_ENV)
    plain = caching.Cache()
    plain.upsert(_pod("d"))
    plain.get("default/d")["spec"]["nodeName"] = "x"
    plain.verify()
