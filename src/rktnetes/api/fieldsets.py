"""Sets of field paths, as server-side apply tracks ownership, and their ``FieldsV1`` form.

A path is a tuple of elements ``f:<field>``, ``k:<json of the key fields>`` (an element of an associative
list) or ``v:<json value>`` (an element of a set). An object's set holds its leaves (scalars, empty maps,
atomic lists) and the elements of associative lists and sets.
"""

from __future__ import annotations

import functools
from typing import Any

import orjson

from rktnetes.api import mergekeys, schema

Path = tuple[str, ...]
MISSING = object()


def paths(obj: dict[str, Any], model: str | None, prefix: Path = ()) -> set[Path]:
    out: set[Path] = set()
    for key, value in obj.items():
        out |= _value_paths(value, model, key, prefix + (f"f:{key}",))
    return out


def _value_paths(value: Any, owner: str | None, key: str, path: Path) -> set[Path]:
    f = field(owner, key)
    if isinstance(value, dict) and value:
        return paths(value, f.ref if f is not None and f.kind == "ref" else None, path)
    kind, keys = _list_type(owner or "", key)
    if not isinstance(value, list) or kind == "atomic":
        return {path}
    out: set[Path] = set()
    for item in value:
        element = path + (element_key(item, keys),)
        out.add(element)
        if kind == "map" and isinstance(item, dict):
            out |= paths(item, f.ref if f is not None else None, element)
    return out


_list_type = functools.cache(mergekeys.list_type)  # static facts, asked once per field of every write


class _Repeated(Exception):
    """Two list elements share a key: the walk gives way to the set-based build, which merges them."""


def fields_v1(obj: dict[str, Any], model: str | None) -> dict[str, Any]:
    """``to_fields_v1(paths(obj, model))`` in one walk, without the path set (what a create records)."""
    try:
        return _map_tree(obj, model)
    except _Repeated:
        return to_fields_v1(paths(obj, model))


def _map_tree(obj: dict[str, Any], model: str | None) -> dict[str, Any]:
    return {f"f:{key}": _value_tree(obj[key], model, key) for key in sorted(obj)}


def _value_tree(value: Any, owner: str | None, key: str) -> dict[str, Any]:
    if isinstance(value, dict):
        return _map_tree(value, _shape(owner, key)[0]) if value else {}
    if not isinstance(value, list):
        return {}  # a scalar: most leaves end here, before any schema lookup
    _, item_model, kind, keys = _shape(owner, key)
    if kind == "atomic":
        return {}
    elements: dict[str, Any] = {}
    for item in value:
        element = element_key(item, keys)
        if element in elements:
            raise _Repeated(element)
        children = _map_tree(item, item_model) if kind == "map" and isinstance(item, dict) else {}
        elements[element] = {**children, ".": {}} if children else {}
    return {k: elements[k] for k in sorted(elements)}


@functools.cache
def _shape(owner: str | None, key: str) -> tuple[str | None, str | None, str, tuple[str, ...]]:
    """What the walk needs of field ``key`` of ``owner``, in one lookup: the model of a map value, the model of
    list elements, and the list's kind and keys."""
    f = field(owner, key)
    kind, keys = _list_type(owner or "", key)
    return (f.ref if f is not None and f.kind == "ref" else None, f.ref if f is not None else None, kind, keys)


def element_key(item: Any, keys: tuple[str, ...]) -> str:
    if not keys:
        return "v:" + orjson.dumps(item).decode()
    item = item if isinstance(item, dict) else {}
    fields = {k: item.get(k, mergekeys.KEY_DEFAULTS.get(k)) for k in keys if k in item or k in mergekeys.KEY_DEFAULTS}
    return "k:" + orjson.dumps(fields, option=orjson.OPT_SORT_KEYS).decode()


@functools.cache
def field(model: str | None, key: str) -> schema.Field | None:
    if not model or not schema.exists(model):
        return None
    return schema.model(model).fields.get(key)


def value_at(obj: Any, path: Path) -> Any:
    """The value a path names in ``obj``, or ``MISSING``."""
    for element in path:
        obj = _step(obj, element)
        if obj is MISSING:
            return MISSING
    return obj


def _step(obj: Any, element: str) -> Any:
    kind, _, rest = element.partition(":")
    if kind == "f":
        return obj.get(rest, MISSING) if isinstance(obj, dict) else MISSING
    if not isinstance(obj, list):
        return MISSING
    wanted = orjson.loads(rest)
    for item in obj:
        if (kind == "v" and item == wanted) or (kind == "k" and _matches(item, wanted)):
            return item
    return MISSING


def _matches(item: Any, key: dict[str, Any]) -> bool:
    return isinstance(item, dict) and all(item.get(k, mergekeys.KEY_DEFAULTS.get(k)) == v for k, v in key.items())


def remove(obj: Any, path: Path) -> None:
    """Delete what ``path`` names from ``obj`` in place (nothing when it is absent)."""
    parent = value_at(obj, path[:-1])
    target = value_at(obj, path)
    if target is MISSING:
        return
    if isinstance(parent, dict):
        parent.pop(path[-1][2:], None)
    elif isinstance(parent, list):
        parent.remove(target)


def render(path: Path) -> str:
    """``.spec.containers[name="nginx"].image``: a path as Kubernetes prints it in conflicts."""
    out = ""
    for element in path:
        kind, _, rest = element.partition(":")
        if kind == "f":
            out += "." + rest
        elif kind == "k":
            out += "[" + ",".join(f"{k}={orjson.dumps(v).decode()}" for k, v in orjson.loads(rest).items()) + "]"
        else:
            out += f"[={rest}]"
    return out


def to_fields_v1(members: set[Path]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    ends = []
    for path in sorted(members):
        node = tree
        for element in path:
            node = node.setdefault(element, {})
        ends.append(node)
    for node in ends:
        if node:
            node["."] = {}
    return tree


def value_at_tree(tree: dict[str, Any], path: Path) -> dict[str, Any]:
    for element in path:
        tree = tree[element]
    return tree


def from_fields_v1(tree: dict[str, Any], prefix: Path = ()) -> set[Path]:
    out: set[Path] = set()
    for key, child in (tree or {}).items():
        if key == ".":
            out.add(prefix)
        elif not child:
            out.add(prefix + (key,))
        else:
            out |= from_fields_v1(child, prefix + (key,))
    return out
