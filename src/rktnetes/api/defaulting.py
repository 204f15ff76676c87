"""Defaults applied to a new or updated object before validation, by kind (after Kubernetes' ``SetDefaults_*``).

Each function mutates the dict it is given (a fresh decoded request body, never a cached object).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rktnetes.api import podpolicy

Obj = dict[str, Any]


def _container(c: Obj) -> None:
    image = c.get("image") or ""
    tag = image.rsplit("/", 1)[-1]
    latest = "@" not in image and (":" not in tag or tag.endswith(":latest"))
    c.setdefault("imagePullPolicy", "Always" if latest else "IfNotPresent")
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    podpolicy.default_requests(c)
    for port in c.get("ports") or []:
        port.setdefault("protocol", "TCP")


def pod_spec(spec: Obj) -> None:
    for c in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        if isinstance(c, dict):
            _container(c)
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("enableServiceLinks", True)
    sa = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
    spec["serviceAccountName"] = spec["serviceAccount"] = sa


def _pod(obj: Obj) -> None:
    pod_spec(obj.setdefault("spec", {}))
    obj.setdefault("status", {}).setdefault("phase", "Pending")


def _template(obj: Obj) -> None:
    template = obj.setdefault("spec", {}).setdefault("template", {})
    template.setdefault("metadata", {})
    pod_spec(template.setdefault("spec", {}))


def _deployment(obj: Obj) -> None:
    _template(obj)
    spec = obj["spec"]
    spec.setdefault("replicas", 1)
    strategy = spec.setdefault("strategy", {"type": "RollingUpdate"})
    if strategy.get("type", "RollingUpdate") == "RollingUpdate":
        strategy["type"] = "RollingUpdate"
        strategy.setdefault("rollingUpdate", {}).setdefault("maxUnavailable", "25%")
        strategy["rollingUpdate"].setdefault("maxSurge", "25%")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)


def _replicas(obj: Obj) -> None:
    _template(obj)
    obj["spec"].setdefault("replicas", 1)


def _replication_controller(obj: Obj) -> None:
    _replicas(obj)
    labels = obj["spec"]["template"]["metadata"].get("labels") or {}
    obj["spec"].setdefault("selector", dict(labels))
    if not obj.setdefault("metadata", {}).get("labels"):
        obj["metadata"]["labels"] = dict(labels)


def _daemonset(obj: Obj) -> None:
    _template(obj)
    strategy = obj["spec"].setdefault("updateStrategy", {"type": "RollingUpdate"})
    if strategy.get("type") == "RollingUpdate":
        strategy.setdefault("rollingUpdate", {"maxUnavailable": 1, "maxSurge": 0})
    obj["spec"].setdefault("revisionHistoryLimit", 10)


def _statefulset(obj: Obj) -> None:
    _replicas(obj)
    spec = obj["spec"]
    spec.setdefault("podManagementPolicy", "OrderedReady")
    spec.setdefault("updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("persistentVolumeClaimRetentionPolicy", {"whenDeleted": "Retain", "whenScaled": "Retain"})


def _job(obj: Obj) -> None:
    _template(obj)
    spec, uid = obj["spec"], obj["metadata"].get("uid", "")
    for key, value in (("parallelism", 1), ("completions", 1), ("backoffLimit", 6),
                       ("completionMode", "NonIndexed"), ("suspend", False)):
        spec.setdefault(key, value)
    if uid and not spec.get("manualSelector"):
        labels = spec["template"]["metadata"].setdefault("labels", {})
        for key in ("batch.kubernetes.io/controller-uid", "controller-uid"):
            labels.setdefault(key, uid)
        for key in ("batch.kubernetes.io/job-name", "job-name"):
            labels.setdefault(key, obj["metadata"]["name"])
        spec.setdefault("selector", {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}})


def _cronjob(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    for key, value in (("concurrencyPolicy", "Allow"), ("suspend", False),
                       ("successfulJobsHistoryLimit", 3), ("failedJobsHistoryLimit", 1)):
        spec.setdefault(key, value)
    job_template = spec.setdefault("jobTemplate", {}).setdefault("spec", {}).setdefault("template", {})
    pod_spec(job_template.setdefault("spec", {}))


def _service(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    if spec["type"] != "ExternalName":
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        spec.setdefault("internalTrafficPolicy", "Cluster")
    for port in spec.get("ports") or []:
        port.setdefault("protocol", "TCP")
        port.setdefault("targetPort", port.get("port"))


def _namespace(obj: Obj) -> None:
    obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
    obj.setdefault("status", {}).setdefault("phase", "Active")
    labels = obj.setdefault("metadata", {}).setdefault("labels", {})
    labels["kubernetes.io/metadata.name"] = obj["metadata"].get("name", "")


def _volume(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("volumeMode", "Filesystem")
    if obj.get("kind") == "PersistentVolume":
        spec.setdefault("persistentVolumeReclaimPolicy", "Retain")
    obj.setdefault("status", {}).setdefault("phase", "Pending")


def _storage_class(obj: Obj) -> None:
    obj.setdefault("reclaimPolicy", "Delete")
    obj.setdefault("volumeBindingMode", "Immediate")


def _secret(obj: Obj) -> None:
    obj.setdefault("type", "Opaque")


DEFAULTERS: dict[str, Callable[[Obj], None]] = {
    "Pod": _pod, "Deployment": _deployment, "ReplicaSet": _replicas, "ReplicationController": _replication_controller,
    "DaemonSet": _daemonset, "StatefulSet": _statefulset, "Job": _job, "CronJob": _cronjob, "Service": _service,
    "Namespace": _namespace, "PersistentVolume": _volume, "PersistentVolumeClaim": _volume, "Secret": _secret,
    "StorageClass": _storage_class,
}


def apply_defaults(obj: Obj) -> None:
    """Fill in the defaults of ``obj``'s kind, in place."""
    defaulter = DEFAULTERS.get(obj.get("kind", ""))
    if defaulter:
        defaulter(obj)
