"""stage1 default: the supervisor that lives as long as the pod, holding the lock on its folder.

Why it is built this way: one single-threaded process per pod, no daemon. It holds the pod folder's flock
for its whole life (so "run + locked" means running, and a crash releases it); it makes the shared
namespaces, brings up networks, starts every app with ``runc run`` in the foreground and then sits in one
``selectors`` loop that copies each app's stdout/stderr to its log (and to the caller's terminal) and
learns of exits when an app's pipes close. Signals reach the loop through ``signal.set_wakeup_fd`` and are
forwarded to the apps with ``runc kill``, so teardown always runs in this same thread, in order.

Run as ``python -m rktnetes.rkt.stage1.supervisor ROOT UUID``; imports are kept few to keep its RSS low.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.errors import RktError
from rktnetes.rkt.pods import state
from rktnetes.rkt.stage1 import apps, cgroups, namespaces, oci, pumping, teardown


class Supervisor:
    def __init__(self, root: Path, pod: Path, uuid: str) -> None:
        self.root, self.pod, self.uuid = root, pod, uuid
        self.manifest = json.loads(paths.pod_manifest_path(pod).read_text())
        self.runtime = json.loads(paths.pod_runtime_path(pod).read_text())
        self.names = [a["name"] for a in self.manifest["apps"]]

    def run(self) -> int:
        try:
            ns = self.setup()
            procs = {name: self.launch(name, ns) for name in self.names}
            paths.pod_started_path(self.pod).write_text(f"{os.getpid()}\n")
            codes = pumping.Pump(self.pod, procs, self.runtime["interactive"]).run()
        except RktError as exc:
            print(f"stage1: {exc}", file=sys.stderr)
            codes = {}
        finally:
            teardown.teardown(self.pod, self.uuid)
        return self.finish(codes)

    def setup(self) -> dict[str, Path]:
        ns = namespaces.create(self.pod, self.runtime["hostname"])
        pod_cgroup = cgroups.host_pod_path(self.uuid)
        paths.pod_cgroup_path(self.pod).write_text(pod_cgroup + "\n")
        self.network(ns["net"])
        if self.plan is not None and self.plan.mode == "host":
            del ns["net"]
        return ns

    def network(self, netns: Path) -> None:
        """Bring the pod's networks up (none for --net=none/host)."""
        self.plan, self.net_infos = None, []
        if not self.runtime.get("netplan"):
            return
        from rktnetes.rkt.networking import podnet

        self.plan = podnet.PodNetPlan.from_json(self.runtime["netplan"])
        if self.plan.mode != "none":
            self.net_infos = podnet.up(self.pod, self.uuid, str(netns), self.plan, self.root)

    def etc_files(self, lower: str) -> dict[str, str | None]:
        if self.plan is None:
            return {}
        from rktnetes.rkt.networking import podnet

        image_hosts = Path(lower, "etc", "hosts")
        image_text = image_hosts.read_text() if image_hosts.is_file() else None
        return podnet.etc_files(self.plan, self.net_infos, self.runtime["hostname"], image_text)

    def launch(self, name: str, ns: dict[str, Path]) -> subprocess.Popen[bytes]:
        app = self.manifest["apps"][self.names.index(name)]
        lower = self.runtime["lowers"][name]
        rootfs = apps.mount_rootfs(self.pod, name, lower, self.runtime["overlay"])
        apps.write_etc(rootfs, self.etc_files(lower))
        pod_cgroup = paths.pod_cgroup_path(self.pod).read_text().strip()
        settings = {
            "insecure": self.runtime["insecure"],
            "namespaces": ns,
            "cgroup": cgroups.app_path(pod_cgroup, name),
            "mounts": apps.volume_mounts(self.pod, app, self.manifest.get("volumes", [])),
            "terminal": self.runtime["interactive"],
        }
        oci.write(paths.app_config_path(self.pod, name), oci.config(app, rootfs, settings))
        proc = apps.start(self.pod, name, self.runtime["interactive"])
        apps.wait_created(self.pod, name, proc)
        return proc

    def finish(self, codes: dict[str, int]) -> int:
        for name, code in codes.items():
            paths.app_exit_path(self.pod, name).write_text(f"{code}\n")
        known = [codes[n] for n in self.names if n in codes]
        pod_code = 254 if len(known) < len(self.names) else next((c for c in known if c), 0)
        paths.pod_exited_path(self.pod).write_text(f"{pod_code} {time.time():.6f}\n")
        return pod_code


def main(argv: list[str]) -> int:
    root, uuid = Path(argv[0]), argv[1]
    try:
        fd = state.lock(paths.pod_dir(root, "prepared", uuid))
        pod = state.transition(state.Pod(root, uuid, "prepared"), "run")
    except (RktError, FileNotFoundError) as exc:
        print(f"run-prepared: {exc if isinstance(exc, RktError) else f'no prepared pod {uuid}'}", file=sys.stderr)
        return 254
    try:
        return Supervisor(root, pod.path, uuid).run()
    finally:
        os.close(fd)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
