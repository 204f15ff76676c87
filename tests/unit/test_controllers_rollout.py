"""Deployment arithmetic, pure: hashes, the ReplicaSet of a template, surge/unavailable, rollout steps, status."""

from __future__ import annotations

import copy

from rktnetes.controllers import deploystatus, rollout, strategies


def _deployment(replicas: int = 4, strategy: dict | None = None, image: str = "v1") -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "ns", "uid": "d1", "generation": 3},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                     "strategy": strategy or {"type": "RollingUpdate"},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "c", "image": image}]}}}}


def _rs(name: str, replicas: int, available: int | None = None, created: str = "2026-01-01T00:00:00Z",
        pods: int | None = None) -> dict:
    available = replicas if available is None else available
    return {"metadata": {"name": name, "creationTimestamp": created}, "spec": {"replicas": replicas},
            "status": {"replicas": replicas if pods is None else pods, "availableReplicas": available,
                       "readyReplicas": available}}


def test_hash_ignores_the_hash_label_and_changes_with_the_template() -> None:
    d = _deployment()
    template = copy.deepcopy(d["spec"]["template"])
    h = rollout.template_hash(template)
    template["metadata"]["labels"][rollout.HASH_LABEL] = h
    assert rollout.template_hash(template) == h and 1 <= len(h) <= 10
    assert rollout.template_hash(_deployment(image="v2")["spec"]["template"]) != h
    assert rollout.same_template(template, d["spec"]["template"])


def test_replicaset_for_labels_selects_and_owns_by_hash() -> None:
    d = _deployment()
    d["metadata"]["annotations"] = {rollout.CHANGE_CAUSE: "first"}
    rs = rollout.replicaset_for(d, 2, 5)
    h = rollout.template_hash(d["spec"]["template"])
    assert rs["metadata"]["name"] == f"web-{h}" and rs["spec"]["replicas"] == 2
    assert rs["spec"]["selector"]["matchLabels"] == {"app": "web", rollout.HASH_LABEL: h}
    assert rs["spec"]["template"]["metadata"]["labels"] == rs["metadata"]["labels"] == {"app": "web",
                                                                                          rollout.HASH_LABEL: h}
    assert rs["metadata"]["annotations"] == {rollout.REVISION: "5", rollout.DESIRED: "4", rollout.MAX_REPLICAS: "5",
                                             rollout.CHANGE_CAUSE: "first"}
    assert rs["metadata"]["ownerReferences"][0]["uid"] == "d1"
    assert "pod-template-hash" not in d["spec"]["template"]["metadata"]["labels"]


def test_surge_rounds_up_unavailable_down_and_never_both_zero() -> None:
    assert rollout.surge_and_unavailable(_deployment(10)) == (3, 2)
    assert rollout.surge_and_unavailable(_deployment(3, {"rollingUpdate": {"maxSurge": 0,
                                                                          "maxUnavailable": "10%"}})) == (0, 1)


def test_rolling_update_surges_then_removes_unavailable_old_pods_first() -> None:
    d = _deployment(4, {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 1}})
    old_a, old_b = _rs("a", 2, 1, "2026-01-01T00:00:00Z"), _rs("b", 2, 2, "2026-01-02T00:00:00Z")
    assert strategies.step(d, _rs("new", 0, 0), [old_a, old_b]) == {"new": 1}
    assert strategies.step(d, _rs("new", 1, 0), [old_a, old_b]) == {"a": 1}
    assert strategies.step(d, _rs("new", 1, 1), [_rs("a", 1, 1), old_b]) == {"new": 2}
    assert strategies.step(d, _rs("new", 2, 1), [_rs("a", 1, 1), old_b]) == {"a": 0}
    assert strategies.step(d, _rs("new", 2, 2), [_rs("a", 0, 0), old_b]) == {"new": 3}
    assert strategies.step(d, _rs("new", 4, 4), []) == {}
    assert strategies.step(d, _rs("new", 6, 6), []) == {"new": 4}


def test_recreate_empties_old_sets_and_waits_for_their_pods() -> None:
    d = _deployment(3, {"type": "Recreate"})
    assert strategies.step(d, _rs("new", 0, 0), [_rs("a", 3)]) == {"a": 0}
    assert strategies.step(d, _rs("new", 0, 0), [_rs("a", 0, 0, pods=2)]) == {}
    assert strategies.step(d, _rs("new", 0, 0), [_rs("a", 0, 0, pods=0)]) == {"new": 3}


T1, T2, T3 = "2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z", "2026-01-01T00:20:00Z"


def test_status_conditions_follow_the_rollout() -> None:
    d = _deployment(2)
    new = {**_rs("new", 2, 1), "metadata": {"name": "new"}}
    status = deploystatus.status_for(d, new, [_rs("a", 1, 1)], T1)
    assert (status["replicas"], status["updatedReplicas"], status["availableReplicas"],
            status["unavailableReplicas"], status["observedGeneration"]) == (3, 2, 2, 1, 3)
    assert [(c["type"], c["status"], c["reason"]) for c in status["conditions"]] == [
        ("Available", "True", "MinimumReplicasAvailable"), ("Progressing", "True", "ReplicaSetUpdated")]
    d["status"] = status
    done = deploystatus.status_for(d, {**_rs("new", 2, 2), "metadata": {"name": "new"}}, [_rs("a", 0, 0)], T2)
    available, progressing = done["conditions"]
    assert available["lastUpdateTime"] == available["lastTransitionTime"] == T1
    assert progressing["reason"] == "NewReplicaSetAvailable" and progressing["lastUpdateTime"] == T2
    assert progressing["lastTransitionTime"] == T1


def test_a_stalled_rollout_exceeds_its_progress_deadline() -> None:
    d = _deployment(2)
    d["spec"]["progressDeadlineSeconds"] = 600
    new, olds = {**_rs("new", 1, 0), "metadata": {"name": "new"}}, [_rs("a", 1, 1)]
    d["status"] = deploystatus.status_for(d, new, olds, T1)
    assert deploystatus.deadline_in(d, d["status"], T2) == 540
    same = deploystatus.status_for(d, new, olds, T2)
    assert same == d["status"]
    late = deploystatus.status_for(d, new, olds, T3)["conditions"][1]
    assert (late["status"], late["reason"]) == ("False", "ProgressDeadlineExceeded")
    moving = deploystatus.status_for(d, {**_rs("new", 1, 1), "metadata": {"name": "new"}}, olds, T3)
    assert moving["conditions"][1]["reason"] == "ReplicaSetUpdated"
    assert moving["conditions"][1]["lastUpdateTime"] == T3
