"""Validation by kind: each check returns field causes; any cause makes the request a 422 Invalid.

Messages follow Kubernetes' ``field.ErrorList`` wording so that clients see the same text as from kube-apiserver.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import orjson

from rktnetes.api import errors, metavalidation, selectors
from rktnetes.api.errors import Cause
from rktnetes.api.resources import Resource

Obj = dict[str, Any]
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
             "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
                 "must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation "
                 "is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_NAMED = {"Namespace", "Service"}


def required(path: str) -> Cause:
    return Cause("FieldValueRequired", path, "Required value")


def bad_value(path: str, value: Any, detail: str) -> Cause:
    shown = orjson.dumps(value).decode() if isinstance(value, str | int) else str(value)
    return Cause("FieldValueInvalid", path, f"Invalid value: {shown}: {detail}")


def unsupported(path: str, value: Any, allowed: list[str]) -> Cause:
    quoted = ", ".join(f'"{a}"' for a in allowed)
    return Cause("FieldValueNotSupported", path, f'Unsupported value: "{value}": supported values: {quoted}')


def dns_name(path: str, name: str, label: bool) -> list[Cause]:
    pattern, limit, msg = (_LABEL, 63, LABEL_MSG) if label else (_SUBDOMAIN, 253, SUBDOMAIN_MSG)
    if len(name) > limit:
        return [bad_value(path, name, f"must be no more than {limit} characters")]
    return [] if pattern.match(name) else [bad_value(path, name, msg)]


def _metadata(obj: Obj, resource: Resource) -> list[Cause]:
    meta = obj.get("metadata") or {}
    name = meta.get("name")
    if not name:
        return [Cause("FieldValueRequired", "metadata.name", "Required value: name or generateName is required")]
    return dns_name("metadata.name", name, resource.kind in LABEL_NAMED)


def _port(path: str, value: Any) -> list[Cause]:
    if not isinstance(value, int) or not 1 <= value <= 65535:
        return [bad_value(path, value, "must be between 1 and 65535, inclusive")]
    return []


def _container(path: str, c: Obj, seen: set[str]) -> list[Cause]:
    causes: list[Cause] = []
    name = c.get("name")
    if not name:
        causes.append(required(f"{path}.name"))
    elif name in seen:
        causes.append(Cause("FieldValueDuplicate", f"{path}.name", f'Duplicate value: "{name}"'))
    else:
        causes += dns_name(f"{path}.name", name, True)
        seen.add(name)
    if not c.get("image"):
        causes.append(required(f"{path}.image"))
    for i, port in enumerate(c.get("ports") or []):
        causes += _port(f"{path}.ports[{i}].containerPort", port.get("containerPort"))
    return causes


def pod_spec(path: str, spec: Obj) -> list[Cause]:
    containers = spec.get("containers") or []
    causes = [] if containers else [required(f"{path}.containers")]
    seen: set[str] = set()
    for i, c in enumerate(containers):
        causes += _container(f"{path}.containers[{i}]", c, seen)
    for i, c in enumerate(spec.get("initContainers") or []):
        causes += _container(f"{path}.initContainers[{i}]", c, seen)
    policy = spec.get("restartPolicy")
    if policy not in ("Always", "OnFailure", "Never"):
        causes.append(unsupported(f"{path}.restartPolicy", policy, ["Always", "OnFailure", "Never"]))
    return causes


def _pod(obj: Obj) -> list[Cause]:
    return pod_spec("spec", obj.get("spec") or {})


def _workload(obj: Obj) -> list[Cause]:
    spec = obj.get("spec") or {}
    template = spec.get("template") or {}
    labels = (template.get("metadata") or {}).get("labels") or {}
    causes: list[Cause] = []
    if spec.get("replicas", 0) < 0:
        causes.append(bad_value("spec.replicas", spec["replicas"], "must be greater than or equal to 0"))
    selector = spec.get("selector")
    if not selector:
        causes.append(required("spec.selector"))
    elif obj["kind"] != "ReplicationController":
        reqs = selectors.from_label_selector(selector)
        if not reqs:
            causes.append(bad_value("spec.selector", "{}", "empty selector is invalid for deployment"))
        elif not selectors.matches_labels(reqs, {"metadata": {"labels": labels}}):
            causes.append(bad_value("spec.template.metadata.labels", labels,
                                    "`selector` does not match template `labels`"))
    return causes + pod_spec("spec.template.spec", template.get("spec") or {})


def _job(obj: Obj) -> list[Cause]:
    spec = (obj.get("spec") or {}).get("template", {}).get("spec") or {}
    causes = pod_spec("spec.template.spec", spec)
    if spec.get("restartPolicy") == "Always":
        causes.append(unsupported("spec.template.spec.restartPolicy", "Always", ["OnFailure", "Never"]))
    return causes


def _cronjob(obj: Obj) -> list[Cause]:
    spec = obj.get("spec") or {}
    schedule = spec.get("schedule")
    if not schedule:
        return [required("spec.schedule")]
    from croniter import croniter

    if not croniter.is_valid(schedule):
        return [bad_value("spec.schedule", schedule, "unparseable schedule")]
    return []


def _service(obj: Obj) -> list[Cause]:
    spec = obj.get("spec") or {}
    if spec.get("type") == "ExternalName" or spec.get("clusterIP") == "None":
        return []
    ports = spec.get("ports") or []
    causes = [] if ports else [required("spec.ports")]
    for i, port in enumerate(ports):
        causes += _port(f"spec.ports[{i}].port", port.get("port"))
    if spec.get("type") not in ("ClusterIP", "NodePort", "LoadBalancer"):
        causes.append(unsupported("spec.type", spec.get("type"), ["ClusterIP", "ExternalName", "LoadBalancer",
                                                                 "NodePort"]))
    return causes


CHECKS: dict[str, Callable[[Obj], list[Cause]]] = {
    "Pod": _pod, "Deployment": _workload, "ReplicaSet": _workload, "DaemonSet": _workload,
    "StatefulSet": _workload, "ReplicationController": _workload, "Job": _job, "CronJob": _cronjob,
    "Service": _service,
}


def validate(obj: Obj, resource: Resource) -> None:
    """Raise a 422 Invalid ``APIError`` listing every problem of ``obj``."""
    causes = _metadata(obj, resource) + metavalidation.causes(obj, resource)
    if resource.group == "" and resource.kind in ("ConfigMap", "Secret"):
        metavalidation.check_secret_encoding(obj, resource)
    check = CHECKS.get(resource.kind) if resource.group in ("", "apps", "batch") else None
    if check:
        causes += check(obj)
    if causes:
        raise errors.invalid(resource, (obj.get("metadata") or {}).get("name", ""), causes)
