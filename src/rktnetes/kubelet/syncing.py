"""``sync(key)``: make the rkt pods of one Kubernetes pod what the pod asks for, then write what rkt shows.

Level-based, as controllers are: the key says which pod to look at, never what happened to it. The pod comes
from the informer's cache (never mutated), its rkt pods from the runtime, found by the annotations the kubelet
put on them — which is also how a restarted kubelet adopts the pods it started before instead of starting
them twice. One sync per key at a time (the work queue's promise); a failure is retried with the queue's
back-off; a restart waits its own (10 s doubling to 5 min, the kubelet's) by asking the queue to come back.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rktnetes.client import interface, recording, running
from rktnetes.kubelet import errors, hooks, initializing, messages, planning, podip, podstatus, terminating, translating
from rktnetes.kubelet.podstatus import Observed
from rktnetes.kubelet.prober import Prober
from rktnetes.kubelet.pulling import BackOff, Images, Puller
from rktnetes.kubelet.rktpods import RktPod
from rktnetes.kubelet.runtime import Runtime

Obj = dict[str, Any]


@dataclass(frozen=True)
class Settings:
    root_dir: Path
    node_ip: str
    network: str = "default"
    backoff: float = 10.0
    max_backoff: float = 300.0
    memory_capacity: int = 0
    cluster_dns: str = ""
    cluster_domain: str = "cluster.local"


class Syncer:
    """What both pod syncers (one rkt pod per run, ``PodSyncer``; a sandbox per pod, ``SandboxSyncer``) hold:
    the API client, the informer's cache, rkt, the image puller, the pod IP chooser and the event recorder."""

    def __init__(self, client: interface.Api, cache: Any, runtime: Runtime, settings: Settings,
                 recorder: recording.EventRecorder | None = None, prober: Prober | None = None,
                 images: Images | None = None) -> None:
        """``images``: the store and fetches the kubelet pulls with (None: ``rkt prepare`` fetches by itself)."""
        self.client, self.cache, self.runtime, self.settings = client, cache, runtime, settings
        self.recorder, self.prober = recorder, prober
        backoff = BackOff(settings.backoff, settings.max_backoff)
        self.puller = Puller(images, client, settings.root_dir, backoff, self._event) if images else None
        self.podips = podip.Chooser(settings.network, runtime)

    def _event(self, pod: Obj, kind: str, reason: str, message: str) -> None:
        if self.recorder is not None:
            self.recorder.emit(pod, kind, reason, message)


