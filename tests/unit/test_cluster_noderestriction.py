"""The node policy alone (``apiserver.noderestriction.decide``): what a node may do from the request itself."""

from __future__ import annotations

import pytest

from rktnetes.apiserver import auth, nodegraph, noderestriction
from rktnetes.apiserver.negotiation import target


def _why(act: str, path: str, body: dict | None = None) -> str | None:
    return noderestriction.decide("a", act, target(path), body)


@pytest.mark.parametrize(("act", "path", "body"), [
    ("get", "/api/v1/namespaces/x/secrets/s", None),
    ("list", "/api/v1/pods", None),
    ("watch", "/api/v1/nodes", None),
    ("patch", "/api/v1/nodes/a/status", None),
    ("create", "/api/v1/nodes", {"metadata": {"name": "a"}}),
    ("update", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/a", None),
    ("create", "/api/v1/namespaces/x/events", None),
    ("patch", "/api/v1/namespaces/x/pods/p/status", None),
    ("delete", "/api/v1/namespaces/x/pods/p", None),
])
def test_allowed(act, path, body):
    assert _why(act, path, body) is None


@pytest.mark.parametrize(("act", "path", "body", "words"), [
    ("patch", "/api/v1/nodes/b", None, 'modify node "b"'),
    ("create", "/api/v1/nodes", {"metadata": {"name": "b"}}, 'modify node "b"'),
    ("update", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/b", None, "own Lease"),
    ("create", "/apis/coordination.k8s.io/v1/namespaces/default/leases", {"metadata": {"name": "a"}}, "own Lease"),
    ("list", "/api/v1/secrets", None, "may not list secrets"),
    ("watch", "/api/v1/namespaces/x/configmaps", None, "may not watch configmaps"),
    ("patch", "/api/v1/namespaces/x/pods/p", None, "status"),
    ("create", "/api/v1/namespaces/x/pods", None, "status"),
    ("get", "/api/v1/namespaces/x/pods/p/exec", None, "exec"),
    ("create", "/api/v1/namespaces", None, "may not create namespaces"),
    ("deletecollection", "/api/v1/nodes", None, "may not deletecollection nodes"),
])
def test_refused(act, path, body, words):
    assert words in (_why(act, path, body) or "")


def test_who_is_a_node():
    assert auth.node_name(auth.User("system:node:a", ("system:nodes",))) == "a"
    assert auth.node_name(auth.User("system:node:a", ())) is None
    assert auth.node_name(auth.User("system:admin", ("system:nodes",))) is None
    assert auth.node_name(auth.User("system:node:", ("system:nodes",))) is None
    assert auth.node_name(None) is None


def test_what_a_pod_refers_to():
    env = [{"name": "A", "valueFrom": {"secretKeyRef": {"name": "s1", "key": "k"}}},
           {"name": "B", "valueFrom": {"configMapKeyRef": {"name": "c1", "key": "k"}}}, {"name": "C", "value": "x"}]
    pod = {"spec": {"imagePullSecrets": [{"name": "pull"}],
                    "initContainers": [{"envFrom": [{"secretRef": {"name": "s2"}}]}],
                    "containers": [{"env": env, "envFrom": [{"configMapRef": {"name": "c2"}}]}],
                    "volumes": [{"secret": {"secretName": "s3"}}, {"configMap": {"name": "c3"}},
                                {"projected": {"sources": [{"configMap": {"name": "kube-root-ca.crt"}},
                                                           {"secret": {"name": "s4"}},
                                                           {"serviceAccountToken": {"path": "t"}}]}},
                                {"emptyDir": {}}]}}
    assert nodegraph.references(pod) == {("secrets", n) for n in ("pull", "s1", "s2", "s3", "s4")} | {
        ("configmaps", n) for n in ("c1", "c2", "c3", "kube-root-ca.crt")}
    assert nodegraph.references({}) == set()
