"""Protobuf request bodies: hand-made wire bytes and messages built with the real protobuf runtime decode to JSON."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rktnetes.api import errors, protobuf, resources

CONFIGMAPS = resources.lookup("", "v1", "configmaps")
DEPLOYMENTS = resources.lookup("apps", "v1", "deployments")
SERVICES = resources.lookup("", "v1", "services")


def varint(n: int) -> bytes:
    out = b""
    while True:
        byte, n = n & 0x7F, n >> 7
        out += bytes([byte | (0x80 if n else 0)])
        if not n:
            return out


def field(number: int, payload: bytes | int) -> bytes:
    if isinstance(payload, int):
        return varint(number << 3) + varint(payload)
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    type_meta = field(1, api_version.encode()) + field(2, kind.encode())
    return protobuf.MAGIC + field(1, type_meta) + field(2, raw) + field(3, b"") + field(4, b"")


def test_hand_made_configmap_bytes_decode_with_kubernetes_field_numbers():
    # ConfigMap{metadata(1): ObjectMeta{name(1), namespace(3), labels(11)}, data(2): map}
    meta = field(1, b"cm") + field(3, b"") + field(11, field(1, b"app") + field(2, b"web"))
    raw = field(1, meta) + field(2, field(1, b"k") + field(2, b"v"))
    out = protobuf.decode(envelope("v1", "ConfigMap", raw), CONFIGMAPS)
    assert out == {"apiVersion": "v1", "kind": "ConfigMap",
                   "metadata": {"name": "cm", "labels": {"app": "web"}}, "data": {"k": "v"}}


def test_int_or_string_quantity_and_time_wrappers():
    # ServicePort{port(3)=80, targetPort(4)=IntOrString{type(1)=1, strVal(3)="http"}}
    port = field(3, 80) + field(4, field(1, 1) + field(3, b"http"))
    meta = field(1, b"s") + field(8, field(1, 1700000000))  # creationTimestamp: Time{seconds}
    raw = field(1, meta) + field(2, field(1, port))
    out = protobuf.decode(envelope("v1", "Service", raw), SERVICES)
    assert out["spec"]["ports"] == [{"port": 80, "targetPort": "http"}]
    assert out["metadata"]["creationTimestamp"] == "2023-11-14T22:13:20Z"


def test_runtime_built_deployment_round_trip():
    cls = protobuf._message("V1Deployment")
    msg = cls()
    msg.metadata.name = "web"
    msg.metadata.labels["app"] = "web"
    msg.spec.replicas = 0
    msg.spec.selector.matchLabels["app"] = "web"
    container = msg.spec.template.spec.containers.add(name="nginx", image="nginx")
    container.ports.add(containerPort=80, protocol="TCP")
    container.resources.limits["cpu"].string = "500m"
    container.stdin = False
    out = protobuf.decode(envelope("apps/v1", "Deployment", msg.SerializeToString()), DEPLOYMENTS)
    assert out["spec"]["replicas"] == 0
    assert out["spec"]["template"]["spec"]["containers"] == [
        {"name": "nginx", "image": "nginx", "ports": [{"containerPort": 80, "protocol": "TCP"}],
         "resources": {"limits": {"cpu": "500m"}}}]


def test_secret_bytes_become_base64():
    raw = field(1, field(1, b"s")) + field(2, field(1, b"pw") + field(2, b"hunter2"))
    out = protobuf.decode(envelope("v1", "Secret", raw), resources.lookup("", "v1", "secrets"))
    assert out["data"] == {"pw": "aHVudGVyMg=="}


@pytest.mark.parametrize("body", [b"{}", protobuf.MAGIC + b"\xff\xff\xff", envelope("v1", "Pod", b"")])
def test_bad_bodies_are_400(body):
    with pytest.raises(errors.APIError) as e:
        protobuf.decode(body, CONFIGMAPS)
    assert e.value.code == 400


def test_every_served_kind_has_a_message():
    for r in resources.TABLE:
        assert protobuf._message(r.model).DESCRIPTOR.fields_by_name["metadata"].number == 1


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200), st.sampled_from(resources.TABLE))
def test_arbitrary_bytes_decode_or_fail_with_400(raw, resource):
    try:
        out = protobuf.decode(envelope(resource.group_version, resource.kind, raw), resource)
    except errors.APIError as exc:
        assert exc.code == 400
    else:
        assert out["kind"] == resource.kind


# Bodies kubectl 1.32 sent for `create service clusterip sx --tcp=80`, `create deployment dx --image=nginx
# --port=80` and `create job jx --image=busybox`, captured at our server (base64).
KUBECTL_BODIES = {
    "Service": (
        "azhzAAoNCgJ2MRIHU2VydmljZRJgCh0KAnN4EgAaACIAKgAyADgAQgBaCQoDYXBwEgJzeBI7ChUKAjgwEgNUQ1AYUCIGCAAQUBoA"
        "KAASCQoDYXBwEgJzeBoAIglDbHVzdGVySVA6AEIAUgBaAGAAaAAaAgoAGgAiAA=="
    ),
    "Deployment": (
        "azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50ErQBCh0KAmR4EgAaACIAKgAyADgAQgBaCQoDYXBwEgJkeBKEAQgBEgsKCQoDYXBw"
        "EgJkeBprChsKABIAGgAiACoAMgA4AEIAWgkKA2FwcBICZHgSTBIuCgVuZ2lueBIFbmdpbngqADIKCgAQABhQIgAqAEIAagByAIAB"
        "AIgBAJABAKIBABoAMgBCAEoAUgBYAGAAaACCAQCKAQCaAQDCAQAiAgoAKAA4ABoMCAAQABgAIAAoADgAGgAiAA=="
    ),
    "Job": (
        "azhzAAoPCghiYXRjaC92MRIDSm9iEnoKEgoCangSABoAIgAqADIAOABCABJaMlgKEAoAEgAaACIAKgAyADgAQgASRBIhCgJqeBIH"
        "YnVzeWJveCoAQgBqAHIAgAEAiAEAkAEAogEAGgVOZXZlcjIAQgBKAFIAWABgAGgAggEAigEAmgEAwgEAGgggACgAMAA6ABoAIgA="
    ),
}


def test_bodies_kubectl_sent_decode_as_their_json_form():
    import base64

    decoded = {kind: protobuf.decode(base64.b64decode(b), resources.by_kind(group, kind))
               for (group, kind), b in zip([("", "Service"), ("apps", "Deployment"), ("batch", "Job")],
                                           KUBECTL_BODIES.values(), strict=True)}
    assert decoded["Service"]["spec"] == {"ports": [{"name": "80", "protocol": "TCP", "port": 80, "targetPort": 80}],
                                          "selector": {"app": "sx"}, "type": "ClusterIP"}
    assert decoded["Deployment"]["spec"] == {
        "replicas": 1, "selector": {"matchLabels": {"app": "dx"}}, "strategy": {},
        "template": {"metadata": {"labels": {"app": "dx"}}, "spec": {"containers": [
            {"name": "nginx", "image": "nginx", "ports": [{"containerPort": 80}], "resources": {}}]}}}
    assert decoded["Job"]["spec"]["template"]["spec"] == {
        "containers": [{"name": "jx", "image": "busybox", "resources": {}}], "restartPolicy": "Never"}
    assert decoded["Job"]["metadata"] == {"name": "jx"} and decoded["Job"]["status"] == {}
