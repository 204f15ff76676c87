"""Unit tests of JSON / merge / strategic merge patches and server-side apply (no server)."""

from __future__ import annotations

import orjson
import pytest

from rktnetes.api import errors, patching, resources

PODS = resources.lookup("", "v1", "pods")
DEPLOYMENTS = resources.lookup("apps", "v1", "deployments")
CONFIGMAPS = resources.lookup("", "v1", "configmaps")


def pod(**spec):
    base = {"containers": [{"name": "a", "image": "busybox", "env": [{"name": "X", "value": "1"}]},
                           {"name": "b", "image": "nginx"}]}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"app": "x", "tier": "web"},
            "finalizers": ["f1"]}, "spec": {**base, **spec}}


def smp(current, patch, resource=PODS):
    return patching.apply_patch(patching.STRATEGIC_PATCH, current, orjson.dumps(patch), resource, manager="t")


def test_strategic_merges_containers_by_name_and_deletes_labels():
    out = smp(pod(), {"metadata": {"labels": {"tier": None, "new": "1"}},
                      "spec": {"containers": [{"name": "b", "image": "nginx:2"}, {"name": "c", "image": "c"}]}})
    assert out["metadata"]["labels"] == {"app": "x", "new": "1"}
    assert [(c["name"], c["image"]) for c in out["spec"]["containers"]] == [("a", "busybox"), ("b", "nginx:2"),
                                                                           ("c", "c")]
    assert out["spec"]["containers"][0]["env"] == [{"name": "X", "value": "1"}]


