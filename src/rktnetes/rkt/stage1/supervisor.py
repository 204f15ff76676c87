"""stage1 default: the supervisor that lives as long as the pod, holding the lock on its folder.

Why it is built this way: one process per pod, no daemon. It holds the pod folder's flock for its whole
life (so "run + locked" means running, and a crash releases it). It makes the shared namespaces, starts
every app with ``runc run`` in the foreground and brings up the networks meanwhile (the apps wait for them
at the network gate, see ``gate.py``); then ``waiting.pump`` copies output and reaps the apps, and
``teardown`` undoes everything in order (the networks' DELs after the pod has exited). In the foreground (``rkt run``) all of this
happens in the caller's process. Detached (``--detached``, for the kubelet), the process re-execs itself
twice on the same pid, keeping the lock fd, app pipes and runc children: into ``waiting.py`` under a bare
interpreter for the pod's life (small RSS), then back here with ``--finish`` to tear down. A sandbox
(``rkt app sandbox``, no apps at first) gets its namespaces, networks and a control FIFO, and its loop
starts the apps ``rkt app add`` bundled when ``rkt app start`` asks (see ``sandboxing.py``).

Run as ``python -m rktnetes.rkt.stage1.supervisor [--detached|--finish] ROOT UUID [NAME=CODE…]``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.errors import RktError
from rktnetes.rkt.pods import state
from rktnetes.rkt.stage1 import apps, cgroups, gate, namespaces, netsetup, oci, teardown, waiting

# pods.manifest.MUTABLE_ANNOTATION, not imported: pods.manifest loads appargs (~5 ms on every pod's start)
MUTABLE_ANNOTATION = "coreos.com/rkt/stage1/mutable"


class Supervisor:
    def __init__(self, root: Path, pod: Path, uuid: str) -> None:
        self.root, self.pod, self.uuid = root, pod, uuid
        self.manifest = json.loads(paths.pod_manifest_path(pod).read_text())
        self.runtime = json.loads(paths.pod_runtime_path(pod).read_text())
        self.names = [a["name"] for a in self.manifest["apps"]]
        notes = {a["name"]: a["value"] for a in self.manifest.get("annotations") or []}
        self.sandbox = notes.get(MUTABLE_ANNOTATION) == "true"
        self.nets = netsetup.PodNetworks(pod, uuid, root, self.runtime)

    def start(self) -> dict[str, tuple[int, int, int]]:
        if self.sandbox:
            return self.start_sandbox()
        ns = self.setup()
        net_gate = gate.Gate(self.pod, shut=self.nets.gated())
        procs: dict[str, tuple[int, int, int]] = {}
        try:
            for name in self.names:  # every bundle first: a bad app stops the pod before any app runs
                self.bundle(name, ns, net_gate.hooks())
            for name in self.names:  # then the apps' runc all at once: they come up together
                procs[name] = apps.start(self.pod, name, self.runtime["interactive"], self.stdin(name))
            if self.nets.gated():
                self.network_behind_gate(ns["net"], net_gate)
        finally:
            net_gate.open(up=False)  # unless opened above: the apps' runc fails them
            for name, (pid, _, _) in procs.items():  # created, so teardown finds them even on failure
                apps.wait_created(self.pod, name, pid)
        state.publish(paths.pod_started_path(self.pod), f"{os.getpid()}\n")
        return procs

    def start_sandbox(self) -> dict[str, tuple[int, int, int]]:
        """A sandbox: namespaces, networks and the control FIFO, but no app yet (``rkt app add``/``start``)."""
        ns = self.setup()
        if self.nets.gated():
            self.nets.up(ns["net"])
        os.mkfifo(paths.pod_control_path(self.pod), 0o600)
        state.publish(paths.pod_started_path(self.pod), f"{os.getpid()}\n")
        return {}

    def run(self) -> int:
        """Foreground: everything in this process; returns the pod's exit code."""
        codes: dict[str, int] = {}
        try:
            procs = self.start()
            codes = waiting.pump(self.pump_args(procs), str(paths.pod_runc_root(self.pod)), True)
        except RktError as exc:
            print(f"stage1: {exc}", file=sys.stderr)
        finally:
            teardown.teardown(self.pod, self.uuid, networks=False)  # main DELs them once the pod is released
        return self.finish(codes)

    def run_detached(self, lock_fd: int) -> int:
        """Start the apps, then become the bare waiting loop (never returns unless setup fails)."""
        try:
            procs = self.start()
        except RktError as exc:
            print(f"stage1: {exc}", file=sys.stderr)
            teardown.teardown(self.pod, self.uuid, networks=False)
            return self.finish({})
        args = self.pump_args(procs)
        for fd in [lock_fd] + [fd for app in args for fd in app[2:4] if fd >= 0]:
            os.set_inheritable(fd, True)
        words = [w for name, pid, out, err, log, code in args for w in (f"{name}:{pid}:{out}:{err}:{log}", code)]
        finish = [sys.executable, "-m", __name__ if __name__ != "__main__" else "rktnetes.rkt.stage1.supervisor",
                  "--finish", str(self.root), self.uuid]
        control = ["--control", str(paths.pod_control_path(self.pod))] if self.sandbox else []
        argv = [sys.executable, "-I", "-S", waiting.__file__, *control, str(paths.pod_runc_root(self.pod)), "0", *words,
                "--", *finish]
        os.execv(argv[0], argv)
        return 254

    def stdin(self, name: str) -> str:
        """The app's ``--stdin`` mode (null, stream, tty), from its annotation in the pod manifest."""
        app = self.manifest["apps"][self.names.index(name)]
        notes = {a["name"]: a["value"] for a in app.get("annotations") or []}
        return notes.get("coreos.com/rkt/stage2/stdin", "null")

    def pump_args(self, procs: dict[str, tuple[int, int, int]]) -> list[waiting.App]:
        """(name, runc pid, stdout fd, stderr fd, log path, exit file) of every app, for waiting.pump."""
        return [(n, *procs[n], str(paths.app_log_path(self.pod, n)), str(paths.app_exit_path(self.pod, n)))
                for n in self.names]

    def setup(self) -> dict[str, Path]:
        ns = namespaces.create(self.pod, self.runtime["hostname"])
        state.publish(paths.pod_cgroup_path(self.pod), cgroups.host_pod_path(self.uuid) + "\n")
        if self.nets.host():
            del ns["net"]
        return ns

    def network_behind_gate(self, netns: Path, net_gate: gate.Gate) -> None:
        """While runc creates the apps, which wait at the gate: ADD the networks, write each app's /etc files
        naming them, then let the apps start."""
        self.nets.up(netns)
        for name in self.names:
            lower = self.runtime["lowers"][name]
            apps.write_etc(paths.app_rootfs_path(self.pod, name), self.nets.etc_files(lower))
        net_gate.open(up=True)

    def bundle(self, name: str, ns: dict[str, Path], hooks: dict[str, object]) -> None:
        app = self.manifest["apps"][self.names.index(name)]
        lower = self.runtime["lowers"][name]
        rootfs = apps.mount_rootfs(self.pod, name, lower, self.runtime["overlay"])
        if not hooks:  # else written once the networks they name are up
            apps.write_etc(rootfs, self.nets.etc_files(lower))
        pod_cgroup = paths.pod_cgroup_path(self.pod).read_text().strip()
        settings = {
            "insecure": self.runtime["insecure"],
            "namespaces": ns,
            "cgroup": cgroups.app_path(pod_cgroup, name),
            "mounts": apps.volume_mounts(self.pod, app, self.manifest.get("volumes", [])),
            "terminal": self.runtime["interactive"] or self.stdin(name) == "tty",
            "hooks": hooks,
        }
        oci.write(paths.app_config_path(self.pod, name), oci.config(app, rootfs, settings))

    def finish(self, codes: dict[str, int]) -> int:
        if self.sandbox:  # its loop published each app's code as it ended (an app may be gone since)
            state.publish(paths.pod_exited_path(self.pod), f"0 {time.time():.6f}\n")
            return 0
        for name, code in codes.items():
            state.publish(paths.app_exit_path(self.pod, name), f"{code}\n")
        known = [codes[n] for n in self.names if n in codes]
        pod_code = 254 if len(known) < len(self.names) else next((c for c in known if c), 0)
        state.publish(paths.pod_exited_path(self.pod), f"{pod_code} {time.time():.6f}\n")
        return pod_code


