"""The PersistentVolume binder (kube-controller-manager's ``persistentvolume-binder``): binds claims to volumes,
provisions volumes for claims of a StorageClass, and releases and reclaims volumes whose claim is gone.

One queue holds both kinds of key: a claim's is ``namespace/name``, a volume's (cluster-scoped) is ``name``.
A volume's change also enqueues its claim and a claim's deletion its volume, so each side is looked at whole.
A binding is written volume first (``claimRef``), then the claim (``volumeName``), then both statuses: a crash
between two writes leaves a volume pre-bound to the claim, which the next look finishes. Nothing is decided on
a missing claim without a live GET (the cache may not have seen it yet).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rktnetes.client import caching, errors, interface, running, sharing
from rktnetes.client.clock import Clock
from rktnetes.controllers import persistentvolumebinding as binding
from rktnetes.controllers import persistentvolumereclaim, provisioning
from rktnetes.controllers.controller import Controller

Obj = dict[str, Any]
PVS, PVCS, CLASSES = "persistentvolumes", "persistentvolumeclaims", "storageclasses.storage.k8s.io"
WARNING = "Warning"


class PersistentVolumeController(persistentvolumereclaim.Reclaiming, Controller):
    name = "persistentvolume-binder"

    def __init__(self, client: interface.Api, factory: sharing.InformerFactory, clock: Clock | None = None, *,
                 hostpath_dir: Path | None = None) -> None:
        super().__init__(client, factory, clock)
        self.volumes, self.claims = factory.informer(PVS), factory.informer(PVCS)
        self.classes = factory.informer(CLASSES)
        self.provisioners = {provisioning.HOSTPATH: provisioning.HostPathProvisioner(hostpath_dir)} \
            if hostpath_dir else {}
        self.follow(self.volumes)
        self.follow(self.claims)
        self.volumes.add_handlers(self._volume_event, lambda _old, new: self._volume_event(new), self._volume_event)
        self.claims.add_handlers(on_delete=self._claim_gone)
        self.classes.add_handlers(lambda _sc: self._pending_claims(), lambda _o, _n: self._pending_claims())

    def _volume_event(self, pv: Obj) -> None:
        ref = (pv.get("spec") or {}).get("claimRef") or {}
        if ref.get("name"):
            self.queue.add(f"{ref.get('namespace')}/{ref['name']}")
        elif binding.phase(pv) in ("", binding.PENDING, binding.AVAILABLE):
            self._pending_claims()  # a new free volume may serve a waiting claim

    def _claim_gone(self, claim: Obj) -> None:
        if name := (claim.get("spec") or {}).get("volumeName"):
            self.queue.add(name)

    def _pending_claims(self) -> None:
        for claim in self.claims.cache.list():
            if binding.phase(claim) != binding.BOUND:
                self.enqueue(claim)

    async def reconcile(self, key: str) -> running.Result | None:
        namespace, name = caching.split_key(key)
        if namespace is None:
            return await self.sync_volume(name)
        claim = self.claims.cache.get(key)
        if claim is None or claim["metadata"].get("deletionTimestamp"):
            return None
        if volume := (claim.get("spec") or {}).get("volumeName"):
            return await self._sync_named(claim, volume)
        pv = binding.best_volume(self.volumes.cache.list(), claim)
        if pv is not None:
            return await self._bind(pv, claim)
        return await self._provision_or_wait(claim)

    async def _sync_named(self, claim: Obj, name: str) -> None:
        """A claim that names its volume: finish the binding, or say why it cannot be."""
        pv = self.volumes.cache.get(name)
        if pv is None:
            lost = binding.BIND_COMPLETED in (claim["metadata"].get("annotations") or {})
            if lost and binding.phase(claim) != "Lost":
                self.event(claim, "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is "
                           "lost!", WARNING)
            await self._claim_status(claim, None, "Lost" if lost else binding.PENDING)
            return
        ref = pv["spec"].get("claimRef")
        if ref and not binding.prebound_to(pv, claim):
            self.event(claim, "FailedBinding", f"volume {name!r} already bound to a different claim.", WARNING)
            return
        if not ref and (why := binding.mismatch(pv, claim)):
            self.event(claim, "VolumeMismatch", f"Cannot bind to requested volume {name!r}: {why}", WARNING)
            return
        await self._bind(pv, claim)

    async def _bind(self, pv: Obj, claim: Obj) -> None:
        """Write both sides of the binding, each only if it is not already so."""
        if not binding.bound_to(pv, claim):
            pv = await self.client.update(PVS, binding.bound_volume(pv, claim))
        if binding.phase(pv) != binding.BOUND:
            pv = await self.client.update_status(PVS, {**pv, "status": {"phase": binding.BOUND}})
        new = binding.bound_claim(claim, pv)
        if new != claim:
            claim = await self.client.update(PVCS, new, claim["metadata"]["namespace"])
        await self._claim_status(claim, pv)

    async def _claim_status(self, claim: Obj, pv: Obj | None, phase: str = binding.PENDING) -> None:
        status = binding.claim_status(claim, pv)
        status["phase"] = binding.BOUND if pv is not None else phase
        if status != (claim.get("status") or {}):
            await self.client.update_status(PVCS, {**claim, "status": status}, claim["metadata"]["namespace"])

    async def _provision_or_wait(self, claim: Obj) -> None:
        """No volume fits: provision one when the claim's class can, else say what the claim waits for."""
        name = binding.class_of(claim)
        storage_class = self.classes.cache.get(name) if name else None
        if storage_class is None:
            self.event(claim, "FailedBinding" if not name else "ProvisioningFailed",
                       "no persistent volumes available for this claim and no storage class is set" if not name
                       else f'storageclass.storage.k8s.io "{name}" not found', WARNING if name else "Normal")
            return
        if storage_class.get("volumeBindingMode") == "WaitForFirstConsumer":
            self.event(claim, "WaitForFirstConsumer", "waiting for first consumer to be created before binding")
            return
        await self._provision(claim, storage_class)

    async def _provision(self, claim: Obj, storage_class: Obj) -> None:
        wanted = storage_class.get("provisioner", "")
        annotations = claim["metadata"].get("annotations") or {}
        if annotations.get(binding.STORAGE_PROVISIONER) != wanted:
            marked = {**annotations, binding.STORAGE_PROVISIONER: wanted, binding.BETA_STORAGE_PROVISIONER: wanted}
            await self.client.update(PVCS, {**claim, "metadata": {**claim["metadata"], "annotations": marked}},
                                     claim["metadata"]["namespace"])
            return  # the update brings the claim back with its annotation
        provisioner = self.provisioners.get(wanted)
        if provisioner is None:
            self.event(claim, "ExternalProvisioning", f"Waiting for a volume to be created either by the external "
                       f"provisioner '{wanted}' or manually by the system administrator. If volume creation is "
                       "delayed, please verify that the provisioner is running and correctly registered.")
            return
        volume = provisioner.provision(claim, storage_class)
        try:
            await self.client.create(PVS, volume)
        except errors.AlreadyExists:
            return
        self.event(claim, "ProvisioningSucceeded",
                   f"Successfully provisioned volume {volume['metadata']['name']} using {wanted}")
