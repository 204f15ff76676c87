"""A kubelet's own credentials (``cluster.nodecreds``: CN=system:node:NODE, O=system:nodes) against the real API
server with the real kubectl: the node writes its own Node, Lease and the status of pods bound to it; writing
another node's Node, Lease or pods is 403 Forbidden, a Kubernetes Status; reading what a node needs works, but
of Secrets only those its own pods use."""

from __future__ import annotations

import json
import uuid

import pytest
import urllib3
import yaml

from rktnetes.cluster import nodecreds

pytestmark = pytest.mark.integration


@pytest.fixture
def nodes(apiserver, namespace, tmp_path):
    """Two node names, a kubeconfig for the first, and a pod bound to each; everything deleted after."""
    mine, other = (f"n{uuid.uuid4().hex[:6]}-{i}" for i in range(2))
    server = yaml.safe_load(apiserver.kubeconfig.read_text())["clusters"][0]["cluster"]["server"]
    kubeconfig = nodecreds.write_kubeconfig(apiserver.data_dir, server, mine, tmp_path / "node.kubeconfig")
    for name in (mine, other):
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p-{name}", "namespace": namespace},
               "spec": {"nodeName": name, "containers": [{"name": "c", "image": "busybox"}]}}
        apiserver.kubectl("create", "-f", "-", input=json.dumps(pod))
    yield mine, other, kubeconfig
    apiserver.kubectl("delete", "node", mine, other, "--ignore-not-found")
    apiserver.kubectl("delete", "lease", "-n", "kube-node-lease", mine, other, "--ignore-not-found")


def _as_node(apiserver, kubeconfig, *args: str, input: str | None = None):
    return apiserver.kubectl(*args, input=input, check=False, env={"KUBECONFIG": str(kubeconfig)})


def _node(name: str) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}})


def _forbidden(done) -> bool:
    return done.returncode != 0 and "(Forbidden)" in done.stderr


def test_a_node_writes_only_its_own_node(apiserver, nodes):
    mine, other, kubeconfig = nodes
    assert _as_node(apiserver, kubeconfig, "create", "-f", "-", input=_node(mine)).returncode == 0
    assert _forbidden(_as_node(apiserver, kubeconfig, "create", "-f", "-", input=_node(other)))
    apiserver.kubectl("create", "-f", "-", input=_node(other))
    patch = ["-p", '{"metadata":{"labels":{"touched":"yes"}}}']
    assert _as_node(apiserver, kubeconfig, "patch", "node", mine, *patch).returncode == 0
    refused = _as_node(apiserver, kubeconfig, "patch", "node", other, *patch)
    assert _forbidden(refused) and f'node "{mine}" is not allowed to modify node "{other}"' in refused.stderr
    assert _forbidden(_as_node(apiserver, kubeconfig, "delete", "node", other))
    assert "touched" not in apiserver.kubectl("get", "node", other, "-o", "json").stdout
    listed = _as_node(apiserver, kubeconfig, "get", "nodes", "-o", "name")
    assert f"node/{other}" in listed.stdout


def test_a_node_writes_the_status_of_its_own_pods_only(apiserver, nodes, namespace):
    mine, other, kubeconfig = nodes
    status = ["--subresource=status", "--type=merge", "-p", '{"status":{"phase":"Running"}}']
    assert _as_node(apiserver, kubeconfig, "patch", "pod", "-n", namespace, f"p-{mine}", *status).returncode == 0
    assert _forbidden(_as_node(apiserver, kubeconfig, "patch", "pod", "-n", namespace, f"p-{other}", *status))
    spec = ["--type=merge", "-p", '{"metadata":{"labels":{"x":"y"}}}']
    assert _forbidden(_as_node(apiserver, kubeconfig, "patch", "pod", "-n", namespace, f"p-{mine}", *spec))
    assert _forbidden(_as_node(apiserver, kubeconfig, "delete", "pod", "-n", namespace, f"p-{other}"))
    assert _forbidden(_as_node(apiserver, kubeconfig, "run", "x", "-n", namespace, "--image=busybox"))
    assert _as_node(apiserver, kubeconfig, "delete", "pod", "-n", namespace, f"p-{mine}", "--wait=false").returncode == 0
    phase = apiserver.kubectl("get", "pod", "-n", namespace, f"p-{other}", "-o", "jsonpath={.status.phase}").stdout
    assert phase != "Running"


