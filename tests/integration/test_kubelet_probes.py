"""Probes on the real kubelet: httpGet and tcpSocket readiness (from inside the pod's namespace) hold the
pod unready until the server answers; a failing exec liveness probe restarts the pod."""

from __future__ import annotations

import json


def _ready(pod: dict) -> dict[str, bool]:
    return {s["name"]: s["ready"] for s in pod.get("status", {}).get("containerStatuses") or []}


def _condition(pod: dict, kind: str) -> str:
    return next((c["status"] for c in pod.get("status", {}).get("conditions") or [] if c["type"] == kind), "")


def test_readiness_probes_hold_the_pod_unready_until_the_server_answers(kubelet, namespace):
    http = {"httpGet": {"path": "/index.html", "port": "http"}, "periodSeconds": 1, "failureThreshold": 1}
    tcp = {"tcpSocket": {"port": 8080}, "periodSeconds": 1, "failureThreshold": 1}
    web = {"name": "web", "image": kubelet.image(), "ports": [{"name": "http", "containerPort": 8080}],
           "command": ["/bin/sh", "-c", "sleep 4; mkdir -p /www; echo ok > /www/index.html; "
                       "exec httpd -f -p 8080 -h /www"], "readinessProbe": http}
    side = {"name": "side", "image": kubelet.image(), "command": ["/bin/sh", "-c", "exec sleep 300"],
            "readinessProbe": tcp}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "probed", "namespace": namespace},
           "spec": {"nodeName": kubelet.node, "containers": [web, side], "terminationGracePeriodSeconds": 2}}
    kubelet.apiserver.kubectl("create", "-f", "-", input=json.dumps(pod))
    early = kubelet.wait_phase(namespace, "probed", "Running")
    assert _ready(early) == {"web": False, "side": False} and _condition(early, "Ready") == "False"
    ready = kubelet.wait_for("both ready", lambda: _ready(p := kubelet.pod(namespace, "probed"))
                             == {"web": True, "side": True} and p, timeout=30)
    assert _condition(ready, "Ready") == "True" and _condition(ready, "ContainersReady") == "True"


def test_failing_liveness_probe_restarts_the_pod(kubelet, namespace):
    live = {"exec": {"command": ["/bin/cat", "/tmp/healthy"]}, "periodSeconds": 1, "failureThreshold": 2}
    main = {"name": "main", "image": kubelet.image(), "livenessProbe": live,
            "command": ["/bin/sh", "-c", "touch /tmp/healthy; sleep 3; rm /tmp/healthy; exec sleep 300"]}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sick", "namespace": namespace},
           "spec": {"nodeName": kubelet.node, "containers": [main], "terminationGracePeriodSeconds": 1}}
    kubelet.apiserver.kubectl("create", "-f", "-", input=json.dumps(pod))
    kubelet.wait_phase(namespace, "sick", "Running")

    def restarted():
        got = kubelet.pod(namespace, "sick")
        statuses = got.get("status", {}).get("containerStatuses") or [{}]
        return got if statuses[0].get("restartCount", 0) >= 1 else None
    pod = kubelet.wait_for("a restart", restarted, timeout=60)
    events = json.loads(kubelet.apiserver.kubectl("get", "events", "-n", namespace, "-o", "json").stdout)["items"]
    assert any(e["reason"] == "Killing" and "liveness" in e["message"] for e in events)
    assert pod["status"]["containerStatuses"][0]["lastState"]["terminated"]["exitCode"] in (137, 143)


def test_startup_probe_keeps_the_pod_unready_until_it_passes(kubelet, namespace):
    startup = {"exec": {"command": ["/bin/cat", "/tmp/started"]}, "periodSeconds": 1, "failureThreshold": 30}
    ready = {"exec": {"command": ["/bin/true"]}, "periodSeconds": 1}
    main = {"name": "main", "image": kubelet.image(), "startupProbe": startup, "readinessProbe": ready,
            "command": ["/bin/sh", "-c", "sleep 3; touch /tmp/started; exec sleep 300"]}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "slowstart", "namespace": namespace},
           "spec": {"nodeName": kubelet.node, "containers": [main], "terminationGracePeriodSeconds": 1}}
    kubelet.apiserver.kubectl("create", "-f", "-", input=json.dumps(pod))
    early = kubelet.wait_phase(namespace, "slowstart", "Running")
    assert _ready(early) == {"main": False}
    later = kubelet.wait_for("ready after startup", lambda: _ready(p := kubelet.pod(namespace, "slowstart"))
                             == {"main": True} and p, timeout=30)
    assert later["status"]["containerStatuses"][0]["restartCount"] == 0