def test_strategic_directives_delete_replace_order_primitive():
    out = smp(pod(), {"spec": {"containers": [{"name": "a", "$patch": "delete"}]}})
    assert [c["name"] for c in out["spec"]["containers"]] == ["b"]
    out = smp(pod(), {"spec": {"containers": [{"name": "z", "image": "z"}, {"$patch": "replace"}]}})
    assert out["spec"]["containers"] == [{"name": "z", "image": "z"}]
    out = smp(pod(), {"metadata": {"labels": {"$patch": "replace", "only": "1"}}})
    assert out["metadata"]["labels"] == {"only": "1"}
    out = smp(pod(), {"spec": {"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}]}})
    assert [c["name"] for c in out["spec"]["containers"]] == ["b", "a"]
    out = smp(pod(), {"metadata": {"$deleteFromPrimitiveList/finalizers": ["f1"]}})
    assert out["metadata"]["finalizers"] == []
    out = smp(pod(), {"metadata": {"finalizers": ["f2"]}})
    assert out["metadata"]["finalizers"] == ["f1", "f2"]


def test_strategic_retain_keys_and_replaced_lists():
    deploy = {"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}}
    out = smp(deploy, {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}, DEPLOYMENTS)
    assert out["spec"]["strategy"] == {"type": "Recreate"}
    out = smp(pod(tolerations=[{"key": "a"}]), {"spec": {"tolerations": [{"key": "b"}]}})
    assert out["spec"]["tolerations"] == [{"key": "b"}]


def test_strategic_rejects_missing_merge_key_and_bad_directive():
    with pytest.raises(errors.APIError) as e:
        smp(pod(), {"spec": {"containers": [{"image": "x"}]}})
    assert e.value.code == 422
    with pytest.raises(errors.APIError):
        smp(pod(), {"spec": {"$patch": "explode"}})


def test_json_and_merge_patch():
    out = patching.apply_patch(patching.JSON_PATCH, pod(), b'[{"op":"replace","path":"/spec/containers/0/image",'
                               b'"value":"x"},{"op":"add","path":"/metadata/labels/n","value":"1"}]', PODS, manager="t")
    assert out["spec"]["containers"][0]["image"] == "x" and out["metadata"]["labels"]["n"] == "1"
    with pytest.raises(errors.APIError) as e:
        patching.apply_patch(patching.JSON_PATCH, pod(), b'[{"op":"remove","path":"/nope"}]', PODS, manager="t")
    assert e.value.code == 422
    with pytest.raises(errors.APIError) as e:
        patching.apply_patch(patching.JSON_PATCH, pod(), b"{not json", PODS, manager="t")
    assert e.value.code == 400
    out = patching.apply_patch(patching.MERGE_PATCH, pod(), b'{"spec":{"containers":[{"name":"q"}]},'
                               b'"metadata":{"labels":{"app":null}}}', PODS, manager="t")
    assert out["spec"]["containers"] == [{"name": "q"}] and out["metadata"]["labels"] == {"tier": "web"}


def test_unknown_patch_type_is_415():
    with pytest.raises(errors.APIError) as e:
        patching.apply_patch("text/plain", pod(), b"{}", PODS, manager="t")
    assert e.value.code == 415


def cm(data, **meta):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", **meta}, "data": data}


def ssa(current, config, manager="m1", force=False):
    return patching.apply_patch(patching.APPLY_PATCH, current, orjson.dumps(config), CONFIGMAPS, manager=manager,
                                force=force)


def owners(obj):
    return {(e["manager"], e["operation"]): e["fieldsV1"] for e in obj["metadata"]["managedFields"]}


def test_apply_creates_and_records_managed_fields():
    out = ssa(None, cm({"a": "1"}, labels={"l": "v"}))
    assert out["data"] == {"a": "1"}
    assert owners(out) == {("m1", "Apply"): {"f:data": {"f:a": {}}, "f:metadata": {"f:labels": {"f:l": {}}}}}
    entry = out["metadata"]["managedFields"][0]
    assert entry["fieldsType"] == "FieldsV1" and entry["apiVersion"] == "v1" and entry["time"].endswith("Z")


def test_apply_conflicts_with_other_manager_unless_forced():
    first = ssa(None, cm({"a": "1", "b": "2"}))
    same = ssa(first, cm({"a": "1"}), manager="m2")
    assert set(owners(same)) == {("m1", "Apply"), ("m2", "Apply")}
    with pytest.raises(errors.APIError) as e:
        ssa(first, cm({"a": "changed"}), manager="m2")
    assert e.value.code == 409 and e.value.reason == "Conflict"
    assert e.value.details["causes"][0] == {"reason": "FieldManagerConflict", "field": ".data.a",
                                            "message": 'conflict with "m1" using v1'}
    forced = ssa(first, cm({"a": "changed"}), manager="m2", force=True)
    assert forced["data"] == {"a": "changed", "b": "2"}
    assert owners(forced)[("m1", "Apply")] == {"f:data": {"f:b": {}}}


def test_apply_removes_fields_the_manager_dropped_unless_shared():
    first = ssa(None, cm({"a": "1", "b": "2"}))
    out = ssa(first, cm({"a": "1"}))
    assert out["data"] == {"a": "1"}
    shared = ssa(first, cm({"b": "2"}), manager="m2")
    out = ssa(shared, cm({"a": "1"}))
    assert out["data"] == {"a": "1", "b": "2"}


def test_apply_merges_containers_by_name_and_keys_elements():
    base = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "a", "image": "i", "ports": [{"containerPort": 80}]}]}}
    out = patching.apply_patch(patching.APPLY_PATCH, None, orjson.dumps(base), PODS, manager="k")
    tree = owners(out)[("k", "Apply")]["f:spec"]["f:containers"]['k:{"name":"a"}']
    assert tree["."] == {} and "f:image" in tree and 'k:{"containerPort":80,"protocol":"TCP"}' in tree["f:ports"]
    other = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
             "spec": {"containers": [{"name": "b", "image": "j"}]}}
    out = patching.apply_patch(patching.APPLY_PATCH, out, orjson.dumps(other), PODS, manager="k2")
    assert [c["name"] for c in out["spec"]["containers"]] == ["a", "b"]


def test_apply_needs_kind_and_matching_type():
    with pytest.raises(errors.APIError) as e:
        ssa(None, {"metadata": {"name": "c"}})
    assert e.value.code == 400
    with pytest.raises(errors.APIError):
        patching.apply_patch(patching.APPLY_PATCH, None, b"kind: Pod\napiVersion: v1\n", CONFIGMAPS, manager="m")