def _take(root: Path, uuid: str) -> tuple[int, state.Pod]:
    fd = state.lock(paths.pod_dir(root, "prepared", uuid))
    return fd, state.transition(state.Pod(root, uuid, "prepared"), "run")


def main(argv: list[str]) -> int:
    mode = argv.pop(0) if argv and argv[0].startswith("--") else "--foreground"
    root, uuid = Path(argv[0]), argv[1]
    if mode == "--finish":
        pod = paths.pod_dir(root, "run", uuid)
        codes = {k: int(v) for k, v in (w.split("=", 1) for w in argv[2:])}
        teardown.teardown(pod, uuid, networks=False)
        try:
            return Supervisor(root, pod, uuid).finish(codes)
        finally:
            teardown.networks_down_detached(pod, uuid)
    try:
        fd, pod = _take(root, uuid)
    except (RktError, FileNotFoundError) as exc:
        print(f"run-prepared: {exc if isinstance(exc, RktError) else f'no prepared pod {uuid}'}", file=sys.stderr)
        return 254
    try:
        supervisor = Supervisor(root, pod.path, uuid)
        return supervisor.run_detached(fd) if mode == "--detached" else supervisor.run()
    finally:
        os.close(fd)  # the pod has exited: its networks come down after (see teardown)
        teardown.networks_down_detached(pod.path, uuid)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
