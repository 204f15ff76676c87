"""The create-only review kinds: nothing stored, the answer computed from the request.

SelfSubjectAccessReview (``kubectl auth can-i``) answers allowed: every authenticated user may do everything, but
a node, which gets ``noderestriction``'s answer.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from rktnetes.api import meta
from rktnetes.apiserver import auth, noderestriction
from rktnetes.apiserver.negotiation import Target

Obj = dict[str, Any]
KINDS = ("SelfSubjectAccessReview",)
ALLOWED = {"allowed": True, "reason": "rktnetes authorizes every authenticated user"}


def _status(request: web.Request, spec: Obj) -> Obj:
    node = auth.node_name(request.get("user"))
    if node is None or not spec.get("resourceAttributes"):
        return dict(ALLOWED)
    why = noderestriction.review(node, spec["resourceAttributes"])
    return {"allowed": True, "reason": "the node may"} if why is None else {"allowed": False, "reason": why}


def answer(request: web.Request, target: Target, body: Obj) -> Obj:
    """The review with its status filled in."""
    metadata = dict(body.get("metadata") or {}, creationTimestamp=meta.now())
    spec = body.get("spec") or {}
    return {"kind": target.resource.kind, "apiVersion": target.resource.group_version, "metadata": metadata,
            "spec": spec, "status": _status(request, spec)}
