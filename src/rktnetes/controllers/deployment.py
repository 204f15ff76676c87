"""Deployments: one ReplicaSet per pod template, rolled from old to new by the strategy, old ones pruned.

``reconcile`` claims the ReplicaSets (adopt, release), finds the one whose template is the Deployment's (or
creates it, revision = highest + 1; an old template coming back, as after ``kubectl rollout undo``, gets its
ReplicaSet back with a new revision), applies one ``strategies.step``, prunes empty old ReplicaSets beyond
``revisionHistoryLimit`` and writes status. Every decision is pure; this module only reads caches and writes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rktnetes.api import selectors
from rktnetes.client import caching, errors, interface, running, sharing
from rktnetes.client.clock import Clock
from rktnetes.controllers import claiming, deploystatus, rollout, strategies
from rktnetes.controllers.controller import Controller

Obj = dict[str, Any]
RS = "replicasets.apps"


def split_sets(deployment: Obj, sets: list[Obj]) -> tuple[Obj | None, list[Obj]]:
    """The ReplicaSet running the current template (the newest if several) and the others."""
    template = deployment["spec"]["template"]
    matching = [rs for rs in sets if rollout.same_template(rs["spec"]["template"], template)]
    new = max(matching, key=lambda rs: rs["metadata"].get("creationTimestamp") or "", default=None)
    return new, [rs for rs in sets if rs is not new]


def prunable(deployment: Obj, olds: list[Obj]) -> list[Obj]:
    """Empty old ReplicaSets beyond ``revisionHistoryLimit`` (default 10), oldest revisions first."""
    limit = int(deployment["spec"].get("revisionHistoryLimit", 10))
    empty = [rs for rs in olds if not strategies.spec_replicas(rs) and not strategies.status_of(rs, "replicas")
             and not rs["metadata"].get("deletionTimestamp")]
    return sorted(empty, key=rollout.revision_of)[:max(len(empty) - limit, 0)]


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class DeploymentController(Controller):
    name = "deployment"

    def __init__(self, client: interface.Api, factory: sharing.InformerFactory, clock: Clock | None = None) -> None:
        super().__init__(client, factory, clock)
        self.deployments = factory.informer("deployments.apps")
        self.sets = factory.informer(RS, indexers={"owner": caching.by_owner_uid})
        self.follow(self.deployments)
        self.sets.add_handlers(self._rs_event, lambda old, new: (self._rs_event(old), self._rs_event(new)),
                               self._rs_event)

    def _rs_event(self, rs: Obj) -> None:
        if self.enqueue_owner(rs, "Deployment") or rs["metadata"].get("ownerReferences"):
            return
        for deployment in self.deployments.cache.list(rs["metadata"].get("namespace")):
            reqs = claiming.selector_of(deployment)
            if reqs and selectors.matches_labels(reqs, rs):
                self.enqueue(deployment)

    async def reconcile(self, key: str) -> running.Result | None:
        deployment = self.deployments.cache.get(key)
        if deployment is None or deployment["metadata"].get("deletionTimestamp"):
            return None
        new, olds = split_sets(deployment, await self._claim(deployment))
        if deployment["spec"].get("paused"):
            return await self._write(deployment, new, olds) if new is not None else None
        if new is None:
            new = await self._create(deployment, olds)
        elif rollout.revision_of(new) <= max(map(rollout.revision_of, olds), default=0):
            new = await self._patch_rs(new, {"metadata": {"annotations": {rollout.REVISION: str(_next(olds))}}})
        await self._apply(deployment, strategies.step(deployment, new, olds), [new, *olds])
        for rs in prunable(deployment, olds):
            await self._delete(rs)
        return await self._write(deployment, new, olds)

    async def _claim(self, deployment: Obj) -> list[Obj]:
        claim = claiming.claim(deployment, self.sets.cache.list(deployment["metadata"]["namespace"]))
        for rs in claim.release:
            await self._patch_rs(rs, claiming.release_patch(deployment, rs))
        adopted = [await self._patch_rs(rs, claiming.adopt_patch(deployment, rs)) for rs in claim.adopt]
        return claim.owned + adopted

    async def _create(self, deployment: Obj, olds: list[Obj]) -> Obj:
        placeholder = rollout.replicaset_for(deployment, 0, _next(olds))
        placeholder["status"] = {}
        wanted = strategies.step(deployment, placeholder, olds).get(placeholder["metadata"]["name"], 0)
        body = rollout.replicaset_for(deployment, wanted, _next(olds))
        try:
            made = await self.client.create(RS, body, deployment["metadata"]["namespace"])
            self.event(deployment, "ScalingReplicaSet", f"Scaled up replica set {made['metadata']['name']} to "
                       f"{wanted}")
            return made
        except errors.AlreadyExists:
            return await self.client.get(RS, body["metadata"]["name"], deployment["metadata"]["namespace"])

    async def _apply(self, deployment: Obj, plan: dict[str, int], sets: list[Obj]) -> None:
        for rs in sets:
            name, before = rs["metadata"]["name"], strategies.spec_replicas(rs)
            if name in plan and plan[name] != before:
                await self._patch_rs(rs, {"spec": {"replicas": plan[name]}})
                way = f"up replica set {name} from {before}" if plan[name] > before else \
                    f"down replica set {name} from {before}"
                self.event(deployment, "ScalingReplicaSet", f"Scaled {way} to {plan[name]}")

    async def _patch_rs(self, rs: Obj, patch: Obj) -> Obj:
        return await self.client.patch(RS, rs["metadata"]["name"], patch, "merge", rs["metadata"]["namespace"])

    async def _delete(self, rs: Obj) -> None:
        try:
            await self.client.delete(RS, rs["metadata"]["name"], rs["metadata"]["namespace"])
        except errors.NotFound:
            return

    async def _write(self, deployment: Obj, new: Obj, olds: list[Obj]) -> running.Result | None:
        """Write revision and status; look again when an unfinished rollout's progress deadline falls."""
        revision = str(rollout.revision_of(new))
        annotations = deployment["metadata"].get("annotations") or {}
        name, namespace = deployment["metadata"]["name"], deployment["metadata"]["namespace"]
        if annotations.get(rollout.REVISION) != revision:
            await self.client.patch("deployments.apps", name, {"metadata": {"annotations": {
                rollout.REVISION: revision}}}, "merge", namespace)
        now = now_text()
        status = deploystatus.status_for(deployment, new, olds, now)
        if status != (deployment.get("status") or {}):
            await self.client.patch("deployments.apps", name, {"status": status}, "merge", namespace,
                                    subresource="status")
        later = deploystatus.deadline_in(deployment, status, now)
        return running.Result(requeue_after=later) if later is not None else None


def _next(olds: list[Obj]) -> int:
    return max(map(rollout.revision_of, olds), default=0) + 1
