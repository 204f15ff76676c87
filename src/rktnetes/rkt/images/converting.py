"""The appc image manifest of a docker/OCI image, from its config (as rkt's docker2aci wrote it).

name = registry/repository, labels version (the tag), os, arch; app exec = Entrypoint + Cmd (a relative
program is looked up on the image's PATH inside its rootfs), user and group (a user given alone gets its
primary group from the image's /etc/passwd), environment, working directory, and ports named
``PORT-PROTOCOL`` as rkt named them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rktnetes.rkt.images import errors, rootfs

ARCHES = {"amd64": "amd64", "arm64": "aarch64", "386": "i386", "ppc64le": "ppc64le", "s390x": "s390x"}
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def _passwd_gid(tree: Path, user: str) -> str:
    try:
        lines = rootfs.inside(tree, "/etc/passwd").read_text(errors="replace").splitlines()
    except OSError:
        return "0"
    for line in lines:
        fields = line.split(":")
        if len(fields) > 3 and user in (fields[0], fields[2]):
            return fields[3]
    return "0"


def user_group(spec: str, tree: Path) -> tuple[str, str]:
    """Docker's ``User`` (``""``, ``user``, ``uid``, ``user:group``) as appc user and group."""
    user, sep, group = (spec or "").partition(":")
    user = user or "0"
    return user, group if sep and group else _passwd_gid(tree, user)


def _resolve_exec(argv: list[str], env: dict[str, str], tree: Path) -> list[str]:
    if not argv or argv[0].startswith("/"):
        return argv
    for directory in env.get("PATH", DEFAULT_PATH).split(":"):
        candidate = f"{directory.rstrip('/')}/{argv[0]}"
        if directory.startswith("/") and rootfs.inside(tree, candidate).exists():
            return [candidate, *argv[1:]]
    raise errors.FetchError(f"image command {argv[0]!r} is not an absolute path and is not on the image's PATH")


def _ports(exposed: dict[str, Any]) -> list[dict[str, Any]]:
    ports = []
    for key in sorted(exposed or {}):
        number, _, protocol = key.partition("/")
        ports.append({"name": f"{number}-{protocol or 'tcp'}", "protocol": protocol or "tcp", "port": int(number)})
    return ports


def _environment(config: dict[str, Any]) -> dict[str, str]:
    pairs = (item.partition("=") for item in config.get("Env") or [])
    return {name: value for name, _, value in pairs if name}


def app(config: dict[str, Any], tree: Path) -> dict[str, Any]:
    """The appc app section of an image config's ``config``."""
    env = _environment(config)
    user, group = user_group(config.get("User", ""), tree)
    section: dict[str, Any] = {
        "exec": _resolve_exec([*(config.get("Entrypoint") or []), *(config.get("Cmd") or [])], env, tree),
        "user": user,
        "group": group,
        "workingDirectory": config.get("WorkingDir") or "/",
        "environment": [{"name": k, "value": v} for k, v in env.items()],
    }
    if config.get("ExposedPorts"):
        section["ports"] = _ports(config["ExposedPorts"])
    if not section["exec"]:
        del section["exec"]
    return section


def appc_manifest(name: str, version: str | None, image_config: dict[str, Any], tree: Path,
                  annotations: dict[str, str]) -> dict[str, Any]:
    """The whole appc image manifest of an image config, its rootfs at ``tree``."""
    arch = image_config.get("architecture", "amd64")
    labels = {"os": image_config.get("os", "linux"), "arch": ARCHES.get(arch, arch)}
    if version:
        labels = {"version": version, **labels}
    return {
        "acKind": "ImageManifest",
        "acVersion": "0.8.11",
        "name": name,
        "labels": [{"name": k, "value": v} for k, v in labels.items()],
        "app": app(image_config.get("config") or {}, tree),
        "annotations": [{"name": k, "value": v} for k, v in annotations.items()],
    }
