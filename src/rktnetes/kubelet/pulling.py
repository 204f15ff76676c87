"""The kubelet's image pulls: imagePullPolicy, pull Secrets, back-off and the events, before ``rkt prepare``.

Each container's image is ensured on its own, as the kubelet's image manager does: Never uses the store only
(ErrImageNeverPull), IfNotPresent pulls what the store lacks, Always re-fetches (rkt ``--pull-policy=update``).
A pull is the real ``rkt fetch`` in a child process, given the pod's registry credentials through a private
``auth.d`` (``credentials.config_dir``); looking in the store is rkt's library, in a worker thread. A failed
pull starts a back-off per (pod, image) — 10 s doubling to 5 min, the kubelet's — during which the container
waits in ImagePullBackOff without asking the registry again. The back-off table lives in this one object,
touched only from the kubelet's event loop (one sync per pod at a time), so it needs no lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from rktnetes.client import interface
from rktnetes.kubelet import credentials, errors, translating

Obj = dict[str, Any]
Emit = Callable[[Obj, str, str, str], None]  # (pod, type, reason, message): an Event about the pod
FETCH_POLICY = {"Always": "update", "IfNotPresent": "new"}


class Images(Protocol):
    async def present(self, image: str) -> Any: ...

    async def fetch(self, image: str, policy: str, config: Path | None) -> None: ...


def policy_of(container: Obj) -> str:
    """The container's imagePullPolicy, else the API's default by tag: ``:latest`` or no tag (and no digest)
    → Always, any other tag or a digest → IfNotPresent."""
    if container.get("imagePullPolicy"):
        return container["imagePullPolicy"]
    image = container.get("image", "").removeprefix("docker://")
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.partition(":")[2] or ("" if digest else "latest")
    return "Always" if tag == "latest" else "IfNotPresent"


def should_pull(policy: str, present: bool) -> bool:
    """The kubelet's table: Always pulls, IfNotPresent pulls what is absent, Never never pulls."""
    return policy == "Always" or (policy == "IfNotPresent" and not present)


def go_duration(seconds: float) -> str:
    """A duration as Go prints a ``time.Duration`` truncated to milliseconds (``512ms``, ``1.5s``, ``2m3.4s``)."""
    millis = int(seconds * 1000)
    if millis < 1000:
        return f"{millis}ms" if millis else "0s"
    minutes, rest = divmod(millis, 60_000)
    secs = f"{rest / 1000:.3f}".rstrip("0").rstrip(".") + "s"
    return f"{minutes}m{secs}" if minutes else secs


