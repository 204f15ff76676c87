"""Init containers' next step and their part of the pod status (pure)."""

from __future__ import annotations

import dataclasses

import pytest

from rktnetes.kubelet import initializing, podstatus, translating
from rktnetes.kubelet.podstatus import Observed
from tests.unit.test_kubelet_podstatus import rkt_pod


def init_run(name: str, state: str, code: int | None = None, restarts: int = 0):
    run = rkt_pod(state, (code,), restarts=restarts, uuid=f"{name}-{restarts}")
    notes = {**run.info.annotations, translating.INIT: name}
    apps = [run.info.apps[0].replace(name=name)]
    return dataclasses.replace(run, info=run.info.replace(annotations=notes, apps=apps))


def pod(policy: str = "Always") -> dict:
    return {"metadata": {"name": "p", "namespace": "ns", "uid": "uid"},
            "spec": {"restartPolicy": policy, "initContainers": [{"name": "a", "image": "i"}, {"name": "b", "image": "i"}],
                     "containers": [{"name": "c0", "image": "i"}]}}


@pytest.mark.parametrize(("runs", "action", "which"), [
    ([], initializing.START, "a"),
    ([init_run("a", "prepared")], initializing.RUN, "a"),
    ([init_run("a", "running")], initializing.WAIT, "a"),
    ([init_run("a", "exited", 0)], initializing.START, "b"),
    ([init_run("a", "exited", 0), init_run("b", "exited", 0)], initializing.DONE, None),
    ([init_run("a", "exited", 2)], initializing.RESTART, "a"),
])
def test_next_step(runs, action, which):
    step = initializing.next_step(pod(), runs)
    assert step.action == action and (step.container or {}).get("name") == which


def test_a_failed_init_container_runs_again_with_one_more_restart_unless_never():
    step = initializing.next_step(pod(), [init_run("a", "exited", 1), init_run("a", "exited", 1, restarts=1)])
    assert step.action == initializing.RESTART and step.restarts == 2
    assert initializing.next_step(pod("Never"), [init_run("a", "exited", 1)]).action == initializing.FAILED


def test_status_while_initializing_and_after_a_fatal_failure():
    seen = Observed(inits=(init_run("a", "exited", 0), init_run("b", "running")))
    status = podstatus.pod_status(pod(), seen, "h")
    assert status["phase"] == "Pending"
    assert [list(s["state"]) for s in status["initContainerStatuses"]] == [["terminated"], ["running"]]
    assert status["containerStatuses"][0]["state"] == {"waiting": {"reason": "PodInitializing"}}
    assert {c["type"]: c["status"] for c in status["conditions"]}["Initialized"] == "False"
    failed = podstatus.pod_status(pod("Never"), Observed(inits=(init_run("a", "exited", 4),)), "h")
    assert failed["phase"] == "Failed"
    done = podstatus.pod_status(pod(), Observed(rkt_pod("running"), inits=(init_run("a", "exited", 0),
                                                                             init_run("b", "exited", 0))), "h")
    assert {c["type"]: c["status"] for c in done["conditions"]}["Initialized"] == "True"
