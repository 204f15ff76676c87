"""The garbage collector's decisions, pure: what to do with an object given the state of its owners, and with
an owner being deleted given its dependents (Kubernetes' rules for ownerReferences).

An owner is ``ABSENT`` (gone, or a different object of that name), ``WAITING`` (being deleted in the
foreground: it waits for its dependents) or ``PRESENT``. A dependent with a present owner stays (references to
absent or waiting owners are dropped from it); one with only waiting owners is deleted in the foreground, so
its own dependents go before it; one whose owners are all absent is deleted in the background.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Obj = dict[str, Any]
ABSENT, WAITING, PRESENT = "absent", "waiting", "present"
FOREGROUND, ORPHAN = "foregroundDeletion", "orphan"


@dataclass(frozen=True)
class Verdict:
    action: str  # "keep", "delete" or "drop"
    policy: str = ""
    drop: tuple[str, ...] = field(default_factory=tuple)


def refs(obj: Obj) -> list[Obj]:
    return list((obj.get("metadata") or {}).get("ownerReferences") or [])


def finalizers(obj: Obj) -> list[str]:
    return list((obj.get("metadata") or {}).get("finalizers") or [])


def is_deleting(obj: Obj) -> bool:
    return bool((obj.get("metadata") or {}).get("deletionTimestamp"))


def owner_state(owner: Obj | None, uid: str) -> str:
    if owner is None or (owner.get("metadata") or {}).get("uid") != uid:
        return ABSENT
    return WAITING if is_deleting(owner) and FOREGROUND in finalizers(owner) else PRESENT


def verdict(obj: Obj, states: dict[str, str]) -> Verdict:
    """What to do with ``obj`` given each owner uid's state."""
    uids = [r.get("uid", "") for r in refs(obj)]
    if not uids or is_deleting(obj):
        return Verdict("keep")
    by_state = {s: [u for u in uids if states.get(u, PRESENT) == s] for s in (ABSENT, WAITING, PRESENT)}
    if by_state[PRESENT]:
        stale = tuple(by_state[ABSENT] + by_state[WAITING])
        return Verdict("drop", drop=stale) if stale else Verdict("keep")
    return Verdict("delete", "Foreground" if by_state[WAITING] else "Background")


def references(dependent: Obj, owner_uid: str) -> Obj | None:
    return next((r for r in refs(dependent) if r.get("uid") == owner_uid), None)


def blocking(owner: Obj, dependents: list[Obj]) -> list[Obj]:
    """Dependents that hold a foreground deletion of ``owner`` back (``blockOwnerDeletion``)."""
    uid = owner["metadata"]["uid"]
    return [d for d in dependents if (references(d, uid) or {}).get("blockOwnerDeletion")]


def without_refs(obj: Obj, uids: tuple[str, ...] | list[str]) -> Obj:
    """The merge patch removing references to ``uids`` (guarded by the resourceVersion)."""
    kept = [r for r in refs(obj) if r.get("uid") not in uids]
    return {"metadata": {"ownerReferences": kept or None, "resourceVersion": obj["metadata"]["resourceVersion"]}}


def without_finalizer(obj: Obj, name: str) -> Obj:
    kept = [f for f in finalizers(obj) if f != name]
    return {"metadata": {"finalizers": kept or None, "resourceVersion": obj["metadata"]["resourceVersion"]}}
