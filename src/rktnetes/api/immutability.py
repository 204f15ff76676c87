"""Update validation: the fields an update may not change, by kind (kube-apiserver's ``ValidateUpdate``).

A pod's spec is fixed once created except images, activeDeadlineSeconds, added tolerations and the grace
period; workload selectors are fixed; a Job's template is fixed; a Service keeps its cluster IP. Binding a pod
to a node goes through the ``binding`` subresource, never through an update.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from rktnetes.api import errors
from rktnetes.api.errors import Cause
from rktnetes.api.resources import Resource

Obj = dict[str, Any]
IMMUTABLE = "field is immutable"
POD_MESSAGE = ("Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
               "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions "
               "to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
               "previously negative)")


def _spec(obj: Obj) -> Obj:
    return obj.get("spec") or {}


def _without_mutable(spec: Obj) -> Obj:
    out = {k: v for k, v in spec.items() if k not in ("activeDeadlineSeconds", "tolerations",
                                                      "terminationGracePeriodSeconds")}
    for key in ("containers", "initContainers"):
        if key in out:
            out[key] = [{k: v for k, v in c.items() if k != "image"} for c in out[key] or []]
    return out


def _pod(new: Obj, old: Obj) -> list[Cause]:
    new_spec, old_spec = _spec(new), _spec(old)
    causes = []
    if _without_mutable(new_spec) != _without_mutable(old_spec):
        causes.append(Cause("FieldValueForbidden", "spec", POD_MESSAGE))
    old_tolerations = old_spec.get("tolerations") or []
    if any(t not in (new_spec.get("tolerations") or []) for t in old_tolerations):
        causes.append(Cause("FieldValueForbidden", "spec.tolerations", "Forbidden: existing toleration can not be "
                            "modified except its tolerationSeconds"))
    return causes


def _same(new: Obj, old: Obj, path: str) -> list[Cause]:
    a, b = new, old
    for part in path.split("."):
        a, b = (a or {}).get(part), (b or {}).get(part)
    shown = orjson.dumps(a).decode()
    return [] if a == b else [Cause("FieldValueInvalid", path, f"Invalid value: {shown}: {IMMUTABLE}")]


def _selector(new: Obj, old: Obj) -> list[Cause]:
    return _same(new, old, "spec.selector")


def _job(new: Obj, old: Obj) -> list[Cause]:
    return _same(new, old, "spec.selector") + _same(new, old, "spec.template")


def _service(new: Obj, old: Obj) -> list[Cause]:
    ip, old_ip = _spec(new).get("clusterIP"), _spec(old).get("clusterIP")
    if old_ip and ip != old_ip and _spec(new).get("type") != "ExternalName":
        return [Cause("FieldValueInvalid", "spec.clusterIPs[0]", f"Invalid value: []string{{\"{ip}\"}}: may not "
                      "change once set")]
    return []


CHECKS: dict[tuple[str, str], Callable[[Obj, Obj], list[Cause]]] = {
    ("", "Pod"): _pod, ("apps", "Deployment"): _selector, ("apps", "ReplicaSet"): _selector,
    ("apps", "DaemonSet"): _selector, ("apps", "StatefulSet"): _selector, ("batch", "Job"): _job,
    ("", "Service"): _service,
}


def validate_update(new: Obj, old: Obj, resource: Resource) -> None:
    """Raise 422 Invalid when ``new`` changes what its kind fixes at creation."""
    check = CHECKS.get((resource.group, resource.kind))
    causes = check(new, old) if check else []
    if causes:
        raise errors.invalid(resource, old["metadata"]["name"], causes)
