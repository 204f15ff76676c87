"""The appc PodManifest stage0 writes for stage1: apps (image app section + CLI overrides), volumes.

Pure functions from parsed flags and image manifests to the manifest dict, so they test without I/O.
Environment precedence, lowest first: image, ``--environment``, ``--inherit-env``, ``--set-env``.
"""

from __future__ import annotations

import re

from rktnetes.rkt.pods import appargs, errors
from rktnetes.rkt.pods.appargs import AppSpec
from rktnetes.rkt.records import Factory, Record

AC_VERSION = "0.8.11"
STAGE1_ANNOTATION = "rktnetes.io/stage1/name"
MUTABLE_ANNOTATION = "coreos.com/rkt/stage1/mutable"  # "true" on a sandbox: apps are added while it runs
_BAD_NAME_CHARS = re.compile(r"[^a-z0-9]+")


class ImageRef(Record):
    """What stage0 knows of a resolved image."""

    id: str
    manifest: dict[str, object]
    rootfs: str


class PodOptions(Record):
    volumes: list[dict[str, object]] = Factory(list)
    set_env: dict[str, str] = Factory(dict)
    inherit_env: dict[str, str] = Factory(dict)
    stage1: str = "default"
    no_new_privileges: bool = False
    annotations: dict[str, str] = Factory(dict)


def app_name(image_name: str) -> str:
    """Default app name: the image name's last path element, made a valid AC name."""
    base = image_name.rstrip("/").rsplit("/", 1)[-1].split(":", 1)[0]
    return _BAD_NAME_CHARS.sub("-", base.lower()).strip("-") or "app"


def _environment(image_app: dict[str, object], spec: AppSpec, opts: PodOptions) -> list[dict[str, str]]:
    env = {e["name"]: e["value"] for e in image_app.get("environment", [])}
    for layer in (spec.environment, opts.inherit_env, opts.set_env):
        env.update(layer)
    return [{"name": k, "value": v} for k, v in env.items()]


def _isolators(spec: AppSpec, opts: PodOptions, image_app: dict[str, object]) -> list[dict[str, object]]:
    chosen = {i["name"]: i for i in image_app.get("isolators", [])}

    def put(name: str, value: object) -> None:
        chosen[name] = {"name": name, "value": value}

    if spec.memory is not None:
        put("resource/memory", {"limit": str(spec.memory)})
    if spec.cpu_millis is not None:
        put("resource/cpu", {"limit": f"{spec.cpu_millis}m"})
    if spec.cpu_shares is not None:
        put("os/linux/cpu-shares", spec.cpu_shares)
    if spec.oom_score_adj is not None:
        put("os/linux/oom-score-adj", spec.oom_score_adj)
    if spec.caps_retain is not None:
        put("os/linux/capabilities-retain-set", {"set": spec.caps_retain})
    if spec.caps_remove is not None:
        put("os/linux/capabilities-remove-set", {"set": spec.caps_remove})
    if spec.seccomp:
        put(*_seccomp_isolator(spec.seccomp))
    if opts.no_new_privileges:
        put("os/linux/no-new-privileges", True)
    return list(chosen.values())


def _seccomp_isolator(text: str) -> tuple[str, dict[str, object]]:
    words = [w.strip() for w in text.split(",") if w.strip()]
    opts = dict(w.split("=", 1) for w in words if "=" in w)
    calls = [w for w in words if "=" not in w]
    if opts.get("mode", "retain") not in ("retain", "remove") or not calls:
        raise errors.BadAppFlag(f"--seccomp wants mode=retain|remove[,errno=E],SYSCALL…, got {text!r}")
    value: dict[str, object] = {"set": calls}
    if "errno" in opts:
        value["errno"] = opts["errno"]
    return f"os/linux/seccomp-{opts.get('mode', 'retain')}-set", value


def runtime_app(spec: AppSpec, image: ImageRef, opts: PodOptions) -> dict[str, object]:
    """One entry of the pod manifest's ``apps``: the image's app section with the CLI's overrides."""
    image_app = dict(image.manifest.get("app") or {})
    exec_ = list(image_app.get("exec") or [])
    if spec.exec:
        exec_ = [spec.exec]
    if spec.args:
        exec_ = (exec_[:1] or ["/bin/sh"]) + spec.args
    if not exec_:
        raise errors.BadAppFlag(f"image {image.manifest.get('name')} has no app to run: give --exec")
    image_app.update({
        "exec": exec_,
        "user": spec.user or image_app.get("user") or "0",
        "group": spec.group or image_app.get("group") or "0",
        "environment": _environment(image_app, spec, opts),
        "isolators": _isolators(spec, opts, image_app),
    })
    if spec.supplementary_gids:
        image_app["supplementaryGIDs"] = spec.supplementary_gids
    if spec.working_dir:
        image_app["workingDirectory"] = spec.working_dir
    notes = [{"name": appargs.STDIN_ANNOTATION, "value": spec.stdin}] if spec.stdin != "null" else []
    return {
        "name": spec.name or app_name(image.manifest.get("name", "app")),
        **({"annotations": notes} if notes else {}),
        "image": {"name": image.manifest.get("name"), "id": image.id, "labels": image.manifest.get("labels", [])},
        "app": image_app,
        "readOnlyRootFS": spec.readonly_rootfs,
        "mounts": [{"volume": v, "path": p} for v, p in spec.mounts],
    }


def pod_manifest(specs: list[AppSpec], images: list[ImageRef], opts: PodOptions) -> dict[str, object]:
    if not specs:
        raise errors.NoApps()
    apps = [runtime_app(s, i, opts) for s, i in zip(specs, images, strict=True)]
    names = [a["name"] for a in apps]
    for name in names:
        if names.count(name) > 1:
            raise errors.BadAppFlag(f"app name {name!r} is used more than once: give --name")
    return pod_document(apps, opts)


def sandbox_manifest(opts: PodOptions) -> dict[str, object]:
    """A sandbox's manifest: no apps yet, marked mutable (``rkt app add`` rewrites its ``apps``)."""
    opts.annotations = {**opts.annotations, MUTABLE_ANNOTATION: "true"}
    return pod_document([], opts)


def pod_document(apps: list[dict[str, object]], opts: PodOptions) -> dict[str, object]:
    return {
        "acKind": "PodManifest",
        "acVersion": AC_VERSION,
        "apps": apps,
        "volumes": opts.volumes,
        "isolators": [],
        "annotations": [{"name": STAGE1_ANNOTATION, "value": opts.stage1}]
        + [{"name": k, "value": v} for k, v in opts.annotations.items()],
        "ports": [],
    }
