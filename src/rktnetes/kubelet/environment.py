"""A container's environment as Kubernetes builds it, before the pod starts (pure functions, no I/O).

``envFrom`` sources first (a ConfigMap's or Secret's keys, with an optional prefix; keys that are not valid
variable names are skipped), then ``env`` in order, each able to use the ones before it through ``$(NAME)``
(``$$`` is a literal ``$``). Values come from the pod itself (``fieldRef``, ``resourceFieldRef``) or from
ConfigMaps and Secrets the kubelet read beforehand (``Plan.env_sources``). The same expansion applies to the
container's command and args.
"""

from __future__ import annotations

import math
import re
from typing import Any

from rktnetes.kubelet import errors
from rktnetes.rkt.pods import appargs
from rktnetes.rkt.pods import errors as pod_errors

Obj = dict[str, Any]
Sources = dict[tuple[str, str], dict[str, str] | None]  # (configmaps|secrets, name) -> data (None: missing)
_FIELD_REFS = {"metadata.name": ("metadata", "name"), "metadata.namespace": ("metadata", "namespace"),
               "metadata.uid": ("metadata", "uid"), "spec.nodeName": ("spec", "nodeName"),
               "spec.serviceAccountName": ("spec", "serviceAccountName")}
_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
_REFERENCE = re.compile(r"\$\$|\$\(([-._a-zA-Z][-._a-zA-Z0-9]*)\)")


def expand(text: str, env: dict[str, str]) -> str:
    """``$(NAME)`` → its value when defined (else left as written); ``$$`` → ``$``."""
    def one(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        return env.get(match.group(1), match.group(0))
    return _REFERENCE.sub(one, text)


def field_value(pod: Obj, path: str, node_ip: str, pod_ip: str = "") -> str:
    """A ``fieldRef`` value known before the pod starts (``pod_ip``: the address the kubelet chose for it)."""
    if path in ("status.podIP", "status.podIPs") and pod_ip and not (pod.get("spec") or {}).get("hostNetwork"):
        return pod_ip
    if path in _FIELD_REFS:
        part, key = _FIELD_REFS[path]
        return str((pod.get(part) or {}).get(key) or "")
    if path == "status.hostIP" or (path == "status.podIP" and (pod.get("spec") or {}).get("hostNetwork")):
        return node_ip
    if path.startswith(("metadata.labels['", "metadata.annotations['")):
        kind, _, key = path[len("metadata."):].partition("['")
        return str((pod["metadata"].get(kind) or {}).get(key.rstrip("']"), ""))
    raise errors.BadPod(f"fieldRef {path!r} is not supported by this kubelet")


def bytes_of(quantity: str) -> int:
    """A memory quantity (``16Mi``, ``1G``) in bytes; BadPod if it is not one."""
    try:
        return appargs.parse_quantity(quantity)
    except pod_errors.BadAppFlag as exc:
        raise errors.BadPod(str(exc)) from None


def resource_value(container: Obj, ref: Obj) -> str:
    """A ``resourceFieldRef``: the container's limit or request, in ``divisor`` units rounded up."""
    kind, _, resource = str(ref.get("resource", "")).partition(".")
    value = ((container.get("resources") or {}).get(kind) or {}).get(resource)
    if value is None or resource not in ("cpu", "memory"):
        raise errors.BadPod(f"resourceFieldRef {ref.get('resource')!r} of {container['name']} is not set")
    millis = resource == "cpu"
    try:
        amount = appargs.parse_quantity(str(value), millis=millis)
        divisor = appargs.parse_quantity(str(ref.get("divisor") or "1"), millis=millis)
    except pod_errors.BadAppFlag as exc:
        raise errors.BadPod(str(exc)) from None
    return str(math.ceil(amount / max(divisor, 1)))


def _source(sources: Sources, kind: str, ref: Obj) -> dict[str, str]:
    data = sources.get((kind, ref.get("name", "")))
    if data is None and not ref.get("optional"):
        raise errors.BadPod(f'{kind[:-1]} "{ref.get("name", "")}" not found')
    return data or {}


def _value_from(pod: Obj, container: Obj, source: Obj, sources: Sources, node_ip: str, pod_ip: str) -> str | None:
    if "fieldRef" in source:
        return field_value(pod, source["fieldRef"]["fieldPath"], node_ip, pod_ip)
    if "resourceFieldRef" in source:
        return resource_value(container, source["resourceFieldRef"])
    kind, ref = ("configmaps", source["configMapKeyRef"]) if "configMapKeyRef" in source else \
        ("secrets", source.get("secretKeyRef") or {})
    data = _source(sources, kind, ref)
    if ref.get("key") not in data and not ref.get("optional"):
        raise errors.BadPod(f"couldn't find key {ref.get('key')} in {kind[:-1]} {ref.get('name')}")
    return data.get(ref.get("key"))


def variables(pod: Obj, container: Obj, sources: Sources, node_ip: str, pod_ip: str = "") -> dict[str, str]:
    """The container's variables, in Kubernetes' order and precedence."""
    env: dict[str, str] = {}
    for source in container.get("envFrom") or []:
        kind, ref = ("configmaps", source["configMapRef"]) if "configMapRef" in source else \
            ("secrets", source.get("secretRef") or {})
        for key, value in _source(sources, kind, ref).items():
            name = source.get("prefix", "") + key
            if _NAME.match(name):
                env[name] = value
    for var in container.get("env") or []:
        if var.get("valueFrom"):
            value = _value_from(pod, container, var["valueFrom"], sources, node_ip, pod_ip)
            if value is not None:
                env[var["name"]] = value
        else:
            env[var["name"]] = expand(str(var.get("value") or ""), env)
    return env


def references(pod: Obj) -> set[tuple[str, str]]:
    """Every (configmaps|secrets, name) the pod's containers take variables from."""
    found = set()
    spec = pod.get("spec") or {}
    for container in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        for source in container.get("envFrom") or []:
            found.add(("configmaps", source["configMapRef"]["name"]) if "configMapRef" in source
                      else ("secrets", (source.get("secretRef") or {}).get("name", "")))
        for var in container.get("env") or []:
            value_from = var.get("valueFrom") or {}
            if "configMapKeyRef" in value_from:
                found.add(("configmaps", value_from["configMapKeyRef"].get("name", "")))
            elif "secretKeyRef" in value_from:
                found.add(("secrets", value_from["secretKeyRef"].get("name", "")))
    return found