def test_leases_secrets_and_streams(apiserver, nodes, namespace):
    mine, other, kubeconfig = nodes
    for name, ok in ((mine, True), (other, False)):
        lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                 "metadata": {"name": name, "namespace": "kube-node-lease"}, "spec": {"holderIdentity": name}}
        done = _as_node(apiserver, kubeconfig, "create", "-f", "-", input=json.dumps(lease))
        assert (done.returncode == 0) if ok else _forbidden(done), done.stderr
    for name in ("mine", "theirs", "loose"):
        apiserver.kubectl("create", "secret", "generic", name, "-n", namespace, "--from-literal=k=v")
    for owner, secret in ((mine, "mine"), (other, "theirs")):
        volume = {"name": "v", "secret": {"secretName": secret}}
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"s-{owner}", "namespace": namespace},
               "spec": {"nodeName": owner, "volumes": [volume], "containers": [{"name": "c", "image": "busybox"}]}}
        apiserver.kubectl("create", "-f", "-", input=json.dumps(pod))
    assert _as_node(apiserver, kubeconfig, "get", "secret", "mine", "-n", namespace).returncode == 0
    for name in ("theirs", "loose"):  # another node's pod's, nobody's
        refused = _as_node(apiserver, kubeconfig, "get", "secret", name, "-n", namespace)
        assert _forbidden(refused) and f"no relationship found between node '{mine}'" in refused.stderr
    assert _forbidden(_as_node(apiserver, kubeconfig, "get", "secrets", "-A"))
    assert _forbidden(_as_node(apiserver, kubeconfig, "get", "configmaps", "-n", namespace))
    assert _forbidden(_as_node(apiserver, kubeconfig, "create", "namespace", f"x{uuid.uuid4().hex[:6]}"))
    assert _forbidden(_as_node(apiserver, kubeconfig, "exec", "-n", namespace, f"p-{mine}", "--", "true"))


def test_the_refusal_is_a_status(apiserver, nodes):
    mine, other, _ = nodes
    pki = apiserver.data_dir / "pki"
    user, _groups = nodecreds.user_of(mine)
    http = urllib3.PoolManager(ca_certs=str(pki / "ca.crt"), cert_file=str(pki / f"{user}.crt"),
                               key_file=str(pki / f"{user}.key"))
    server = yaml.safe_load(apiserver.kubeconfig.read_text())["clusters"][0]["cluster"]["server"]
    answer = http.request("PATCH", f"{server}/api/v1/nodes/{other}", body=b'{"metadata":{}}',
                          headers={"Content-Type": "application/merge-patch+json"}, timeout=10)
    status = json.loads(answer.data)
    assert answer.status == 403 and status["kind"] == "Status" and status["reason"] == "Forbidden"
    assert status["details"] == {"name": other, "kind": "nodes"} and status["code"] == 403


def test_kubectl_auth_can_i_tells_the_node_what_it_may(apiserver, nodes):
    mine, other, kubeconfig = nodes
    answers = {args: _as_node(apiserver, kubeconfig, "auth", "can-i", *args).stdout.split()[0]
               for args in (("patch", f"node/{mine}"), ("patch", f"node/{other}"), ("list", "secrets", "-A"),
                            ("get", "pods", "-A"), ("create", "namespaces"))}
    assert answers == {("patch", f"node/{mine}"): "yes", ("patch", f"node/{other}"): "no",
                       ("list", "secrets", "-A"): "no", ("get", "pods", "-A"): "yes",
                       ("create", "namespaces"): "no"}, answers
    assert apiserver.kubectl("auth", "can-i", "patch", f"node/{other}").stdout.strip() == "yes"  # the admin
