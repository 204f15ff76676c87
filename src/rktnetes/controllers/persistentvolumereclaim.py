"""The volume side of the PersistentVolume binder: a volume's phase from its claimRef (Available, Bound,
Released) and, once its claim is gone, its reclaim policy: Retain keeps it Released, Delete removes the
volume (and, for a provisioned one, its data, through the provisioner that made it), Recycle is Failed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rktnetes.client import errors
from rktnetes.controllers import persistentvolumebinding as binding

Obj = dict[str, Any]
PVS, PVCS = "persistentvolumes", "persistentvolumeclaims"


class Reclaiming:
    """Mixed into the binder, whose informers (``volumes``, ``claims``) and ``provisioners`` it reads."""

    async def sync_volume(self, name: str) -> None:
        pv = self.volumes.cache.get(name)
        if pv is None:
            return
        ref = pv["spec"].get("claimRef") or {}
        if not ref.get("name"):
            await self._phase(pv, binding.AVAILABLE)
            return
        claim = await self._claim_of(ref)
        if claim is None and not ref.get("uid"):
            await self._phase(pv, binding.AVAILABLE)  # pre-bound to a claim not made yet
            return
        if claim is not None and ref.get("uid") in (None, "", claim["metadata"]["uid"]):
            await self._follow_claim(pv, claim)
            return
        if binding.phase(pv) not in (binding.RELEASED, binding.FAILED):
            pv = await self._phase(pv, binding.RELEASED)
        await self._reclaim(pv)

    async def _claim_of(self, ref: Obj) -> Obj | None:
        """The claim a volume names, from the cache or (to be sure it is gone) the API."""
        claim = self.claims.cache.get(f"{ref.get('namespace')}/{ref.get('name')}")
        if claim is not None:
            return claim
        try:
            return await self.client.get(PVCS, ref["name"], ref.get("namespace"))
        except errors.NotFound:
            return None

    async def _follow_claim(self, pv: Obj, claim: Obj) -> None:
        """The claim exists: Bound once it names this volume; unbound again when it chose another."""
        named = (claim.get("spec") or {}).get("volumeName")
        if named == pv["metadata"]["name"]:
            await self._phase(pv, binding.BOUND)
        elif not named:
            self.queue.add(f"{claim['metadata']['namespace']}/{claim['metadata']['name']}")
        elif binding.BOUND_BY_CONTROLLER in (pv["metadata"].get("annotations") or {}):
            await self._unbind(pv)

    async def _unbind(self, pv: Obj) -> None:
        annotations = {k: v for k, v in (pv["metadata"].get("annotations") or {}).items()
                       if k != binding.BOUND_BY_CONTROLLER}
        spec = {k: v for k, v in pv["spec"].items() if k != "claimRef"}
        await self.client.update(PVS, {**pv, "metadata": {**pv["metadata"], "annotations": annotations},
                                       "spec": spec})

    async def _phase(self, pv: Obj, phase: str, message: str = "", reason: str = "") -> Obj:
        status = {"phase": phase, **({"message": message} if message else {}), **({"reason": reason} if reason else {})}
        if (pv.get("status") or {}) == status:
            return pv
        return await self.client.update_status(PVS, {**pv, "status": status})

    async def _reclaim(self, pv: Obj) -> None:
        policy = pv["spec"].get("persistentVolumeReclaimPolicy") or "Retain"
        if policy == "Recycle":
            why = "No recycler plugin found for the volume!"
            if binding.phase(pv) != binding.FAILED:
                self.event(pv, "VolumeFailedRecycle", why, "Warning")
                await self._phase(pv, binding.FAILED, why)
        elif policy == "Delete":
            await self._delete(pv)

    async def _delete(self, pv: Obj) -> None:
        made_by = (pv["metadata"].get("annotations") or {}).get(binding.PROVISIONED_BY)
        provisioner = self.provisioners.get(made_by or "")
        if provisioner is None:
            why = f"error getting deleter volume plugin for volume {pv['metadata']['name']!r}: no deletable " \
                  "volume plugin matched"
            if binding.phase(pv) != binding.FAILED:
                self.event(pv, "VolumeFailedDelete", why, "Warning")
                await self._phase(pv, binding.FAILED, why)
            return
        await asyncio.to_thread(provisioner.delete, pv)  # a volume's data may be large
        try:
            await self.client.delete(PVS, pv["metadata"]["name"], preconditions={"uid": pv["metadata"]["uid"]})
        except errors.NotFound:
            return
