"""``rkt app sandbox``: a running pod with no apps, whose apps are added, started, stopped and removed one at
a time (rkt's app-level API, for the kubelet's pod sandboxes), and what the app commands share.

A sandbox is prepared like any pod (same flags, same checks before anything is written) with an empty
``apps`` list and the mutable annotation, then started detached. Its manifest is rewritten atomically by
``app add``/``app rm``, which take turns on the pod's apps lock (the folder's own lock is the supervisor's).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.pods import control, errors, preparing, running, stage0, state, volumes
from rktnetes.rkt.pods import manifest as podmanifest


def create(ctx: stage0.Context, req: stage0.PodRequest) -> str:
    """Prepare a pod with no apps from ``req``'s pod flags and start it detached; returns its UUID."""
    if os.geteuid() != 0:
        raise errors.Unprivileged()
    opts = podmanifest.PodOptions(volumes=[volumes.parse_volume(v) for v in req.volumes],
                                  annotations=stage0.env_pairs(req.annotations))
    doc = podmanifest.sandbox_manifest(opts)
    runtime = preparing.Runtime(hostname=req.hostname, insecure=sorted(ctx.insecure),
                                local_config=str(ctx.local_config))
    runtime.netplan = _netplan(ctx, req).to_json()
    uuid = preparing.prepare(ctx.root, doc, [], runtime)
    running.start_detached(ctx.root, uuid)
    return uuid


def port_flags(values: list[str]) -> tuple[list[dict[str, object]], list[str]]:
    """A sandbox's ``--port NAME:tcp|udp:PODPORT:[HOSTIP:]HOSTPORT`` (no image declares its ports yet): the
    declared ports, and the ``NAME:[HOSTIP:]HOSTPORT`` requests ``rkt run``'s networking takes."""
    declared, requests = [], []
    for value in values:
        words = value.split(":")
        if len(words) not in (4, 5) or words[1] not in ("tcp", "udp") or not words[2].isdigit():
            raise errors.BadAppFlag(f"invalid --port {value!r}: want NAME:tcp|udp:PODPORT:[HOSTIP:]HOSTPORT")
        declared.append({"name": words[0], "protocol": words[1], "port": int(words[2])})
        requests.append(":".join([words[0], *words[3:]]))
    return declared, requests


def _netplan(ctx: stage0.Context, req: stage0.PodRequest) -> object:
    from rktnetes.rkt.networking import podnet, resolvconf

    declared, requests = port_flags(req.ports or [])
    dns = resolvconf.parse_dns(req.dns, req.dns_search, req.dns_opt, req.dns_domain)
    return podnet.plan(ctx.local_config, req.net, dns, req.hosts_entries, requests, declared)


def is_sandbox(pod: Path) -> bool:
    notes = preparing.read_manifest(pod).get("annotations") or []
    return any(a["name"] == podmanifest.MUTABLE_ANNOTATION and a["value"] == "true" for a in notes)


def running_sandbox(root: Path, uuid: str) -> state.Pod:
    """The running sandbox ``uuid`` names; PodError if it is not running or was not made by ``app sandbox``."""
    pod = control.running(root, uuid)
    if not is_sandbox(pod.path):
        raise errors.PodError(f'pod "{pod.uuid}" is not a sandbox (start one with "rkt app sandbox")')
    return pod


def started_sandbox(root: Path, uuid: str) -> state.Pod:
    """The sandbox ``uuid`` names, running or exited (its apps' ends stay readable until it is removed)."""
    pod = state.find(root, uuid)
    if pod.folder != "run" or not is_sandbox(pod.path):
        raise errors.PodError(f'pod "{pod.uuid}" is not a started sandbox (it is {pod.status().value})')
    return pod


def app_entry(pod: Path, name: str) -> dict[str, object]:
    for app in preparing.read_manifest(pod)["apps"]:
        if app["name"] == name:
            return app
    raise errors.PodError(f"pod has no app named {name!r}")


@contextmanager
def apps_locked(pod: Path) -> Iterator[None]:
    """Hold the sandbox's apps lock: one ``app add``/``app rm`` at a time rewrites its manifest."""
    fd = os.open(paths.pod_apps_lock_path(pod), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def write_apps(pod: Path, apps: list[dict[str, object]]) -> None:
    """Rewrite the manifest's ``apps`` (atomically: a reader sees the old manifest or the new one)."""
    doc = preparing.read_manifest(pod)
    doc["apps"] = apps
    preparing.write_json(paths.pod_manifest_path(pod), doc)
