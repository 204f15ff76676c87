"""Checks shared by every kind: label and annotation syntax, ConfigMap and Secret keys, Secret data encoding.

Messages are Kubernetes' (``validation.IsQualifiedName``, ``IsValidLabelValue``, ``IsConfigMapKey``).
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from rktnetes.api import errors
from rktnetes.api.errors import Cause
from rktnetes.api.resources import Resource

Obj = dict[str, Any]
_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_PREFIX = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
NAME_MSG = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
            "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
            "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
VALUE_MSG = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
             "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex "
             "used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
KEY_MSG = ("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
           "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")


def _invalid(path: str, value: str, detail: str) -> Cause:
    return Cause("FieldValueInvalid", path, f'Invalid value: "{value}": {detail}')


def qualified_name(path: str, key: Any) -> list[Cause]:
    if not isinstance(key, str):
        return [_invalid(path, str(key), NAME_MSG)]
    prefix, _, name = key.rpartition("/")
    if prefix and (len(prefix) > 253 or not _PREFIX.match(prefix)):
        return [_invalid(path, key, "prefix part a lowercase RFC 1123 subdomain must consist of lower case "
                         "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character")]
    if len(name) > 63:
        return [_invalid(path, key, "name part must be no more than 63 characters")]
    return [] if _NAME.match(name) else [_invalid(path, key, NAME_MSG)]


def _labels(meta: Obj) -> list[Cause]:
    causes = []
    for key, value in (meta.get("labels") or {}).items():
        causes += qualified_name("metadata.labels", key)
        if not isinstance(value, str) or len(value) > 63 or value and not _NAME.match(value):
            causes.append(_invalid("metadata.labels", str(value), VALUE_MSG))
    for key in meta.get("annotations") or {}:
        causes += qualified_name("metadata.annotations", key)
    return causes


def _data_keys(obj: Obj) -> list[Cause]:
    causes = []
    for field in ("data", "binaryData", "stringData"):
        for key in obj.get(field) or {}:
            if not _CONFIG_KEY.match(key) or len(key) > 253:
                causes.append(_invalid(f"{field}[{key}]", key, KEY_MSG))
    return causes


def check_secret_encoding(obj: Obj, resource: Resource) -> None:
    """Secret ``data`` (and ConfigMap ``binaryData``) values must be base64, or the body does not decode: 400."""
    field = "data" if resource.kind == "Secret" else "binaryData"
    for value in (obj.get(field) or {}).values():
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise errors.bad_request(f'{resource.kind} in version "v1" cannot be handled as a {resource.kind}: '
                                     "illegal base64 data") from None


def causes(obj: Obj, resource: Resource) -> list[Cause]:
    """Every metadata and key problem of ``obj``."""
    found = _labels(obj.get("metadata") or {})
    if resource.group == "" and resource.kind in ("ConfigMap", "Secret"):
        found += _data_keys(obj)
    return found
