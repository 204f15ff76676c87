"""Server-side apply and the ``managedFields`` it keeps: who owns which field, conflicts, removal of fields.

Each manager's entry is a set of field paths (``fieldsets``). Applying a configuration makes its manager own
exactly the fields the configuration names; changing a field another manager owns is a conflict unless
``force`` takes it over; fields the manager applied before and no longer names, and nobody else owns, are
removed. ``record_update`` credits a plain write (create, update, non-apply patch) to its manager: the API
server calls ``record_update(old or None, new, manager, resource, subresource)`` before storing a create or
an update (``patching.apply_patch`` already does it for patches).
"""

from __future__ import annotations

from typing import Any

from rktnetes.api import errors, fieldsets, merging
from rktnetes.api.fieldsets import MISSING, Path
from rktnetes.api.meta import now
from rktnetes.api.resources import Resource

_SYSTEM_META = ("name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
                "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds")
Entry = dict[str, Any]


def apply(current: dict[str, Any] | None, config: dict[str, Any], resource: Resource, *, manager: str,
          force: bool = False, subresource: str = "") -> dict[str, Any]:
    """The object after applying ``config`` as ``manager`` (``current`` is ``None`` for a create)."""
    _check_config(config, resource)
    base = merging.clone(current) if current is not None else {}
    entries = _entries(base)
    mine = _owned(resource, config, subresource)
    key = (manager, "Apply", subresource)
    _resolve_conflicts(base, config, entries, mine, key, resource, force)
    previous = next((_set(e) for e in entries if _key(e) == key), set())
    others = set().union(*(_set(e) for e in entries if _key(e) != key))
    kept = mine | others
    for path in sorted(previous - kept, key=len):
        if not any(k[:len(path)] == path for k in kept):
            fieldsets.remove(base, path)
    result = merging.merge_applied(base, _without_managed(config), resource.model)
    entries = [e for e in entries if _key(e) != key] + [_entry(key, mine, resource)]
    return _with_entries(result, entries)


def record_update(old: dict[str, Any] | None, new: dict[str, Any], manager: str, resource: Resource,
                  subresource: str = "") -> dict[str, Any]:
    """``new`` with ``manager`` owning (operation ``Update``) every field the write changed or added.

    managedFields the write itself changed (kubectl rewrites them when it moves an object from client-side to
    server-side apply) replace the stored ones; ``[{}]`` removes them all.
    """
    entries = _entries(old or {})
    supplied = (new.get("metadata") or {}).get("managedFields")
    if old is None and not supplied:  # a create: the manager owns all it wrote, in one walk
        tree = fieldsets.fields_v1(_scoped(resource, new, subresource), resource.model)
        return _with_entries(new, [_entry((manager, "Update", subresource), tree, resource)] if tree else [])
    if supplied is not None and supplied != [dict(e) for e in entries]:
        if supplied == [{}]:
            return _with_entries(new, [])
        entries = _entries(new)
    scoped = _owned(resource, new, subresource)
    changed = {p for p in scoped if old is None or fieldsets.value_at(old, p) != fieldsets.value_at(new, p)}
    present = _owned(resource, new, "*") if entries else set()  # only existing entries are narrowed to it
    key = (manager, "Update", subresource)
    kept = [_narrow(e, (_set(e) - changed) & present, resource) for e in entries if _key(e) != key]
    previous = next(((_set(e) & present) for e in entries if _key(e) == key), set())
    mine = [_entry(key, previous | changed, resource)] if previous | changed else []
    return _with_entries(new, [e for e in kept if e is not None] + mine)


def _resolve_conflicts(base: dict[str, Any], config: dict[str, Any], entries: list[Entry], mine: set[Path],
                       key: tuple[str, str, str], resource: Resource, force: bool) -> None:
    conflicts: list[tuple[Entry, Path]] = []
    for entry in entries:
        if _key(entry) == key:
            continue
        for path in sorted(_set(entry) & mine):
            now, wanted = fieldsets.value_at(base, path), fieldsets.value_at(config, path)
            if path[-1].startswith("f:") and now is not MISSING and now != wanted:
                conflicts.append((entry, path))
    if conflicts and not force:
        raise _conflict_error(resource, config, conflicts)
    for entry, path in conflicts:
        entry["fieldsV1"] = fieldsets.to_fields_v1(_set(entry) - {path})
    entries[:] = [e for e in entries if _set(e)]


