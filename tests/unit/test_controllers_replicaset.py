"""The ReplicaSet/ReplicationController controller on the fake API: scale up/down, adopt, release, status."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rktnetes.client import errors, sharing
from rktnetes.client.clock import FakeClock
from rktnetes.client.fake import FakeClient
from rktnetes.controllers import errors as ctrl_errors
from rktnetes.controllers import manager, podstate, replicaset, templates
from tests.conftest import settle

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _rs(name: str = "web", replicas: int = 3, kind: str = "ReplicaSet") -> dict:
    labels = {"app": name}
    selector = {"matchLabels": labels} if kind == "ReplicaSet" else labels
    return {"apiVersion": "apps/v1" if kind == "ReplicaSet" else "v1", "kind": kind,
            "metadata": {"name": name, "namespace": "ns"},
            "spec": {"replicas": replicas, "selector": selector,
                     "template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}}


def _pod(name: str, labels: dict, **status) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "ns", "labels": labels},
            "spec": {"containers": [{"name": "c", "image": "i"}]}, "status": status}


@pytest.fixture
def env(controller_env):
    return lambda *objects, cls=replicaset.ReplicaSetController: controller_env(cls, *objects)


def _verbs(api: FakeClient, resource: str = "pods") -> list[str]:
    return [a.verb for a in api.actions if a.resource == resource and a.verb not in ("list", "watch")]


async def test_pod_for_sets_template_labels_and_a_controller_reference() -> None:
    rs = {**_rs(), "metadata": {"name": "web", "namespace": "ns", "uid": "u1"}}
    pod = templates.pod_for(rs)
    assert pod["metadata"]["generateName"] == "web-" and pod["metadata"]["labels"] == {"app": "web"}
    assert pod["metadata"]["ownerReferences"] == [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web",
                                                   "uid": "u1", "controller": True, "blockOwnerDeletion": True}]
    assert rs["spec"]["template"]["metadata"]["labels"] == {"app": "web"}


async def test_creates_the_missing_pods_once_even_before_the_cache_shows_them(env) -> None:
    api, controller = await env(_rs(replicas=3))
    await controller.reconcile("ns/web")
    await controller.reconcile("ns/web")
    assert _verbs(api).count("create") == 3
    await settle()
    await controller.reconcile("ns/web")
    assert _verbs(api).count("create") == 3
    rs = await api.get("replicasets.apps", "web", "ns")
    assert rs["status"]["replicas"] == 3 and rs["status"]["readyReplicas"] == 0
    assert rs["status"]["observedGeneration"] == 1


async def test_a_rejected_template_stops_after_the_first_slow_start_batch(env) -> None:
    api, controller = await env(_rs(replicas=10))
    api.fail_next("create", "pods", errors.Invalid(422, "Invalid", "bad template"))
    with pytest.raises(errors.Invalid):
        await controller.reconcile("ns/web")
    assert _verbs(api).count("create") == 1
    await controller.reconcile("ns/web")
    assert _verbs(api).count("create") == 11


async def test_events_about_one_object_are_limited_like_client_gos_spam_filter(env) -> None:
    api, controller = await env(_rs(replicas=40))
    await controller.reconcile("ns/web")
    await controller.recorder.aclose()
    assert len([a for a in api.actions if a.resource == "events" and a.verb == "create"]) == 25
    controller.clock.advance(300)
    controller.event(await api.get("replicasets.apps", "web", "ns"), "Test", "one more")
    await controller.recorder.aclose()
    assert len([a for a in api.actions if a.resource == "events" and a.verb == "create"]) == 26


async def test_scales_down_deleting_unready_pods_first(env) -> None:
    api, controller = await env(_rs(replicas=2))
    await controller.reconcile("ns/web")
    await settle()
    pods = (await api.list("pods", "ns"))["items"]
    ready = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
    await api.update_status("pods", {**pods[0], "status": ready})
    rs = await api.get("replicasets.apps", "web", "ns")
    rs["spec"]["replicas"] = 1
    await api.update("replicasets.apps", rs)
    await settle()
    await controller.reconcile("ns/web")
    deleted = [a.name for a in api.actions if a.verb == "delete"]
    assert deleted == [pods[1]["metadata"]["name"]]
    await settle()
    await controller.reconcile("ns/web")
    rs = await api.get("replicasets.apps", "web", "ns")
    assert rs["status"]["replicas"] == 1 and rs["status"]["readyReplicas"] == 1
    assert rs["status"]["availableReplicas"] == 1 and rs["status"]["observedGeneration"] == 2


async def test_adopts_matching_orphans_and_releases_pods_that_stop_matching(env) -> None:
    api, controller = await env(_rs(replicas=1), _pod("orphan", {"app": "web"}), _pod("other", {"app": "x"}))
    await controller.reconcile("ns/web")
    orphan = await api.get("pods", "orphan", "ns")
    assert orphan["metadata"]["ownerReferences"][0]["name"] == "web"
    assert "create" not in _verbs(api)
    assert "ownerReferences" not in (await api.get("pods", "other", "ns"))["metadata"]
    await api.patch("pods", "orphan", {"metadata": {"labels": {"app": "gone"}}}, "merge", "ns")
    await settle()
    await controller.reconcile("ns/web")
    assert not (await api.get("pods", "orphan", "ns"))["metadata"].get("ownerReferences")
    assert _verbs(api).count("create") == 1


async def test_finished_pods_are_replaced_and_others_controllers_pods_ignored(env) -> None:
    foreign = _pod("foreign", {"app": "web"})
    foreign["metadata"]["ownerReferences"] = [{"apiVersion": "v1", "kind": "X", "name": "x", "uid": "other",
                                               "controller": True}]
    api, controller = await env(_rs(replicas=1), foreign)
    await controller.reconcile("ns/web")
    await settle()
    pod = [p for p in (await api.list("pods", "ns"))["items"] if p["metadata"]["name"] != "foreign"][0]
    await api.update_status("pods", {**pod, "status": {"phase": "Failed"}})
    await settle()
    await controller.reconcile("ns/web")
    assert _verbs(api).count("create") == 2
    assert (await api.get("pods", "foreign", "ns"))["metadata"]["ownerReferences"][0]["uid"] == "other"


async def test_a_replication_controller_uses_its_plain_selector(env) -> None:
    api, controller = await env(_rs(replicas=2, kind="ReplicationController"),
                                cls=replicaset.ReplicationControllerController)
    await controller.reconcile("ns/web")
    await settle()
    await controller.reconcile("ns/web")
    pods = (await api.list("pods", "ns"))["items"]
    assert len(pods) == 2 and pods[0]["metadata"]["ownerReferences"][0]["kind"] == "ReplicationController"
    assert (await api.get("replicationcontrollers", "web", "ns"))["status"]["replicas"] == 2


async def test_a_missing_owner_is_done() -> None:
    api = FakeClient(namespace="ns")
    factory = sharing.InformerFactory(api, FakeClock())
    controller = replicaset.ReplicaSetController(api, factory, FakeClock())
    assert await controller.reconcile("ns/none") is None


async def test_a_pod_ready_for_less_than_min_ready_seconds_is_looked_at_again(env) -> None:
    rs = _rs(replicas=1)
    rs["spec"]["minReadySeconds"] = 30
    api, controller = await env(rs)
    await controller.reconcile("ns/web")
    await settle()
    (pod,) = (await api.list("pods", "ns"))["items"]
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ready = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": now}]}
    await api.update_status("pods", {**pod, "status": ready})
    await settle()
    result = await controller.reconcile("ns/web")
    assert 28 < result.requeue_after <= 30.1
    status = (await api.get("replicasets.apps", "web", "ns"))["status"]
    assert (status["readyReplicas"], status["availableReplicas"]) == (1, 0)


def test_status_counts_available_after_min_ready_seconds() -> None:
    rs = _rs()
    rs["metadata"]["generation"] = 4
    rs["spec"]["minReadySeconds"] = 10
    ready = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True",
                                                 "lastTransitionTime": "2025-12-31T23:59:55Z"}]}
    old = {**ready, "conditions": [{**ready["conditions"][0], "lastTransitionTime": "2025-12-31T23:00:00Z"}]}
    pods = [_pod("a", {"app": "web"}, **ready), _pod("b", {"app": "web"}, **old), _pod("c", {})]
    status = replicaset.replica_status(rs, pods, NOW)
    assert status == {"replicas": 3, "fullyLabeledReplicas": 2, "readyReplicas": 2, "availableReplicas": 1,
                      "observedGeneration": 4}


def test_next_available_is_the_soonest_ready_pod_to_pass_min_ready_seconds() -> None:
    def ready_since(stamp: str) -> dict:
        return _pod("p", {}, phase="Running", conditions=[{"type": "Ready", "status": "True",
                                                           "lastTransitionTime": stamp}])
    pods = [ready_since("2025-12-31T23:59:50Z"), ready_since("2025-12-31T23:59:40Z"), _pod("q", {})]
    assert podstate.next_available(pods, 30, NOW) == pytest.approx(10.1)
    assert podstate.next_available(pods, 0, NOW) is None


def test_controllers_are_chosen_as_kube_controller_managers_flag() -> None:
    everything = set(manager.registry())
    assert set(manager.select([])) == set(manager.select(["*"])) == everything
    assert set(manager.select(["*", "-job", "-cronjob"])) == everything - {"job", "cronjob"}
    assert set(manager.select(["-podgc"])) == everything - {"podgc"}
    assert list(manager.select(["replicaset", "deployment"])) == ["replicaset", "deployment"]
    with pytest.raises(ctrl_errors.UnknownController, match="unknown controller '-nope'"):
        manager.select(["-nope"])
