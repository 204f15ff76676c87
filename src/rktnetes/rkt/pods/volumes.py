"""``--volume`` parsing and how each app's mounts are matched to the pod's volumes (appc rules).

An app mounts a volume where ``--mount volume=,target=`` says, or at the image's ``mountPoints`` entry of
the same name; a mount point that no volume serves gets an implicit ``empty`` volume, as rkt did.
"""

from __future__ import annotations

import re

from rktnetes.rkt.pods import errors

_NAME = r"^[a-z0-9]+(-[a-z0-9]+)*$"  # compiled by re on first use: most pod starts never need it
_KINDS = {"host": {"source", "readOnly", "recursive"}, "empty": {"readOnly", "mode", "uid", "gid"}}


def parse_volume(text: str) -> dict[str, object]:
    """``NAME,kind=host,source=/x,readOnly=true`` → an appc volume dict."""
    name, *rest = text.split(",")
    fields = dict(kv.split("=", 1) for kv in rest if "=" in kv)
    kind = fields.pop("kind", "")
    if not re.match(_NAME, name) or kind not in _KINDS or set(fields) - _KINDS[kind]:
        raise errors.BadAppFlag(f"invalid --volume {text!r}: want NAME,kind=host|empty[,source=…,readOnly=…]")
    volume: dict[str, object] = {"name": name, "kind": kind}
    if kind == "host" and not fields.get("source", "").startswith("/"):
        raise errors.BadAppFlag(f"--volume {name}: kind=host needs an absolute source=")
    for key, value in fields.items():
        volume[key] = value.lower() in ("true", "1") if key in ("readOnly", "recursive") else value
    volume.setdefault("readOnly", False)
    return volume


def app_mounts(app: dict[str, object], volumes: list[dict[str, object]]) -> list[tuple[dict[str, object], str]]:
    """(volume, target path) for every mount of a runtime app, in the order they are made."""
    by_name = {v["name"]: v for v in volumes}
    chosen: dict[str, tuple[dict[str, object], str]] = {}
    for mount in app.get("mounts", []):
        if mount["volume"] not in by_name:
            raise errors.BadAppFlag(f"app {app['name']}: no volume named {mount['volume']!r}")
        chosen[mount["path"]] = (by_name[mount["volume"]], mount["path"])
    for point in app.get("app", {}).get("mountPoints", []):
        if point["path"] in chosen:
            continue
        volume = by_name.get(point["name"]) or implicit_volume(point)
        chosen[point["path"]] = (volume, point["path"])
    return list(chosen.values())


def implicit_volume(point: dict[str, object]) -> dict[str, object]:
    return {"name": point["name"], "kind": "empty", "readOnly": bool(point.get("readOnly")), "implicit": True}


def check(manifest: dict[str, object]) -> None:
    """Every explicit mount names a volume; volume names are unique."""
    names = [v["name"] for v in manifest.get("volumes", [])]
    if len(set(names)) != len(names):
        raise errors.BadAppFlag("a volume name is used more than once")
    for app in manifest["apps"]:
        app_mounts(app, manifest.get("volumes", []))
