"""A smoke pass with every kubectl shipped here (1.27–1.33), and the core commands on both store backends."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

MINORS = range(27, 34)
CONFIGMAP = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"applied"},"data":{"a":"1"}}'


def _kubectl(minor: int) -> str:
    found = shutil.which("kubectl")
    if found is None:
        pytest.fail("kubectl is not installed")
    path = Path(found).resolve().with_name(f"kubectl.1.{minor}")
    if not path.exists():
        pytest.skip(f"kubectl 1.{minor} is not installed beside kubectl")
    return str(path)


@pytest.mark.parametrize("minor", MINORS)
def test_kubectl_versions_smoke(apiserver, namespace, minor: int) -> None:
    k, binary = apiserver.kubectl, _kubectl(minor)
    k("create", "deployment", "d", "--image=nginx", "-n", namespace, binary=binary)
    k("apply", "-f", "-", "-n", namespace, input=CONFIGMAP, binary=binary)
    rows = k("get", "deploy,cm", "-n", namespace, binary=binary).stdout
    assert "deployment.apps/d" in rows and "configmap/applied" in rows
    k("scale", "deploy", "d", "--replicas=2", "-n", namespace, binary=binary)
    assert k("get", "deploy", "d", "-n", namespace, "-o", "jsonpath={.spec.replicas}", binary=binary).stdout == "2"
    assert "FIELD: containers" in k("explain", "pod.spec.containers", binary=binary).stdout
    k("delete", "deploy", "d", "-n", namespace, binary=binary)


def test_core_commands_on_each_backend(apiserver_any, namespace_any) -> None:
    k, ns = apiserver_any.kubectl, namespace_any
    k("create", "deployment", "web", "--image=nginx", "--replicas=2", "-n", ns)
    k("apply", "-f", "-", "-n", ns, input=CONFIGMAP)
    k("label", "cm", "applied", "x=y", "-n", ns)
    k("scale", "deploy", "web", "--replicas=3", "-n", ns)
    assert k("get", "cm", "-l", "x=y", "-n", ns, "-o", "name").stdout.strip() == "configmap/applied"
    assert k("get", "deploy", "web", "-n", ns, "-o", "jsonpath={.spec.replicas}").stdout == "3"
    k("delete", "cm", "applied", "-n", ns)
    assert "No resources found" in k("get", "cm", "-l", "x=y", "-n", ns).stderr
