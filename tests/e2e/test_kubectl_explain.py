"""``kubectl explain`` against our OpenAPI v3 documents, with the kubectl on PATH and the newer side-by-side ones."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def kubectl_binary(minor: int) -> str:
    path = Path(os.path.realpath(shutil.which("kubectl") or "kubectl")).with_name(f"kubectl.1.{minor}")
    if not path.exists():
        pytest.fail(f"{path} is missing")
    return str(path)


def test_explain_pod_spec_containers(apiserver):
    out = apiserver.kubectl("explain", "pod.spec.containers").stdout
    assert "KIND:       Pod" in out and "FIELD: containers <[]Container>" in out
    assert "List of containers belonging to the pod." in out
    assert "name\t<string> -required-" in out and "image\t<string>" in out
    assert "ports\t<[]ContainerPort>" in out


def test_explain_grouped_kind_and_nested_types(apiserver):
    out = apiserver.kubectl("explain", "deployments.spec.template.spec.containers.ports.containerPort").stdout
    assert "GROUP:      apps" in out and "FIELD: containerPort <integer>" in out
    out = apiserver.kubectl("explain", "cronjob.spec.jobTemplate.spec.backoffLimit").stdout
    assert "FIELD: backoffLimit <integer>" in out
    out = apiserver.kubectl("explain", "service.spec.ports.targetPort").stdout
    assert "FIELD: targetPort <" in out and "IntOrString is a type that can hold an int32 or a string." in out


def test_explain_recursive_and_unknown_field(apiserver):
    out = apiserver.kubectl("explain", "configmap", "--recursive").stdout
    assert "binaryData\t<map[string]string>" in out and "data\t<map[string]string>" in out
    bad = apiserver.kubectl("explain", "pod.spec.bogus", check=False)
    assert bad.returncode != 0 and 'field "bogus" does not exist' in bad.stderr


@pytest.mark.parametrize("minor", [27, 28, 29, 30, 31, 33])
def test_explain_with_other_kubectl_versions(apiserver, minor):
    out = apiserver.kubectl("explain", "pod.spec.containers.ports", binary=kubectl_binary(minor)).stdout
    assert "FIELD: ports <[]ContainerPort>" in out and "containerPort\t<integer> -required-" in out
