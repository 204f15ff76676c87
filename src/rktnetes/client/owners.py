"""Owner references: how a controller marks the objects it made (and the garbage collector follows them).

Pure functions over object dicts, for controllers' pure builders (``pod_for(replicaset)`` sets
``ownerReferences=[owner_reference(rs)]``) and for reading the cache (``controller_of(pod)``).
"""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]


def owner_reference(owner: Obj, controller: bool = True, block_owner_deletion: bool = True) -> Obj:
    """The ownerReference pointing at ``owner`` (which must carry apiVersion, kind, name and uid)."""
    meta = owner.get("metadata") or {}
    missing = [f for f, v in (("apiVersion", owner.get("apiVersion")), ("kind", owner.get("kind")),
                              ("metadata.name", meta.get("name")), ("metadata.uid", meta.get("uid"))) if not v]
    if missing:
        raise ValueError(f"an owner needs {', '.join(missing)}")
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": meta["name"], "uid": meta["uid"],
            "controller": controller, "blockOwnerDeletion": block_owner_deletion}


def controller_of(obj: Obj) -> Obj | None:
    """The ownerReference marked ``controller: true``, if any (there is at most one)."""
    refs = (obj.get("metadata") or {}).get("ownerReferences") or []
    return next((ref for ref in refs if ref.get("controller")), None)


def is_controlled_by(obj: Obj, owner: Obj) -> bool:
    ref = controller_of(obj)
    return ref is not None and ref.get("uid") == (owner.get("metadata") or {}).get("uid")
