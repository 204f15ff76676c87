"""Init containers on the real kubelet: they run in order, each to completion, before the pod's containers,
sharing its emptyDir; a failing one fails a restartPolicy=Never pod without starting its containers."""

from __future__ import annotations

import json


def _pod(kubelet, namespace: str, name: str, inits: list[str], main: str, policy: str) -> str:
    def container(cname: str, script: str) -> dict:
        return {"name": cname, "image": kubelet.image(), "command": ["/bin/sh", "-c", script],
                "volumeMounts": [{"name": "work", "mountPath": "/work"}]}
    return json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace},
                       "spec": {"nodeName": kubelet.node, "restartPolicy": policy, "terminationGracePeriodSeconds": 2,
                                "volumes": [{"name": "work", "emptyDir": {}}],
                                "initContainers": [container(f"init-{i}", s) for i, s in enumerate(inits)],
                                "containers": [container("main", main)]}})


def test_init_containers_run_in_order_before_the_pods_containers(kubelet, namespace):
    inits = ["sleep 1; echo first > /work/log", "echo second >> /work/log; echo init says hi"]
    kubelet.apiserver.kubectl("create", "-f", "-", input=_pod(kubelet, namespace, "ordered", inits,
                                                               "cat /work/log; exec sleep 300", "Always"))
    early = kubelet.wait_for("initializing", lambda: (p := kubelet.pod(namespace, "ordered")).get("status", {})
                             .get("initContainerStatuses") and p)
    assert early["status"]["phase"] == "Pending"
    pod = kubelet.wait_phase(namespace, "ordered", "Running")
    conditions = {c["type"]: c["status"] for c in pod["status"]["conditions"]}
    assert conditions["Initialized"] == "True"
    ended = [s["state"]["terminated"] for s in pod["status"]["initContainerStatuses"]]
    assert [e["exitCode"] for e in ended] == [0, 0] and ended[0]["finishedAt"] <= ended[1]["startedAt"]
    logs = kubelet.wait_for("main's output", lambda: (out := kubelet.apiserver.kubectl(
        "logs", "-n", namespace, "ordered", "-c", "main").stdout) and out)
    assert logs == "first\nsecond\n"
    assert kubelet.apiserver.kubectl("logs", "-n", namespace, "ordered", "-c", "init-1").stdout == "init says hi\n"


def test_failing_init_container_fails_a_never_pod(kubelet, namespace):
    kubelet.apiserver.kubectl("create", "-f", "-", input=_pod(kubelet, namespace, "broken", ["exit 4"],
                                                               "exec sleep 300", "Never"))
    pod = kubelet.wait_phase(namespace, "broken", "Failed")
    [init] = pod["status"]["initContainerStatuses"]
    assert init["state"]["terminated"]["exitCode"] == 4
    assert "waiting" in pod["status"]["containerStatuses"][0]["state"]
    assert {c["type"]: c["status"] for c in pod["status"]["conditions"]}["Initialized"] == "False"
