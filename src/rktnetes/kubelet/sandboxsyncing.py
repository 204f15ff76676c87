"""``sync(key)`` for a kubelet on pod sandboxes (``--pod-sandboxes``): one rkt sandbox per Kubernetes pod,
each container an app of it, restarted alone.

Level-based, as ``syncing`` is: the pod comes from the informer's cache, its sandbox from rkt (found by the
kubelet's annotations, so a restarted kubelet adopts it), its containers from the sandbox's apps. Init
containers run first, in order, as apps of the same sandbox (so what they set up in its network namespace
stays); then every container is an app. An app that ended is replaced by a new run of the same name
(``rkt app rm`` + ``add`` + ``start``: its previous log and end stay for ``--previous`` and lastState) once its
own back-off has passed (10 s doubling to 5 min, by its restart count, which the app carries as an
annotation); the pod keeps its sandbox, and so its IP, throughout. A sandbox that is gone (killed) is
replaced by a new one. Deletion stops the apps (preStop hooks, then SIGTERM and SIGKILL after the grace
period) and the sandbox with them.
"""

from __future__ import annotations

import time
from typing import Any

from rktnetes.client import running
from rktnetes.kubelet import (
    commands,
    errors,
    hooks,
    messages,
    planning,
    podip,
    sandboxstatus,
    sandboxtranslating,
    sources,
    terminating,
    translating,
    volumes,
)
from rktnetes.kubelet.rktpods import RktPod
from rktnetes.kubelet.syncing import Syncer

Obj = dict[str, Any]


