"""The resource table: one entry per kind served by the API server.

Routing, discovery, OpenAPI, printing, selectors and validation all read this one table. Adding a kind is one
``Resource`` here, plus its columns (``api.tables``), defaults (``api.defaulting``) and checks
(``api.validation``), all looked up by kind.
"""

from __future__ import annotations

from dataclasses import dataclass

VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
NO_COLLECTION_DELETE = ("create", "delete", "get", "list", "patch", "update", "watch")
BASE_FIELDS = ("metadata.name", "metadata.namespace")


@dataclass(frozen=True)
class Resource:
    """One kind, as the API server serves it."""

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    model: str
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = VERBS
    subresources: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    @property
    def field_selectors(self) -> tuple[str, ...]:
        return BASE_FIELDS + self.fields

    @property
    def qualified(self) -> str:
        """``pods`` or ``deployments.apps``: the name Kubernetes uses in its error messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


def _core(kind: str, plural: str, namespaced: bool = True, **kw) -> Resource:
    model = "CoreV1Event" if kind == "Event" else f"V1{kind}"
    return Resource("", "v1", kind, plural, namespaced, model, **kw)


def _grouped(group: str, kind: str, plural: str, namespaced: bool = True, **kw) -> Resource:
    prefix = {"events.k8s.io": "EventsV1", "discovery.k8s.io": "V1"}.get(group, "V1")
    return Resource(group, "v1", kind, plural, namespaced, f"{prefix}{kind}", **kw)


_ALL = ("all",)
_RBAC = "rbac.authorization.k8s.io"
_POD_FIELDS = (
    "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
    "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName",
)
_EVENT_FIELDS = (
    "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
    "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
    "reason", "reportingComponent", "source", "type",
)
_EVENTS_V1_FIELDS = (
    "regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid", "reason", "type",
)

TABLE: tuple[Resource, ...] = (
    _core("Namespace", "namespaces", False, short_names=("ns",), verbs=NO_COLLECTION_DELETE,
          subresources=("status", "finalize"), fields=("status.phase",)),
    _core("Pod", "pods", short_names=("po",), categories=_ALL,
          subresources=("status", "binding", "eviction", "log", "exec", "attach", "portforward"), fields=_POD_FIELDS),
    _core("Service", "services", short_names=("svc",), categories=_ALL, subresources=("status",)),
    _core("Endpoints", "endpoints", short_names=("ep",)),
    _core("ReplicationController", "replicationcontrollers", short_names=("rc",), categories=_ALL,
          subresources=("status", "scale"), fields=("status.replicas",)),
    _core("PersistentVolume", "persistentvolumes", False, short_names=("pv",), subresources=("status",)),
    _core("PersistentVolumeClaim", "persistentvolumeclaims", short_names=("pvc",), subresources=("status",)),
    _core("ConfigMap", "configmaps", short_names=("cm",)),
    _core("Secret", "secrets", fields=("type",)),
    _core("Node", "nodes", False, short_names=("no",), subresources=("status",), fields=("spec.unschedulable",)),
    _core("Event", "events", short_names=("ev",), fields=_EVENT_FIELDS),
    _core("ServiceAccount", "serviceaccounts", short_names=("sa",), subresources=("token",)),
    _core("Binding", "bindings", verbs=("create",)),
    _grouped("apps", "Deployment", "deployments", short_names=("deploy",), categories=_ALL,
             subresources=("status", "scale")),
    _grouped("apps", "ReplicaSet", "replicasets", short_names=("rs",), categories=_ALL,
             subresources=("status", "scale"), fields=("status.replicas",)),
    _grouped("apps", "DaemonSet", "daemonsets", short_names=("ds",), categories=_ALL, subresources=("status",)),
    _grouped("apps", "StatefulSet", "statefulsets", short_names=("sts",), categories=_ALL,
             subresources=("status", "scale")),
    _grouped("batch", "Job", "jobs", categories=_ALL, subresources=("status",), fields=("status.successful",)),
    _grouped("batch", "CronJob", "cronjobs", short_names=("cj",), categories=_ALL, subresources=("status",)),
    _grouped("storage.k8s.io", "StorageClass", "storageclasses", False, short_names=("sc",)),
    _grouped("coordination.k8s.io", "Lease", "leases"),
    _grouped("discovery.k8s.io", "EndpointSlice", "endpointslices"),
    _grouped("events.k8s.io", "Event", "events", short_names=("ev",), fields=_EVENTS_V1_FIELDS),
    _grouped(_RBAC, "Role", "roles"),
    _grouped(_RBAC, "RoleBinding", "rolebindings"),
    _grouped(_RBAC, "ClusterRole", "clusterroles", False),
    _grouped(_RBAC, "ClusterRoleBinding", "clusterrolebindings", False),
    # kubectl auth can-i; the reviews whose models carry map[string][]string (whoami, TokenReview) wait for the
    # OpenAPI generator to render such maps
    _grouped("authorization.k8s.io", "SelfSubjectAccessReview", "selfsubjectaccessreviews", False, verbs=("create",)),
)

_BY_PATH = {(r.group, r.version, r.plural): r for r in TABLE}


def lookup(group: str, version: str, plural: str) -> Resource | None:
    """The resource served at ``/apis/<group>/<version>/<plural>`` (group ``""`` is the core ``/api``)."""
    return _BY_PATH.get((group, version, plural))


def by_kind(group: str, kind: str) -> Resource | None:
    return next((r for r in TABLE if r.group == group and r.kind == kind), None)


def group_versions() -> list[tuple[str, str]]:
    """Every (group, version) served, the core group first, in table order."""
    seen: dict[tuple[str, str], None] = {}
    for r in TABLE:
        seen[(r.group, r.version)] = None
    return list(seen)


def in_group_version(group: str, version: str) -> list[Resource]:
    return [r for r in TABLE if r.group == group and r.version == version]
