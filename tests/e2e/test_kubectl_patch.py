"""kubectl create -f / apply -f (client- and server-side) / patch of every type, and the Python client's apply."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.e2e


def deployment(name: str, replicas: int = 2, env: list | None = None, containers: list | None = None) -> str:
    containers = containers or [{"name": "app", "image": "nginx", "env": env or [{"name": "A", "value": "1"}]}]
    return json.dumps({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "labels": {"app": name}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": containers}}}})


def get(server, namespace, *what, managed=False):
    extra = ["--show-managed-fields"] if managed else []
    return json.loads(server.kubectl("get", "-n", namespace, *what, "-o", "json", *extra).stdout)


def test_create_and_client_side_apply_merge_strategically(apiserver, namespace):
    apiserver.kubectl("create", "-n", namespace, "-f", "-", input=deployment("d1"))
    apiserver.kubectl("apply", "-n", namespace, "-f", "-", input=deployment("d1", replicas=3))
    two = [{"name": "app", "image": "nginx:2", "env": [{"name": "B", "value": "2"}]},
           {"name": "side", "image": "busybox"}]
    apiserver.kubectl("apply", "-n", namespace, "-f", "-", input=deployment("d1", 3, containers=two))
    d = get(apiserver, namespace, "deployment", "d1")
    containers = d["spec"]["template"]["spec"]["containers"]
    assert d["spec"]["replicas"] == 3 and [c["name"] for c in containers] == ["app", "side"]
    assert containers[0]["image"] == "nginx:2" and containers[0]["env"] == [{"name": "B", "value": "2"}]
    apiserver.kubectl("apply", "-n", namespace, "-f", "-", input=deployment("d1", 3, containers=two[1:]))
    d = get(apiserver, namespace, "deployment", "d1")
    assert [c["name"] for c in d["spec"]["template"]["spec"]["containers"]] == ["side"]


def test_patch_json_merge_and_strategic(apiserver, namespace):
    apiserver.kubectl("create", "-n", namespace, "-f", "-", input=deployment("d2"))
    apiserver.kubectl("patch", "-n", namespace, "deployment", "d2", "--type=json",
                      "-p", '[{"op":"replace","path":"/spec/replicas","value":4}]')
    apiserver.kubectl("patch", "-n", namespace, "deployment", "d2", "--type=merge",
                      "-p", '{"metadata":{"labels":{"tier":"web"}}}')
    apiserver.kubectl("patch", "-n", namespace, "deployment", "d2", "--type=strategic", "-p",
                      '{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"C","value":"3"}]}]}}}}')
    d = get(apiserver, namespace, "deployment", "d2")
    assert d["spec"]["replicas"] == 4 and d["metadata"]["labels"] == {"app": "d2", "tier": "web"}
    env = d["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env == [{"name": "A", "value": "1"}, {"name": "C", "value": "3"}]
    apiserver.kubectl("patch", "-n", namespace, "deployment", "d2", "-p",
                      '{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"A","$patch":"delete"}]}]}}}}')
    env = get(apiserver, namespace, "deployment", "d2")["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env == [{"name": "C", "value": "3"}]


def test_bad_patches_are_refused(apiserver, namespace):
    apiserver.kubectl("create", "-n", namespace, "-f", "-", input=deployment("d3"))
    bad = apiserver.kubectl("patch", "-n", namespace, "deployment", "d3", "--type=json",
                            "-p", '[{"op":"remove","path":"/spec/nothing"}]', check=False)
    assert bad.returncode != 0 and "invalid" in bad.stderr.lower()
    bad = apiserver.kubectl("patch", "-n", namespace, "deployment", "d3", "-p",
                            '{"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}', check=False)
    assert bad.returncode != 0 and "merge key" in bad.stderr


def test_server_side_apply_owns_fields_and_conflicts(apiserver, namespace):
    apiserver.kubectl("apply", "--server-side", "-n", namespace, "-f", "-", input=deployment("d4"))
    d = get(apiserver, namespace, "deployment", "d4", managed=True)
    entry = next(e for e in d["metadata"]["managedFields"] if e["manager"] == "kubectl")
    assert entry["operation"] == "Apply" and entry["fieldsType"] == "FieldsV1"
    assert "f:replicas" in entry["fieldsV1"]["f:spec"]
    bad = apiserver.kubectl("apply", "--server-side", "--field-manager=other", "-n", namespace, "-f", "-",
                            input=deployment("d4", replicas=5), check=False)
    assert bad.returncode != 0 and 'conflict with "kubectl"' in bad.stderr and ".spec.replicas" in bad.stderr
    apiserver.kubectl("apply", "--server-side", "--field-manager=other", "--force-conflicts", "-n", namespace,
                      "-f", "-", input=deployment("d4", replicas=5))
    d = get(apiserver, namespace, "deployment", "d4", managed=True)
    owners = {e["manager"]: e["fieldsV1"] for e in d["metadata"]["managedFields"]}
    assert d["spec"]["replicas"] == 5 and "f:replicas" not in owners["kubectl"]["f:spec"]
    assert "f:replicas" in owners["other"]["f:spec"]


def test_server_side_apply_removes_dropped_fields(apiserver, namespace):
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1", "b": "2"}}
    apiserver.kubectl("apply", "--server-side", "-n", namespace, "-f", "-", input=json.dumps(cm))
    cm["data"] = {"a": "1"}
    apiserver.kubectl("apply", "--server-side", "-n", namespace, "-f", "-", input=json.dumps(cm))
    assert get(apiserver, namespace, "configmap", "c")["data"] == {"a": "1"}


def test_python_client_create_from_yaml_apply(apiserver, namespace):
    from kubernetes import utils

    client = apiserver.client()
    try:
        doc = yaml.safe_load(deployment("d5"))
        utils.create_from_dict(client, doc, namespace=namespace, apply=True)
        doc["spec"]["replicas"] = 1
        utils.create_from_dict(client, doc, namespace=namespace, apply=True)
    finally:
        client.close()
    d = get(apiserver, namespace, "deployment", "d5", managed=True)
    assert d["spec"]["replicas"] == 1
    assert [e["operation"] for e in d["metadata"]["managedFields"]] == ["Apply"]


def test_patch_owner_conflicts_with_server_side_apply(apiserver, namespace):
    apiserver.kubectl("apply", "--server-side", "-n", namespace, "-f", "-", input=deployment("d6"))
    apiserver.kubectl("patch", "-n", namespace, "deployment", "d6", "--field-manager=scaler", "--type=merge",
                      "-p", '{"spec":{"replicas":7}}')
    d = get(apiserver, namespace, "deployment", "d6", managed=True)
    assert {(e["manager"], e["operation"]) for e in d["metadata"]["managedFields"]} >= {("scaler", "Update")}
    bad = apiserver.kubectl("apply", "--server-side", "-n", namespace, "-f", "-", input=deployment("d6"),
                            check=False)
    assert bad.returncode != 0 and 'conflict with "scaler"' in bad.stderr


def test_server_side_apply_service_ports_keyed_with_defaults(apiserver, namespace):
    def svc(dns_port: int) -> str:
        return json.dumps({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                           "spec": {"selector": {"app": "x"}, "ports": [
                               {"name": "http", "port": 80, "targetPort": 8080},
                               {"name": "dns", "port": dns_port, "protocol": "UDP"}]}})

    for dns_port in (53, 53, 5353):
        apiserver.kubectl("apply", "--server-side", "-n", namespace, "-f", "-", input=svc(dns_port))
    ports = get(apiserver, namespace, "service", "s")["spec"]["ports"]
    assert [(p["name"], p["port"], p["protocol"]) for p in ports] == [("http", 80, "TCP"), ("dns", 5353, "UDP")]


@pytest.mark.parametrize("minor", [27, 28])
def test_client_side_apply_with_kubectl_reading_openapi_v2(apiserver, namespace, minor):
    binary = str(Path(os.path.realpath(shutil.which("kubectl") or "kubectl")).with_name(f"kubectl.1.{minor}"))
    name = f"old{minor}"
    apiserver.kubectl("apply", "-n", namespace, "-f", "-", input=deployment(name), binary=binary)
    env = [{"name": "A", "value": "2"}, {"name": "Z", "value": "9"}]
    apiserver.kubectl("apply", "-n", namespace, "-f", "-", input=deployment(name, 1, env=env), binary=binary)
    d = get(apiserver, namespace, "deployment", name)
    assert d["spec"]["replicas"] == 1 and d["spec"]["template"]["spec"]["containers"][0]["env"] == env


def test_python_client_patch_types(apiserver, namespace):
    from kubernetes import client as k8s

    api_client = apiserver.client()
    try:
        core = k8s.CoreV1Api(api_client)
        core.create_namespaced_config_map(namespace, {"metadata": {"name": "pc", "labels": {"a": "1"}},
                                                      "data": {"x": "1"}})
        core.patch_namespaced_config_map("pc", namespace, {"data": {"y": "2"}})
        core.patch_namespaced_config_map("pc", namespace, [{"op": "add", "path": "/data/z", "value": "3"}])
        core.patch_namespaced_config_map("pc", namespace, {"metadata": {"labels": {"a": None}}},
                                         _content_type="application/merge-patch+json")
        cm = core.read_namespaced_config_map("pc", namespace)
    finally:
        api_client.close()
    assert cm.data == {"x": "1", "y": "2", "z": "3"} and not cm.metadata.labels


def test_strict_validation_refuses_unknown_fields_and_warn_warns(apiserver, namespace):
    doc = json.loads(deployment("d7"))
    doc["spec"]["bogusField"] = 1
    doc["spec"]["template"]["spec"]["containers"][0]["imagee"] = "typo"
    for verb in ("create", "apply"):
        bad = apiserver.kubectl(verb, "-n", namespace, "-f", "-", input=json.dumps(doc), check=False)
        assert bad.returncode != 0 and 'unknown field "spec.bogusField"' in bad.stderr
        assert 'unknown field "spec.template.spec.containers[0].imagee"' in bad.stderr
    ok = apiserver.kubectl("create", "--validate=warn", "-n", namespace, "-f", "-", input=json.dumps(doc))
    assert 'unknown field "spec.bogusField"' in ok.stderr
    assert "bogusField" not in get(apiserver, namespace, "deployment", "d7")["spec"]


def test_create_records_the_creator_and_apply_conflicts_with_it(apiserver, namespace):
    apiserver.kubectl("create", "-n", namespace, "-f", "-", input=deployment("d8"))
    d = get(apiserver, namespace, "deployment", "d8", managed=True)
    assert [(e["manager"], e["operation"]) for e in d["metadata"]["managedFields"]] == [("kubectl-create", "Update")]
    bad = apiserver.kubectl("apply", "--server-side", "-n", namespace, "-f", "-", input=deployment("d8", 4),
                            check=False)
    assert bad.returncode != 0 and 'conflict with "kubectl-create"' in bad.stderr


def test_client_side_apply_migrates_to_server_side(apiserver, namespace):
    apiserver.kubectl("apply", "-n", namespace, "-f", "-", input=deployment("d9"))
    apiserver.kubectl("apply", "--server-side", "-n", namespace, "-f", "-", input=deployment("d9"))
    d = get(apiserver, namespace, "deployment", "d9", managed=True)
    assert ("kubectl", "Apply") in {(e["manager"], e["operation"]) for e in d["metadata"]["managedFields"]}
    assert "kubectl-client-side-apply" not in {e["manager"] for e in d["metadata"]["managedFields"]}
    apiserver.kubectl("apply", "--server-side", "-n", namespace, "-f", "-", input=deployment("d9", 6))
    assert get(apiserver, namespace, "deployment", "d9")["spec"]["replicas"] == 6


def test_status_patch_is_owned_apart_from_the_applier(apiserver, namespace):
    apiserver.kubectl("apply", "--server-side", "-n", namespace, "-f", "-", input=deployment("d10"))
    apiserver.kubectl("patch", "-n", namespace, "deployment", "d10", "--subresource=status", "--type=merge",
                      "-p", '{"status":{"replicas":3}}')
    d = get(apiserver, namespace, "deployment", "d10", managed=True)
    owners = {(e["manager"], e["operation"], e.get("subresource", "")) for e in d["metadata"]["managedFields"]}
    assert {("kubectl", "Apply", ""), ("kubectl-patch", "Update", "status")} <= owners
