"""The real kubectl (1.32) against the real server: create/apply/get/describe/edit/patch/label/annotate/scale/
delete/explain/api-resources, and typed ``kubectl create`` (protobuf bodies)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import time

import pytest
import yaml

pytestmark = pytest.mark.e2e

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports: [{containerPort: 80}]
"""
POD = """
apiVersion: v1
kind: Pod
metadata: {name: p1, labels: {tier: front}}
spec:
  containers: [{name: c, image: busybox}]
"""


def test_create_get_describe_delete(apiserver, namespace) -> None:
    k = apiserver.kubectl
    out = k("create", "-n", namespace, "-f", "-", input=DEPLOYMENT + "---" + POD).stdout
    assert "deployment.apps/web created" in out and "pod/p1 created" in out
    lines = k("get", "pods", "-n", namespace, "-o", "wide", "--show-labels").stdout.splitlines()
    assert lines[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED", "NODE",
                                "READINESS", "GATES", "LABELS"]
    assert lines[1].split()[:4] == ["p1", "0/1", "Pending", "0"] and lines[1].split()[-1] == "tier=front"
    got = yaml.safe_load(k("get", "deploy", "web", "-n", namespace, "-o", "yaml").stdout)
    assert got["spec"]["strategy"]["type"] == "RollingUpdate" and got["metadata"]["generation"] == 1
    assert k("get", "deploy", "-n", namespace, "-o", "jsonpath={.items[*].spec.replicas}").stdout == "2"
    described = k("describe", "deploy", "web", "-n", namespace).stdout
    assert "Replicas:               2 desired" in described and "nginx:1.25" in described
    every = k("get", "all", "-n", namespace).stdout
    assert "pod/p1" in every and "deployment.apps/web" in every
    assert 'pod "p1" deleted' in k("delete", "pod", "p1", "-n", namespace).stdout
    missing = k("get", "pod", "p1", "-n", namespace, check=False)
    assert missing.returncode == 1 and 'pods "p1" not found' in missing.stderr


def test_apply_client_and_server_side(apiserver, namespace) -> None:
    k = apiserver.kubectl
    assert "created" in k("apply", "-n", namespace, "-f", "-", input=DEPLOYMENT).stdout
    changed = DEPLOYMENT.replace("replicas: 2", "replicas: 3")
    assert "configured" in k("apply", "-n", namespace, "-f", "-", input=changed).stdout
    assert k("get", "deploy", "web", "-n", namespace, "-o", "jsonpath={.spec.replicas}").stdout == "3"
    ssa = DEPLOYMENT.replace("name: web\n", "name: ssa\n", 1)
    assert "serverside-applied" in k("apply", "--server-side", "-n", namespace, "-f", "-", input=ssa).stdout
    got = json.loads(k("get", "deploy", "ssa", "-n", namespace, "-o", "json", "--show-managed-fields").stdout)
    assert any(m["manager"] == "kubectl" and m["operation"] == "Apply" for m in got["metadata"]["managedFields"])


def test_label_annotate_scale_patch(apiserver, namespace) -> None:
    k = apiserver.kubectl
    k("create", "-n", namespace, "-f", "-", input=DEPLOYMENT)
    k("label", "deploy", "web", "-n", namespace, "env=prod")
    k("annotate", "deploy", "web", "-n", namespace, "note=hi")
    assert k("get", "deploy", "-n", namespace, "-l", "env=prod", "-o", "name").stdout.strip() == "deployment.apps/web"
    assert "scaled" in k("scale", "deploy", "web", "-n", namespace, "--replicas=5").stdout
    k("patch", "deploy", "web", "-n", namespace, "-p", '{"metadata":{"annotations":{"s":"1"}}}')
    k("patch", "deploy", "web", "-n", namespace, "--type=merge", "-p", '{"metadata":{"annotations":{"m":"2"}}}')
    k("patch", "deploy", "web", "-n", namespace, "--type=json", "-p",
      '[{"op":"add","path":"/metadata/annotations/j","value":"3"}]')
    got = json.loads(k("get", "deploy", "web", "-n", namespace, "-o", "json").stdout)
    assert got["spec"]["replicas"] == 5
    assert {"note": "hi", "s": "1", "m": "2", "j": "3"}.items() <= got["metadata"]["annotations"].items()
    assert got["metadata"]["labels"]["env"] == "prod"


def test_edit_with_editor_script(apiserver, namespace, tmp_path) -> None:
    k = apiserver.kubectl
    k("create", "-n", namespace, "-f", "-", input=DEPLOYMENT)
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/replicas: 2/replicas: 4/' \"$1\"\n")
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    assert "edited" in k("edit", "deploy", "web", "-n", namespace, env={"EDITOR": str(editor)}).stdout
    assert k("get", "deploy", "web", "-n", namespace, "-o", "jsonpath={.spec.replicas}").stdout == "4"


