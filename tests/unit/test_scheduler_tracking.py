"""The scheduler's running picture: pods replaced by newer versions, assumed copies removed only while they
are what is counted, pods of a node seen later, finished pods freeing room, assumptions expiring."""

from __future__ import annotations

from rktnetes.client.clock import FakeClock
from rktnetes.scheduler.assuming import AssumeCache
from rktnetes.scheduler.quantities import Resources
from rktnetes.scheduler.tracking import NodeTracker
from tests.unit.test_scheduler_filters import node, pod


def _held(tracker: NodeTracker, name: str) -> Resources:
    return tracker.snapshot().infos[name].requested


def test_versions_replace_each_other_and_move_between_nodes() -> None:
    t = NodeTracker()
    t.set_node(node("n1"))
    t.set_node(node("n2"))
    a = pod("a", "1", node_name="n1")
    t.place(a, "n1")
    assert _held(t, "n1") == Resources(1000, 0, 1)
    t.place({**a, "metadata": {**a["metadata"], "resourceVersion": "2"}}, "n2")
    assert (_held(t, "n1"), _held(t, "n2")) == (Resources(), Resources(1000, 0, 1))
    t.place({**a, "status": {"phase": "Succeeded"}}, "n2")
    assert _held(t, "n2") == Resources(), "a finished pod holds nothing"


def test_pods_of_a_node_not_seen_yet_count_once_it_appears_and_anti_affinity_is_indexed() -> None:
    t = NodeTracker()
    anti = pod("x", node_name="n1", affinity={"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": {"app": "w"}}, "topologyKey": "kubernetes.io/hostname"}]}})
    t.place(pod("a", "500m", node_name="n1"), "n1")
    t.place(anti, "n1")
    assert t.snapshot().infos == {}
    t.set_node(node("n1"))
    assert _held(t, "n1") == Resources(500, 0, 2)
    assert [p["metadata"]["name"] for p, _ in t.snapshot().anti_affinity_pods] == ["x"]
    t.remove("uid-x")
    assert t.snapshot().anti_affinity_pods == [] and _held(t, "n1") == Resources(500, 0, 1)


def test_assumed_copies_are_dropped_on_failure_or_expiry_but_never_the_real_version() -> None:
    clock, t = FakeClock(), NodeTracker()
    t.set_node(node("n1"))
    cache = AssumeCache(clock, t, ttl=30)
    p = pod("p", "1")
    cache.assume(p, "n1")
    assert _held(t, "n1") == Resources(1000, 0, 1) and "uid-p" in cache
    cache.forget("uid-p")
    assert _held(t, "n1") == Resources()
    cache.assume(p, "n1")
    cache.finish_binding("uid-p")
    clock.advance(29)
    cache.expire()
    assert _held(t, "n1") == Resources(1000, 0, 1)
    clock.advance(1)
    cache.expire()
    assert _held(t, "n1") == Resources() and len(cache) == 0
    cache.assume(p, "n1")
    real = pod("p", "1", node_name="n1")
    t.place(real, "n1")  # the informer's bound version arrives before the bind call returns with a failure
    cache.forget("uid-p")
    assert _held(t, "n1") == Resources(1000, 0, 1), "the real version stays counted"
