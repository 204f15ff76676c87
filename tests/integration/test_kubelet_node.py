"""The real kubelet registers its Node (capacity, addresses, nodeInfo, conditions), renews its Lease,
serves /healthz over HTTPS, and marks the node NotReady when it stops cleanly."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request

import pytest

from rktnetes.apiserver import certs


def _ready(node: dict) -> str:
    return next((c["status"] for c in node.get("status", {}).get("conditions", []) if c["type"] == "Ready"), "")


def test_node_registers_ready_with_lease_and_goes_not_ready_on_stop(kubelet):
    node = kubelet.wait_for("Ready node", lambda: (n := _node(kubelet)) and _ready(n) == "True" and n)
    status = node["status"]
    assert {"cpu", "memory", "pods", "ephemeral-storage"} <= status["capacity"].keys()
    assert status["capacity"]["pods"] == "110" and int(status["capacity"]["cpu"]) >= 1
    assert {"type": "InternalIP", "address": "127.0.0.1"} in status["addresses"]
    info = status["nodeInfo"]
    assert info["containerRuntimeVersion"].startswith("rkt://") and info["operatingSystem"] == "linux"
    assert info["kubeletVersion"] and info["kernelVersion"] and info["architecture"]
    types = {c["type"]: c["status"] for c in status["conditions"]}
    assert types == {"Ready": "True", "MemoryPressure": "False", "DiskPressure": "False", "PIDPressure": "False"}
    assert status["daemonEndpoints"]["kubeletEndpoint"]["Port"] == kubelet.port
    lease = kubelet.kubectl_json("get", "lease", "-n", "kube-node-lease", kubelet.node)
    assert lease["spec"]["holderIdentity"] == kubelet.node and lease["spec"]["renewTime"]
    assert lease["metadata"]["ownerReferences"][0]["name"] == kubelet.node
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with urllib.request.urlopen(f"https://127.0.0.1:{kubelet.port}/healthz", context=context, timeout=10) as answer:
        assert answer.read() == b"ok"
    assert kubelet.stop() == 0
    assert _ready(_node(kubelet)) == "False"


def test_kubelet_api_needs_a_client_certificate_of_the_cluster_ca(kubelet):
    kubelet.wait_for("Ready node", lambda: (n := _node(kubelet)) and _ready(n) == "True")
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    url = f"https://127.0.0.1:{kubelet.port}/containerLogs/default/nope/main"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, context=context, timeout=10)
    assert refused.value.code == 401
    pki = kubelet.apiserver.data_dir / "pki"
    context.load_cert_chain(pki / "rktnetes-admin.crt", pki / "rktnetes-admin.key")
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(url, context=context, timeout=10)
    assert missing.value.code == 404 and b"not found on this node" in missing.value.read()
    other = certs.ensure_client(kubelet.apiserver.data_dir, "system:node:other", ("system:nodes",))
    as_node = ssl.create_default_context()
    as_node.check_hostname, as_node.verify_mode = False, ssl.CERT_NONE
    as_node.load_cert_chain(other.cert, other.key)
    with pytest.raises(urllib.error.HTTPError) as forbidden:
        urllib.request.urlopen(url, context=as_node, timeout=10)
    assert forbidden.value.code == 403 and b"system:node:other" in forbidden.value.read()


def _node(kubelet) -> dict | None:
    found = kubelet.apiserver.kubectl("get", "node", kubelet.node, "-o", "json", check=False)
    if found.returncode != 0:
        return None
    return json.loads(found.stdout)


def test_node_registers_with_its_labels_and_taints(kubelet):
    kubelet.stop()
    kubelet.apiserver.kubectl("delete", "node", kubelet.node, "--wait=false", check=False)
    kubelet.extra = ["--node-labels=zone=a,tier=edge", "--register-with-taints=dedicated=infra:NoSchedule"]
    kubelet.start()
    node = kubelet.wait_for("Ready node", lambda: (n := _node(kubelet)) and _ready(n) == "True" and n)
    assert node["metadata"]["labels"]["zone"] == "a" and node["metadata"]["labels"]["tier"] == "edge"
    assert {"key": "dedicated", "value": "infra", "effect": "NoSchedule"} in node["spec"]["taints"]
