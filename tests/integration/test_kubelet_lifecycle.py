"""More of a pod's life on the real kubelet: OnFailure success, an image that cannot be pulled, following
logs until the container ends, and a container that ignores SIGTERM killed after its grace period."""

from __future__ import annotations

import json
import subprocess
import time


def _waiting_reason(pod: dict) -> str:
    statuses = pod.get("status", {}).get("containerStatuses") or [{}]
    return statuses[0].get("state", {}).get("waiting", {}).get("reason", "")


def test_on_failure_pod_that_exits_0_succeeds(kubelet, namespace):
    kubelet.create_pod(namespace, "ok", "echo done", restartPolicy="OnFailure")
    pod = kubelet.wait_phase(namespace, "ok", "Succeeded")
    ended = pod["status"]["containerStatuses"][0]["state"]["terminated"]
    assert ended["exitCode"] == 0 and ended["reason"] == "Completed"


def test_unpullable_image_waits_with_err_image_pull(kubelet, namespace):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "nope", "namespace": namespace},
           "spec": {"nodeName": kubelet.node, "containers": [{"name": "main", "image": kubelet.image("no-such-image")}]}}
    kubelet.apiserver.kubectl("create", "-f", "-", input=json.dumps(pod))
    found = kubelet.wait_for("ErrImagePull", lambda: _waiting_reason(p := kubelet.pod(namespace, "nope"))
                             == "ErrImagePull" and p)
    assert found["status"]["phase"] == "Pending"
    assert "no-such-image" in found["status"]["containerStatuses"][0]["state"]["waiting"]["message"]
    events = kubelet.apiserver.kubectl("get", "events", "-n", namespace, "-o", "json").stdout
    assert any(e["reason"] == "Failed" and e["involvedObject"]["name"] == "nope" for e in json.loads(events)["items"])


def test_logs_follow_streams_until_the_container_ends(kubelet, namespace):
    kubelet.create_pod(namespace, "ticker", "for i in 1 2 3; do echo tick $i; sleep 1; done", restartPolicy="Never")
    kubelet.wait_phase(namespace, "ticker", "Running")
    followed = kubelet.apiserver.kubectl("logs", "-f", "-n", namespace, "ticker", timeout=30)
    assert followed.stdout == "tick 1\ntick 2\ntick 3\n"


def test_container_ignoring_sigterm_is_killed_after_its_grace_period(kubelet, namespace):
    kubelet.create_pod(namespace, "stubborn", "trap '' TERM; while true; do sleep 0.2; done",
                       terminationGracePeriodSeconds=2)
    pod = kubelet.wait_phase(namespace, "stubborn", "Running")
    uuid = pod["status"]["containerStatuses"][0]["containerID"][len("rkt://"):].split(":")[0]
    start = time.monotonic()
    kubelet.apiserver.kubectl("delete", "pod", "-n", namespace, "stubborn", "--timeout=60s", timeout=90)
    assert time.monotonic() - start >= 2.0
    assert all(p["uuid"] != uuid for p in kubelet.rkt_pods())
    gone = kubelet.apiserver.kubectl("get", "pod", "-n", namespace, "stubborn", check=False)
    assert gone.returncode != 0 and "NotFound" in gone.stderr
    assert subprocess.run(["pgrep", "-f", uuid], capture_output=True, check=False).returncode == 1


def test_kubectl_attach_follows_the_output_until_the_container_ends(kubelet, namespace):
    script = "sleep 2; for i in 1 2 3; do echo out $i; echo err $i >&2; sleep 0.5; done"
    kubelet.create_pod(namespace, "talker", script, restartPolicy="Never")
    kubelet.wait_phase(namespace, "talker", "Running")
    done = kubelet.apiserver.kubectl("attach", "-n", namespace, "talker", "-c", "main", timeout=30)
    assert "out 3\n" in done.stdout and "err 3\n" in done.stderr and "err" not in done.stdout


def test_termination_messages_from_the_file_or_the_log(kubelet, namespace):
    writer = {"name": "writer", "image": kubelet.image(), "command": ["/bin/sh", "-c",
              "echo -n 'disk full' > /dev/termination-log; exit 2"]}
    logger = {"name": "logger", "image": kubelet.image(), "terminationMessagePolicy": "FallbackToLogsOnError",
              "command": ["/bin/sh", "-c", "echo starting; echo gave up >&2; exit 1"]}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "famous-last-words", "namespace": namespace},
           "spec": {"nodeName": kubelet.node, "restartPolicy": "Never", "containers": [writer, logger]}}
    kubelet.apiserver.kubectl("create", "-f", "-", input=json.dumps(pod))
    done = kubelet.wait_phase(namespace, "famous-last-words", "Failed")
    ended = {s["name"]: s["state"]["terminated"] for s in done["status"]["containerStatuses"]}
    assert ended["writer"]["exitCode"] == 2 and ended["writer"]["message"] == "disk full"
    # the log's tail; stdout and stderr are two pipes, so their lines may be logged in either order
    message = ended["logger"]["message"]
    assert ended["logger"]["exitCode"] == 1 and sorted(message.splitlines()) == ["gave up", "starting"]
    assert message.endswith("\n")


def test_host_network_pod_shares_the_nodes_namespace(kubelet, namespace, testhost):
    kubelet.create_pod(namespace, "hostnet", "ip -o -4 addr show th0 | grep -o '192.0.2.1'; exec sleep 300",
                       hostNetwork=True, terminationGracePeriodSeconds=0)
    pod = kubelet.wait_phase(namespace, "hostnet", "Running")
    assert pod["status"]["podIP"] == pod["status"]["hostIP"] == "127.0.0.1"
    kubelet.wait_for("the node's address seen from the pod", lambda: kubelet.apiserver.kubectl(
        "logs", "-n", namespace, "hostnet").stdout == "192.0.2.1\n")
