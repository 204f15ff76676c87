"""stage1 fly: the pod's one app in a chroot, with no namespaces and no isolators (rkt's kubelet runner).

/dev, /proc and /sys are bind-mounted from the host and /tmp is a tmpfs; the app sees the host's pids,
network and hostname. The process holds the pod lock like the default supervisor, forwards SIGTERM/SIGINT
to the app, records its exit code and unmounts everything when it ends.

Run as ``python -m rktnetes.rkt.stage1.fly ROOT UUID``.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from rktnetes.rkt import paths
from rktnetes.rkt.errors import RktError
from rktnetes.rkt.pods import state
from rktnetes.rkt.stage1 import apps, mounting, oci, teardown, users

HOST_BINDS = ("dev", "proc", "sys")


def prepare_rootfs(pod: Path, app: dict[str, Any], runtime: dict[str, Any]) -> Path:
    name = app["name"]
    rootfs = apps.mount_rootfs(pod, name, runtime["lowers"][name], runtime["overlay"])
    for sub in HOST_BINDS:
        (rootfs / sub).mkdir(exist_ok=True)
        mounting.bind(f"/{sub}", rootfs / sub, recursive=True)
    (rootfs / "tmp").mkdir(exist_ok=True)
    mounting.mount("tmpfs", rootfs / "tmp", "tmpfs", 0, "mode=1777")
    for spec in apps.volume_mounts(pod, app, json.loads(paths.pod_manifest_path(pod).read_text()).get("volumes", [])):
        target = rootfs / spec["destination"].lstrip("/")
        target.mkdir(parents=True, exist_ok=True)
        mounting.bind(spec["source"], target, recursive=True)
        if "ro" in spec["options"]:
            mounting.mount("", target, "", mounting.MS_BIND | mounting.MS_REMOUNT | mounting.MS_RDONLY)
    return rootfs


def _exec_app(rootfs: Path, app: dict[str, Any]) -> None:
    """In the forked child: chroot, drop to the app's user, exec. Never returns."""
    try:
        spec = app["app"]
        uid, gid = users.uid(rootfs, spec["user"]), users.gid(rootfs, spec["group"])
        os.chroot(rootfs)
        os.chdir(spec.get("workingDirectory") or "/")
        os.setgroups(spec.get("supplementaryGIDs", []))
        os.setgid(gid)
        os.setuid(uid)
        env = dict(e.split("=", 1) for e in oci.environment(app, users.home(Path("/"), uid)))
        os.execve(spec["exec"][0], spec["exec"], env)
    except (OSError, RktError) as exc:
        print(f"fly: cannot run {app['app']['exec'][0]}: {exc}", file=sys.stderr)
    os._exit(254)


def _wait(child: int) -> int:
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda signum, _frame: os.kill(child, signum))
    _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status) if not os.WIFSIGNALED(status) else 128 + os.WTERMSIG(status)


def supervise(pod: Path, uuid: str) -> int:
    manifest = json.loads(paths.pod_manifest_path(pod).read_text())
    runtime = json.loads(paths.pod_runtime_path(pod).read_text())
    app, code = manifest["apps"][0], 254
    try:
        rootfs = prepare_rootfs(pod, app, runtime)
        child = os.fork()
        if child == 0:
            _exec_app(rootfs, app)
        state.publish(paths.pod_started_path(pod), f"{child}\n")  # the app itself: stop signals it directly
        code = _wait(child)
        state.publish(paths.app_exit_path(pod, app["name"]), f"{code}\n")
    except RktError as exc:
        print(f"fly: {exc}", file=sys.stderr)
    finally:
        teardown.teardown(pod, uuid)
        state.publish(paths.pod_exited_path(pod), f"{code} {time.time():.6f}\n")
    return code


def main(argv: list[str]) -> int:
    root, uuid = Path(argv[0]), argv[1]
    try:
        fd = state.lock(paths.pod_dir(root, "prepared", uuid))
        pod = state.transition(state.Pod(root, uuid, "prepared"), "run")
    except (RktError, FileNotFoundError) as exc:
        print(f"run-prepared: {exc if isinstance(exc, RktError) else f'no prepared pod {uuid}'}", file=sys.stderr)
        return 254
    try:
        return supervise(pod.path, uuid)
    finally:
        os.close(fd)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
