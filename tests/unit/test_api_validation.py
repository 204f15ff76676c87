"""Defaulting and validation by kind: 422 Invalid with kube-apiserver's field causes."""

from __future__ import annotations

import pytest

from rktnetes.api import defaulting, errors, meta, resources, validation

PODS = resources.lookup("", "v1", "pods")
DEPLOYMENTS = resources.lookup("apps", "v1", "deployments")
SERVICES = resources.lookup("", "v1", "services")


def _pod(**spec) -> dict:
    return {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "p"}, "spec": spec}


def _invalid(obj: dict, resource) -> errors.APIError:
    defaulting.apply_defaults(obj)
    with pytest.raises(errors.APIError) as info:
        validation.validate(obj, resource)
    assert info.value.code == 422
    return info.value


def test_valid_pod_gets_defaults() -> None:
    pod = _pod(containers=[{"name": "c", "image": "busybox", "ports": [{"containerPort": 80}]}])
    defaulting.apply_defaults(pod)
    validation.validate(pod, PODS)
    c = pod["spec"]["containers"][0]
    assert c["imagePullPolicy"] == "Always" and c["ports"][0]["protocol"] == "TCP"
    assert pod["spec"]["restartPolicy"] == "Always" and pod["spec"]["serviceAccountName"] == "default"
    assert pod["status"]["phase"] == "Pending"


def test_tagged_image_pulls_if_not_present() -> None:
    pod = _pod(containers=[{"name": "c", "image": "registry:5000/busybox:1.36"}])
    defaulting.apply_defaults(pod)
    assert pod["spec"]["containers"][0]["imagePullPolicy"] == "IfNotPresent"


