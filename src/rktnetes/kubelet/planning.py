"""Everything a pod's ``rkt prepare`` needs from outside the pod: volumes made, ConfigMaps and Secrets read
for its variables, commands found on the image's PATH — gathered into a ``translating.Plan``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rktnetes.client import interface
from rktnetes.kubelet import commands, paths, sources, translating, volumes
from rktnetes.kubelet.runtime import Runtime

Obj = dict[str, Any]


async def prepare_args(client: interface.Api, runtime: Runtime, root_dir: Path, node: translating.Plan, pod: Obj,
                       restarts: int, init: Obj | None = None) -> list[str]:
    """``rkt prepare``'s arguments for the pod's containers (or for its init container ``init``); ``node``
    holds what the node contributes (network, IP, memory)."""
    volume_dirs, read_only = await volumes.materialise(client, root_dir, pod)
    containers = [init] if init is not None else (pod.get("spec") or {}).get("containers") or []
    in_store = [{**c, "imagePullPolicy": "IfNotPresent"} for c in containers] if node.pulled else containers
    plan = translating.Plan(volume_dirs, read_only, node.network, node.node_ip, restarts, node.memory_capacity,
                            await sources.for_env(client, pod), await commands.resolve(runtime, in_store),
                            node.cluster_dns, node.cluster_domain,
                            termination_logs=termination_logs(root_dir, pod, containers, restarts), pulled=node.pulled,
                            pod_ip=node.pod_ip)
    return translating.prepare_args(pod, plan, init)


def termination_logs(root_dir: Path, pod: Obj, containers: list[Obj], restarts: int) -> dict[str, str]:
    """An empty file per container for its termination message (``messages`` reads it after it ends)."""
    found = {}
    for container in containers:
        path = paths.termination_log_path(root_dir, pod["metadata"]["uid"], container["name"], restarts)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
        found[container["name"]] = str(path)
    return found
