"""How discovery lists ``metrics.k8s.io/v1beta1`` (served by ``resourcemetrics``, not by the resource table):
the group, its APIResourceList and its aggregated-discovery entry, as metrics-server's APIService shows them."""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]
GROUP, VERSION = "metrics.k8s.io", "v1beta1"
RESOURCES = (("nodes", "NodeMetrics", False), ("pods", "PodMetrics", True))
VERBS = ["get", "list"]


def group() -> Obj:
    gv = {"groupVersion": f"{GROUP}/{VERSION}", "version": VERSION}
    return {"name": GROUP, "versions": [gv], "preferredVersion": gv}


def resource_list() -> Obj:
    entries = [{"name": plural, "singularName": "", "namespaced": namespaced, "kind": kind, "verbs": VERBS}
               for plural, kind, namespaced in RESOURCES]
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{GROUP}/{VERSION}", "resources": entries}


def aggregated() -> Obj:
    """The group's item of ``/apis``' APIGroupDiscoveryList."""
    entries = [{"resource": plural, "responseKind": {"group": GROUP, "version": VERSION, "kind": kind},
                "scope": "Namespaced" if namespaced else "Cluster", "singularResource": "", "verbs": VERBS}
               for plural, kind, namespaced in RESOURCES]
    return {"metadata": {"name": GROUP, "creationTimestamp": None},
            "versions": [{"version": VERSION, "resources": entries, "freshness": "Current"}]}
