"""A pod's volumes (configMap, secret, emptyDir shared by two containers, hostPath), env (values, fieldRefs,
configMap keys, envFrom a Secret), workingDir and resource limits reach the real rkt pod the kubelet starts."""

from __future__ import annotations

import json
from pathlib import Path


def _pod(kubelet, namespace: str, host_dir: str) -> dict:
    writer = {"name": "writer", "image": kubelet.image(), "workingDir": "/tmp",
              "command": ["/bin/sh", "-c", "cat /cfg/greeting; cat /sec/password; echo; echo $POD_NAME $POD_NS "
                          "$HOST_IP $PLAIN; pwd; cat /host/marker; cat /etc/single; echo $FROM_CFG $SEC_password; "
                          "echo shared > /shared/x; exec sleep 300"],
              "envFrom": [{"secretRef": {"name": "creds"}, "prefix": "SEC_"}],
              "env": [{"name": "PLAIN", "value": "plain-value"},
                      {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                      {"name": "POD_NS", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
                      {"name": "HOST_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIP"}}},
                      {"name": "FROM_CFG", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "greeting"}}}],
              "resources": {"limits": {"memory": "64Mi", "cpu": "500m"}},
              "volumeMounts": [{"name": "cfg", "mountPath": "/cfg"}, {"name": "sec", "mountPath": "/sec"},
                               {"name": "shared", "mountPath": "/shared"}, {"name": "host", "mountPath": "/host"},
                               {"name": "single", "mountPath": "/etc/single"}]}
    reader = {"name": "reader", "image": kubelet.image(),
              "command": ["/bin/sh", "-c", "until [ -f /data/x ]; do sleep 0.2; done; cat /data/x; exec sleep 300"],
              "volumeMounts": [{"name": "shared", "mountPath": "/data"}]}
    volumes = [{"name": "cfg", "configMap": {"name": "settings"}}, {"name": "sec", "secret": {"secretName": "creds"}},
               {"name": "shared", "emptyDir": {}}, {"name": "host", "hostPath": {"path": host_dir}},
               {"name": "single", "hostPath": {"path": f"{host_dir}/marker", "type": "File"}}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "vols", "namespace": namespace},
            "spec": {"nodeName": kubelet.node, "containers": [writer, reader], "volumes": volumes,
                     "terminationGracePeriodSeconds": 2}}


def test_volumes_env_working_dir_and_limits(kubelet, namespace, tmp_path):
    (tmp_path / "hostdir").mkdir()
    (tmp_path / "hostdir" / "marker").write_text("from the host\n")
    kubectl = kubelet.apiserver.kubectl
    kubectl("create", "configmap", "settings", "-n", namespace, "--from-literal=greeting=hello config")
    kubectl("create", "secret", "generic", "creds", "-n", namespace, "--from-literal=password=s3cret")
    kubectl("create", "-f", "-", input=json.dumps(_pod(kubelet, namespace, str(tmp_path / "hostdir"))))
    pod = kubelet.wait_phase(namespace, "vols", "Running")
    assert sorted(s["name"] for s in pod["status"]["containerStatuses"]) == ["reader", "writer"]
    want = (f"hello configs3cret\nvols {namespace} 127.0.0.1 plain-value\n/tmp\nfrom the host\nfrom the host\n"
            "hello config s3cret\n")
    kubelet.wait_for("writer's output", lambda: kubectl("logs", "-n", namespace, "vols", "-c", "writer").stdout == want)
    kubelet.wait_for("reader's output", lambda: kubectl("logs", "-n", namespace, "vols", "-c", "reader").stdout
                     == "shared\n")
    uuid = pod["status"]["containerStatuses"][0]["containerID"][len("rkt://"):].split(":")[0]
    manifest = json.loads(kubelet.rkt("cat-manifest", uuid).stdout)
    writer = next(a for a in manifest["apps"] if a["name"] == "writer")
    isolators = {i["name"]: i["value"] for i in writer["app"]["isolators"]}
    assert isolators["resource/memory"] == {"limit": str(64 * 2**20)}
    assert isolators["resource/cpu"] == {"limit": "500m"}
    assert isolators["os/linux/cpu-shares"] == 512  # the request, defaulted from the limit: 500m of 1024
    assert 2 <= isolators["os/linux/oom-score-adj"] <= 999  # Burstable (the reader asks for nothing)
    notes = {a["name"]: a["value"] for a in manifest["annotations"]}
    assert notes["rktnetes.io/pod-uid"] == pod["metadata"]["uid"]
    assert notes["rktnetes.io/pod-namespace"] == namespace and notes["rktnetes.io/pod-name"] == "vols"


def test_memory_empty_dir_is_a_tmpfs_gone_with_the_pod(kubelet, namespace):
    main = {"name": "main", "image": kubelet.image(), "volumeMounts": [{"name": "cache", "mountPath": "/cache"}],
            "command": ["/bin/sh", "-c", "grep ' /cache ' /proc/mounts | cut -d' ' -f1,3; exec sleep 300"]}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "ram", "namespace": namespace},
           "spec": {"nodeName": kubelet.node, "containers": [main], "terminationGracePeriodSeconds": 1,
                    "volumes": [{"name": "cache", "emptyDir": {"medium": "Memory", "sizeLimit": "16Mi"}}]}}
    kubelet.apiserver.kubectl("create", "-f", "-", input=json.dumps(pod))
    kubelet.wait_phase(namespace, "ram", "Running")
    kubelet.wait_for("the mount seen", lambda: kubelet.apiserver.kubectl(
        "logs", "-n", namespace, "ram").stdout == "tmpfs tmpfs\n")
    kubelet.apiserver.kubectl("delete", "pod", "-n", namespace, "ram", "--timeout=60s", timeout=90)
    mounts = [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()]
    assert not [m for m in mounts if m.startswith(str(kubelet.root_dir))]  # unmounted before the final delete