def _lines_until(queue: list[str], predicate, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate(queue):
            return True
        time.sleep(0.1)
    return predicate(queue)


def test_get_watch(apiserver, namespace) -> None:
    import threading

    apiserver.kubectl("create", "configmap", "first", "-n", namespace)
    watcher = subprocess.Popen(["kubectl", "get", "configmaps", "-n", namespace, "-w", "--request-timeout=0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=apiserver.env())
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(watcher.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        assert _lines_until(lines, lambda ls: any(line.startswith("first") for line in ls))
        apiserver.kubectl("create", "configmap", "seen", "-n", namespace, "--from-literal=a=b")
        apiserver.kubectl("label", "configmap", "seen", "-n", namespace, "x=y")
        assert _lines_until(lines, lambda ls: sum(line.startswith("seen") for line in ls) == 2)
    finally:
        watcher.terminate()
        watcher.wait(timeout=10)
    assert lines[0].split() == ["NAME", "DATA", "AGE"]
    assert [line.split()[:2] for line in lines[1:]] == [["first", "0"], ["seen", "1"], ["seen", "1"]]


def test_typed_create_commands(apiserver, namespace) -> None:
    k = apiserver.kubectl
    k("create", "deployment", "dep", "--image=nginx", "--replicas=2", "-n", namespace)
    k("create", "configmap", "cm", "--from-literal=a=b", "-n", namespace)
    k("create", "secret", "generic", "sec", "--from-literal=x=y", "-n", namespace)
    k("create", "job", "job", "--image=busybox", "-n", namespace, "--", "true")
    k("create", "serviceaccount", "robot", "-n", namespace)
    names = k("get", "deploy,cm,secret,job,sa", "-n", namespace, "-o", "name").stdout.split()
    assert {"deployment.apps/dep", "configmap/cm", "secret/sec", "job.batch/job", "serviceaccount/robot",
            "serviceaccount/default"} <= set(names)
    job = json.loads(k("get", "job", "job", "-n", namespace, "-o", "json").stdout)
    assert job["spec"]["template"]["metadata"]["labels"]["job-name"] == "job"


def test_namespace_create_and_delete(apiserver) -> None:
    k = apiserver.kubectl
    name = f"ns-{os.getpid()}"
    k("create", "namespace", name)
    k("create", "configmap", "inside", "-n", name)
    assert "default" in k("get", "serviceaccounts", "-n", name, "-o", "name").stdout
    k("delete", "namespace", name, "--timeout=30s")
    assert k("get", "namespace", name, check=False).returncode == 1


def test_api_resources_and_explain(apiserver) -> None:
    k = apiserver.kubectl
    lines = k("api-resources").stdout.splitlines()[1:]
    rows = {line.split()[0]: line.split() for line in lines if "metrics.k8s.io/" not in line}  # its pods, nodes too
    assert rows["pods"][1:] == ["po", "v1", "true", "Pod"]
    assert rows["deployments"][1:] == ["deploy", "apps/v1", "true", "Deployment"]
    assert k("api-resources", "--namespaced=false", "-o", "name").stdout.split().count("namespaces") == 1
    assert "FIELD: containers <[]Container>" in k("explain", "pod.spec.containers").stdout


def test_invalid_object_is_refused_with_causes(apiserver, namespace) -> None:
    bad = POD.replace("image: busybox", "image: ''")
    result = apiserver.kubectl("create", "-n", namespace, "-f", "-", input=bad, check=False)
    assert result.returncode == 1
    assert 'The Pod "p1" is invalid: spec.containers[0].image: Required value' in result.stderr


def test_rbac_kinds_from_files(apiserver, namespace) -> None:
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "reader"},
            "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]}
    binding = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "rb"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
               "subjects": [{"kind": "User", "name": "bob"}]}
    apiserver.kubectl("apply", "-n", namespace, "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List",
                                                                           "items": [role, binding]}))
    rows = apiserver.kubectl("get", "rolebindings", "-n", namespace, "-o", "wide").stdout.splitlines()
    assert rows[0].split()[:3] == ["NAME", "ROLE", "AGE"] and rows[1].split()[:2] == ["rb", "Role/reader"]
    assert "bob" in rows[1]


def test_strict_validation_refuses_unknown_fields(apiserver, namespace) -> None:
    typo = POD.replace("containers:", "contianers: []\n  containers:")
    result = apiserver.kubectl("create", "-n", namespace, "-f", "-", input=typo, check=False)
    assert result.returncode == 1 and 'unknown field "spec.contianers"' in result.stderr


def test_auth_can_i(apiserver) -> None:
    assert apiserver.kubectl("auth", "can-i", "create", "pods").stdout.strip() == "yes"
