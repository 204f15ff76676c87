"""PATCH bodies applied to stored objects: JSON patch, JSON merge patch, strategic merge patch, server-side apply.

``apply_patch`` is the one entry point the API server calls; it also credits the fields a non-apply patch
changes to ``manager`` in ``managedFields`` (operation ``Update``), as kube-apiserver does. Every failure is an ``errors.APIError`` it
renders as a Status (400 for an undecodable patch, 422 for one that cannot apply, 409 for apply conflicts,
415 for an unknown patch type).
"""

from __future__ import annotations

from typing import Any

import jsonpatch
import orjson
import yaml

from rktnetes.api import applying, errors, merging
from rktnetes.api.resources import Resource

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
APPLY_CBOR = "application/apply-patch+cbor"
PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, APPLY_PATCH)


def apply_patch(patch_type: str, current: dict[str, Any] | None, body: bytes, resource: Resource, *,
                manager: str, force: bool = False, subresource: str = "") -> dict[str, Any]:
    """The object after the patch; ``current`` may be ``None`` only for server-side apply (a create)."""
    patch_type = patch_type.split(";")[0].strip().lower()
    if patch_type == APPLY_PATCH:
        return applying.apply(current, _yaml(body), resource, manager=manager, force=force,
                              subresource=subresource)
    if patch_type not in PATCH_TYPES:
        raise errors.unsupported_media_type(patch_type)
    if current is None:
        raise errors.not_found(resource, "")
    return applying.record_update(current, _patched(patch_type, current, body, resource), manager, resource,
                                  subresource)


def _patched(patch_type: str, current: dict[str, Any], body: bytes, resource: Resource) -> dict[str, Any]:
    if patch_type == JSON_PATCH:
        return _json_patch(current, body, resource)
    patch = _json(body)
    if not isinstance(patch, dict):
        raise errors.bad_request(f"couldn't get version/kind; json parse error: cannot unmarshal {type(patch).__name__}"
                                 " into Go value of type struct")
    if patch_type == MERGE_PATCH:
        return merging.clone(merging.merge_patch(current, patch))
    try:
        return merging.strategic_merge(current, patch, resource.model)
    except merging.PatchError as exc:
        raise _invalid(resource, current, str(exc)) from exc


def _json_patch(current: dict[str, Any], body: bytes, resource: Resource) -> dict[str, Any]:
    try:
        patch = jsonpatch.JsonPatch(_json(body))
    except (jsonpatch.InvalidJsonPatch, TypeError, AttributeError) as exc:
        raise errors.bad_request(f"error decoding patch: {exc}") from exc
    try:
        result = patch.apply(current)
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, TypeError) as exc:
        raise _invalid(resource, current, str(exc)) from exc
    if not isinstance(result, dict):
        raise _invalid(resource, current, "the patch replaced the whole object with a non-object")
    return result


def _invalid(resource: Resource, current: dict[str, Any], why: str) -> errors.APIError:
    name = (current.get("metadata") or {}).get("name", "")
    return errors.invalid(resource, name, [errors.Cause("FieldValueInvalid", "patch", why)])


def _json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise errors.bad_request(f"error decoding patch: {exc}") from exc


def _yaml(body: bytes) -> dict[str, Any]:
    try:
        doc = orjson.loads(body)  # clients mostly send JSON, which is YAML and parses much faster
    except orjson.JSONDecodeError:
        doc = _yaml_only(body)
    if not isinstance(doc, dict):
        raise errors.bad_request("error decoding YAML: the apply configuration must be an object")
    return doc


def _yaml_only(body: bytes) -> Any:
    try:
        return yaml.load(body, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise errors.bad_request(f"error decoding YAML: {exc}") from exc
