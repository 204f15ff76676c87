"""Pods bound to a real kubelet run as real rkt pods (busybox from the local registry, CNI default network
inside the node's test-host namespace): Running with an IP, exit codes, restart policies, deletion, logs."""

from __future__ import annotations


def test_pod_runs_with_ip_logs_and_is_deleted(kubelet, namespace, testhost):
    kubelet.create_pod(namespace, "web", "echo hello from rkt; echo second line; exec sleep 300")
    pod = kubelet.wait_phase(namespace, "web", "Running")
    status = pod["status"]
    ip = status["podIP"]
    assert ip.startswith("172.16.28.") and status["hostIP"] == "127.0.0.1" and status["startTime"]
    [ctr] = status["containerStatuses"]
    assert ctr["ready"] and "running" in ctr["state"] and ctr["restartCount"] == 0
    assert ctr["containerID"].startswith("rkt://") and ctr["containerID"].endswith(":main")
    assert ctr["imageID"].startswith("sha512-")
    conditions = {c["type"]: c["status"] for c in status["conditions"]}
    assert conditions["Ready"] == conditions["ContainersReady"] == conditions["PodScheduled"] == "True"
    assert testhost.run(["busybox", "ping", "-c", "1", "-W", "2", ip]).returncode == 0
    logs = kubelet.wait_for("logs", lambda: "second" in (out := kubelet.apiserver.kubectl(
        "logs", "-n", namespace, "web").stdout) and out)
    assert logs == "hello from rkt\nsecond line\n"
    assert kubelet.apiserver.kubectl("logs", "-n", namespace, "web", "--tail=1").stdout == "second line\n"
    stamped = kubelet.apiserver.kubectl("logs", "-n", namespace, "web", "--timestamps").stdout
    assert stamped.splitlines()[0].endswith("Z hello from rkt") and stamped.startswith("20")
    uuid = ctr["containerID"][len("rkt://"):].split(":")[0]
    assert [p["state"] for p in kubelet.rkt_pods() if p["uuid"] == uuid] == ["running"]
    kubelet.apiserver.kubectl("delete", "pod", "-n", namespace, "web", "--timeout=60s")
    assert all(p["uuid"] != uuid for p in kubelet.rkt_pods())
    assert not (kubelet.root_dir / "pods" / pod["metadata"]["uid"]).exists()


def test_exit_code_3_fails_the_pod_with_restart_policy_never(kubelet, namespace):
    kubelet.create_pod(namespace, "three", "exit 3", restartPolicy="Never")
    pod = kubelet.wait_phase(namespace, "three", "Failed")
    [ctr] = pod["status"]["containerStatuses"]
    ended = ctr["state"]["terminated"]
    assert ended["exitCode"] == 3 and ended["reason"] == "Error" and ended["finishedAt"] and ended["startedAt"]
    assert ctr["restartCount"] == 0 and not ctr["ready"]


def test_restart_policy_always_restarts_with_a_new_rkt_pod(kubelet, namespace):
    kubelet.create_pod(namespace, "again", "echo run; sleep 1; exit 1")
    def restarted():
        pod = kubelet.pod(namespace, "again")
        statuses = pod.get("status", {}).get("containerStatuses") or [{}]
        return pod if statuses[0].get("restartCount", 0) >= 1 else None
    pod = kubelet.wait_for("a restart", restarted, timeout=90)
    assert pod["status"]["phase"] == "Running"
    last = pod["status"]["containerStatuses"][0]["lastState"]["terminated"]
    assert last["exitCode"] == 1
    previous = kubelet.apiserver.kubectl("logs", "-n", namespace, "again", "--previous").stdout
    assert previous == "run\n"


def test_pods_created_at_once_all_run_with_their_own_ips(kubelet, namespace):
    names = [f"many-{i}" for i in range(6)]
    for name in names:
        kubelet.create_pod(namespace, name, "exec sleep 300", terminationGracePeriodSeconds=0)
    pods = [kubelet.wait_phase(namespace, name, "Running") for name in names]
    ips = {p["status"]["podIP"] for p in pods}
    assert len(ips) == len(names) and all(ip.startswith("172.16.28.") for ip in ips)
    assert len([p for p in kubelet.rkt_pods() if p["state"] == "running"]) == len(names)


def test_a_container_that_ends_is_terminated_while_the_other_runs(kubelet, namespace):
    sidecar = {"name": "side", "image": kubelet.image(), "command": ["/bin/sh", "-c", "exec sleep 300"]}
    kubelet.create_pod(namespace, "pair", "echo done; exit 0", restartPolicy="Never", containers=[
        {"name": "main", "image": kubelet.image(), "command": ["/bin/sh", "-c", "echo done; exit 0"]}, sidecar])

    def main_ended():
        pod = kubelet.pod(namespace, "pair")
        states = {c["name"]: c["state"] for c in pod.get("status", {}).get("containerStatuses") or []}
        return pod if "terminated" in states.get("main", {}) and "running" in states.get("side", {}) else None
    pod = kubelet.wait_for("main terminated beside a running side", main_ended)
    assert pod["status"]["phase"] == "Running"
    main = next(c for c in pod["status"]["containerStatuses"] if c["name"] == "main")
    assert main["state"]["terminated"]["exitCode"] == 0 and main["state"]["terminated"]["reason"] == "Completed"
