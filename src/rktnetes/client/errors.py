"""The client's errors: one exception class per Kubernetes ``Status`` reason, plus transport and config failures.

``from_status(code, body)`` turns an API server's error response into the matching class, keeping the whole
``Status`` object on the exception, so callers write ``except errors.NotFound`` as they would test
``apierrors.IsNotFound`` in client-go.
"""

from __future__ import annotations

from typing import Any


class ClientError(Exception):
    """Anything the client reports."""


class ConfigError(ClientError):
    """A kubeconfig that cannot be used (missing file, unknown context, unreadable credentials)."""


class TransportError(ClientError):
    """The server could not be reached, or the connection broke mid-response."""


class APIStatusError(ClientError):
    """The API server answered with an error ``Status``."""

    def __init__(self, code: int, reason: str, message: str, status: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code, self.reason, self.message = code, reason, message
        self.status = status or {"kind": "Status", "code": code, "reason": reason, "message": message}

    @property
    def details(self) -> dict[str, Any]:
        return self.status.get("details") or {}


class BadRequest(APIStatusError):
    pass


class Unauthorized(APIStatusError):
    pass


class Forbidden(APIStatusError):
    pass


class NotFound(APIStatusError):
    pass


class MethodNotAllowed(APIStatusError):
    pass


class AlreadyExists(APIStatusError):
    pass


class Conflict(APIStatusError):
    pass


class Expired(APIStatusError):
    """The resourceVersion asked for was compacted away (410 Gone): relist."""


class Invalid(APIStatusError):
    @property
    def causes(self) -> list[dict[str, Any]]:
        return self.details.get("causes") or []


class TooManyRequests(APIStatusError):
    pass


class ServerError(APIStatusError):
    """A 5xx answer: the server failed, the request may be retried."""


_BY_REASON: dict[str, type[APIStatusError]] = {
    "BadRequest": BadRequest, "Unauthorized": Unauthorized, "Forbidden": Forbidden, "NotFound": NotFound,
    "MethodNotAllowed": MethodNotAllowed, "AlreadyExists": AlreadyExists, "Conflict": Conflict,
    "Expired": Expired, "Gone": Expired, "Invalid": Invalid, "TooManyRequests": TooManyRequests,
}
_BY_CODE: dict[int, type[APIStatusError]] = {
    400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound, 405: MethodNotAllowed,
    409: Conflict, 410: Expired, 422: Invalid, 429: TooManyRequests,
}


def from_status(code: int, body: Any) -> APIStatusError:
    """The exception for an error answer: by the Status' reason, else by HTTP code (5xx: ServerError)."""
    status = body if isinstance(body, dict) and body.get("kind") == "Status" else None
    reason = str((status or {}).get("reason") or "")
    message = str((status or {}).get("message") or f"the server answered {code}")
    code = int((status or {}).get("code") or code)
    cls = _BY_REASON.get(reason) or _BY_CODE.get(code) or (ServerError if code >= 500 else APIStatusError)
    return cls(code, reason or cls.__name__, message, status)


class ShutDown(ClientError):
    """The work queue was shut down: workers stop taking keys."""


class CacheMutated(ClientError):
    """A reader changed an object it got from an informer's cache (mutation detection)."""


class WaitTimeout(ClientError):
    """A condition waited for did not hold before the deadline."""