class BackOff:
    """Per-key exponential back-off, as the kubelet's flowcontrol.Backoff: ``next`` after each failure; a
    key idle for twice the maximum starts again from the initial delay."""

    def __init__(self, initial: float, maximum: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.initial, self.maximum, self.clock = initial, maximum, clock
        self.entries: dict[str, tuple[float, float]] = {}  # key -> (delay, when it last failed)

    def next(self, key: str) -> float:
        now = self.clock()
        delay, last = self.entries.get(key, (0.0, 0.0))
        delay = self.initial if not delay or now - last > 2 * self.maximum else min(delay * 2, self.maximum)
        self.entries = {k: e for k, e in self.entries.items() if now - e[1] <= 2 * self.maximum}  # GC, as the kubelet
        self.entries[key] = (delay, now)
        return delay

    def left(self, key: str) -> float:
        """Seconds until ``key`` may be tried again (0: now)."""
        delay, last = self.entries.get(key, (0.0, 0.0))
        return max(last + delay - self.clock(), 0.0)

    def forget(self, key: str) -> None:
        self.entries.pop(key, None)


class Puller:
    """Ensures a pod's images are in the store before it is prepared, writing the kubelet's events."""

    def __init__(self, images: Images, client: interface.Api, root_dir: Path, backoff: BackOff,
                 emit: Emit | None = None) -> None:
        self.images, self.client, self.root_dir, self.backoff = images, client, root_dir, backoff
        self.emit: Emit = emit or (lambda *_: None)
        self.last_error: dict[str, str] = {}  # back-off key -> why its last pull failed
        self.due: dict[str, float] = {}  # pod uid -> when (back-off clock) a failed pod may be looked at again
        credentials.remove_leftovers(root_dir)

    def retry_in(self, pod: Obj) -> float:
        """Seconds until the pod's longest image pull back-off has passed (0: none is running)."""
        prefix = f"{pod['metadata']['uid']}_"
        return max((self.backoff.left(k) for k in self.backoff.entries if k.startswith(prefix)), default=0.0)

    def failed(self, pod: Obj, exc: errors.ImagePullFailure) -> float:
        """When to look at a pod whose pull failed again: when its back-off ends, or half way through a fresh
        one (so ErrImagePull shows, then ImagePullBackOff, as the kubelet's pod worker does)."""
        left = self.retry_in(pod)
        wait = max(exc.wait, 0.05) if isinstance(exc, errors.ImagePullBackOff) else left / 2 or self.backoff.initial
        now = self.backoff.clock()
        self.due = {uid: when for uid, when in self.due.items() if when > now}  # deleted pods' leave too
        self.due[pod["metadata"]["uid"]] = now + wait
        return wait

    def early(self, pod: Obj) -> float:
        """Seconds left before a pod whose pull failed may be looked at (a sync woken sooner keeps its state)."""
        uid = pod["metadata"]["uid"]
        left = self.due.get(uid, 0.0) - self.backoff.clock()
        if left <= 0:
            self.due.pop(uid, None)
        return max(left, 0.0)

    async def ensure(self, pod: Obj, containers: list[Obj]) -> None:
        """Each container's image, as its policy says; raises ImageNeverPull, ImagePullBackOff (``wait``:
        seconds left) or ImagePullFailure (the pull failed now; its back-off has started)."""
        ring: credentials.Keyring | None = None
        for container in containers:
            ring = await self._ensure_one(pod, container, ring)

    async def _ensure_one(self, pod: Obj, container: Obj, ring: credentials.Keyring | None) -> credentials.Keyring | None:
        image, policy = container["image"], policy_of(container)
        ref = translating.image_ref(image)
        found = await self.images.present(ref) if policy != "Always" else None
        if not should_pull(policy, found is not None):
            if found is None:
                message = f'Container image "{image}" is not present with pull policy of Never'
                self.emit(pod, "Warning", "ErrImageNeverPull", message)
                raise errors.ImageNeverPull(message)
            self.emit(pod, "Normal", "Pulled", f'Container image "{image}" already present on machine')
            return ring
        key = f"{pod['metadata']['uid']}_{image}"
        if (left := self.backoff.left(key)) > 0:
            message = f'Back-off pulling image "{image}"'
            self.emit(pod, "Normal", "BackOff", message)
            raise errors.ImagePullBackOff(f"{message}: ErrImagePull: {self.last_error.get(key, '')}", left)
        ring = ring if ring is not None else await self._keyring(pod)
        await self._pull(pod, image, FETCH_POLICY[policy], key, credentials.lookup(ring, ref))
        return ring

    async def _keyring(self, pod: Obj) -> credentials.Keyring:
        missing: list[str] = []
        ring = await credentials.keyring(self.client, pod, missing)
        if missing:
            self.emit(pod, "Warning", "FailedToRetrieveImagePullSecret", "Unable to retrieve some image pull secrets "
                      f"({', '.join(missing)}); attempting to pull the image may not succeed.")
        return ring

    async def _fetch(self, ref: str, policy: str, match: tuple[str, tuple[str, str]] | None) -> None:
        if match is None:
            return await self.images.fetch(ref, policy, None)
        with credentials.config_dir(self.root_dir, *match) as config:
            await self.images.fetch(ref, policy, config)

    async def _pull(self, pod: Obj, image: str, policy: str, key: str,
                    match: tuple[str, tuple[str, str]] | None) -> None:
        self.emit(pod, "Normal", "Pulling", f'Pulling image "{image}"')
        ref, started = translating.image_ref(image), time.monotonic()
        try:
            await self._fetch(ref, policy, match)
        except errors.ImagePullFailure as exc:
            self.emit(pod, "Warning", "Failed", f'Failed to pull image "{image}": {exc}')
            self.backoff.next(key)
            self.last_error[key] = str(exc)
            raise
        took = go_duration(time.monotonic() - started)
        self.backoff.forget(key)
        self.last_error.pop(key, None)
        stored = await self.images.present(ref)
        size = f" Image size: {stored.size} bytes." if stored is not None else ""
        self.emit(pod, "Normal", "Pulled", f'Successfully pulled image "{image}" in {took} ({took} including waiting).'
                                           f"{size}")
