"""A sandboxed pod's status from its apps (pure): per-container state, restartCount and lastState, the
phase by restartPolicy, init containers, the sandbox's IP."""

from __future__ import annotations

from rktnetes.kubelet import sandboxstatus
from rktnetes.kubelet.rktpods import RktPod
from rktnetes.rkt.pods import info
from rktnetes.rkt.pods.appcontrol import AppStatus

POD = {"metadata": {"name": "p", "namespace": "ns", "uid": "u1"},
       "spec": {"containers": [{"name": "a", "image": "busybox"}, {"name": "b", "image": "busybox"}]}}


def _app(name: str, state: str, code: int | None = None, runs: int = 0, last: int | None = None) -> AppStatus:
    return AppStatus(name=name, state=state, image_name="busybox", image_id="sha512-x", exit_code=code,
                     started_at=100.0, finished_at=200.0 if code is not None else None,
                     annotations={"rktnetes.io/restart-count": str(runs)}, last_exit_code=last,
                     last_started_at=50.0 if last is not None else None, last_finished_at=60.0 if last is not None else None)


def _sandbox(state: str = "running") -> RktPod:
    return RktPod(info.PodInfo("uuid-1", state, 1.0, 2.0, None, 1, None, networks=[{"name": "n", "ip": "10.0.0.5"}]))


def _seen(*apps: AppStatus, **kw) -> sandboxstatus.Seen:
    return sandboxstatus.Seen(_sandbox(), {a.name: a for a in apps}, **kw)


def test_each_container_has_its_own_state_restart_count_and_last_state():
    seen = _seen(_app("a", "running", runs=2, last=1), _app("b", "running"))
    status = sandboxstatus.pod_status(POD, seen, "192.0.2.1")
    a, b = status["containerStatuses"]
    assert a["restartCount"] == 2 and a["lastState"]["terminated"]["exitCode"] == 1 and "running" in a["state"]
    assert b["restartCount"] == 0 and "lastState" not in b
    assert status["phase"] == "Running" and status["podIP"] == "10.0.0.5"
    assert a["containerID"] == "rkt://uuid-1:a"


def test_a_container_in_back_off_waits_with_its_last_end():
    seen = _seen(_app("a", "exited", 1, runs=1), _app("b", "running"), waiting={"a": ("CrashLoopBackOff", "back-off")})
    a = sandboxstatus.pod_status(POD, seen, "h")["containerStatuses"][0]
    assert a["state"]["waiting"]["reason"] == "CrashLoopBackOff" and a["lastState"]["terminated"]["exitCode"] == 1


def test_the_phase_follows_the_restart_policy():
    ended = [_app("a", "exited", 0), _app("b", "exited", 3)]
    assert sandboxstatus.phase(POD, _seen(*ended)) == "Running"  # Always: they run again
    never = {**POD, "spec": {**POD["spec"], "restartPolicy": "Never"}}
    assert sandboxstatus.phase(never, _seen(*ended)) == "Failed"
    assert sandboxstatus.phase(never, _seen(_app("a", "exited", 0), _app("b", "exited", 0))) == "Succeeded"
    assert sandboxstatus.phase(POD, _seen(_app("a", "created"))) == "Pending"


def test_init_containers_gate_the_pod():
    pod = {**POD, "spec": {**POD["spec"], "initContainers": [{"name": "i", "image": "busybox"}]}}
    running = _seen(_app("i", "running"))
    assert not sandboxstatus.initialized(pod, running) and sandboxstatus.phase(pod, running) == "Pending"
    status = sandboxstatus.pod_status(pod, running, "h")
    assert status["containerStatuses"][0]["state"]["waiting"]["reason"] == "PodInitializing"
    failed = {**pod, "spec": {**pod["spec"], "restartPolicy": "Never"}}
    assert sandboxstatus.phase(failed, _seen(_app("i", "exited", 2))) == "Failed"
