"""Label selectors (equality and set-based) and field selectors, parsed from query strings or LabelSelector objects.

A selector is a list of requirements, every one of which must hold. Parse errors raise ``APIError`` 400 with
kube-apiserver's wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rktnetes.api import errors
from rktnetes.api.resources import Resource

_SET = re.compile(r"^\s*(!?)\s*([A-Za-z0-9_./-]+)\s*(?:(notin|in)\s*\((.*?)\)\s*)?$")
_CMP = re.compile(r"^\s*([A-Za-z0-9_./-]+)\s*(==|!=|=)\s*([A-Za-z0-9_.-]*)\s*$")


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: str  # In, NotIn, Exists, DoesNotExist
    values: frozenset[str] = frozenset()

    def matches(self, labels: dict[str, str]) -> bool:
        if self.operator == "Exists":
            return self.key in labels
        if self.operator == "DoesNotExist":
            return self.key not in labels
        if self.operator == "In":
            return labels.get(self.key) in self.values
        return labels.get(self.key) not in self.values


def _split_terms(text: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    terms, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            terms.append(text[start:i])
            start = i + 1
    terms.append(text[start:])
    return [t for t in terms if t.strip()]


def _parse_term(term: str) -> Requirement:
    if m := _CMP.match(term):
        key, op, value = m.groups()
        return Requirement(key, "NotIn" if op == "!=" else "In", frozenset({value}))
    m = _SET.match(term)
    if not m or (m.group(1) and m.group(3)):
        raise errors.bad_request(f"unable to parse requirement: found '{term.strip()}', expected: identifier")
    negate, key, op, values = m.groups()
    if op is None:
        return Requirement(key, "DoesNotExist" if negate else "Exists")
    items = frozenset(v.strip() for v in values.split(",") if v.strip())
    return Requirement(key, "In" if op == "in" else "NotIn", items)


def parse_labels(text: str | None) -> list[Requirement]:
    """Parse a ``labelSelector`` query parameter."""
    return [_parse_term(t) for t in _split_terms(text or "")]


def from_label_selector(selector: dict[str, Any] | None) -> list[Requirement]:
    """Requirements of a ``metav1.LabelSelector`` (matchLabels and matchExpressions)."""
    selector = selector or {}
    reqs = [Requirement(k, "In", frozenset({v})) for k, v in (selector.get("matchLabels") or {}).items()]
    for expr in selector.get("matchExpressions") or []:
        reqs.append(Requirement(expr["key"], expr["operator"], frozenset(expr.get("values") or ())))
    return reqs


def matches_labels(reqs: list[Requirement], obj: dict[str, Any]) -> bool:
    labels = (obj.get("metadata") or {}).get("labels") or {}
    return all(r.matches(labels) for r in reqs)


@dataclass(frozen=True)
class FieldRequirement:
    path: str
    value: str
    equal: bool

    def matches(self, obj: dict[str, Any]) -> bool:
        return (field_value(obj, self.path) == self.value) == self.equal


def field_value(obj: dict[str, Any], path: str) -> str:
    """The string form of a selectable field, as kube-apiserver's field sets render it."""
    if path == "source":
        path = "source.component"
    node: Any = obj
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, bool):
        return "true" if node else "false"
    if node is None:
        return "false" if path in ("spec.hostNetwork", "spec.unschedulable") else ""
    return str(node)


def parse_fields(text: str | None, resource: Resource) -> list[FieldRequirement]:
    """Parse a ``fieldSelector`` query parameter, refusing fields the resource does not index."""
    reqs = []
    for term in _split_terms(text or ""):
        op = next((o for o in ("!=", "==", "=") if o in term), None)
        if op is None:
            raise errors.bad_request(f"invalid selector: '{text}'; can't understand '{term}'")
        path, value = (s.strip() for s in term.split(op, 1))
        if path not in resource.field_selectors:
            raise errors.bad_request(f'field label not supported: {path}')
        reqs.append(FieldRequirement(path, value, op != "!="))
    return reqs


def matches_fields(reqs: list[FieldRequirement], obj: dict[str, Any]) -> bool:
    return all(r.matches(obj) for r in reqs)