class PodSyncer(Syncer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.waiting: dict[str, tuple[str, str]] = {}  # pod uid -> why its containers wait

    async def sync(self, key: str) -> running.Result | None:
        pod = self.cache.get(key)
        rkts, changes = [r for r in await self.runtime.pods() if r.key == key], self.runtime.changes
        uid = pod["metadata"]["uid"] if pod is not None else None
        for stranger in [r for r in rkts if r.uid != uid]:
            await terminating.discard_stranger(self.runtime, self.settings.root_dir, stranger)
        if pod is None:
            return None
        mine = [r for r in rkts if r.uid == uid]
        if pod["metadata"].get("deletionTimestamp"):
            self.waiting.pop(uid, None)
            await terminating.terminate(self.client, self.runtime, self.settings.root_dir, pod, mine)
            return None
        result = await self._converge(pod, [r for r in mine if not r.init], [r for r in mine if r.init])
        await self._write_status(pod, None if self.runtime.changes != changes else rkts)
        return result

    async def _converge(self, pod: Obj, mine: list[RktPod], inits: list[RktPod]) -> running.Result | None:
        current = mine[-1] if mine else None
        finished = (pod.get("status") or {}).get("phase") in (podstatus.SUCCEEDED, podstatus.FAILED)
        if current is None and not finished:
            return await self._initialize(pod, inits)
        elif current is not None and current.info.state == "prepared":
            await self._run(pod, current.info.uuid)
        elif current is not None and current.exited and podstatus.wants_restart(pod, current):
            return await self._restart(pod, current, mine)
        elif current is not None and current.running and (why := self._why_restart(pod, current)):
            self._event(pod, "Normal", "Killing", f"{why}; the pod will be restarted (as a whole, as rkt pods are)")
            await self.runtime.stop(current.info.uuid, terminating.grace_of(pod))
        return None

    def _why_restart(self, pod: Obj, rkt: RktPod) -> str:
        """Why a running rkt pod is replaced: a failed liveness or startup probe ("": it is not)."""
        failing = self._failing(pod, rkt, "liveness")
        return f"Container {', '.join(failing)} failed liveness (or startup) probe" if failing else ""

    async def _initialize(self, pod: Obj, inits: list[RktPod]) -> running.Result | None:
        """Run the init containers one after another (``initializing``), then start the pod's containers."""
        step = initializing.next_step(pod, inits)
        if step.action == initializing.DONE:
            return await self._start(pod, restarts=0)
        elif step.action == initializing.START:
            return await self._start(pod, restarts=0, init=step.container)
        elif step.action == initializing.RUN:
            await self._run(pod, step.rkt.info.uuid)
        elif step.action == initializing.RESTART:
            runs = [r for r in inits if r.init == step.rkt.init]
            return await self._restart(pod, step.rkt, runs, step.container)
        return None

    def _failing(self, pod: Obj, rkt: RktPod, kind: str) -> list[str]:
        return self.prober.failing(pod, rkt, kind) if self.prober is not None else []

    async def _restart(self, pod: Obj, current: RktPod, mine: list[RktPod],
                       init: Obj | None = None) -> running.Result | None:
        """Replace the exited ``current`` (of the pod's containers, or of one init container) once its
        back-off has passed."""
        delay = min(self.settings.backoff * 2 ** current.restarts, self.settings.max_backoff)
        left = (current.info.exited_at or 0.0) + delay - time.time()
        uid = pod["metadata"]["uid"]
        if left > 0 and init is not None:
            return running.Result(requeue_after=left)
        if left > 0:
            name = current.info.apps[0].name if current.info.apps else ""
            self.waiting[uid] = ("CrashLoopBackOff", f"back-off {delay:g}s restarting failed container={name} "
                                                     f"pod={pod['metadata']['name']}_{pod['metadata']['namespace']}"
                                                     f"({uid})")
            return running.Result(requeue_after=left)
        for old in mine[:-1]:  # keep one exited rkt pod: the previous container's logs and lastState
            await terminating.discard(self.runtime, old, grace=0)
        return await self._start(pod, restarts=current.restarts + 1, init=init)

    async def _start(self, pod: Obj, restarts: int, init: Obj | None = None) -> running.Result | None:
        if self.puller is not None:
            if (wait := self.puller.early(pod)) > 0:
                return running.Result(requeue_after=wait)  # woken early (by our own status write): keep the state
            try:
                await self.puller.ensure(pod, [init] if init is not None else pod["spec"].get("containers") or [])
            except errors.ImagePullFailure as exc:
                return await self._pull_failed(pod, exc)
        address = await self._choose_ip(pod)
        for attempt in range(1, podip.ATTEMPTS + 1):
            uuid = await self._prepare(pod, restarts, init, address)
            try:
                await self._run(pod, uuid)
                return None
            except errors.RuntimeFailure as exc:
                if not address or attempt == podip.ATTEMPTS or not podip.refused(exc, address):
                    raise
            await self.runtime.remove(uuid)  # the network refused the address (taken meanwhile): another one
            address = await self._choose_ip(pod)
        return None

    async def _prepare(self, pod: Obj, restarts: int, init: Obj | None, address: str) -> str:
        try:
            node = translating.Plan(network=self.settings.network, node_ip=self.settings.node_ip,
                                    memory_capacity=self.settings.memory_capacity,
                                    cluster_dns=self.settings.cluster_dns, cluster_domain=self.settings.cluster_domain,
                                    pulled=self.puller is not None, pod_ip=address)
            args = await planning.prepare_args(self.client, self.runtime, self.settings.root_dir, node, pod,
                                               restarts, init)
            return await self.runtime.prepare(args)
        except errors.KubeletError as exc:
            await self._failed(pod, exc)
            raise

    async def _choose_ip(self, pod: Obj) -> str:
        """The address chosen for a pod whose env asks for its IP (``podip``); "" for any other pod."""
        if not podip.wants_pod_ip(pod):
            return ""
        try:
            return self.podips.choose({r.ip for r in await self.runtime.pods() if r.ip})
        except errors.KubeletError as exc:
            await self._failed(pod, exc)
            raise

    async def _pull_failed(self, pod: Obj, exc: errors.ImagePullFailure) -> running.Result:
        """The container waits (ErrImagePull, ImagePullBackOff, ErrImageNeverPull); look again once the
        back-off allows (half way through a fresh one, so ImagePullBackOff shows, as the kubelet's does)."""
        self.waiting[pod["metadata"]["uid"]] = (exc.reason, str(exc))
        self._event(pod, "Warning", "Failed", f"Error: {exc.reason}")
        await self._write_status(pod)
        return running.Result(requeue_after=self.puller.failed(pod, exc) if self.puller else self.settings.backoff)

    async def _run(self, pod: Obj, uuid: str) -> None:
        try:
            await self.runtime.start(uuid)
        except errors.KubeletError as exc:
            await self._failed(pod, exc)
            raise
        self.waiting.pop(pod["metadata"]["uid"], None)
        self._event(pod, "Normal", "Started", f"Started rkt pod {uuid}")
        if hooks.containers_with(pod, "postStart"):
            await self._post_start(pod, uuid)

    async def _post_start(self, pod: Obj, uuid: str) -> None:
        started = [r for r in await self.runtime.pods() if r.info.uuid == uuid and not r.init]
        failed = await hooks.post_start(pod, started[0], self.runtime) if started else []
        if failed:
            self._event(pod, "Warning", "FailedPostStartHook", f"PostStartHook failed for {', '.join(failed)}")
            await self.runtime.stop(uuid, terminating.grace_of(pod))

    async def _failed(self, pod: Obj, exc: errors.KubeletError) -> None:
        self.waiting[pod["metadata"]["uid"]] = (getattr(exc, "reason", "CreateContainerError"), str(exc))
        self._event(pod, "Warning", getattr(exc, "event", "Failed"), str(exc))
        await self._write_status(pod)

    async def _write_status(self, pod: Obj, listed: list[RktPod] | None = None) -> None:
        """Write what rkt shows of ``pod`` if it changed (``listed``: a listing nothing has changed since)."""
        uid = pod["metadata"]["uid"]
        everything = [r for r in (listed if listed is not None else await self.runtime.pods()) if r.uid == uid]
        mine = [r for r in everything if not r.init]
        current = mine[-1] if mine else None
        unready = frozenset(self._failing(pod, current, "readiness")) if current and current.running else frozenset()
        previous, inits = mine[-2] if len(mine) > 1 else None, tuple(r for r in everything if r.init)
        notes = messages.collect(self.settings.root_dir, pod, [current, previous, *inits])
        seen = Observed(current, previous, self.waiting.get(uid), unready, inits, notes)
        status = podstatus.pod_status(pod, seen, self.settings.node_ip)
        if podstatus.same(pod.get("status") or {}, status):
            return
        meta = pod["metadata"]
        await self.client.patch("pods", meta["name"], {"status": status},
                                namespace=meta["namespace"], subresource="status")