def test_pod_without_containers() -> None:
    status = _invalid(_pod(), PODS).status()
    assert status["message"] == 'Pod "p" is invalid: spec.containers: Required value'
    assert status["details"] == {"name": "p", "kind": "Pod", "causes": [
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.containers"}]}


def test_several_causes_are_bracketed() -> None:
    pod = _pod(containers=[{"name": "C", "ports": [{"containerPort": 70000}]}])
    status = _invalid(pod, PODS).status()
    fields = [c["field"] for c in status["details"]["causes"]]
    assert fields == ["spec.containers[0].name", "spec.containers[0].image",
                      "spec.containers[0].ports[0].containerPort"]
    assert status["message"].startswith('Pod "p" is invalid: [spec.containers[0].name: Invalid value: "C": ')


def test_bad_name() -> None:
    pod = _pod(containers=[{"name": "c", "image": "x"}])
    pod["metadata"]["name"] = "Bad_Name"
    assert _invalid(pod, PODS).status()["details"]["causes"][0]["field"] == "metadata.name"


def test_deployment_selector_must_match_template() -> None:
    dep = {"kind": "Deployment", "apiVersion": "apps/v1", "metadata": {"name": "d"},
           "spec": {"selector": {"matchLabels": {"app": "a"}},
                    "template": {"metadata": {"labels": {"app": "b"}},
                                 "spec": {"containers": [{"name": "c", "image": "x"}]}}}}
    status = _invalid(dep, DEPLOYMENTS).status()
    assert status["details"]["group"] == "apps"
    assert status["details"]["causes"][0]["field"] == "spec.template.metadata.labels"


def test_service_port_range() -> None:
    svc = {"kind": "Service", "apiVersion": "v1", "metadata": {"name": "s"}, "spec": {"ports": [{"port": 0}]}}
    assert _invalid(svc, SERVICES).status()["details"]["causes"][0]["field"] == "spec.ports[0].port"


def test_generate_name_and_server_fields() -> None:
    pod = _pod(containers=[{"name": "c", "image": "x"}])
    pod["metadata"] = {"generateName": "web-", "uid": "forged", "resourceVersion": "9"}
    meta.prepare_create(pod, PODS, "ns")
    m = pod["metadata"]
    assert m["name"].startswith("web-") and len(m["name"]) == 9
    assert m["uid"] != "forged" and "resourceVersion" not in m and m["namespace"] == "ns"


def test_generation_bumps_only_on_spec_change() -> None:
    old = {"kind": "Deployment", "metadata": {"name": "d", "generation": 3, "uid": "u"}, "spec": {"replicas": 1}}
    same = {"kind": "Deployment", "metadata": {"name": "d", "labels": {"a": "b"}}, "spec": {"replicas": 1}}
    meta.prepare_update(same, old, DEPLOYMENTS)
    assert same["metadata"]["generation"] == 3 and same["metadata"]["uid"] == "u"
    changed = {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"replicas": 2}}
    meta.prepare_update(changed, old, DEPLOYMENTS)
    assert changed["metadata"]["generation"] == 4


def test_pod_spec_is_immutable_but_images_may_change() -> None:
    from rktnetes.api import immutability

    old = _pod(containers=[{"name": "c", "image": "a"}], nodeName="n1")
    old["metadata"]["name"] = "p"
    new = _pod(containers=[{"name": "c", "image": "b"}], nodeName="n1")
    immutability.validate_update(new, old, PODS)
    moved = _pod(containers=[{"name": "c", "image": "a"}], nodeName="n2")
    with pytest.raises(errors.APIError) as info:
        immutability.validate_update(moved, old, PODS)
    assert info.value.status()["details"]["causes"][0]["field"] == "spec"


def test_workload_selector_is_immutable() -> None:
    from rktnetes.api import immutability

    old = {"metadata": {"name": "d"}, "spec": {"selector": {"matchLabels": {"a": "b"}}}}
    new = {"metadata": {"name": "d"}, "spec": {"selector": {"matchLabels": {"a": "c"}}}}
    with pytest.raises(errors.APIError) as info:
        immutability.validate_update(new, old, DEPLOYMENTS)
    assert "field is immutable" in info.value.status()["message"]


def test_label_and_annotation_syntax() -> None:
    pod = _pod(containers=[{"name": "c", "image": "x"}])
    pod["metadata"]["labels"] = {"good/key": "v", "bad key": "v", "k": "bad value"}
    pod["metadata"]["annotations"] = {"example.com/ok": "anything at all", "-bad": "x"}
    causes = _invalid(pod, PODS).status()["details"]["causes"]
    assert [(c["field"], c["message"].split(":")[1].strip()) for c in causes] == [
        ("metadata.labels", '"bad key"'), ("metadata.labels", '"bad value"'), ("metadata.annotations", '"-bad"')]


def test_config_keys_and_secret_encoding() -> None:
    configmaps, secrets = resources.lookup("", "v1", "configmaps"), resources.lookup("", "v1", "secrets")
    cm = {"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"ok.key": "1", "bad/key": "2"}}
    assert _invalid(cm, configmaps).status()["details"]["causes"][0]["field"] == "data[bad/key]"
    secret = {"kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "not base64!"}}
    with pytest.raises(errors.APIError) as info:
        validation.validate(secret, secrets)
    assert info.value.code == 400
    validation.validate({"kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "aGk="}}, secrets)


def test_pod_admission_qos_tolerations_priority() -> None:
    from rktnetes.api import podpolicy

    def admitted(*resources: dict) -> dict:
        pod = _pod(containers=[{"name": f"c{i}", "image": "x", "resources": r} for i, r in enumerate(resources)])
        defaulting.apply_defaults(pod)
        podpolicy.admit(pod)
        return pod

    assert admitted({})["status"]["qosClass"] == "BestEffort"
    guaranteed = admitted({"limits": {"cpu": "1", "memory": "1Gi"}})
    assert guaranteed["status"]["qosClass"] == "Guaranteed"
    assert guaranteed["spec"]["containers"][0]["resources"]["requests"] == {"cpu": "1", "memory": "1Gi"}
    assert admitted({"requests": {"cpu": "1"}}, {})["status"]["qosClass"] == "Burstable"
    spec = guaranteed["spec"]
    assert spec["priority"] == 0 and [t["key"] for t in spec["tolerations"]] == [
        "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]
