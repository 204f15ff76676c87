"""kubectl's typed ``create`` commands, which send protobuf bodies (kubectl >= 1.32), and a smoke pass 1.27-1.33."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def get(server, namespace, *what):
    return json.loads(server.kubectl("get", "-n", namespace, *what, "-o", "json").stdout)


def test_create_deployment_keeps_zero_replicas_and_ports(apiserver, namespace):
    apiserver.kubectl("create", "deployment", "web", "-n", namespace, "--image=nginx:1.25", "--replicas=0",
                      "--port=8080")
    d = get(apiserver, namespace, "deployment", "web")
    assert d["spec"]["replicas"] == 0 and d["spec"]["selector"] == {"matchLabels": {"app": "web"}}
    container = d["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "nginx:1.25" and container["ports"][0]["containerPort"] == 8080
    assert "stdin" not in container and "hostPort" not in container["ports"][0]


def test_create_configmap_secret_and_service_account(apiserver, namespace):
    apiserver.kubectl("create", "configmap", "cm", "-n", namespace, "--from-literal=a=1", "--from-literal=b=two")
    assert get(apiserver, namespace, "configmap", "cm")["data"] == {"a": "1", "b": "two"}
    apiserver.kubectl("create", "secret", "generic", "s", "-n", namespace, "--from-literal=pw=hunter2")
    secret = get(apiserver, namespace, "secret", "s")
    assert secret["data"] == {"pw": "aHVudGVyMg=="} and secret["type"] == "Opaque"
    apiserver.kubectl("create", "serviceaccount", "robot", "-n", namespace)
    assert get(apiserver, namespace, "serviceaccount", "robot")["metadata"]["name"] == "robot"


def test_create_namespace_job_cronjob_and_service(apiserver, namespace):
    other = f"{namespace}-x"
    apiserver.kubectl("create", "namespace", other)
    try:
        assert json.loads(apiserver.kubectl("get", "namespace", other, "-o", "json").stdout)["metadata"]["name"] == other
    finally:
        apiserver.kubectl("delete", "namespace", other, "--wait=false", check=False)
    apiserver.kubectl("create", "job", "once", "-n", namespace, "--image=busybox", "--", "echo", "hi")
    job = get(apiserver, namespace, "job", "once")
    assert job["spec"]["template"]["spec"]["containers"][0]["command"] == ["echo", "hi"]
    apiserver.kubectl("create", "cronjob", "tick", "-n", namespace, "--image=busybox", "--schedule=*/5 * * * *")
    assert get(apiserver, namespace, "cronjob", "tick")["spec"]["schedule"] == "*/5 * * * *"
    apiserver.kubectl("create", "service", "clusterip", "svc", "-n", namespace, "--tcp=80:http")
    ports = get(apiserver, namespace, "service", "svc")["spec"]["ports"]
    assert ports[0]["port"] == 80 and ports[0]["targetPort"] == "http"


@pytest.mark.parametrize("minor", range(27, 34))
def test_smoke_create_and_get_with_each_kubectl(apiserver, namespace, minor):
    binary = Path(os.path.realpath(shutil.which("kubectl") or "kubectl")).with_name(f"kubectl.1.{minor}")
    if not binary.exists():
        pytest.fail(f"{binary} is missing")
    name = f"cm{minor}"
    apiserver.kubectl("create", "configmap", name, "-n", namespace, "--from-literal=v=1", binary=str(binary))
    manifest = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{name}-f"}, "data": {"k": "v"}}
    apiserver.kubectl("create", "-n", namespace, "-f", "-", input=json.dumps(manifest), binary=str(binary))
    out = apiserver.kubectl("get", "configmaps", "-n", namespace, binary=str(binary)).stdout
    assert name in out and f"{name}-f" in out


def test_create_role_and_rolebinding(apiserver, namespace):
    apiserver.kubectl("create", "role", "reader", "-n", namespace, "--verb=get,list", "--resource=pods")
    rules = get(apiserver, namespace, "role", "reader")["rules"]
    assert rules == [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]
    apiserver.kubectl("create", "rolebinding", "bind", "-n", namespace, "--role=reader", "--user=bob")
    binding = get(apiserver, namespace, "rolebinding", "bind")
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"}
    assert binding["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "bob"}]
