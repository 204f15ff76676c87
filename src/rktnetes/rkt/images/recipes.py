"""Image recipes: the small declarative YAML the image builder reads (in the spirit of acbuild).

A recipe names the image and lists its Debian packages, extra files, directories and symlinks, the
users and groups written to /etc/passwd and /etc/group, and the app (exec, user, group, env, ports,
working directory). Unknown keys and wrong types are refused with one line, before anything is built.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import yaml

from rktnetes.rkt.images import errors, manifest

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclasses.dataclass(frozen=True)
class Recipe:
    name: str
    exec: list[str]
    version: str = "latest"
    packages: list[str] = dataclasses.field(default_factory=list)
    exclude: list[str] = dataclasses.field(default_factory=list)
    applets: str | None = None  # a busybox binary in the rootfs: link every applet it lists
    files: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    directories: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    symlinks: dict[str, str] = dataclasses.field(default_factory=dict)
    users: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    groups: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    user: str = "0"
    group: str = "0"
    env: dict[str, str] = dataclasses.field(default_factory=dict)
    ports: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    working_directory: str = "/"

    def environment(self) -> dict[str, str]:
        """The app's environment, with a default PATH unless the recipe sets one."""
        return {"PATH": DEFAULT_PATH, **self.env}


_KEYS = {f.name.replace("_", ""): f for f in dataclasses.fields(Recipe)}


def _check_type(key: str, value: Any, field: dataclasses.Field) -> Any:
    want = {"str": str, "list": list, "dict": dict}
    kind = str(field.type).split("[")[0].split(" ")[0]
    if key in ("version", "user", "group") and isinstance(value, int | float):
        value = str(value)
    expected = want.get(kind)
    if expected and not isinstance(value, expected):
        raise errors.BuildError(f"recipe: {key} must be a {expected.__name__}")
    return value


# list-of-mapping keys: (required {key: type}, optional {key: type})
_ENTRIES: dict[str, tuple[dict[str, type], dict[str, type]]] = {
    "files": ({"path": str}, {"content": str, "mode": int}),
    "directories": ({"path": str}, {"mode": int}),
    "users": ({"name": str, "uid": int}, {"gid": int, "home": str, "shell": str}),
    "groups": ({"name": str, "gid": int}, {"members": list}),
    "ports": ({"port": int}, {"name": str, "protocol": str}),
}


def _check_entry(field: str, entry: Any) -> None:
    required, optional = _ENTRIES[field]
    if not isinstance(entry, dict):
        raise errors.BuildError(f"recipe: each of {field} must be a mapping")
    for key, value in entry.items():
        kind = required.get(key) or optional.get(key)
        if kind is None:
            raise errors.BuildError(f"recipe: unknown key {key!r} in {field}")
        if not isinstance(value, kind) or isinstance(value, bool):
            raise errors.BuildError(f"recipe: {field} {key} must be a {kind.__name__}")
    missing = [k for k in required if k not in entry]
    if missing:
        raise errors.BuildError(f"recipe: each of {field} needs {', '.join(missing)}")


def _check_values(recipe: Recipe) -> None:
    for field in _ENTRIES:
        for entry in getattr(recipe, field):
            _check_entry(field, entry)
    for port in recipe.ports:
        if port.get("protocol", "tcp") not in ("tcp", "udp") or not 0 < port["port"] < 65536:
            raise errors.BuildError(f"recipe: port {port} needs a number 1-65535 and protocol tcp or udp")
    strings = [*recipe.packages, *recipe.exclude, *recipe.env, *recipe.env.values(), *recipe.symlinks.values()]
    if not all(isinstance(v, str) for v in strings):
        raise errors.BuildError("recipe: packages, exclude, env and symlinks hold strings only")
    if not manifest.AC_IDENTIFIER.match(recipe.name):
        raise errors.BuildError(f"recipe: name {recipe.name!r} is not an AC identifier (lower-case, e.g. example.com/app)")


def _check_paths(recipe: Recipe) -> None:
    paths = [f.get("path", "") for f in recipe.files] + [d.get("path", "") for d in recipe.directories]
    for path in [*paths, *recipe.symlinks]:
        if not isinstance(path, str) or not path.startswith("/") or ".." in path.split("/"):
            raise errors.BuildError(f"recipe: path {path!r} must be absolute and stay inside the image")
    if not recipe.exec or not all(isinstance(a, str) for a in recipe.exec):
        raise errors.BuildError("recipe: exec must be a non-empty list of strings")


def from_dict(data: dict[str, Any]) -> Recipe:
    """Validate a recipe given as a mapping (keys as in YAML: camelCase or snake_case)."""
    if not isinstance(data, dict):
        raise errors.BuildError("recipe: must be a mapping")
    kwargs = {}
    for key, value in data.items():
        field = _KEYS.get(str(key).replace("_", "").lower())
        if field is None:
            raise errors.BuildError(f"recipe: unknown key {key!r}")
        kwargs[field.name] = _check_type(key, value, field)
    for required in ("name", "exec"):
        if required not in kwargs:
            raise errors.BuildError(f"recipe: {required} is required")
    recipe = Recipe(**kwargs)
    _check_values(recipe)
    _check_paths(recipe)
    return recipe


def load(path: Path) -> Recipe:
    """Read and validate a recipe file."""
    try:
        data = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
    except (OSError, yaml.YAMLError) as exc:
        raise errors.BuildError(f"recipe {path}: {str(exc).splitlines()[0]}") from exc
    return from_dict(data)
