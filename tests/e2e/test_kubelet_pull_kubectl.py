"""The real kubectl with the real kubelet and rkt against the real docker-registry behind htpasswd:
``kubectl create secret docker-registry``, a pod pulling with it reaches Running; a wrong password shows
ImagePullBackOff in ``kubectl get pod``; ``kubectl describe pod`` shows the kubelet's pull events."""

from __future__ import annotations

import json
import re

import pytest

from tests.fixtures.registry import AUTH_PASSWORD, AUTH_USER

pytestmark = pytest.mark.e2e


def _run(kubelet, namespace: str, name: str, image: str, secret: str) -> None:
    overrides = {"spec": {"nodeName": kubelet.node, "imagePullSecrets": [{"name": secret}],
                          "terminationGracePeriodSeconds": 0}}
    kubelet.apiserver.kubectl("run", name, "-n", namespace, f"--image={image}", "--restart=Never",
                              f"--overrides={json.dumps(overrides)}", "--command", "--", "/bin/sh", "-c",
                              "exec sleep 300")


def _status_column(kubelet, namespace: str, name: str) -> str:
    out = kubelet.apiserver.kubectl("get", "pod", "-n", namespace, name, "--no-headers").stdout.split()
    return out[2] if len(out) > 2 else ""


def test_create_secret_docker_registry_then_run_and_a_wrong_password_backs_off(kubelet, namespace, auth_registry):
    kubectl = kubelet.apiserver.kubectl
    for name, password in (("good", AUTH_PASSWORD), ("bad", "wrong-password")):
        kubectl("create", "secret", "docker-registry", name, "-n", namespace, f"--docker-server={auth_registry}",
                f"--docker-username={AUTH_USER}", f"--docker-password={password}")
    image = f"{auth_registry}/private/busybox:latest"
    _run(kubelet, namespace, "pulls", image, "good")
    _run(kubelet, namespace, "denied", image, "bad")
    kubectl("wait", "-n", namespace, "--for=condition=Ready", "pod/pulls", "--timeout=90s")
    assert _status_column(kubelet, namespace, "pulls") == "Running"
    kubelet.wait_for("ImagePullBackOff in kubectl get pod",
                     lambda: _status_column(kubelet, namespace, "denied") == "ImagePullBackOff", timeout=60)
    described = kubectl("describe", "pod", "-n", namespace, "denied").stdout
    assert re.search(r"Normal\s+Pulling\s+.*kubelet\s+Pulling image \"" + re.escape(image), described)
    assert re.search(r"Warning\s+Failed\s+.*Failed to pull image \"" + re.escape(image) + r"\": .*401", described)
    assert re.search(r"Normal\s+BackOff\s+.*Back-off pulling image", described)
    assert re.search(r"Reason:\s+(ImagePullBackOff|ErrImagePull)", described)
    good = kubectl("describe", "pod", "-n", namespace, "pulls").stdout
    assert re.search(r"Normal\s+Pulled\s+.*Successfully pulled image \"" + re.escape(image) + r"\" in \S+ \(", good)
