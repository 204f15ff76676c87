"""stage0 for ``rkt run`` and ``rkt prepare``: flags and images in, a prepared pod out.

All input is checked (flags, images fetched or found, manifest, networks) before ``preparing`` writes
anything, so bad input leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

from rktnetes.rkt.pods import appargs, errors, preparing, volumes
from rktnetes.rkt.pods import manifest as podmanifest
from rktnetes.rkt.pods.manifest import ImageRef, PodOptions
from rktnetes.rkt.records import Factory, Record

_HOSTNAME = r"^(?=.{1,64}$)[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$"  # compiled by re on first use: most pod starts never need it
_MANIFEST_CONFLICTS = ("apps", "volumes", "set_env", "set_env_files", "ports", "inherit_env")
# an image's last use is recorded at most this often: the write (and the WAL checkpoint when the store
# closes) is ~15 ms of a pod start, while image gc only compares it with grace periods of hours
TOUCH_EVERY = 60.0


class PodRequest(Record):
    """A pod as ``rkt run``/``prepare`` flags describe it; library callers (the kubelet) fill one in."""

    apps: list[appargs.AppSpec] = Factory(list)
    pod_manifest: Path | None = None
    volumes: list[str] = Factory(list)
    set_env: list[str] = Factory(list)
    set_env_files: list[str] = Factory(list)
    inherit_env: bool = False
    hostname: str = ""
    interactive: bool = False
    stage1: str = "default"
    overlay: bool = True
    no_new_privileges: bool = False
    net: list[str] | None = None
    dns: list[str] | None = None
    dns_search: list[str] | None = None
    dns_opt: list[str] | None = None
    dns_domain: str | None = None
    hosts_entries: list[str] | None = None
    ports: list[str] | None = None
    annotations: list[str] = Factory(list)


class Context(Record):
    """Where and how stage0 works: data dir, config dirs, disabled checks, pull policy, key trust."""

    root: Path
    local_config: Path
    system_config: Path
    insecure: frozenset[str] = frozenset()
    pull_policy: str = "new"
    trust_keys_from_https: bool = False


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
                local_config=ctx.local_config, system_config=ctx.system_config,
                trust_keys_from_https=ctx.trust_keys_from_https)
            if not 0 <= time.time() - image.last_used < TOUCH_EVERY:
                store.touch(image.id)
            found.append(ImageRef(image.id, store.manifest(image.id), str(store.rootfs(image.id))))
        return found
    finally:
        store.close()


def _in_store(store: object, ref: str, pull_policy: str) -> object:
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


def _set_env(req: PodRequest) -> dict[str, str]:
    env: dict[str, str] = {}
    for path in req.set_env_files:
        try:
            lines = Path(path).read_text().splitlines()
        except OSError as exc:
            raise errors.BadAppFlag(f"cannot read --set-env-file {path}: {exc.strerror}") from None
        env.update(env_pairs([ln for ln in lines if ln.strip() and not ln.startswith("#")]))
    env.update(env_pairs(req.set_env))
    return env


def _from_flags(ctx: Context, req: PodRequest) -> tuple[dict[str, object], list[ImageRef]]:
    if not req.apps:
        raise errors.NoApps()
    if (req.interactive or req.stage1 == "fly") and len(req.apps) != 1:
        raise errors.BadAppFlag(f"{'--interactive' if req.interactive else 'stage1 fly'} runs pods of one app only")
    opts = PodOptions(
        volumes=[volumes.parse_volume(v) for v in req.volumes],
        set_env=_set_env(req),
        inherit_env=dict(os.environ) if req.inherit_env else {},
        stage1=req.stage1,
        no_new_privileges=req.no_new_privileges,
        annotations=env_pairs(req.annotations),
    )
    images = resolve_images(ctx, [s.image for s in req.apps])
    return podmanifest.pod_manifest(req.apps, images, opts), images


def _from_manifest(ctx: Context, req: PodRequest) -> tuple[dict[str, object], list[ImageRef]]:
    if any(getattr(req, k) for k in _MANIFEST_CONFLICTS):
        raise errors.ManifestConflict()
    try:
        doc = json.loads(Path(req.pod_manifest or "").read_text())
    except (OSError, ValueError) as exc:
        raise errors.PodError(f"cannot read pod manifest {req.pod_manifest}: {exc}") from None
    if doc.get("acKind") != "PodManifest" or not doc.get("apps"):
        raise errors.NoApps()
    refs = [a.get("image", {}).get("id") or a.get("image", {}).get("name") for a in doc["apps"]]
    images = resolve_images(ctx, refs)
    for app, image in zip(doc["apps"], images, strict=True):
        app.setdefault("app", image.manifest.get("app") or {})
        app["image"]["id"] = image.id
    return doc, images


def prepare(ctx: Context, req: PodRequest) -> str:
    """Build and write the pod ``req`` describes; returns its UUID. Nothing is written on bad input."""
    if os.geteuid() != 0:
        raise errors.Unprivileged()
    if req.hostname and not re.match(_HOSTNAME, req.hostname):
        raise errors.BadAppFlag(f"invalid --hostname {req.hostname!r}: letters, digits, '-' and '.', at most 64")
    build = _from_manifest if req.pod_manifest else _from_flags
    doc, images = build(ctx, req)
    runtime = preparing.Runtime(stage1=req.stage1, hostname=req.hostname, interactive=req.interactive,
                                insecure=sorted(ctx.insecure), overlay=req.overlay, local_config=str(ctx.local_config))
    if req.stage1 != "fly":
        runtime.netplan = _netplan(req, ctx.local_config, images).to_json()
    return preparing.prepare(ctx.root, doc, images, runtime)


def _netplan(req: PodRequest, local_config: Path, images: list[ImageRef]) -> object:
    from rktnetes.rkt.networking import podnet, resolvconf

    declared = [p for img in images for p in (img.manifest.get("app") or {}).get("ports", [])]
    dns = resolvconf.parse_dns(req.dns, req.dns_search, req.dns_opt, req.dns_domain)
    return podnet.plan(local_config, req.net, dns, req.hosts_entries, req.ports, declared)
