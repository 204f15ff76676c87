"""Dropping the fields a kind's schema does not define, as kube-apiserver's typed decoding does.

Runs after ``fieldValidation`` had its say (Strict refuses such bodies; Warn and Ignore let them through and
their unknown fields vanish here). Maps of free-form values (labels, data, ...) and untyped fields are kept.
"""

from __future__ import annotations

from typing import Any

from rktnetes.api import schema

_OPEN_KINDS = ("map", "any")


def prune(obj: dict[str, Any], model: str) -> None:
    """Remove, in place, every key of ``obj`` (recursively) that ``model`` does not define."""
    if not schema.exists(model):
        return
    fields = schema.model(model).fields
    for key in [k for k in obj if k not in fields]:
        del obj[key]
    for key, value in obj.items():
        f = fields[key]
        if not f.ref or f.kind in _OPEN_KINDS:
            continue
        if f.kind == "ref" and isinstance(value, dict):
            prune(value, f.ref)
        elif f.kind == "array" and isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    prune(item, f.ref)
