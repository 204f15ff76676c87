"""The kubelet on pod sandboxes (``--pod-sandboxes``), with the real API server, kubectl, rkt, runc and CNI:
init containers run first inside the pod's sandbox, a crashing container is restarted alone (its own
restartCount and lastState, ``kubectl logs --previous``) while its neighbour runs on, the pod's IP never
changes, exec reaches a container, and deletion stops the apps and the sandbox."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.integration


@pytest.fixture
def sandboxed(kubelet):
    kubelet.stop()
    kubelet.extra = ["--pod-sandboxes"]
    kubelet.start()
    return kubelet


def _pod(kubelet, name: str, restart: str = "Always") -> dict:
    box = kubelet.image()
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"nodeName": kubelet.node, "restartPolicy": restart, "terminationGracePeriodSeconds": 5,
                     "volumes": [{"name": "work", "emptyDir": {}}],
                     "initContainers": [{"name": "setup", "image": box, "command": [
                         "/bin/sh", "-c", "echo prepared > /work/note"],
                         "volumeMounts": [{"name": "work", "mountPath": "/work"}]}],
                     "containers": [
                         {"name": "steady", "image": box, "command": [
                             "/bin/sh", "-c", "trap 'exit 0' TERM; cat /work/note; sleep 300 & wait"],
                          "volumeMounts": [{"name": "work", "mountPath": "/work"}]},
                         {"name": "crashy", "image": box, "command": [
                             "/bin/sh", "-c", "echo run-$(date +%s%N); ip -4 -o addr show eth0; exit 1"]}]}}


def _when(pod: dict, check) -> dict | None:
    return pod if check(pod) else None


def _statuses(pod: dict) -> dict[str, dict]:
    return {s["name"]: s for s in pod["status"].get("containerStatuses") or []}


def test_a_container_restarts_alone_and_the_pod_keeps_its_ip(sandboxed, namespace):
    kubelet, kubectl = sandboxed, sandboxed.apiserver.kubectl
    kubectl("create", "-n", namespace, "-f", "-", input=json.dumps(_pod(kubelet, "web")))
    first = kubelet.wait_for("steady running", lambda: _when(kubelet.pod(namespace, "web"), lambda p: _statuses(
        p).get("steady", {}).get("state", {}).get("running")))
    ip, steady = first["status"]["podIP"], _statuses(first)["steady"]
    assert ip and first["status"]["initContainerStatuses"][0]["state"]["terminated"]["exitCode"] == 0
    again = kubelet.wait_for("crashy restarted twice", lambda: _when(kubelet.pod(namespace, "web"), lambda p: _statuses(
        p)["crashy"]["restartCount"] >= 2), timeout=90)
    crashy = _statuses(again)["crashy"]
    assert crashy["lastState"]["terminated"]["exitCode"] == 1
    assert again["status"]["podIP"] == ip and again["status"]["phase"] == "Running"
    now = _statuses(again)["steady"]
    assert now["restartCount"] == 0 and now["state"]["running"]["startedAt"] == steady["state"]["running"]["startedAt"]
    current = kubectl("logs", "-n", namespace, "web", "-c", "crashy").stdout
    previous = kubectl("logs", "-n", namespace, "web", "-c", "crashy", "--previous").stdout
    assert f"inet {ip}/" in current and f"inet {ip}/" in previous
    assert current.split()[0] != previous.split()[0]  # two different runs
    assert kubectl("exec", "-n", namespace, "web", "-c", "steady", "--", "cat", "/work/note").stdout == "prepared\n"
    sandboxes = [p for p in kubelet.rkt_pods() if p["state"] == "running"]
    assert len(sandboxes) == 1  # one sandbox for the pod's whole life
    kubectl("delete", "pod", "-n", namespace, "web", "--wait=true", timeout=60)
    assert [p for p in kubelet.rkt_pods() if p["state"] == "running"] == []


def test_a_pod_whose_containers_end_for_good_succeeds_and_frees_its_sandbox(sandboxed, namespace):
    kubelet, kubectl = sandboxed, sandboxed.apiserver.kubectl
    pod = _pod(kubelet, "job", restart="OnFailure")
    pod["spec"]["containers"] = [{"name": "once", "image": kubelet.image(), "command": ["/bin/sh", "-c", "echo done"]}]
    kubectl("create", "-n", namespace, "-f", "-", input=json.dumps(pod))
    done = kubelet.wait_phase(namespace, "job", "Succeeded", timeout=90)
    assert _statuses(done)["once"]["state"]["terminated"]["exitCode"] == 0
    kubelet.wait_for("the sandbox stopped", lambda: not [p for p in kubelet.rkt_pods() if p["state"] == "running"])
    assert kubectl("logs", "-n", namespace, "job", "-c", "once").stdout == "done\n"


def test_a_failed_liveness_probe_restarts_that_container_only_and_a_kubelet_restart_adopts_the_sandbox(
        sandboxed, namespace):
    kubelet, kubectl = sandboxed, sandboxed.apiserver.kubectl
    box = kubelet.image()
    probe = {"exec": {"command": ["/bin/test", "-f", "/tmp/healthy"]}, "periodSeconds": 1, "failureThreshold": 1}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "probed"},
           "spec": {"nodeName": kubelet.node, "terminationGracePeriodSeconds": 2, "containers": [
               {"name": "sick", "image": box, "livenessProbe": probe, "command": [
                   "/bin/sh", "-c", "trap 'exit 0' TERM; touch /tmp/healthy; sleep 2; rm /tmp/healthy; sleep 300 & wait"]},
               {"name": "well", "image": box, "command": ["/bin/sh", "-c", "trap 'exit 0' TERM; sleep 300 & wait"]}]}}
    kubectl("create", "-n", namespace, "-f", "-", input=json.dumps(pod))
    first = kubelet.wait_phase(namespace, "probed", "Running")
    kubelet.wait_for("sick restarted", lambda: _when(kubelet.pod(namespace, "probed"), lambda p: _statuses(
        p)["sick"]["restartCount"] >= 1), timeout=90)
    assert kubelet.stop() == 0
    kubelet.start()
    after = kubelet.wait_for("a status from the new kubelet", lambda: _when(
        kubelet.pod(namespace, "probed"), lambda p: _statuses(p)["sick"].get("state", {}).get("running")))
    well = _statuses(after)["well"]
    assert well["restartCount"] == 0 and after["status"]["podIP"] == first["status"]["podIP"]
    assert well["state"]["running"]["startedAt"] == _statuses(first)["well"]["state"]["running"]["startedAt"]
    assert len([p for p in kubelet.rkt_pods() if p["state"] == "running"]) == 1
