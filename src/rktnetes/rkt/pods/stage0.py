"""stage0 for ``rkt run`` and ``rkt prepare``: flags and images in, a prepared pod out.

All input is checked (flags, images fetched or found, manifest, networks) before ``preparing`` writes
anything, so bad input leaves nothing behind.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rktnetes.rkt.pods import appargs, errors, preparing, volumes
from rktnetes.rkt.pods import manifest as podmanifest
from rktnetes.rkt.pods.manifest import ImageRef, PodOptions

_MANIFEST_CONFLICTS = ("volume", "set_env", "set_env_file", "port", "inherit_env")


@dataclass
class Context:
    """Where and how stage0 works: data dir, config dirs, disabled checks, pull policy."""

    root: Path
    local_config: Path
    system_config: Path
    insecure: frozenset[str] = frozenset()
    pull_policy: str = "new"


def resolve_images(ctx: Context, refs: list[str]) -> list[ImageRef]:
    """Fetch (or find in the store, as --pull-policy allows) every image."""
    from rktnetes.rkt.images import fetching
    from rktnetes.rkt.images.store import ImageStore

    store = ImageStore(ctx.root)
    try:
        found = []
        for ref in refs:
            image = _in_store(store, ref, ctx.pull_policy) or fetching.fetch(
                store, ref, insecure=ctx.insecure, pull_policy=ctx.pull_policy,
                local_config=ctx.local_config, system_config=ctx.system_config)
            store.touch(image.id)
            found.append(ImageRef(image.id, store.manifest(image.id), str(store.rootfs(image.id))))
        return found
    finally:
        store.close()


def _in_store(store: Any, ref: str, pull_policy: str) -> Any:
    """A stored image an appc name or id names, when the pull policy lets the store answer (no fetch code
    is loaded then, which keeps a cached ``rkt run`` fast)."""
    from rktnetes.rkt.images import fetching
    from rktnetes.rkt.images.errors import ImageError

    if pull_policy == "update" or "://" in ref or ref.startswith("oci:") or fetching.is_file_ref(ref):
        return None
    try:
        return store.resolve(ref)
    except ImageError:
        return None


def env_pairs(values: list[str]) -> dict[str, str]:
    env = {}
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep or not name:
            raise errors.BadAppFlag(f"invalid environment entry {value!r}: want NAME=VALUE")
        env[name] = rest
    return env


def _set_env(args: argparse.Namespace) -> dict[str, str]:
    env: dict[str, str] = {}
    for path in args.set_env_file or []:
        try:
            lines = Path(path).read_text().splitlines()
        except OSError as exc:
            raise errors.BadAppFlag(f"cannot read --set-env-file {path}: {exc.strerror}") from None
        env.update(env_pairs([ln for ln in lines if ln.strip() and not ln.startswith("#")]))
    env.update(env_pairs(args.set_env or []))
    return env


def _from_flags(ctx: Context, args: argparse.Namespace) -> tuple[dict[str, Any], list[ImageRef]]:
    specs = appargs.parse(args.images)
    if not specs:
        raise errors.NoApps()
    if args.interactive and len(specs) != 1:
        raise errors.BadAppFlag("--interactive supports pods with one app only")
    opts = PodOptions(
        volumes=[volumes.parse_volume(v) for v in args.volume or []],
        set_env=_set_env(args),
        inherit_env=dict(os.environ) if args.inherit_env else {},
        stage1=args.stage1_name,
        no_new_privileges=args.no_new_privileges,
    )
    images = resolve_images(ctx, [s.image for s in specs])
    return podmanifest.pod_manifest(specs, images, opts), images


def _from_manifest(ctx: Context, args: argparse.Namespace) -> tuple[dict[str, Any], list[ImageRef]]:
    if args.images or any(getattr(args, k, None) for k in _MANIFEST_CONFLICTS):
        raise errors.ManifestConflict()
    try:
        doc = json.loads(Path(args.pod_manifest).read_text())
    except (OSError, ValueError) as exc:
        raise errors.PodError(f"cannot read pod manifest {args.pod_manifest}: {exc}") from None
    if doc.get("acKind") != "PodManifest" or not doc.get("apps"):
        raise errors.NoApps()
    refs = [a.get("image", {}).get("id") or a.get("image", {}).get("name") for a in doc["apps"]]
    images = resolve_images(ctx, refs)
    for app, image in zip(doc["apps"], images, strict=True):
        app.setdefault("app", image.manifest.get("app") or {})
        app["image"]["id"] = image.id
    return doc, images


def prepare(ctx: Context, args: argparse.Namespace) -> str:
    """Build and write the pod the flags describe; returns its UUID."""
    if os.geteuid() != 0:
        raise errors.Unprivileged()
    build = _from_manifest if args.pod_manifest else _from_flags
    doc, images = build(ctx, args)
    runtime = preparing.Runtime(stage1=args.stage1_name, hostname=args.hostname or "", interactive=args.interactive,
                                insecure=sorted(ctx.insecure), overlay=not args.no_overlay,
                                local_config=str(ctx.local_config))
    if args.stage1_name != "fly":
        runtime.netplan = _netplan(args, ctx.local_config, images).to_json()
    return preparing.prepare(ctx.root, doc, images, runtime)


def _netplan(args: argparse.Namespace, local_config: Path, images: list[ImageRef]) -> Any:
    from rktnetes.rkt.networking import flags

    declared = [p for img in images for p in (img.manifest.get("app") or {}).get("ports", [])]
    return flags.plan_from(args, local_config, declared)
