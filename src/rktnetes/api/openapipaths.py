"""The OpenAPI path items of one resource: its collection, its objects and their subresources.

Every mutating operation carries ``dryRun``, ``fieldManager`` and ``fieldValidation`` (kubectl's strict
validation looks for the last one on PATCH) and each operation names its group-version-kind.
"""

from __future__ import annotations

from typing import Any

from rktnetes.api import schema
from rktnetes.api.openapischemas import META, PATCH, ref
from rktnetes.api.resources import Resource

_PARAM_DOCS = {
    "dryRun": "When present, indicates that modifications should not be persisted.",
    "fieldManager": "fieldManager is a name associated with the actor or entity that is making these changes.",
    "fieldValidation": "fieldValidation instructs the server on how to handle objects in the request "
                       "containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.",
    "force": "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields "
             "owned by other people.",
}
_INTS = {"limit", "timeoutSeconds", "gracePeriodSeconds"}
_BOOLS = {"watch", "allowWatchBookmarks", "force", "orphanDependents", "sendInitialEvents", "pretty"}
_LIST = ["allowWatchBookmarks", "continue", "fieldSelector", "labelSelector", "limit", "resourceVersion",
         "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds", "watch"]
_WRITE = ["dryRun", "fieldManager", "fieldValidation"]
_DELETE = ["dryRun", "gracePeriodSeconds", "orphanDependents", "propagationPolicy"]
PATCH_TYPES = ["application/json-patch+json", "application/merge-patch+json",
               "application/strategic-merge-patch+json", "application/apply-patch+yaml"]


def paths_for(r: Resource, prefix: str, v3: bool) -> dict[str, Any]:
    """``{path: path item}`` for the resource, in the v3 or the v2 (Swagger) dialect."""
    ops = _Ops(r, prefix, v3)
    base = f"/apis/{r.group}/{r.version}" if r.group else f"/api/{r.version}"
    scope = f"{base}/namespaces/{{namespace}}/{r.plural}" if r.namespaced else f"{base}/{r.plural}"
    out = {scope: ops.collection(), f"{scope}/{{name}}": ops.item(r.model, r.kind)}
    if r.namespaced:
        out[f"{base}/{r.plural}"] = ops.cluster_list()
    for sub in r.subresources:
        if sub in ("status", "scale"):
            model, kind = ("V1Scale", "Scale") if sub == "scale" else (r.model, r.kind)
            out[f"{scope}/{{name}}/{sub}"] = ops.item(model, kind, sub)
    return out


class _Ops:
    def __init__(self, r: Resource, prefix: str, v3: bool) -> None:
        self.r, self.prefix, self.v3 = r, prefix, v3
        self.namespaced = r.namespaced

    def collection(self) -> dict[str, Any]:
        r = self.r
        list_ref = schema.model(r.model).openapi_name + "List"
        return {"get": self.op("list", "list", r.list_kind, _LIST, list_ref),
                "post": self.op("create", "post", r.kind, _WRITE, self.own(), body=self.own()),
                "delete": self.op("deletecollection", "deletecollection", r.kind, _LIST[1:] + _DELETE,
                                  f"{META}.Status", body=f"{META}.DeleteOptions"),
                "parameters": self.path_params(named=False)}

    def cluster_list(self) -> dict[str, Any]:
        r = self.r
        op = self.op(f"list{r.kind}ForAllNamespaces", "list", r.list_kind, _LIST,
                     schema.model(r.model).openapi_name + "List", verb_only=True)
        return {"get": op, "parameters": [self.param("pretty", "query")]}

    def item(self, model: str, kind: str, sub: str = "") -> dict[str, Any]:
        own = schema.model(model).openapi_name
        suffix = sub.capitalize()
        out = {"get": self.op("read", "get", kind, [], own, suffix=suffix),
               "put": self.op("replace", "put", kind, _WRITE, own, body=own, suffix=suffix),
               "patch": self.op("patch", "patch", kind, _WRITE + ["force"], own, body=PATCH, suffix=suffix),
               "parameters": self.path_params(named=True)}
        if not sub:
            out["delete"] = self.op("delete", "delete", kind, _DELETE, f"{META}.Status", body=f"{META}.DeleteOptions")
        return out

    def own(self) -> str:
        return schema.model(self.r.model).openapi_name

    def op(self, verb: str, action: str, kind: str, params: list[str], result: str, body: str | None = None,
           suffix: str = "", verb_only: bool = False) -> dict[str, Any]:
        r = self.r
        op_id = verb if verb_only else self.operation_id(verb, kind if suffix != "Scale" else r.kind, suffix)
        out: dict[str, Any] = {
            "operationId": op_id, "tags": [self.tag()], "x-kubernetes-action": action,
            "x-kubernetes-group-version-kind": {"group": r.group, "kind": kind, "version": r.version},
            "parameters": [self.param(p, "query") for p in params],
            "responses": {"200": self.response(result), "401": {"description": "Unauthorized"}},
        }
        if suffix == "Scale":
            out["x-kubernetes-group-version-kind"] = {"group": "autoscaling", "kind": "Scale", "version": "v1"}
        if body is not None:
            self.add_body(out, body, PATCH_TYPES if action == "patch" else ["application/json", "application/yaml"])
        return out

    def operation_id(self, verb: str, kind: str, suffix: str) -> str:
        group = "".join(p.capitalize() for p in (self.r.group.split(".")[0] or "core").split("-"))
        namespaced = "Namespaced" if self.namespaced else ""
        return f"{verb}{group}{self.r.version.capitalize()}{namespaced}{kind}{suffix}"

    def tag(self) -> str:
        return f"{(self.r.group.split('.')[0] or 'core')}_{self.r.version}"

    def add_body(self, op: dict[str, Any], body: str, media: list[str]) -> None:
        if self.v3:
            op["requestBody"] = {"required": True, "content": {m: {"schema": ref(body, self.prefix)} for m in media}}
        else:
            op["parameters"].append({"name": "body", "in": "body", "required": True, "schema": ref(body, self.prefix)})
            op["consumes"] = media

    def response(self, result: str) -> dict[str, Any]:
        if self.v3:
            return {"description": "OK", "content": {"application/json": {"schema": ref(result, self.prefix)}}}
        return {"description": "OK", "schema": ref(result, self.prefix)}

    def path_params(self, named: bool) -> list[dict[str, Any]]:
        out = [self.param("name", "path")] if named else []
        if self.namespaced:
            out.append(self.param("namespace", "path"))
        return out + [self.param("pretty", "query")]

    def param(self, name: str, where: str) -> dict[str, Any]:
        kind = "integer" if name in _INTS else "boolean" if name in _BOOLS else "string"
        out: dict[str, Any] = {"name": name, "in": where, "description": _PARAM_DOCS.get(name, name)}
        if where == "path":
            out["required"] = True
        if self.v3:
            out["schema"] = {"type": kind, "uniqueItems": True}
        else:
            out.update({"type": kind, "uniqueItems": True})
        return out