class SandboxSyncer(Syncer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.waiting: dict[str, dict[str, tuple[str, str]]] = {}  # pod uid -> container -> why it waits
        self.pod_waiting: dict[str, tuple[str, str]] = {}  # pod uid -> why no sandbox or app could start

    async def sync(self, key: str) -> running.Result | None:
        pod = self.cache.get(key)
        rkts = [r for r in await self.runtime.pods() if r.key == key]
        uid = pod["metadata"]["uid"] if pod is not None else None
        for stranger in [r for r in rkts if r.uid != uid]:
            await terminating.discard_stranger(self.runtime, self.settings.root_dir, stranger)
        if pod is None:
            return None
        mine = [r for r in rkts if r.uid == uid]
        if pod["metadata"].get("deletionTimestamp"):
            self.waiting.pop(uid, None)
            self.pod_waiting.pop(uid, None)
            await terminating.terminate(self.client, self.runtime, self.settings.root_dir, pod, mine)
            return None
        try:
            result = await self._converge(pod, mine)
        except errors.KubeletError as exc:
            self.pod_waiting[uid] = (getattr(exc, "reason", "CreateContainerError"), str(exc))
            self._event(pod, "Warning", getattr(exc, "event", "Failed"), str(exc))
            await self._write_status(pod)
            raise
        await self._write_status(pod)
        return result

    async def _converge(self, pod: Obj, mine: list[RktPod]) -> running.Result | None:
        sandbox = next((r for r in reversed(mine) if r.running), None)
        if sandbox is None and mine and (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            return None  # done: its ended sandbox stays for the status, until the pod is deleted
        for dead in [r for r in mine if r is not sandbox]:  # a sandbox that ended (killed): a new one
            await terminating.discard(self.runtime, dead, grace=0)
        if sandbox is None:
            return await self._new_sandbox(pod)
        apps = {a.name: a for a in await self.runtime.apps(sandbox.info.uuid)}
        step = await self._init_containers(pod, sandbox, apps)
        if step is not False:
            return step
        containers = (pod.get("spec") or {}).get("containers") or []
        if self._finished(pod, containers, apps):  # nothing will run again: the sandbox (and its IP) goes
            await self.runtime.stop(sandbox.info.uuid, 0)
            return None
        waits = [await self._container(pod, sandbox, c, apps.get(c["name"])) for c in containers]
        return min((w for w in waits if w is not None), key=lambda r: r.requeue_after, default=None)

    @staticmethod
    def _finished(pod: Obj, containers: list[Obj], apps: dict[str, Any]) -> bool:
        ended = [apps.get(c["name"]) for c in containers]
        return all(a is not None and a.state == "exited" and not sandboxstatus.wants_restart(pod, a.exit_code)
                   for a in ended)

    async def _init_containers(self, pod: Obj, sandbox: RktPod, apps: dict[str, Any]) -> running.Result | None | bool:
        """Run the next init container; False once all have succeeded (the containers may start)."""
        for container in (pod.get("spec") or {}).get("initContainers") or []:
            app = apps.get(container["name"])
            if app is not None and app.state == "exited" and app.exit_code == 0:
                continue
            if app is not None and app.state == "exited" and sandboxstatus.init_failed(pod, sandboxstatus.Seen(
                    sandbox, apps)):
                await self.runtime.stop(sandbox.info.uuid, 0)  # the pod has failed: nothing more runs
                return None
            return await self._container(pod, sandbox, container, app, init=True)
        return False

    async def _container(self, pod: Obj, sandbox: RktPod, container: Obj, app: Any,
                         init: bool = False) -> running.Result | None:
        uuid, name = sandbox.info.uuid, container["name"]
        if app is None:
            await self._add_and_start(pod, uuid, container, 0)
        elif app.state == "created":
            await self.runtime.start_app(uuid, name)
        elif app.state == "exited" and (init or sandboxstatus.wants_restart(pod, app.exit_code)):
            return await self._restart(pod, uuid, container, app)
        elif app.state == "running" and not init and self._failing(pod, sandbox, name):
            self._event(pod, "Normal", "Killing", f"Container {name} failed liveness (or startup) probe, "
                                                  "will be restarted")
            await self.runtime.stop_app(uuid, name, terminating.grace_of(pod))
        return None

    def _failing(self, pod: Obj, sandbox: RktPod, name: str) -> bool:
        return self.prober is not None and name in self.prober.failing(pod, sandbox, "liveness")

    async def _restart(self, pod: Obj, uuid: str, container: Obj, app: Any) -> running.Result | None:
        """Run the ended ``app`` again (its restart count one more) once its back-off has passed."""
        runs = sandboxstatus.restarts(app)
        delay = min(self.settings.backoff * 2 ** runs, self.settings.max_backoff)
        left = (app.finished_at or 0.0) + delay - time.time()
        uid, name = pod["metadata"]["uid"], container["name"]
        if left > 0:
            meta = pod["metadata"]
            self.waiting.setdefault(uid, {})[name] = (
                "CrashLoopBackOff", f"back-off {delay:g}s restarting failed container={name} "
                                    f"pod={meta['name']}_{meta['namespace']}({uid})")
            return running.Result(requeue_after=left)
        await self.runtime.remove_app(uuid, name)
        if self.prober is not None:
            self.prober.forget(uuid, name)
        await self._add_and_start(pod, uuid, container, runs + 1)
        return None

    async def _new_sandbox(self, pod: Obj) -> running.Result | None:
        if self.puller is not None:
            if (wait := self.puller.early(pod)) > 0:
                return running.Result(requeue_after=wait)
            spec = pod.get("spec") or {}
            try:
                await self.puller.ensure(pod, (spec.get("initContainers") or []) + (spec.get("containers") or []))
            except errors.ImagePullFailure as exc:
                self.pod_waiting[pod["metadata"]["uid"]] = (exc.reason, str(exc))
                self._event(pod, "Warning", "Failed", f"Error: {exc.reason}")
                return running.Result(requeue_after=self.puller.failed(pod, exc))
        plan = await self._plan(pod)
        uuid = await self.runtime.sandbox(sandboxtranslating.sandbox_args(pod, plan))
        self.pod_waiting.pop(pod["metadata"]["uid"], None)
        self._event(pod, "Normal", "SandboxReady", f"Started rkt sandbox {uuid}")
        return running.Result(requeue_after=0.0)  # its apps next, on a fresh look

    async def _plan(self, pod: Obj, container: Obj | None = None) -> translating.Plan:
        """The sandbox's plan (``container`` None: every container gets an empty termination-log file, and
        the pod an address if its env asks for it), or one container's, whose file is emptied for its run."""
        spec = pod.get("spec") or {}
        every = (spec.get("initContainers") or []) + (spec.get("containers") or [])
        volume_dirs, read_only = await volumes.materialise(self.client, self.settings.root_dir, pod)
        found = [container] if container is not None else []
        in_store = [{**c, "imagePullPolicy": "IfNotPresent"} for c in found] if self.puller else found
        address = ""
        if container is None and podip.wants_pod_ip(pod):
            address = self.podips.choose({r.ip for r in await self.runtime.pods() if r.ip})
        logs = planning.termination_logs(self.settings.root_dir, pod, every if container is None else found, 0)
        return translating.Plan(
            volume_dirs, read_only, self.settings.network, self.settings.node_ip, 0, self.settings.memory_capacity,
            await sources.for_env(self.client, pod), await commands.resolve(self.runtime, in_store),
            self.settings.cluster_dns, self.settings.cluster_domain, termination_logs=logs,
            pulled=self.puller is not None, pod_ip=address)

    async def _add_and_start(self, pod: Obj, uuid: str, container: Obj, runs: int) -> None:
        plan = await self._plan(pod, container)
        plan.pod_ip = next((r.ip for r in await self.runtime.pods() if r.info.uuid == uuid), "")
        words = sandboxtranslating.app_words(pod, container, plan, runs)
        await self.runtime.add_app(uuid, container["name"], words, sandboxtranslating.pull_policy(container, plan))
        await self.runtime.start_app(uuid, container["name"])
        self.waiting.get(pod["metadata"]["uid"], {}).pop(container["name"], None)
        self._event(pod, "Normal", "Started", f"Started container {container['name']}")
        if container.get("lifecycle", {}).get("postStart"):
            await self._post_start(pod, uuid, container)

    async def _post_start(self, pod: Obj, uuid: str, container: Obj) -> None:
        sandbox = next((r for r in await self.runtime.pods() if r.info.uuid == uuid), None)
        only = {**pod, "spec": {**pod["spec"], "containers": [container]}}
        failed = await hooks.post_start(only, sandbox, self.runtime) if sandbox is not None else []
        if failed:
            self._event(pod, "Warning", "FailedPostStartHook", f"PostStartHook failed for {', '.join(failed)}")
            await self.runtime.stop_app(uuid, container["name"], terminating.grace_of(pod))

    def _messages(self, pod: Obj, sandbox: RktPod, apps: dict[str, Any]) -> dict[str, str]:
        """Container → the termination message of its ended run (its file, or its log's tail as asked)."""
        spec = pod.get("spec") or {}
        found = {}
        for container in (spec.get("initContainers") or []) + (spec.get("containers") or []):
            app = apps.get(container["name"])
            if app is not None and app.state == "exited":
                text = messages.message(self.settings.root_dir, pod, sandbox, container, app.exit_code)
                found.update({container["name"]: text} if text else {})
        return found

    async def _write_status(self, pod: Obj) -> None:
        uid = pod["metadata"]["uid"]
        mine = [r for r in await self.runtime.pods() if r.uid == uid]
        sandbox = next((r for r in reversed(mine) if r.running), mine[-1] if mine else None)
        apps = {a.name: a for a in await self.runtime.apps(sandbox.info.uuid)} if sandbox is not None else {}
        unready = frozenset(self.prober.failing(pod, sandbox, "readiness")) if self.prober and sandbox and \
            sandbox.running else frozenset()
        notes = self._messages(pod, sandbox, apps) if sandbox is not None else {}
        seen = sandboxstatus.Seen(sandbox, apps, self.waiting.get(uid, {}), self.pod_waiting.get(uid), unready, notes)
        status = sandboxstatus.pod_status(pod, seen, self.settings.node_ip)
        if sandboxstatus.podstatus.same(pod.get("status") or {}, status):
            return
        meta = pod["metadata"]
        await self.client.patch("pods", meta["name"], {"status": status},
                                namespace=meta["namespace"], subresource="status")
