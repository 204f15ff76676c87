"""Table columns of the workload kinds (apps, batch, ReplicationController), as kube-apiserver prints them."""

from __future__ import annotations

from rktnetes.api.tables import AGE, NAME, NONE, Column, Obj, human_duration, parse_time, since
from rktnetes.api.tables import spec_of as _spec
from rktnetes.api.tables import status_of as _status


def _pod_spec(obj: Obj) -> Obj:
    if obj.get("kind") == "CronJob":
        return _spec(obj).get("jobTemplate", {}).get("spec", {}).get("template", {}).get("spec") or {}
    return _spec(obj).get("template", {}).get("spec") or {}


def _containers(obj: Obj) -> str:
    return ",".join(c.get("name", "") for c in _pod_spec(obj).get("containers") or [])


def _images(obj: Obj) -> str:
    return ",".join(c.get("image", "") for c in _pod_spec(obj).get("containers") or [])


def selector_text(selector: Obj | None) -> str:
    """A LabelSelector (or a plain map) rendered as kubectl prints it."""
    if not selector:
        return NONE
    if "matchLabels" not in selector and "matchExpressions" not in selector:
        return ",".join(f"{k}={v}" for k, v in selector.items())
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for e in selector.get("matchExpressions") or []:
        op = e.get("operator")
        if op in ("Exists", "DoesNotExist"):
            parts.append(("!" if op == "DoesNotExist" else "") + e["key"])
        else:
            parts.append(f"{e['key']} {op.lower()} ({','.join(sorted(e.get('values') or []))})")
    return ",".join(parts) or NONE


WIDE = (Column("Containers", _containers, 1), Column("Images", _images, 1),
        Column("Selector", lambda o: selector_text(_spec(o).get("selector")), 1))


def _count(key: str, title: str) -> Column:
    return Column(title, lambda o: _status(o).get(key, 0), type="integer")


def _ready_of(desired: str):
    return Column("Ready", lambda o: f"{_status(o).get('readyReplicas', 0)}/{_spec(o).get(desired, 1)}")


DEPLOYMENT = (NAME, _ready_of("replicas"), _count("updatedReplicas", "Up-to-date"),
              _count("availableReplicas", "Available"), AGE) + WIDE
REPLICA_SET = (NAME, Column("Desired", lambda o: _spec(o).get("replicas", 0), type="integer"),
               _count("replicas", "Current"), _count("readyReplicas", "Ready"), AGE) + WIDE


DAEMON_SET = (NAME, _count("desiredNumberScheduled", "Desired"), _count("currentNumberScheduled", "Current"),
              _count("numberReady", "Ready"), _count("updatedNumberScheduled", "Up-to-date"),
              _count("numberAvailable", "Available"),
              Column("Node Selector", lambda o: selector_text(_pod_spec(o).get("nodeSelector"))), AGE) + WIDE
STATEFUL_SET = (NAME, _ready_of("replicas"), AGE) + WIDE[:2]


def _job_status(obj: Obj) -> str:
    conditions = {c.get("type"): c.get("status") for c in _status(obj).get("conditions") or []}
    for kind, text in (("Failed", "Failed"), ("Complete", "Complete"), ("Suspended", "Suspended"),
                       ("FailureTarget", "FailureTarget"), ("SuccessCriteriaMet", "SuccessCriteriaMet")):
        if conditions.get(kind) == "True":
            return text
    return "Terminating" if obj.get("metadata", {}).get("deletionTimestamp") else "Running"


def _completions(obj: Obj) -> str:
    done, want = _status(obj).get("succeeded", 0), _spec(obj).get("completions")
    return f"{done}/{want}" if want is not None else f"{done}/1 of {_spec(obj).get('parallelism', 1)}"


def _duration(obj: Obj) -> str:
    start, end = parse_time(_status(obj).get("startTime")), parse_time(_status(obj).get("completionTime"))
    if start is None:
        return ""
    if end is None:
        return since(_status(obj)["startTime"])
    return human_duration((end - start).total_seconds())


JOB = (NAME, Column("Status", _job_status), Column("Completions", _completions), Column("Duration", _duration),
       AGE) + WIDE
CRON_JOB = (NAME, Column("Schedule", lambda o: _spec(o).get("schedule", "")),
            Column("Timezone", lambda o: _spec(o).get("timeZone") or NONE),
            Column("Suspend", lambda o: bool(_spec(o).get("suspend")), type="boolean"),
            Column("Active", lambda o: len(_status(o).get("active") or []), type="integer"),
            Column("Last Schedule", lambda o: since(_status(o).get("lastScheduleTime"))
                   if _status(o).get("lastScheduleTime") else NONE), AGE) + WIDE

COLUMNS: dict[tuple[str, str], tuple[Column, ...]] = {
    ("apps", "Deployment"): DEPLOYMENT, ("apps", "ReplicaSet"): REPLICA_SET, ("", "ReplicationController"): REPLICA_SET,
    ("apps", "DaemonSet"): DAEMON_SET, ("apps", "StatefulSet"): STATEFUL_SET, ("batch", "Job"): JOB,
    ("batch", "CronJob"): CRON_JOB,
}
