"""Projected volumes on the real kubelet: a service account token the real API server issued for the pod
(and accepts), with downward API labels, mounted where in-cluster clients look for them."""

from __future__ import annotations

import json
import ssl
import urllib.request

SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


def test_projected_service_account_token_and_downward_labels(kubelet, namespace):
    kubelet.wait_for("default service account", lambda: kubelet.apiserver.kubectl(
        "get", "serviceaccount", "default", "-n", namespace, check=False).returncode == 0)
    volume = {"name": "access", "projected": {"sources": [
        {"serviceAccountToken": {"path": "token", "expirationSeconds": 3600}},
        {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"fieldPath": "metadata.namespace"}},
                                   {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}}]}}
    main = {"name": "main", "image": kubelet.image(), "volumeMounts": [{"name": "access", "mountPath": SA_DIR}],
            "command": ["/bin/sh", "-c", f"cat {SA_DIR}/token; echo; cat {SA_DIR}/namespace; echo; "
                        f"cat {SA_DIR}/labels; exec sleep 300"]}
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "incluster", "namespace": namespace, "labels": {"app": "probe"}},
           "spec": {"nodeName": kubelet.node, "containers": [main], "volumes": [volume],
                    "terminationGracePeriodSeconds": 1}}
    kubelet.apiserver.kubectl("create", "-f", "-", input=json.dumps(pod))
    kubelet.wait_phase(namespace, "incluster", "Running")
    out = kubelet.wait_for("the pod's output", lambda: (text := kubelet.apiserver.kubectl(
        "logs", "-n", namespace, "incluster").stdout).count("\n") >= 3 and text)
    token, ns, labels = out.splitlines()[:3]
    assert ns == namespace and labels == 'app="probe"' and token.count(".") == 2
    context = ssl.create_default_context(cafile=str(kubelet.apiserver.data_dir / "pki" / "ca.crt"))
    context.check_hostname = False
    server = json.loads(kubelet.apiserver.kubectl("config", "view", "--minify", "-o", "json").stdout)
    url = server["clusters"][0]["cluster"]["server"] + f"/api/v1/namespaces/{namespace}/pods"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, context=context, timeout=10) as answer:
        assert answer.status == 200 and json.loads(answer.read())["kind"] == "PodList"
