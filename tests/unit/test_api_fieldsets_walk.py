"""The one-walk FieldsV1 build a create uses is the set-based build, byte for byte (key order included)."""

from __future__ import annotations

import orjson
import pytest

from rktnetes.api import applying, fieldsets, resources

POD = {"spec": {"containers": [{"name": "c", "image": "x", "command": ["a", "b"],
                                "ports": [{"containerPort": 80}, {"containerPort": 80, "protocol": "UDP"}],
                                "env": [{"name": "A", "value": "1"},
                                        {"name": "B", "valueFrom": {"fieldRef": {"fieldPath": "x"}}}]}],
                "volumes": [{"name": "v", "emptyDir": {}}], "tolerations": [{"key": "a"}]},
       "metadata": {"labels": {"a": "b"}, "finalizers": ["x", "y"], "ownerReferences": [{"uid": "u", "name": "n"}]}}
CASES = [
    (POD, "V1Pod"),
    ({"spec": {"ports": [{"port": 80}, {"port": 81, "protocol": "TCP", "targetPort": 8080}],
               "selector": {"a": "b"}}}, "V1Service"),
    ({"spec": {"replicas": 3, "strategy": {"type": "RollingUpdate"},
               "template": {"metadata": {"labels": {"a": "b"}},
                            "spec": {"containers": [{"name": "b", "image": "j"}, {"name": "a", "image": "i"}]}}}},
     "V1Deployment"),
    ({"spec": {"containers": [{"name": "c"}, {"name": "c", "image": "dup"}]}}, "V1Pod"),  # repeated key: merged
    ({"data": {"k": "v"}, "x": None, "y": {}}, "V1ConfigMap"),
    ({"weird": [1, 2, {"a": 1}], "spec": {"containers": [1, "x", {}]}}, "V1Pod"),
]


@pytest.mark.parametrize(("obj", "model"), CASES)
def test_walk_matches_set_build(obj: dict, model: str) -> None:
    walked = fieldsets.fields_v1(obj, model)
    assert orjson.dumps(walked) == orjson.dumps(fieldsets.to_fields_v1(fieldsets.paths(obj, model)))


def test_create_records_every_written_field() -> None:
    pods = resources.lookup("", "v1", "pods")
    obj = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"a": "b"}}, **POD}
    entries = applying.record_update(None, obj, "kubectl", pods)["metadata"]["managedFields"]
    assert [(e["manager"], e["operation"]) for e in entries] == [("kubectl", "Update")]
    tree = entries[0]["fieldsV1"]
    assert tree["f:spec"]["f:containers"]['k:{"name":"c"}']["."] == {}
    assert 'k:{"containerPort":80,"protocol":"UDP"}' in tree["f:spec"]["f:containers"]['k:{"name":"c"}']["f:ports"]
    assert "f:name" not in tree["f:metadata"]


def test_create_of_nothing_owned_records_no_entry() -> None:
    pods = resources.lookup("", "v1", "pods")
    obj = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}
    assert "managedFields" not in applying.record_update(None, obj, "kubectl", pods)["metadata"]
