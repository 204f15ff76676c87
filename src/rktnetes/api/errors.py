"""The errors of the object model, each rendered as a ``Status`` object shaped exactly like kube-apiserver's.

``APIError.status()`` is the body; ``APIError.code`` the HTTP status. The constructors below reproduce the
messages and ``details`` of Kubernetes' ``k8s.io/apimachinery/pkg/api/errors``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rktnetes.api.resources import Resource


@dataclass
class Cause:
    """One field-level cause of an Invalid error."""

    reason: str
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"reason": self.reason, "message": self.message, "field": self.field}

    def line(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass
class APIError(Exception):
    code: int
    reason: str
    message: str
    details: dict[str, Any] | None = field(default=None)

    def __str__(self) -> str:
        return self.message

    def status(self) -> dict[str, Any]:
        body: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                "message": self.message, "reason": self.reason}
        if self.details is not None:
            body["details"] = self.details
        body["code"] = self.code
        return body


def _details(resource: Resource, name: str, kind: str | None = None) -> dict[str, Any]:
    details: dict[str, Any] = {"name": name} if name else {}
    if resource.group:
        details["group"] = resource.group
    details["kind"] = kind or resource.plural
    return details


def not_found(resource: Resource, name: str) -> APIError:
    return APIError(404, "NotFound", f'{resource.qualified} "{name}" not found', _details(resource, name))


def already_exists(resource: Resource, name: str) -> APIError:
    return APIError(409, "AlreadyExists", f'{resource.qualified} "{name}" already exists', _details(resource, name))


def conflict(resource: Resource, name: str, why: str | None = None) -> APIError:
    why = why or "the object has been modified; please apply your changes to the latest version and try again"
    message = f'Operation cannot be fulfilled on {resource.qualified} "{name}": {why}'
    return APIError(409, "Conflict", message, _details(resource, name))


def invalid(resource: Resource, name: str, causes: list[Cause]) -> APIError:
    lines = [c.line() for c in causes]
    summary = lines[0] if len(lines) == 1 else "[" + ", ".join(lines) + "]"
    details = _details(resource, name, resource.kind)
    details["causes"] = [c.as_dict() for c in causes]
    return APIError(422, "Invalid", f'{resource.kind} "{name}" is invalid: {summary}', details)


def bad_request(message: str) -> APIError:
    return APIError(400, "BadRequest", message)


def expired(message: str) -> APIError:
    return APIError(410, "Expired", message)


def forbidden(resource: Resource, name: str, why: str) -> APIError:
    message = f'{resource.qualified} "{name}" is forbidden: {why}'
    return APIError(403, "Forbidden", message, _details(resource, name))


def method_not_allowed() -> APIError:
    return APIError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource",
                    {})


def unsupported_media_type(content_type: str) -> APIError:
    message = ('the body of the request was in an unknown format - accepted media types include: '
               'application/json, application/yaml, application/vnd.kubernetes.protobuf')
    return APIError(415, "UnsupportedMediaType", message, {"causes": [{"reason": "UnsupportedMediaType",
                                                                        "message": content_type}]})


def path_not_found() -> APIError:
    return APIError(404, "NotFound", "the server could not find the requested resource", {})


def unauthorized() -> APIError:
    return APIError(401, "Unauthorized", "Unauthorized")


def internal(message: str) -> APIError:
    return APIError(500, "InternalError", f"Internal error occurred: {message}",
                    {"causes": [{"message": message}]})
