"""A container's environment: envFrom, env with fieldRef/resourceFieldRef/configMap and Secret keys, $(VAR)."""

from __future__ import annotations

import pytest

from rktnetes.kubelet import environment, errors, translating
from rktnetes.kubelet.translating import Plan

POD = {"metadata": {"name": "web-1", "namespace": "prod", "uid": "u-1", "labels": {"app": "web"}},
       "spec": {"nodeName": "n1"}}
SOURCES = {("configmaps", "cfg"): {"MODE": "fast", "LEVEL": "3", "bad key": "x"},
           ("secrets", "sec"): {"password": "s3cret"}, ("configmaps", "gone"): None}


def test_precedence_sources_and_expansion():
    container = {"name": "c", "resources": {"limits": {"memory": "64Mi", "cpu": "1500m"}},
                 "envFrom": [{"configMapRef": {"name": "cfg"}}, {"secretRef": {"name": "sec"}, "prefix": "S_"}],
                 "env": [{"name": "MODE", "value": "slow"},
                         {"name": "URL", "value": "http://$(HOST):$(PORT)/$$(literal)"},
                         {"name": "HOST", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
                         {"name": "PASS", "valueFrom": {"secretKeyRef": {"name": "sec", "key": "password"}}},
                         {"name": "LVL", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "LEVEL"}}},
                         {"name": "MEM_MI", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory",
                                                                               "divisor": "1Mi"}}},
                         {"name": "CPUS", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}},
                         {"name": "OPT", "valueFrom": {"configMapKeyRef": {"name": "gone", "key": "k",
                                                                           "optional": True}}}]}
    env = environment.variables(POD, container, SOURCES, "10.0.0.5")
    assert env == {"MODE": "slow", "LEVEL": "3", "S_password": "s3cret", "URL": "http://$(HOST):$(PORT)/$(literal)",
                   "HOST": "n1", "PASS": "s3cret", "LVL": "3", "MEM_MI": "64", "CPUS": "2"}


def test_command_and_args_expand_variables():
    container = {"name": "c", "image": "i", "command": ["/bin/echo", "$(GREETING)"], "args": ["$(MISSING)", "$$x"],
                 "env": [{"name": "GREETING", "value": "hi"}]}
    words = translating.prepare_args({**POD, "spec": {"containers": [container]}}, Plan())
    assert words[-5:] == ["--", "hi", "$(MISSING)", "$x", "---"]


def test_field_refs():
    assert environment.field_value(POD, "metadata.labels['app']", "h") == "web"
    assert environment.field_value(POD, "status.hostIP", "10.0.0.5") == "10.0.0.5"
    with pytest.raises(errors.BadPod, match="status.podIP"):
        environment.field_value(POD, "status.podIP", "h")


@pytest.mark.parametrize(("var", "message"), [
    ({"name": "X", "valueFrom": {"configMapKeyRef": {"name": "gone", "key": "k"}}}, 'configmap "gone" not found'),
    ({"name": "X", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "nope"}}}, "couldn't find key nope"),
    ({"name": "X", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory"}}}, "is not set"),
])
def test_missing_values_are_one_line_errors(var, message):
    with pytest.raises(errors.BadPod, match=message):
        environment.variables(POD, {"name": "c", "env": [var]}, SOURCES, "h")


def test_references_cover_env_and_env_from_of_every_container():
    pod = {"spec": {"initContainers": [{"name": "i", "envFrom": [{"secretRef": {"name": "a"}}]}],
                    "containers": [{"name": "c", "env": [{"name": "X", "valueFrom": {
                        "configMapKeyRef": {"name": "b", "key": "k"}}}]}]}}
    assert environment.references(pod) == {("secrets", "a"), ("configmaps", "b")}
