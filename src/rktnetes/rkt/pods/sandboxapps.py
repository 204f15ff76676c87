"""``rkt app add`` and ``rkt app rm``: an app's bundle and manifest entry into, and out of, a running sandbox.

``add`` checks everything first (the sandbox runs, the name is free, the flags parse, the image is found or
fetched, the app's mounts name the pod's volumes); then, holding the apps lock, it makes the bundle and
appends the app to the manifest last, so a failure midway is undone and leaves nothing. ``rm`` takes a
stopped (or never started) app out: its runc state, mounts and bundle go, the manifest entry last; its log
stays, and becomes the previous log when the same name is added again (a container restart).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.pods import appargs, errors, preparing, sandbox, stage0, volumes
from rktnetes.rkt.pods import manifest as podmanifest
from rktnetes.rkt.stage1 import bundling


def add(ctx: stage0.Context, uuid: str, spec: appargs.AppSpec, notes: dict[str, str] | None = None) -> str:
    """Add the app ``spec`` describes (with the app annotations ``notes``) to the running sandbox ``uuid``;
    returns the app's name."""
    pod = sandbox.running_sandbox(ctx.root, uuid)
    if not spec.name:
        raise errors.BadAppFlag("rkt app add needs the app's name: --app=NAME")
    manifest = preparing.read_manifest(pod.path)
    _check_free(manifest, spec.name)
    image = stage0.resolve_images(ctx, [spec.image])[0]
    entry = podmanifest.runtime_app(spec, image, podmanifest.PodOptions())
    if notes:
        entry["annotations"] = [*entry.get("annotations", []), *({"name": k, "value": v} for k, v in notes.items())]
    volumes.check({**manifest, "apps": [entry]})
    with sandbox.apps_locked(pod.path):
        manifest = preparing.read_manifest(pod.path)
        _check_free(manifest, spec.name)
        _keep_previous_log(pod.path, spec.name)
        try:
            bundling.make(pod.path, entry, image.rootfs, manifest.get("volumes") or [])
        except BaseException:
            bundling.remove(pod.path, spec.name)
            raise
        _record_lower(pod.path, spec.name, image.rootfs)
        sandbox.write_apps(pod.path, [*manifest["apps"], entry])
    return spec.name


def _record_lower(pod: Path, name: str, lower: str) -> None:
    """The app's image tree in stage1.json, as ``prepare`` records a pod's first apps' (``rkt export``)."""
    runtime = preparing.read_runtime(pod)
    runtime.lowers = {**runtime.lowers, name: lower}
    preparing.write_json(paths.pod_runtime_path(pod), runtime.as_dict())


def _check_free(manifest: dict[str, object], name: str) -> None:
    if any(app["name"] == name for app in manifest["apps"]):
        raise errors.BadAppFlag(f"the sandbox already has an app named {name!r}: remove it first")


def _keep_previous_log(pod: Path, name: str) -> None:
    """A name added again after ``rm``: its last run's log becomes the previous log."""
    log = paths.app_log_path(pod, name)
    if log.exists():
        os.replace(log, paths.app_previous_log_path(pod, name))


def remove(root: Path, uuid: str, name: str) -> None:
    """Take the stopped (or never started) app ``name`` out of the running sandbox ``uuid``."""
    pod = sandbox.running_sandbox(root, uuid)
    with sandbox.apps_locked(pod.path):
        sandbox.app_entry(pod.path, name)
        if app_state(pod.path, name) == "running":
            raise errors.PodError(f'app {name!r} is running: stop it first ("rkt app stop")')
        _keep_run(pod.path, name)
        bundling.remove(pod.path, name)
        manifest = preparing.read_manifest(pod.path)
        sandbox.write_apps(pod.path, [a for a in manifest["apps"] if a["name"] != name])


def _keep_run(pod: Path, name: str) -> None:
    """The run's end (exit code, started and finished times) for ``previous_run``, if it ran at all."""
    exit_file, started = paths.app_exit_path(pod, name), paths.app_started_path(pod, name)
    if not exit_file.exists():
        return
    words = started.read_text().split() if started.exists() else []
    run = {"exit_code": int(exit_file.read_text()), "started_at": float(words[1]) if len(words) > 1 else None,
           "finished_at": exit_file.stat().st_mtime}
    preparing.write_json(paths.app_previous_run_path(pod, name), run)


def previous_run(pod: Path, name: str) -> dict[str, object]:
    """The app's run before this one (``{}`` if none): what ``rm`` kept of it."""
    try:
        return json.loads(paths.app_previous_run_path(pod, name).read_text())
    except (OSError, ValueError):
        return {}


def app_state(pod: Path, name: str) -> str:
    """``created`` (added, not started), ``running`` or ``exited``, from the files the loop publishes."""
    if paths.app_exit_path(pod, name).exists():
        return "exited"
    return "running" if paths.app_started_path(pod, name).exists() else "created"
