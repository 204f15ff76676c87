"""Request bodies in Kubernetes' protobuf encoding (``application/vnd.kubernetes.protobuf``), decoded to JSON dicts.

The body is the magic ``k8s\\0`` then a ``runtime.Unknown`` envelope (typeMeta, raw, contentEncoding,
contentType) whose ``raw`` is the object's message. Message types are built at first use as dynamic
descriptors from our own schema and the wire numbers in ``wirefacts`` (``protowire``); decoding runs in
the ``protobuf`` runtime. The result is what kube-apiserver would have stored had the client sent JSON.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from google.protobuf import message_factory
from google.protobuf.message import DecodeError, Message

from rktnetes.api import errors, protowire, schema
from rktnetes.api.resources import Resource

MAGIC = b"k8s\x00"
MEDIA_TYPE = "application/vnd.kubernetes.protobuf"
_SUBRESOURCE_KINDS = {"Scale": "V1Scale", "Eviction": "V1Eviction", "Binding": "V1Binding",
                      "DeleteOptions": "V1DeleteOptions"}
# Go pointer fields whose zero value means something (kept); other zero scalars are Go's unset values.
_MEANINGFUL_FALSE = {"automountServiceAccountToken", "enableServiceLinks", "shareProcessNamespace", "hostUsers",
                     "setHostnameAsFQDN", "privileged", "readOnlyRootFilesystem", "runAsNonRoot",
                     "allowPrivilegeEscalation", "optional", "immutable", "suspend", "manualSelector",
                     "allocateLoadBalancerNodePorts", "ready", "serving", "terminating"}
# Go int fields that are not pointers (zero means unset), beside every int of a *Status and of V1Probe.
_OMITTED_ZERO = {"nodePort", "hostPort", "healthCheckNodePort", "generation", "observedGeneration", "minReadySeconds"}


def decode(body: bytes, resource: Resource) -> dict[str, Any]:
    """The JSON form of a protobuf request body for ``resource``; ``errors.APIError`` (400) when it is not one."""
    if not body.startswith(MAGIC):
        raise errors.bad_request("the protobuf body does not start with the k8s\\x00 magic prefix")
    try:
        envelope = _message("Unknown").FromString(body[len(MAGIC):])
    except DecodeError as exc:
        raise errors.bad_request(f"cannot decode the protobuf envelope: {exc}") from exc
    api_version, kind = envelope.typeMeta.apiVersion, envelope.typeMeta.kind
    model = resource.model if kind == resource.kind else _SUBRESOURCE_KINDS.get(kind)
    if model is None or envelope.contentEncoding:
        raise errors.bad_request(f"cannot decode a protobuf {api_version or '?'}/{kind or '?'} "
                                 f"for {resource.qualified}")
    try:
        return {"apiVersion": api_version, "kind": kind, **to_dict(_message(model).FromString(envelope.raw), model)}
    except (DecodeError, ValueError, UnicodeDecodeError) as exc:
        raise errors.bad_request(f"cannot decode the protobuf {kind}: {exc}") from exc


def to_dict(msg: Message, model: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for fd, value in msg.ListFields():
        shape, convert, zero_unset = _plan(fd, model)
        if shape == "inline":
            out.update(to_dict(value, model))
        elif shape == "map":
            out[fd.name] = {k: convert(v) for k, v in value.items()}
        elif shape == "list":
            out[fd.name] = [convert(v) for v in value]
        elif shape == "one":
            result = convert(value)
            if not _unset(fd.name, result, zero_unset):
                out[fd.name] = result
    return out


def _unset(name: str, result: Any, zero_unset: bool) -> bool:
    """Go's zero values (gogo writes every non-pointer field) are absent from the JSON form."""
    if result in ("", None) or (result is False and name not in _MEANINGFUL_FALSE):
        return True
    return zero_unset and result == 0 and result is not False


@functools.cache
def _plan(fd: Any, model: str) -> tuple[str, Callable[[Any], Any], bool]:
    """How one field of one model converts: its shape, the converter of one value, whether 0 means unset."""
    if fd.message_type is not None and fd.message_type.name.startswith(protowire.INLINE):
        return "inline", _identity, False
    f = schema.model(model).fields.get(fd.name)
    if f is None:
        return "skip", _identity, False
    if fd.message_type is not None and fd.message_type.GetOptions().map_entry:
        return "map", _converter(fd.message_type.fields_by_name["value"], f.ref), False
    zero_unset = fd.name in _OMITTED_ZERO or model.endswith("Status") or model == "V1Probe"
    return ("list" if fd.is_repeated else "one"), _converter(fd, f.ref), zero_unset


def _converter(fd: Any, ref: str) -> Callable[[Any], Any]:
    if fd.message_type is None:
        return _base64 if fd.type == fd.TYPE_BYTES else _identity
    return _SPECIALS.get(fd.message_type.name) or functools.partial(_nested, ref=ref)


def _nested(value: Message, ref: str) -> dict[str, Any]:
    return to_dict(value, ref)


def _identity(value: Any) -> Any:
    return value


def _base64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def _time(value: Message) -> str | None:
    if not value.seconds and not value.nanos:
        return None
    return datetime.fromtimestamp(value.seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _micro_time(value: Message) -> str | None:
    if not value.seconds and not value.nanos:
        return None
    stamp = datetime.fromtimestamp(value.seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{value.nanos // 1000:06d}Z"


def _duration(value: Message) -> str:
    nanos = value.duration
    hours, rest = divmod(nanos, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    seconds = f"{rest / 1e9:.9f}".rstrip("0").rstrip(".")
    return (f"{hours}h" if hours else "") + (f"{minutes}m" if hours or minutes else "") + f"{seconds}s"


def _raw(value: Message) -> Any:
    return orjson.loads(value.raw) if value.raw else None


_SPECIALS = {
    "Time": _time, "MicroTime": _micro_time, "Duration": _duration,
    "Quantity": lambda v: v.string, "IntOrString": lambda v: v.strVal if v.type == 1 else v.intVal,
    "RawExtension": _raw,
}


@functools.cache
def _message(name: str) -> type[Message]:
    return message_factory.GetMessageClass(protowire.pool().FindMessageTypeByName(f"{protowire.PACKAGE}.{name}"))
