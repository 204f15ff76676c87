"""Per-request write options read from the query: dryRun, fieldManager, fieldValidation (with its warnings)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from rktnetes.api import errors, fieldvalidation
from rktnetes.api.resources import Resource

WARNINGS = "warnings"


def dry_run(request: web.Request) -> bool:
    values = request.query.getall("dryRun", [])
    if any(v != "All" for v in values):
        raise errors.bad_request(f"dryRun: Unsupported value: {values[0]!r}: supported values: \"All\"")
    return bool(values)


def manager(request: web.Request) -> str:
    """The field manager of a write: ``fieldManager``, else the User-Agent's product name (as kube does)."""
    given = request.query.get("fieldManager")
    if given:
        if len(given) > 128:
            raise errors.bad_request("fieldManager: Too long: must have at most 128 bytes")
        return given
    return (request.headers.get("User-Agent") or "unknown").split("/")[0][:128]


def check_fields(request: web.Request, obj: dict[str, Any], resource: Resource) -> None:
    """Apply ``fieldValidation``: 400 under Strict, else remember warnings for the response headers."""
    found = fieldvalidation.check(obj, resource, request.query.get("fieldValidation"))
    if found:
        request.setdefault(WARNINGS, []).extend(found)


def warning_headers(request: web.Request) -> dict[str, str]:
    lines = request.get(WARNINGS) or []
    if not lines:
        return {}
    quoted = ", ".join('299 - "{}"'.format(line.replace('"', '\\"')) for line in lines)
    return {"Warning": quoted}
