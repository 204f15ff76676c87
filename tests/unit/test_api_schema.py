"""The schema derived from the kubernetes client's models, refined by wire facts and merge keys."""

from __future__ import annotations

from rktnetes.api import fieldvalidation, resources, schema, wirefacts


def test_every_served_kind_has_a_model_named_like_kubernetes():
    for r in resources.TABLE:
        m = schema.model(r.model)
        assert {"apiVersion", "kind", "metadata"} <= set(m.fields), r.kind
        assert m.openapi_name.endswith("." + r.kind), m.openapi_name
    assert schema.model("V1Deployment").openapi_name == "io.k8s.api.apps.v1.Deployment"
    assert schema.model("V1ObjectMeta").openapi_name == "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


def test_field_kinds_come_from_models_and_wire_facts():
    port = schema.model("V1ServicePort").fields
    assert port["targetPort"].kind == "intstr" and port["port"].format == "int32" and port["port"].required
    assert schema.model("V1ResourceRequirements").fields["limits"].item == "quantity"
    assert schema.model("V1ObjectMeta").fields["creationTimestamp"].kind == "time"
    assert schema.model("V1ObjectMeta").fields["generation"].format == "int64"
    assert schema.model("V1Secret").fields["data"].item == "bytes"
    containers = schema.model("V1PodSpec").fields["containers"]
    assert (containers.kind, containers.ref, containers.strategy, containers.merge_key) == \
        ("array", "V1Container", "merge", "name")
    assert schema.model("V1Probe").fields["exec"].ref == "V1ExecAction"


def test_inline_structs_flatten_to_the_json_fields():
    volume = wirefacts.facts()["V1Volume"]["fields"]["volumeSource"]
    assert volume[1] == "inline" and "configMap" in volume[2]
    assert "configMap" in schema.model("V1Volume").fields


def test_reachable_walks_nested_models_once():
    names = schema.reachable(["V1Pod"])
    assert names[0] == "V1Pod" and len(names) == len(set(names))
    assert {"V1Container", "V1ObjectMeta", "V1Volume"} <= set(names)


def test_unknown_fields_are_found_by_path():
    obj = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"any": "x"}},
           "spec": {"containers": [{"name": "a", "image": "i", "bogus": 1}], "nope": {}}}
    assert fieldvalidation.unknown_fields(obj, "V1Pod") == ["spec.containers[0].bogus", "spec.nope"]
