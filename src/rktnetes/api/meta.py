"""Object metadata rules: what the server sets on create, keeps on update and changes on delete.

Pure functions over decoded objects (dicts); the API server calls them around each store write.
"""

from __future__ import annotations

import random
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from rktnetes.api import errors
from rktnetes.api.resources import Resource

Obj = dict[str, Any]
_RANDOM_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
SERVER_OWNED = ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation")
NO_GENERATION = {"Namespace", "Node", "Service", "Endpoints", "PersistentVolume", "PersistentVolumeClaim"}


_stamp: tuple[int, str] = (0, "")  # the last second formatted: most writes land in the same second


def now() -> str:
    global _stamp
    second = int(time.time())
    if _stamp[0] != second:
        _stamp = (second, datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    return _stamp[1]


def later(seconds: int) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_uid() -> str:
    """A random (version 4) UUID; uids need uniqueness, not secrecy, so the fast generator will do."""
    return str(uuid.UUID(int=random.getrandbits(128), version=4))


def generated_name(prefix: str) -> str:
    """``generateName`` plus five random characters, from Kubernetes' alphabet without vowels."""
    return prefix + "".join(secrets.choice(_RANDOM_ALPHABET) for _ in range(5))


def check_type(obj: Obj, resource: Resource) -> None:
    """A body's kind and apiVersion, when given, must be the resource's; fill them in when missing."""
    kind, api_version = obj.get("kind"), obj.get("apiVersion")
    if kind and kind != resource.kind or api_version and api_version != resource.group_version:
        raise errors.bad_request(f"the API version in the data ({api_version}) does not match the expected API "
                                 f"version ({resource.group_version})" if kind == resource.kind else
                                 f"Object '{kind}' is not a '{resource.kind}'" if kind else "kind mismatch")
    obj["kind"], obj["apiVersion"] = resource.kind, resource.group_version


def prepare_create(obj: Obj, resource: Resource, namespace: str | None) -> None:
    """Set the server-owned metadata of a new object: name from generateName, uid, timestamps, generation."""
    meta = obj.setdefault("metadata", {})
    if not isinstance(meta, dict):
        raise errors.bad_request("metadata must be an object")
    if not meta.get("name") and meta.get("generateName"):
        meta["name"] = generated_name(meta["generateName"])
    if resource.namespaced:
        meta["namespace"] = namespace or meta.get("namespace") or "default"
    else:
        meta.pop("namespace", None)
    for key in SERVER_OWNED + ("resourceVersion", "selfLink"):
        meta.pop(key, None)
    meta["uid"] = new_uid()
    meta["creationTimestamp"] = now()
    if "spec" in obj and resource.kind not in NO_GENERATION:
        meta["generation"] = 1
    if "status" in resource.subresources and resource.kind not in ("Namespace", "PersistentVolume",
                                                                   "PersistentVolumeClaim"):
        obj["status"] = {}


def check_namespace(obj: Obj, namespace: str | None) -> None:
    given = (obj.get("metadata") or {}).get("namespace")
    if namespace and given and given != namespace:
        raise errors.bad_request("the namespace of the provided object does not match the namespace sent on the "
                                 "request")


def check_name(obj: Obj, name: str) -> None:
    given = (obj.get("metadata") or {}).get("name")
    if given != name:
        raise errors.bad_request(f"the name of the object ({given}) does not match the name on the URL ({name})")


def prepare_update(new: Obj, old: Obj, resource: Resource, *, scope: str = "main") -> None:
    """Carry server-owned fields over from ``old``; ``scope`` says what the endpoint may change: ``main``
    (all but status), ``status`` (only status) or ``all`` (server-internal writes such as binding)."""
    meta, old_meta = new.setdefault("metadata", {}), old["metadata"]
    for key in SERVER_OWNED if scope != "all" else ("uid", "creationTimestamp"):
        if key in old_meta:
            meta[key] = old_meta[key]
        else:
            meta.pop(key, None)
    if resource.namespaced:
        meta["namespace"] = old_meta.get("namespace")
    if scope == "status":
        for key in [k for k in new if k not in ("kind", "apiVersion", "metadata", "status")]:
            del new[key]
        new.update({k: v for k, v in old.items() if k not in ("metadata", "status")})
        meta.update({k: old_meta[k] for k in ("labels", "annotations") if k in old_meta})
    elif scope == "main" and "status" in resource.subresources and "status" in old:
        new["status"] = old["status"]
    if "generation" in old_meta and new.get("spec") != old.get("spec"):
        meta["generation"] = old_meta["generation"] + 1


def mark_deleted(obj: Obj, grace: int) -> None:
    """Start a graceful or finalizer-blocked deletion: set deletionTimestamp once."""
    meta = obj["metadata"]
    if not meta.get("deletionTimestamp"):
        meta["deletionTimestamp"] = later(grace)
        meta["deletionGracePeriodSeconds"] = grace
    elif grace < meta.get("deletionGracePeriodSeconds", grace):
        meta["deletionGracePeriodSeconds"] = grace
    if obj.get("kind") == "Namespace":
        obj.setdefault("status", {})["phase"] = "Terminating"
