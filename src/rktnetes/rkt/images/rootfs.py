"""Laying a recipe's own content over a root filesystem being built.

Every write goes through ``inside()``, which resolves symlinks as a chroot would, so a link shipped by a
package (absolute or full of ``..``) can never make the builder write outside the tree.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from rktnetes.rkt.images import errors, recipes

_MAX_LINKS = 40


def inside(tree: Path, path: str) -> Path:
    """``path`` (absolute, as seen inside the image) resolved to a host path under ``tree``; the last
    component is not followed, so it can be replaced."""
    parts = [p for p in path.split("/") if p not in ("", ".")]
    here, hops = tree, 0
    while parts:
        part = parts.pop(0)
        here = tree if part == ".." and here == tree else here.parent if part == ".." else here / part
        if parts and here.is_symlink():
            hops += 1
            if hops > _MAX_LINKS:
                raise errors.BuildError(f"too many symlinks under {path}")
            target = os.readlink(here)
            parts = [p for p in target.split("/") if p not in ("", ".")] + parts
            here = tree if target.startswith("/") else here.parent
    return here


def _replace(dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.is_symlink() or dest.is_file():
        dest.unlink()


def add_applets(tree: Path, busybox: str) -> None:
    """Link every applet a busybox binary in the tree lists (``--list-full``) to it."""
    host = inside(tree, busybox)
    done = subprocess.run([str(host), "--list-full"], capture_output=True, text=True, timeout=30, check=False)
    if done.returncode != 0:
        raise errors.BuildError(f"{busybox} --list-full failed: {done.stderr.strip()}")
    for applet in done.stdout.split():
        dest = inside(tree, "/" + applet)
        if not dest.exists() and not dest.is_symlink():
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.symlink_to(busybox)


def _accounts(recipe: recipes.Recipe) -> dict[str, str]:
    users = [{"name": "root", "uid": 0, "gid": 0, "home": "/root", "shell": "/bin/sh"}, *recipe.users]
    groups = [{"name": "root", "gid": 0}, *recipe.groups]
    passwd = "".join(
        f"{u['name']}:x:{u['uid']}:{u.get('gid', u['uid'])}:{u['name']}:{u.get('home', '/')}:"
        f"{u.get('shell', '/bin/sh')}\n" for u in users)
    group = "".join(f"{g['name']}:x:{g['gid']}:{','.join(g.get('members', []))}\n" for g in groups)
    return {"/etc/passwd": passwd, "/etc/group": group}


def _write(tree: Path, path: str, content: str, mode: int) -> None:
    dest = inside(tree, path)
    _replace(dest)
    dest.write_text(content)
    dest.chmod(mode)


def customise(recipe: recipes.Recipe, tree: Path) -> None:
    """Apply applets, directories, account files, files and symlinks of ``recipe`` to ``tree``."""
    tree.mkdir(parents=True, exist_ok=True)
    if recipe.applets:
        add_applets(tree, recipe.applets)
    for d in recipe.directories:
        dest = inside(tree, d["path"])
        dest.mkdir(parents=True, exist_ok=True)
        dest.chmod(int(d.get("mode", 0o755)))
    if recipe.users or recipe.groups:
        for path, content in _accounts(recipe).items():
            _write(tree, path, content, 0o644)
    for f in recipe.files:
        _write(tree, f["path"], str(f.get("content", "")), int(f.get("mode", 0o644)))
    for link, target in recipe.symlinks.items():
        dest = inside(tree, link)
        _replace(dest)
        dest.symlink_to(target)


def appc_port(port: dict[str, Any]) -> dict[str, Any]:
    """A recipe port as an appc port, named as rkt names ports converted from images (``80-tcp``)."""
    protocol = port.get("protocol", "tcp")
    return {"name": port.get("name", f"{port['port']}-{protocol}"), "protocol": protocol, "port": int(port["port"])}
