"""The real kubectl with the real kubelet and rkt: a pod whose env takes status.podIP through the downward API
prints it, and ``kubectl logs`` shows the address ``kubectl get pod -o jsonpath={.status.podIP}`` reports."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

MANIFEST = """
apiVersion: v1
kind: Pod
metadata:
  name: whoami
spec:
  nodeName: {node}
  terminationGracePeriodSeconds: 0
  containers:
  - name: main
    image: {image}
    command: ["/bin/sh", "-c", "echo my ip is $POD_IP; exec sleep 300"]
    env:
    - name: POD_IP
      valueFrom:
        fieldRef:
          fieldPath: status.podIP
"""


def test_a_pod_printing_pod_ip_logs_its_status_pod_ip(kubelet, namespace):
    kubectl = kubelet.apiserver.kubectl
    kubectl("apply", "-n", namespace, "-f", "-", input=MANIFEST.format(node=kubelet.node, image=kubelet.image()))
    kubectl("wait", "-n", namespace, "--for=condition=Ready", "pod/whoami", "--timeout=90s")
    ip = kubectl("get", "pod", "-n", namespace, "whoami", "-o", "jsonpath={.status.podIP}").stdout
    assert ip.startswith("172.16.28.")
    logs = kubelet.wait_for("the line", lambda: kubectl("logs", "-n", namespace, "whoami").stdout)
    assert logs == f"my ip is {ip}\n"
    wide = kubectl("get", "pod", "-n", namespace, "whoami", "-o", "wide", "--no-headers").stdout.split()
    assert ip in wide
