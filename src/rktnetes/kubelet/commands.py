"""Commands given by name (``command: ["sh", "-c", …]``), found on the image's PATH, as container runtimes do.

rkt (after appc) runs only an absolute ``--exec``; Kubernetes lets a pod name a program the image's PATH
finds. So before preparing a pod whose command is a bare name, the kubelet fetches the image (as its pull
policy allows; ``rkt prepare`` then finds it in the store) and looks the name up in the image's tree.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rktnetes.kubelet import errors, translating
from rktnetes.kubelet.runtime import Runtime

Obj = dict[str, Any]
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def search_path(manifest: dict) -> list[str]:
    """The image's PATH (from its manifest's environment), else the usual one."""
    env = {e.get("name"): e.get("value") for e in (manifest.get("app") or {}).get("environment") or []}
    return [d for d in (env.get("PATH") or DEFAULT_PATH).split(":") if d.startswith("/")]


def lookup(rootfs: Path, name: str, dirs: list[str]) -> str | None:
    """``name``'s absolute path inside the image, or None (a symlink counts without being followed: it
    points into the image, not into the host)."""
    for directory in dirs:
        if os.path.lexists(rootfs / directory.lstrip("/") / name):
            return f"{directory.rstrip('/')}/{name}"
    return None


async def resolve(runtime: Runtime, containers: list[Obj]) -> dict[str, str]:
    """Container name → absolute path of its command, for the containers whose command is a bare name."""
    found = {}
    for container in containers:
        command = container.get("command") or []
        if not command or command[0].startswith("/"):
            continue
        if "/" in command[0]:
            raise errors.BadPod(f"container {container['name']}: command {command[0]!r} must be a name or absolute")
        image_id = await runtime.fetch(translating.image_ref(container["image"]), translating.pull_policy([container]))
        rootfs, manifest = await runtime.image(image_id)
        path = lookup(rootfs, command[0], search_path(manifest))
        if path is None:
            raise errors.BadPod(f'container {container["name"]}: executable "{command[0]}" not found in $PATH')
        found[container["name"]] = path
    return found
