"""The bundle of an app added to a running sandbox (``rkt app add``): rootfs overlay, /etc files naming the
sandbox's networks, and config.json joining the sandbox's namespaces and cgroup. No network gate: the
sandbox's networks are already up when an app is added."""

from __future__ import annotations

from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.pods import preparing
from rktnetes.rkt.stage1 import apps, cgroups, mounting, namespaces, oci
from rktnetes.rkt.stage1.errors import Stage1Error


def etc_files(pod: Path, runtime: preparing.Runtime, lower: str) -> dict[str, str | None]:
    """/etc/hosts and /etc/resolv.conf as the sandbox's supervisor would write them for a first app."""
    if not runtime.netplan:
        return {}
    from rktnetes.rkt.networking import netinfo, podnet

    plan = podnet.PodNetPlan.from_json(runtime.netplan)
    infos = [i for i in netinfo.load(pod)[1] if i.result is not None]
    image_hosts = Path(lower, "etc", "hosts")
    image_text = image_hosts.read_text() if image_hosts.is_file() else None
    return podnet.etc_files(plan, infos, runtime.hostname, image_text)


def pod_namespaces(pod: Path, runtime: preparing.Runtime) -> dict[str, Path]:
    found = namespaces.files(pod)
    if runtime.netplan:
        from rktnetes.rkt.networking import podnet

        if podnet.PodNetPlan.from_json(runtime.netplan).mode == "host":
            del found["net"]
    return found


def make(pod: Path, app: dict[str, object], lower: str, volume_list: list[dict[str, object]]) -> None:
    """Mount the app's rootfs and write its config.json; undone by ``remove`` if anything fails."""
    name, runtime = str(app["name"]), preparing.read_runtime(pod)
    for path in (paths.app_rootfs_path, paths.app_upper_dir, paths.app_work_dir):
        path(pod, name).mkdir(parents=True)
    rootfs = apps.mount_rootfs(pod, name, lower, True)
    apps.write_etc(rootfs, etc_files(pod, runtime, lower))
    notes = {a["name"]: a["value"] for a in app.get("annotations") or []}
    settings = {
        "insecure": runtime.insecure,
        "namespaces": pod_namespaces(pod, runtime),
        "cgroup": cgroups.app_path(paths.pod_cgroup_path(pod).read_text().strip(), name),
        "mounts": apps.volume_mounts(pod, app, volume_list),
        "terminal": notes.get("coreos.com/rkt/stage2/stdin") == "tty",
        "hooks": {},
    }
    oci.write(paths.app_config_path(pod, name), oci.config(app, rootfs, settings))


def remove(pod: Path, name: str) -> None:
    """Undo ``make`` and the app's run: its runc container, mounts and bundle; its logs stay."""
    from rktnetes.rkt.stage1 import teardown

    teardown.runc(pod, "delete", "--force", name)
    app = paths.app_dir(pod, name)
    mounting.umount_all(app)
    if mounting.mounts_under(app):  # never walk into what is still mounted (the image store below an overlay)
        raise Stage1Error(f"app {name}: still mounted: {mounting.mounts_under(app)[0]}")
    keep = {paths.app_log_path(pod, name).name, paths.app_previous_log_path(pod, name).name,
            paths.app_previous_run_path(pod, name).name}
    for entry in (app.iterdir() if app.is_dir() else []):
        if entry.name not in keep:
            _remove_tree(entry)


def _remove_tree(path: Path) -> None:
    import shutil

    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