def test_record_update_takes_changed_fields():
    from rktnetes.api import applying
    first = ssa(None, cm({"a": "1", "b": "2"}))
    new = {**first, "data": {"a": "9", "b": "2"}}
    out = applying.record_update(first, new, "editor", CONFIGMAPS)
    assert owners(out)[("editor", "Update")] == {"f:data": {"f:a": {}}}
    assert owners(out)[("m1", "Apply")] == {"f:data": {"f:b": {}}}
    created = applying.record_update(None, cm({"a": "1"}), "kubectl-create", CONFIGMAPS)
    assert owners(created) == {("kubectl-create", "Update"): {"f:data": {"f:a": {}}}}


def test_non_apply_patches_record_update_ownership_and_then_conflict():
    first = ssa(None, cm({"a": "1"}))
    patched = patching.apply_patch(patching.MERGE_PATCH, first, b'{"data":{"a":"2"}}', CONFIGMAPS, manager="patcher")
    assert owners(patched) == {("patcher", "Update"): {"f:data": {"f:a": {}}}}
    with pytest.raises(errors.APIError) as e:
        ssa(patched, cm({"a": "3"}))
    assert 'conflict with "patcher"' in e.value.message


def test_apply_matches_defaulted_keys_and_replaces_dropped_elements():
    services = resources.lookup("", "v1", "services")

    def svc(*ports):
        return orjson.dumps({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                             "spec": {"ports": [dict(p) for p in ports]}})

    http, dns = {"name": "http", "port": 80}, {"name": "dns", "port": 53, "protocol": "UDP"}
    out = patching.apply_patch(patching.APPLY_PATCH, None, svc(http, dns), services, manager="k")
    out["spec"]["ports"][0]["protocol"] = "TCP"  # what defaulting stores
    again = patching.apply_patch(patching.APPLY_PATCH, out, svc(http, dns), services, manager="k")
    assert [p["port"] for p in again["spec"]["ports"]] == [80, 53]
    moved = patching.apply_patch(patching.APPLY_PATCH, again, svc(http, {**dns, "port": 5353}), services, manager="k")
    assert moved["spec"]["ports"] == [{"name": "http", "port": 80, "protocol": "TCP"},
                                      {"name": "dns", "port": 5353, "protocol": "UDP"}]


def test_strategic_retain_keys_inside_list_elements():
    current = pod(volumes=[{"name": "v", "emptyDir": {}}, {"name": "w", "hostPath": {"path": "/x"}}])
    out = smp(current, {"spec": {"volumes": [{"name": "v", "configMap": {"name": "cm"},
                                              "$retainKeys": ["configMap", "name"]}]}})
    assert out["spec"]["volumes"] == [{"name": "v", "configMap": {"name": "cm"}},
                                      {"name": "w", "hostPath": {"path": "/x"}}]


def test_writes_that_change_managed_fields_replace_them():
    from rktnetes.api import applying

    first = ssa(None, cm({"a": "1"}))
    moved = [{**first["metadata"]["managedFields"][0], "manager": "renamed"}]
    patched = patching.apply_patch(patching.JSON_PATCH, first, orjson.dumps(
        [{"op": "replace", "path": "/metadata/managedFields", "value": moved}]), CONFIGMAPS, manager="kubectl")
    assert list(owners(patched)) == [("renamed", "Apply")]
    reset = applying.record_update(first, {**first, "metadata": {**first["metadata"], "managedFields": [{}]}},
                                   "x", CONFIGMAPS)
    assert "managedFields" not in reset["metadata"]


def test_status_writes_leave_main_resource_owners_alone():
    from rktnetes.api import applying

    config = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"replicas": 2}}
    applied = patching.apply_patch(patching.APPLY_PATCH, None, orjson.dumps(config), DEPLOYMENTS, manager="k")
    status = applying.record_update(applied, {**applied, "status": {"replicas": 2}}, "ctl", DEPLOYMENTS, "status")
    entries = {(e["manager"], e.get("subresource", "")): e["fieldsV1"] for e in status["metadata"]["managedFields"]}
    assert entries == {("k", ""): {"f:spec": {"f:replicas": {}}}, ("ctl", "status"): {"f:status": {"f:replicas": {}}}}
