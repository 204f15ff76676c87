"""Lifecycle hooks on the real kubelet: postStart runs in the started container; preStop runs before
SIGTERM and its time counts against the grace period."""

from __future__ import annotations

import json
import time


def test_post_start_and_pre_stop_hooks(kubelet, namespace, tmp_path):
    (tmp_path / "out").mkdir()
    main = {"name": "main", "image": kubelet.image(),
            "command": ["/bin/sh", "-c", "until [ -f /tmp/started ]; do sleep 0.1; done; echo saw postStart; "
                        "trap 'exit 0' TERM; while true; do sleep 0.1; done"],
            "volumeMounts": [{"name": "out", "mountPath": "/out"}],
            "lifecycle": {"postStart": {"exec": {"command": ["/bin/touch", "/tmp/started"]}},
                          "preStop": {"exec": {"command": ["/bin/sh", "-c", "echo stopping > /out/prestop"]}}}}
    sidecar = {"name": "side", "image": kubelet.image(), "command": ["/bin/sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done"],
               "lifecycle": {"preStop": {"sleep": {"seconds": 2}}}}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "hooked", "namespace": namespace},
           "spec": {"nodeName": kubelet.node, "containers": [main, sidecar], "terminationGracePeriodSeconds": 10,
                    "volumes": [{"name": "out", "hostPath": {"path": str(tmp_path / "out")}}]}}
    kubelet.apiserver.kubectl("create", "-f", "-", input=json.dumps(pod))
    kubelet.wait_phase(namespace, "hooked", "Running")
    kubelet.wait_for("postStart seen", lambda: kubelet.apiserver.kubectl(
        "logs", "-n", namespace, "hooked", "-c", "main").stdout == "saw postStart\n")
    start = time.monotonic()
    kubelet.apiserver.kubectl("delete", "pod", "-n", namespace, "hooked", "--timeout=60s", timeout=90)
    took = time.monotonic() - start
    assert (tmp_path / "out" / "prestop").read_text() == "stopping\n"
    assert 2.0 <= took < 8.0  # the sleep hook ran first; then SIGTERM ended both (no wait for the KILL at 10 s)