def _conflict_error(resource: Resource, config: dict[str, Any], conflicts: list[tuple[Entry, Path]]) -> errors.APIError:
    causes = [{"reason": "FieldManagerConflict", "field": fieldsets.render(path),
               "message": f'conflict with "{e["manager"]}" using {e.get("apiVersion", resource.group_version)}'}
              for e, path in conflicts]
    noun = "conflict" if len(causes) == 1 else "conflicts"
    lines = "\n".join(f"- {c['message']}: {c['field']}" for c in causes)
    if len(causes) == 1:
        message = f"Apply failed with 1 conflict: {causes[0]['message']}: {causes[0]['field']}"
    else:
        message = f"Apply failed with {len(causes)} {noun}:\n{lines}"
    name = (config.get("metadata") or {}).get("name", "")
    details = {"name": name, "kind": resource.plural, "causes": causes}
    if resource.group:
        details["group"] = resource.group
    return errors.APIError(409, "Conflict", message, details)


def _check_config(config: dict[str, Any], resource: Resource) -> None:
    if not config.get("apiVersion") or not config.get("kind"):
        raise errors.bad_request("invalid object type: apply configurations need apiVersion and kind")
    if config["kind"] != resource.kind or config["apiVersion"] != resource.group_version:
        raise errors.bad_request(f"the apply configuration is a {config['apiVersion']}, Kind={config['kind']}, "
                                 f"not a {resource.group_version}, Kind={resource.kind}")


def _owned(resource: Resource, obj: dict[str, Any], subresource: str) -> set[Path]:
    """The paths a write to ``subresource`` can own (``"*"``: the whole object, for every scope)."""
    return fieldsets.paths(_scoped(resource, obj, subresource), resource.model)


def _scoped(resource: Resource, obj: dict[str, Any], subresource: str) -> dict[str, Any]:
    """The part of ``obj`` a write to ``subresource`` can own."""
    stripped = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in _SYSTEM_META}
    stripped.pop("metadata", None)
    if meta:
        stripped["metadata"] = meta
    if "status" in resource.subresources and subresource != "*":
        stripped = {"status": stripped.get("status")} if subresource == "status" else stripped
        if subresource != "status":
            stripped.pop("status", None)
    return {k: v for k, v in stripped.items() if v is not None}


def _entries(obj: dict[str, Any]) -> list[Entry]:
    return [merging.clone(e) for e in (obj.get("metadata") or {}).get("managedFields") or []]


def _set(entry: Entry) -> set[Path]:
    return fieldsets.from_fields_v1(entry.get("fieldsV1") or {})


def _key(entry: Entry) -> tuple[str, str, str]:
    return entry.get("manager", ""), entry.get("operation", ""), entry.get("subresource", "")


def _entry(key: tuple[str, str, str], members: set[Path] | dict[str, Any], resource: Resource) -> Entry:
    """The managedFields entry of ``key`` owning ``members`` (paths, or their FieldsV1 tree)."""
    tree = members if isinstance(members, dict) else fieldsets.to_fields_v1(members)
    entry = {"manager": key[0], "operation": key[1], "apiVersion": resource.group_version,
             "time": now(), "fieldsType": "FieldsV1", "fieldsV1": tree}
    if key[2]:
        entry["subresource"] = key[2]
    return entry


def _narrow(entry: Entry, members: set[Path], resource: Resource) -> Entry | None:
    if not members:
        return None
    if members != _set(entry):
        entry = {**entry, "fieldsV1": fieldsets.to_fields_v1(members)}
    return entry


def _without_managed(config: dict[str, Any]) -> dict[str, Any]:
    meta = {k: v for k, v in (config.get("metadata") or {}).items() if k != "managedFields"}
    return {**config, "metadata": meta} if "metadata" in config else dict(config)


def _with_entries(obj: dict[str, Any], entries: list[Entry]) -> dict[str, Any]:
    meta = dict(obj.get("metadata") or {})
    meta["managedFields"] = entries
    if not entries:
        meta.pop("managedFields")
    return {**obj, "metadata": meta}
