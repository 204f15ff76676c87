"""Indexed Jobs, pure: each completion index 0..completions-1 must succeed once; pods carry their index.

A pod of index i is named ``<job>-<i>-<random>``, annotated and labelled with the index, gets
``JOB_COMPLETION_INDEX`` in every container's environment and the hostname ``<job>-<i>``. Indexes that have
succeeded, are running, or whose pod is being created are not started again; ``status.completedIndexes`` is
the succeeded set written as ranges ("0-2,4").
"""

from __future__ import annotations

from typing import Any

from rktnetes.controllers import podstate, templates

Obj = dict[str, Any]
INDEX_KEY = "batch.kubernetes.io/job-completion-index"


def is_indexed(job: Obj) -> bool:
    return (job.get("spec") or {}).get("completionMode") == "Indexed"


def index_of(pod: Obj) -> int | None:
    value = ((pod.get("metadata") or {}).get("annotations") or {}).get(INDEX_KEY, "")
    return int(value) if value.isdigit() else None


def index_in_name(job: Obj, name: str) -> int | None:
    rest = name.removeprefix(job["metadata"]["name"] + "-")
    head = rest.split("-", 1)[0]
    return int(head) if rest != name and head.isdigit() else None


def succeeded(job: Obj, pods: list[Obj]) -> set[int]:
    completions = int(job["spec"].get("completions") or 0)
    return {i for p in pods if podstate.phase(p) == "Succeeded" and (i := index_of(p)) is not None
            and i < completions}


def compress(indexes: set[int]) -> str:
    runs: list[list[int]] = []
    for i in sorted(indexes):
        if runs and runs[-1][1] == i - 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def to_start(job: Obj, pods: list[Obj], pending: set[str], budget: int) -> list[int]:
    """Up to ``budget`` indexes with no succeeded, running or pending pod, lowest first."""
    busy = succeeded(job, pods) | {i for p in pods if podstate.is_active(p) and (i := index_of(p)) is not None}
    busy |= {i for name in pending if (i := index_in_name(job, name)) is not None}
    free = [i for i in range(int(job["spec"].get("completions") or 0)) if i not in busy]
    return free[:max(budget, 0)]


def pod_for_index(job: Obj, index: int) -> Obj:
    pod = templates.pod_for(job, extra_labels={INDEX_KEY: str(index)})
    pod["metadata"]["generateName"] = f"{job['metadata']['name']}-{index}-"
    pod["metadata"]["annotations"] = {**pod["metadata"].get("annotations", {}), INDEX_KEY: str(index)}
    pod["spec"].setdefault("hostname", f"{job['metadata']['name']}-{index}")
    for container in pod["spec"].get("containers") or []:
        container["env"] = [*(container.get("env") or []), {"name": "JOB_COMPLETION_INDEX", "value": str(index)}]
    return pod
