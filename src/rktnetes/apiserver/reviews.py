"""The create-only review kinds: nothing stored, the answer computed from the request.

SelfSubjectAccessReview (``kubectl auth can-i``) answers allowed: every authenticated user may do everything.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from rktnetes.api import meta
from rktnetes.apiserver.negotiation import Target

Obj = dict[str, Any]
KINDS = ("SelfSubjectAccessReview",)
ALLOWED = {"allowed": True, "reason": "rktnetes authorizes every authenticated user"}


def answer(request: web.Request, target: Target, body: Obj) -> Obj:
    """The review with its status filled in."""
    metadata = dict(body.get("metadata") or {}, creationTimestamp=meta.now())
    return {"kind": target.resource.kind, "apiVersion": target.resource.group_version, "metadata": metadata,
            "spec": body.get("spec") or {}, "status": dict(ALLOWED)}
