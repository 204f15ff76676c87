"""What a kubelet's own credentials may do: kube-apiserver's Node authorizer and NodeRestriction, in one.

A user named ``system:node:<node>`` in group ``system:nodes`` (the client certificate ``rktnetes start`` gives
each kubelet) may read what a node needs (of Secrets and ConfigMaps only those its pods refer to: ``nodegraph``),
write Events, and write only what is its own: its Node (and its status), its Lease in ``kube-node-lease``, and the status, deletion and
ServiceAccount tokens of pods bound to it. Anything else is 403 Forbidden (a Status). Every other user is
left alone (every other authenticated user may still do everything).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from rktnetes.api import errors, resources
from rktnetes.apiserver import auth, negotiation, nodegraph
from rktnetes.apiserver.negotiation import Target
from rktnetes.apiserver.objects import PODS

Obj = dict[str, Any]
LEASE_NAMESPACE = "kube-node-lease"
READS = ("get", "list", "watch")
GRAPHED = ("secrets", "configmaps")  # a node gets only those its pods refer to (``nodegraph``)
_VERBS = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}
_EVENTS = {("", "events"), ("events.k8s.io", "events")}
_STREAMS = ("exec", "attach", "portforward", "proxy")  # GETs that act inside a pod or node, not reads
_SELF_REVIEWS = {("authorization.k8s.io", "selfsubjectaccessreviews"), ("authorization.k8s.io", "selfsubjectrulesreviews")}


def verb(method: str, target: Target, watch: bool) -> str:
    """The Kubernetes verb of a request, as RBAC names it."""
    if method == "GET":
        return "get" if target.name else ("watch" if watch else "list")
    if method == "DELETE" and not target.name:
        return "deletecollection"
    return _VERBS.get(method, method.lower())


def _refused(node: str, act: str, target: Target, why: str) -> errors.APIError:
    r = target.resource
    scope = f"in the namespace {target.namespace!r}" if target.namespace else "at the cluster scope"
    what = f"{r.plural}/{target.subresource}" if target.subresource else r.plural
    return errors.forbidden(r, target.name or "", f'User "system:node:{node}" cannot {act} resource "{what}" in '
                                                  f'API group "{r.group}" {scope}: {why}')


def _name_of(body: Obj | None, target: Target) -> str | None:
    return target.name or ((body or {}).get("metadata") or {}).get("name")


def _own_node(node: str, target: Target, body: Obj | None) -> str | None:
    name = _name_of(body, target)
    return None if name == node else f'node "{node}" is not allowed to modify node "{name}"'


def _own_lease(node: str, target: Target, body: Obj | None) -> str | None:
    name = _name_of(body, target)
    if target.namespace == LEASE_NAMESPACE and name == node:
        return None
    return f'node "{node}" may only write its own Lease {LEASE_NAMESPACE}/{node}, not {target.namespace}/{name}'


def pod_rule(act: str, target: Target) -> str | None:
    """Why a node may never make this pod request whoever the pod is bound to; None if it may, when bound."""
    if (target.subresource, act) in (("status", "update"), ("status", "patch"), (None, "delete")):
        return None
    return "a node may only update the status of and delete pods bound to it"


def decide(node: str, act: str, target: Target, body: Obj | None) -> str | None:
    """Why node ``node`` may not do ``act`` on ``target`` (``body``: a create's object), or None if it may, as far
    as the request alone tells (pods are checked against their binding by the caller)."""
    r = target.resource
    if target.subresource in _STREAMS:
        return f"a node may not {target.subresource} into {r.plural}"
    if act in READS:
        graphed = r.group == "" and r.plural in GRAPHED
        return f"a node may not {act} {r.plural}, only get those of its pods" if graphed and act != "get" else None
    if (r.group, r.plural) in _EVENTS and act in ("create", "update", "patch"):
        return None
    if (r.group, r.plural) in _SELF_REVIEWS and act == "create":
        return None  # kubectl auth can-i: any user may ask what it may do
    if (r.group, r.plural) == ("", "nodes") and act in ("create", "update", "patch", "delete"):
        return _own_node(node, target, body)
    if (r.group, r.plural) == ("coordination.k8s.io", "leases") and act in ("create", "get", "update", "patch"):
        return _own_lease(node, target, body)
    if r is PODS or (r.plural == "serviceaccounts" and target.subresource == "token" and act == "create"):
        return None if r is not PODS else pod_rule(act, target)
    return f"a node may not {act} {r.plural}"


def _resource(group: str, version: str, plural: str) -> resources.Resource | None:
    versions = [version] if version else [v for g, v in resources.group_versions() if g == group]
    return next((r for v in versions if (r := resources.lookup(group, v, plural)) is not None), None)


def review(node: str, attrs: Obj) -> str | None:
    """Why node ``node`` may not do what a SelfSubjectAccessReview's ``resourceAttributes`` describe; None if it
    may (a pod's binding is not looked up: the answer is the rule's)."""
    resource = _resource(attrs.get("group") or "", attrs.get("version") or "", attrs.get("resource") or "")
    if resource is None:
        return f"no resource {attrs.get('resource')!r} in API group {attrs.get('group') or ''!r}"
    target = Target(resource, attrs.get("namespace") or None, attrs.get("name") or None,
                    attrs.get("subresource") or None)
    return decide(node, attrs.get("verb") or "", target, None)


async def _bound_pod_rule(request: web.Request, node: str, target: Target, body: Obj | None) -> str | None:
    """A pod request (or a token for a pod) is the node's only if the pod is bound to it; a missing pod is left to
    the handler (404), as the kubelet deletes pods that may already be gone."""
    if target.resource is PODS:
        namespace, name = target.namespace, target.name
    else:
        ref = ((body or {}).get("spec") or {}).get("boundObjectRef") or {}
        if ref.get("kind") != "Pod":
            return "a node may only request tokens bound to a pod bound to it"
        namespace, name = target.namespace, ref.get("name")
    try:
        pod, _ = await request.app["objects"].registry.get(PODS, namespace, name or "")
    except errors.APIError:
        return None if target.resource is PODS else f'no pod "{name}" in namespace "{namespace}"'
    bound = (pod.get("spec") or {}).get("nodeName")
    return None if bound == node else f'pod {namespace}/{name} is bound to "{bound}", not to node "{node}"'


async def _body(request: web.Request, target: Target, act: str) -> Obj | None:
    if act != "create":
        return None
    raw = await request.read()  # aiohttp keeps it: the handler reads the same bytes again
    try:
        return negotiation.decode_object(raw, negotiation.media_type(request), negotiation.body_resource(target))
    except errors.APIError:
        return None  # the handler answers the malformed body; a name from the path decides alone


async def check(request: web.Request, node: str) -> None:
    """Raise 403 Forbidden unless node ``node`` may make this API request."""
    try:
        target = negotiation.target(request.path)
    except errors.APIError:
        return  # not a resource path: the router answers it
    act = verb(request.method, target, request.query.get("watch") in ("1", "true"))
    body = await _body(request, target, act)
    why = decide(node, act, target, body)
    if why is None and act not in READS and (target.resource is PODS or target.subresource == "token"):
        why = await _bound_pod_rule(request, node, target, body)
    if why is None and act == "get" and target.resource.group == "" and target.resource.plural in GRAPHED:
        registry = request.app["objects"].registry
        if not await nodegraph.related(registry, node, target.resource.plural, target.namespace or "", target.name or ""):
            why = f"no relationship found between node '{node}' and this object"
    if why is not None:
        raise _refused(node, act, target, why)


@web.middleware
async def restricting(request: web.Request, handler):
    """The middleware after authentication: nodes' requests are checked, everyone else's pass."""
    node = auth.node_name(request["user"])
    if node is not None and request.path.startswith(("/api/", "/apis/")):
        await check(request, node)
    return await handler(request)
