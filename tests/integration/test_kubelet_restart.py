"""A kubelet restart adopts the rkt pods it started (by their annotations) instead of starting them again,
and cleans up an rkt pod whose Kubernetes pod was force-deleted while it was away."""

from __future__ import annotations

import time

from tests.fixtures.kubelet import Kubelet


def _uuid(pod: dict) -> str:
    return pod["status"]["containerStatuses"][0]["containerID"][len("rkt://"):].split(":")[0]


def test_restarted_kubelet_adopts_running_pod_and_removes_orphans(kubelet, namespace):
    kubelet.create_pod(namespace, "keep", "exec sleep 300")
    kubelet.create_pod(namespace, "gone", "exec sleep 300")
    keep = _uuid(kubelet.wait_phase(namespace, "keep", "Running"))
    gone = _uuid(kubelet.wait_phase(namespace, "gone", "Running"))
    assert kubelet.stop() == 0
    assert {p["uuid"]: p["state"] for p in kubelet.rkt_pods()}.get(keep) == "running"  # outlived the kubelet
    kubelet.apiserver.kubectl("delete", "pod", "-n", namespace, "gone", "--grace-period=0", "--force")
    kubelet.start()
    kubelet.wait_for("the orphan removed", lambda: all(p["uuid"] != gone for p in kubelet.rkt_pods()))
    running = [p for p in kubelet.rkt_pods() if p["state"] == "running"]
    assert [p["uuid"] for p in running] == [keep]
    pod = kubelet.pod(namespace, "keep")
    assert pod["status"]["phase"] == "Running" and _uuid(pod) == keep
    assert pod["status"]["containerStatuses"][0]["restartCount"] == 0


def test_two_kubelets_sharing_an_rkt_dir_leave_each_others_pods_alone(kubelet, namespace, tmp_path):
    other = Kubelet(kubelet.apiserver, kubelet.rkt_dir, tmp_path / "other", kubelet.netns, kubelet.registry)
    other.start()
    try:
        kubelet.create_pod(namespace, "mine", "exec sleep 300")
        other.create_pod(namespace, "theirs", "exec sleep 300")
        uuids = {_uuid(k.wait_phase(namespace, name, "Running")) for k, name in ((kubelet, "mine"), (other, "theirs"))}
        time.sleep(3)  # several relists of both kubelets
        assert uuids <= {p["uuid"] for p in kubelet.rkt_pods() if p["state"] == "running"}
        assert kubelet.pod(namespace, "mine")["status"]["containerStatuses"][0]["restartCount"] == 0
    finally:
        other.stop()
        other.apiserver.kubectl("delete", "node", other.node, "--wait=false", check=False)
