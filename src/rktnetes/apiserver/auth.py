"""Authentication: TLS client certificates signed by the cluster CA, static bearer tokens, ServiceAccount tokens
(``tokens.Signer``); anonymous gets 401.

Every authenticated user may do everything, but a node (``node_name``): ``noderestriction`` limits kubelets to
their own Node, Lease and pods. Health and version endpoints answer
anonymous requests, as kube-apiserver's ``system:public-info-viewer`` role allows.
"""

from __future__ import annotations

import csv
import hmac
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from rktnetes.api import errors
from rktnetes.apiserver import negotiation
from rktnetes.apiserver.errors import BadTokenFile

PUBLIC_PATHS = ("/healthz", "/livez", "/readyz", "/version")
NODES_GROUP, NODE_PREFIX = "system:nodes", "system:node:"


@dataclass(frozen=True)
class User:
    name: str
    groups: tuple[str, ...] = field(default=())
    uid: str = ""


def node_name(user: User | None) -> str | None:
    """The node a kubelet's credentials name (``system:node:NAME`` in ``system:nodes``), else None."""
    if user is None or NODES_GROUP not in user.groups or not user.name.startswith(NODE_PREFIX):
        return None
    return user.name[len(NODE_PREFIX):] or None


def load_tokens(path: Path | None) -> dict[str, User]:
    """A kube-apiserver ``--token-auth-file``: ``token,user,uid[,"group1,group2"]`` per line."""
    if path is None or not path.exists():
        return {}
    tokens = {}
    for number, row in enumerate(csv.reader(path.read_text().splitlines()), 1):
        if not row or row[0].startswith("#"):
            continue
        if len(row) < 3:
            raise BadTokenFile(f"{path}:{number}: expected token,user,uid[,groups]")
        groups = tuple(g for g in (row[3].split(",") if len(row) > 3 else []) if g)
        tokens[row[0]] = User(row[1], groups, row[2])
    return tokens


def _from_certificate(request: web.Request) -> User | None:
    transport = request.transport
    peer = transport.get_extra_info("peercert") if transport else None
    if not peer:
        return None
    subject = [attr for rdn in peer.get("subject", ()) for attr in rdn]
    names = [v for k, v in subject if k == "commonName"]
    groups = tuple(v for k, v in subject if k == "organizationName")
    return User(names[0], groups) if names else None


def _from_service_account(given: str, signer) -> User | None:
    claims = signer.verify(given) if signer is not None and given.count(".") == 2 else None
    if claims is None:
        return None
    namespace = claims.get("kubernetes.io", {}).get("namespace", "")
    return User(claims["sub"], ("system:serviceaccounts", f"system:serviceaccounts:{namespace}",
                                "system:authenticated"))


def _from_token(request: web.Request, tokens: dict[str, User], signer) -> User | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    return token_user(header[7:].strip(), tokens, signer)


def token_user(given: str, tokens: dict[str, User], signer=None) -> User | None:
    """Who a bearer token (static or ServiceAccount) names, or None."""
    for token, user in tokens.items():
        if hmac.compare_digest(token, given):
            return user
    return _from_service_account(given, signer)


def authenticate(request: web.Request, tokens: dict[str, User], signer=None) -> User | None:
    return _from_certificate(request) or _from_token(request, tokens, signer)


def middleware(tokens: dict[str, User], *, anonymous_admin: bool = False, signer=None):
    """An aiohttp middleware that sets ``request["user"]`` or answers 401."""

    @web.middleware
    async def authenticating(request: web.Request, handler):
        user = authenticate(request, tokens, signer)
        if user is None and anonymous_admin:
            user = User("system:admin", ("system:masters",))
        if user is None and request.path not in PUBLIC_PATHS:
            exc = errors.unauthorized()
            return negotiation.error_response(exc)
        request["user"] = user or User("system:anonymous", ("system:unauthenticated",))
        return await handler(request)

    return authenticating
