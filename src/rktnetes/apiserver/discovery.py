"""Discovery documents (/version, /api, /apis, /api/v1, /apis/<group>/<version>) built from the resource table.

They are computed once per process: the table does not change while the server runs.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from typing import Any

from rktnetes.api import resources
from rktnetes.api.resources import Resource
from rktnetes.apiserver import resourcemetricsdiscovery

Obj = dict[str, Any]
KUBE_VERSION = ("1", "32", "v1.32.0")
SUBRESOURCE_KINDS = {"scale": ("autoscaling", "v1", "Scale", ("get", "patch", "update")),
                     "binding": ("", "v1", "Binding", ("create",)),
                     "eviction": ("policy", "v1", "Eviction", ("create",)),
                     "finalize": (None, None, None, ("update",)),
                     "log": ("", "v1", "Pod", ("get",)),
                     "token": ("authentication.k8s.io", "v1", "TokenRequest", ("create",)),
                     "exec": ("", "v1", "PodExecOptions", ("create", "get")),
                     "attach": ("", "v1", "PodAttachOptions", ("create", "get")),
                     "portforward": ("", "v1", "PodPortForwardOptions", ("create", "get"))}


def version() -> Obj:
    major, minor, git = KUBE_VERSION
    return {"major": major, "minor": minor, "gitVersion": git, "gitCommit": "rktnetes", "gitTreeState": "clean",
            "buildDate": "2026-01-01T00:00:00Z", "goVersion": "python3.11", "compiler": "cpython",
            "platform": "linux/amd64"}


def api_versions(server_address: str) -> Obj:
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]}


@functools.cache
def api_groups() -> Obj:
    groups = []
    for group, ver in resources.group_versions():
        if group:
            gv = {"groupVersion": f"{group}/{ver}", "version": ver}
            groups.append({"name": group, "versions": [gv], "preferredVersion": gv})
    groups.append(resourcemetricsdiscovery.group())  # served by resourcemetrics, not the table
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_group(group: str) -> Obj | None:
    return next((g | {"kind": "APIGroup", "apiVersion": "v1"} for g in api_groups()["groups"] if g["name"] == group),
                None)


def _hash(r: Resource) -> str:
    digest = hashlib.sha256(f"{r.group}/{r.version}/{r.kind}".encode()).digest()
    return base64.b64encode(digest[:8]).decode()


def _entry(r: Resource) -> Obj:
    entry: Obj = {"name": r.plural, "singularName": r.singular, "namespaced": r.namespaced, "kind": r.kind,
                  "verbs": list(r.verbs)}
    if r.short_names:
        entry["shortNames"] = list(r.short_names)
    if r.categories:
        entry["categories"] = list(r.categories)
    entry["storageVersionHash"] = _hash(r)
    return entry


def _subresource(r: Resource, sub: str) -> Obj:
    group, ver, kind, verbs = SUBRESOURCE_KINDS.get(sub, (None, None, None, ("get", "patch", "update")))
    entry: Obj = {"name": f"{r.plural}/{sub}", "singularName": "", "namespaced": r.namespaced,
                  "kind": kind or r.kind, "verbs": list(verbs)}
    if group is not None:
        entry["group"], entry["version"] = group, ver
    return entry


@functools.cache
def resource_list(group: str, ver: str) -> Obj | None:
    if (group, ver) == (resourcemetricsdiscovery.GROUP, resourcemetricsdiscovery.VERSION):
        return resourcemetricsdiscovery.resource_list()
    served = resources.in_group_version(group, ver)
    if not served:
        return None
    entries = []
    for r in served:
        entries.append(_entry(r))
        entries += [_subresource(r, sub) for sub in r.subresources]
    gv = f"{group}/{ver}" if group else ver
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": entries}


def _gvk(group: str, version: str, kind: str) -> Obj:
    return {"group": group, "version": version, "kind": kind}


def _aggregated_subresource(r: Resource, sub: str) -> Obj:
    group, ver, kind, verbs = SUBRESOURCE_KINDS.get(sub, (None, None, None, ("get", "patch", "update")))
    kind_gvk = _gvk(group, ver, kind) if kind else _gvk(r.group, r.version, r.kind)
    return {"subresource": sub, "responseKind": kind_gvk, "verbs": list(verbs)}


def _aggregated_resource(r: Resource) -> Obj:
    entry: Obj = {"resource": r.plural, "responseKind": _gvk(r.group, r.version, r.kind),
                  "scope": "Namespaced" if r.namespaced else "Cluster", "singularResource": r.singular,
                  "verbs": list(r.verbs)}
    if r.short_names:
        entry["shortNames"] = list(r.short_names)
    if r.categories:
        entry["categories"] = list(r.categories)
    if r.subresources:
        entry["subresources"] = [_aggregated_subresource(r, s) for s in r.subresources]
    return entry


@functools.cache
def aggregated(core: bool, api_version: str) -> Obj:
    """The aggregated discovery document (apidiscovery.k8s.io) of ``/api`` (core) or ``/apis``."""
    items = []
    for group, ver in resources.group_versions():
        if bool(group) == core:
            continue
        version = {"version": ver, "resources": [_aggregated_resource(r) for r in resources.in_group_version(group,
                                                                                                           ver)],
                   "freshness": "Current"}
        meta: Obj = {"name": group, "creationTimestamp": None} if group else {"creationTimestamp": None}
        items.append({"metadata": meta, "versions": [version]})
    if not core:
        items.append(resourcemetricsdiscovery.aggregated())
    return {"kind": "APIGroupDiscoveryList", "apiVersion": f"apidiscovery.k8s.io/{api_version}",
            "metadata": {}, "items": items}


def aggregated_version(accept: str) -> str | None:
    """``v2`` or ``v2beta1`` when the Accept header asks for aggregated discovery first."""
    for clause in accept.split(","):
        params = dict(p.strip().split("=", 1) for p in clause.split(";")[1:] if "=" in p)
        if params.get("g") == "apidiscovery.k8s.io" and params.get("as") == "APIGroupDiscoveryList":
            if params.get("v") in ("v2", "v2beta1"):
                return params["v"]
        elif clause.strip():
            return None
    return None
