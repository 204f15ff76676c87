"""What rkt shows → the Kubernetes pod status (pure): phases by restart policy, container states, conditions."""

from __future__ import annotations

import pytest

from rktnetes.kubelet import podstatus, translating
from rktnetes.kubelet.podstatus import Observed
from rktnetes.kubelet.rktpods import RktPod
from rktnetes.rkt.pods.info import AppInfo, PodInfo

T0 = 1_790_000_000.0


def rkt_pod(state: str, codes: tuple = (None,), restarts: int = 0, uuid: str = "u1", ip: str = "172.16.28.5") -> RktPod:
    apps = [AppInfo(f"c{i}", "img", "sha512-abc", code) for i, code in enumerate(codes)]
    exited = T0 + 5 if state == "exited" else None
    notes = {translating.UID: "uid", translating.NAMESPACE: "ns", translating.NAME: "p",
             translating.RESTARTS: str(restarts)}
    info = PodInfo(uuid=uuid, state=state, created=T0, started=T0 + 1 if state != "prepared" else None,
                   exited_at=exited, pid=None, exit_code=None, networks=[{"name": "default", "ip": ip}],
                   apps=apps, annotations=notes)
    return RktPod(info, {a.name: T0 + 4 for a in apps if a.exit_code is not None})


def pod(policy: str = "Always", containers: int = 1, **status) -> dict:
    return {"metadata": {"name": "p", "namespace": "ns", "uid": "uid"},
            "spec": {"restartPolicy": policy, "containers": [{"name": f"c{i}", "image": "busybox"}
                                                             for i in range(containers)]},
            "status": status}


@pytest.mark.parametrize(("policy", "seen", "phase"), [
    ("Always", Observed(), "Pending"),
    ("Always", Observed(rkt_pod("prepared")), "Pending"),
    ("Never", Observed(rkt_pod("running")), "Running"),
    ("Never", Observed(rkt_pod("exited", (0,))), "Succeeded"),
    ("Never", Observed(rkt_pod("exited", (3,))), "Failed"),
    ("OnFailure", Observed(rkt_pod("exited", (0,))), "Succeeded"),
    ("OnFailure", Observed(rkt_pod("exited", (1,))), "Running"),
    ("Always", Observed(rkt_pod("exited", (0,))), "Running"),
    ("Never", Observed(rkt_pod("exited", (0, 2))), "Failed"),
])
def test_phase_by_restart_policy(policy, seen, phase):
    assert podstatus.phase(pod(policy), seen) == phase


def test_running_pod_status():
    status = podstatus.pod_status(pod(), Observed(rkt_pod("running")), "10.0.0.5")
    assert status["phase"] == "Running" and status["podIP"] == "172.16.28.5" and status["hostIP"] == "10.0.0.5"
    assert status["podIPs"] == [{"ip": "172.16.28.5"}]
    [ctr] = status["containerStatuses"]
    assert ctr["state"] == {"running": {"startedAt": podstatus.stamp(T0 + 1)}} and ctr["ready"]
    assert ctr["containerID"] == "rkt://u1:c0" and ctr["imageID"] == "sha512-abc" and ctr["restartCount"] == 0
    assert {c["type"]: c["status"] for c in status["conditions"]}["Ready"] == "True"


def test_host_network_pod_has_the_node_ip():
    p = pod()
    p["spec"]["hostNetwork"] = True
    assert podstatus.pod_status(p, Observed(rkt_pod("running", ip="")), "10.0.0.5")["podIP"] == "10.0.0.5"


def test_exited_container_is_terminated_with_its_code_and_times():
    status = podstatus.pod_status(pod("Never"), Observed(rkt_pod("exited", (3,))), "10.0.0.5")
    ended = status["containerStatuses"][0]["state"]["terminated"]
    assert ended == {"exitCode": 3, "reason": "Error", "startedAt": podstatus.stamp(T0 + 1),
                     "finishedAt": podstatus.stamp(T0 + 4), "containerID": "rkt://u1:c0"}
    assert {c["type"]: c["status"] for c in status["conditions"]}["Ready"] == "False"


def test_crash_loop_back_off_keeps_the_last_termination():
    seen = Observed(rkt_pod("exited", (1,), restarts=2), waiting=("CrashLoopBackOff", "back-off 40s"))
    [ctr] = podstatus.pod_status(pod(), seen, "h")["containerStatuses"]
    assert ctr["state"] == {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 40s"}}
    assert ctr["lastState"]["terminated"]["exitCode"] == 1 and ctr["restartCount"] == 2 and not ctr["ready"]


def test_restarted_pod_shows_the_previous_run_as_last_state():
    seen = Observed(rkt_pod("running", restarts=1, uuid="u2"), rkt_pod("exited", (7,)))
    [ctr] = podstatus.pod_status(pod(), seen, "h")["containerStatuses"]
    assert "running" in ctr["state"] and ctr["restartCount"] == 1
    assert ctr["lastState"]["terminated"]["exitCode"] == 7 and ctr["containerID"] == "rkt://u2:c0"


def test_waiting_for_an_image_says_why():
    seen = Observed(None, None, ("ErrImagePull", "no such image"))
    status = podstatus.pod_status(pod(), seen, "h")
    assert status["phase"] == "Pending" and status["podIP"] is None
    assert status["containerStatuses"][0]["state"] == {"waiting": {"reason": "ErrImagePull",
                                                                   "message": "no such image"}}


def test_unchanged_status_is_recognised_so_nothing_is_written_twice():
    first = podstatus.pod_status(pod(), Observed(rkt_pod("running")), "h")
    again = podstatus.pod_status(pod(**first), Observed(rkt_pod("running")), "h")
    assert podstatus.same(first, again) and again["conditions"] == first["conditions"]
    moved = podstatus.pod_status(pod(**first), Observed(rkt_pod("exited", (0,))), "h")
    assert not podstatus.same(first, moved)
