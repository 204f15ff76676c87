"""Status objects to exceptions, and resource names to URL paths."""

from __future__ import annotations

import pytest

from rktnetes.api import errors as api_errors
from rktnetes.api import resources
from rktnetes.client import errors, urls

POD = resources.lookup("", "v1", "pods")


@pytest.mark.parametrize(("api_error", "cls"), [
    (api_errors.not_found(POD, "p"), errors.NotFound),
    (api_errors.already_exists(POD, "p"), errors.AlreadyExists),
    (api_errors.conflict(POD, "p"), errors.Conflict),
    (api_errors.invalid(POD, "p", [api_errors.Cause("FieldValueRequired", "spec.containers", "Required value")]),
     errors.Invalid),
    (api_errors.bad_request("nope"), errors.BadRequest),
    (api_errors.APIError(410, "Expired", "too old resource version: 1 (5)"), errors.Expired),
    (api_errors.APIError(410, "Gone", "gone"), errors.Expired),
    (api_errors.APIError(500, "InternalError", "boom"), errors.ServerError),
])
def test_status_objects_become_their_exception(api_error: api_errors.APIError, cls: type) -> None:
    exc = errors.from_status(api_error.code, api_error.status())
    assert type(exc) is cls and exc.code == api_error.code and str(exc) == api_error.message
    assert exc.status == api_error.status()


def test_invalid_keeps_its_causes() -> None:
    status = api_errors.invalid(POD, "p", [api_errors.Cause("FieldValueRequired", "spec.x", "Required")]).status()
    assert errors.from_status(422, status).causes == [{"reason": "FieldValueRequired", "message": "Required",
                                                       "field": "spec.x"}]


def test_answers_without_a_status_fall_back_to_the_code() -> None:
    assert type(errors.from_status(404, None)) is errors.NotFound
    assert type(errors.from_status(503, b"not json")) is errors.ServerError
    assert type(errors.from_status(418, {})) is errors.APIStatusError


def test_resolve_and_paths() -> None:
    deploy = urls.resolve("deployments.apps")
    assert urls.resolve("deploy") is deploy and urls.resolve("Deployment") is deploy
    assert urls.resolve("po") is POD and urls.resolve(POD) is POD
    assert urls.collection(deploy, "ns") == "/apis/apps/v1/namespaces/ns/deployments"
    assert urls.collection(POD, None) == "/api/v1/pods"
    assert urls.item(POD, "ns", "a", "status") == "/api/v1/namespaces/ns/pods/a/status"
    node = urls.resolve("nodes")
    assert urls.item(node, "ignored", "n1") == "/api/v1/nodes/n1"
    assert urls.resolve("events.events.k8s.io").group == "events.k8s.io"
    with pytest.raises(errors.ClientError, match='resource type "widgets"'):
        urls.resolve("widgets")
    with pytest.raises(errors.ClientError):
        urls.item(POD, "ns", "")
