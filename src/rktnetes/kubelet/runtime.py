"""The kubelet's hands on rkt: the ``rkt`` CLI for every change, rkt's pod library for looking.

Start and remove run the real ``rkt`` command in a child process — the entry points a person uses
(``run-prepared --detach``, ``rm``) — so a pod's supervisor is never a child of the kubelet's threads and
outlives it, and with ``--node-netns`` they run inside the node's network namespace (CNI ADD and DEL happen
there, never in the kubelet's). Preparing (flags parsed by rkt's own parser), listing and stopping only
write or read pod folders and signal apps through runc: they use the library directly, in a worker thread.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from rktnetes.kubelet import errors, rktpods
from rktnetes.kubelet.rktpods import RktPod
from rktnetes.rkt import errors as rkt_errors
from rktnetes.rkt.pods import control, info, state
from rktnetes.rkt.pods import errors as pod_errors

RKT = str(Path(sys.executable).with_name("rkt"))
COMMAND_TIMEOUT = 300.0
_PULL_WORDS = ("fetch", "image", "registry", "manifest unknown", "pull policy")


class Runtime:
    def __init__(self, rkt_dir: Path, insecure_options: str = "", node_netns: str | None = None,
                 local_config: Path | None = None, node_name: str = "") -> None:
        """``node_name``: only rkt pods started for this node are listed (several kubelets may share a data
        dir; none may take another's pods for strangers)."""
        self.root = rkt_dir.absolute()
        self.insecure_options, self.node_netns, self.local_config = insecure_options, node_netns, local_config
        self.node_name = node_name
        self.changes = 0  # counts commands that may have changed rkt pods (a caller's cached listing is stale)

    def _argv(self, *args: str, in_node: bool = False) -> list[str]:
        argv = [RKT, f"--dir={self.root}"]
        if self.local_config:
            argv.append(f"--local-config={self.local_config}")
        if self.insecure_options:
            argv.append(f"--insecure-options={self.insecure_options}")
        prefix = ["nsenter", f"--net={self.node_netns}"] if in_node and self.node_netns else []
        return [*prefix, *argv, *args]

    async def _rkt(self, *args: str, in_node: bool = False) -> str:
        self.changes += 1
        proc = await asyncio.create_subprocess_exec(*self._argv(*args, in_node=in_node), stdin=asyncio.subprocess.DEVNULL,
                                                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        try:
            out, err = await asyncio.wait_for(proc.communicate(), COMMAND_TIMEOUT)
        except (TimeoutError, asyncio.CancelledError):
            proc.kill()
            await proc.wait()
            raise
        if proc.returncode != 0:
            lines = err.decode(errors="replace").strip().splitlines() or [f"rkt {args[0]} exited {proc.returncode}"]
            raise errors.RuntimeFailure(lines[-1])
        return out.decode()

    def _prepare(self, args: list[str]) -> str:
        from rktnetes.rkt.cli import main as rkt_cli
        from rktnetes.rkt.cli import podflags
        from rktnetes.rkt.pods import stage0

        argv = self._argv("prepare", *args)[1:]
        flags = rkt_cli.build_parser(argv).parse_args(argv)
        return stage0.prepare(podflags.context(flags), podflags.request(flags))

    async def prepare(self, args: list[str]) -> str:
        """``rkt prepare``'s work (fetching images as the pull policy says), through rkt's own parser and
        library in a worker thread — a process start less per pod; the new pod's uuid. Only preparing is done
        here: the supervisor is still started by the ``rkt`` command, outside the kubelet."""
        self.changes += 1
        try:
            return await asyncio.to_thread(self._prepare, args)
        except rkt_errors.RktError as exc:
            pulling = any(word in str(exc).lower() for word in _PULL_WORDS)
            raise (errors.ImagePullFailure if pulling else errors.RuntimeFailure)(str(exc)) from None

    async def fetch(self, image: str, pull_policy: str) -> str:
        """``rkt fetch`` (as the pull policy allows); the image's full id."""
        try:
            out = await self._rkt("fetch", "--full", f"--pull-policy={pull_policy}", image)
        except errors.RuntimeFailure as exc:
            raise errors.ImagePullFailure(str(exc)) from None
        return out.strip().splitlines()[-1]

    async def image(self, image_id: str) -> tuple[Path, dict]:
        """A stored image's tree and appc manifest."""
        from rktnetes.rkt.images.store import ImageStore

        def look() -> tuple[Path, dict]:
            with ImageStore(self.root) as store:
                return store.rootfs(image_id), store.manifest(image_id)
        return await asyncio.to_thread(look)

    async def start(self, uuid: str) -> None:
        await self._rkt("run-prepared", "--detach", uuid, in_node=True)

    async def remove(self, uuid: str) -> None:
        await self._rkt("rm", uuid, in_node=True)

    async def sandbox(self, args: list[str]) -> str:
        """``rkt app sandbox`` (in the node's network namespace: its CNI ADDs happen there); the new
        sandbox's uuid. It runs with no app until ``add_app`` and ``start_app``."""
        return (await self._rkt("app", "sandbox", *args, in_node=True)).strip().splitlines()[-1]

    async def add_app(self, uuid: str, name: str, words: list[str], pull_policy: str = "new") -> None:
        """``rkt app add UUID IMAGE --app=NAME [app flags] [-- args ---]`` (``words`` start with the image)."""
        try:
            await self._rkt("app", "add", f"--pull-policy={pull_policy}", uuid, words[0], f"--app={name}", *words[1:])
        except errors.RuntimeFailure as exc:
            pulling = any(word in str(exc).lower() for word in _PULL_WORDS)
            raise (errors.ImagePullFailure(str(exc)) if pulling else exc) from None

    async def start_app(self, uuid: str, name: str) -> None:
        await self._rkt("app", "start", uuid, f"--app={name}")

    async def stop_app(self, uuid: str, name: str, grace: float) -> None:
        """SIGTERM the app, SIGKILL after ``grace`` seconds; returns once its exit code is out."""
        from rktnetes.rkt.pods import appcontrol

        self.changes += 1
        try:
            await asyncio.to_thread(appcontrol.stop, self.root, uuid, name, force=grace <= 0, timeout=max(grace, 0.0))
        except pod_errors.PodError as exc:
            raise errors.RuntimeFailure(str(exc)) from None

    async def remove_app(self, uuid: str, name: str) -> None:
        """``rkt app rm``: the stopped app's container and bundle go; its log stays (the previous one after
        the name is added again)."""
        await self._rkt("app", "rm", uuid, f"--app={name}")

    async def apps(self, uuid: str) -> list:
        """Every app of the running sandbox ``uuid``: state, exit code, started and finished times."""
        from rktnetes.rkt.pods import appcontrol

        try:
            return await asyncio.to_thread(appcontrol.list_apps, self.root, uuid)
        except pod_errors.PodError as exc:
            raise errors.RuntimeFailure(str(exc)) from None

    def enter_argv(self, uuid: str, app: str, command: list[str]) -> list[str]:
        """The command line running ``command`` inside the app's container (``rkt enter``)."""
        return self._argv("enter", f"--app={app}", uuid, "--", *command)

    async def stop(self, uuid: str, grace: float) -> None:
        """SIGTERM every app, SIGKILL after ``grace`` seconds; returns once the pod has exited."""
        self.changes += 1
        try:
            await asyncio.to_thread(control.stop, self.root, uuid, force=grace <= 0, timeout=max(grace, 0.0))
        except pod_errors.PodError as exc:
            if "is not running" not in str(exc) and not isinstance(exc, pod_errors.NoSuchPod):
                raise errors.RuntimeFailure(str(exc)) from None

    def _list(self) -> list[RktPod]:
        found = []
        for pod in state.all_pods(self.root):
            if pod.folder not in ("prepared", "run"):
                continue
            try:
                found_info = info.info(pod)
                seen = RktPod(found_info, rktpods.finished(pod.path, found_info.apps), pod.path)
            except (OSError, ValueError, KeyError):
                continue  # renamed or removed while we looked: the next relist sees it
            if seen.uid and (not self.node_name or seen.node in ("", self.node_name)):
                found.append(seen)
        return found

    async def pods(self) -> list[RktPod]:
        """Every prepared, running or exited rkt pod the kubelet made, oldest first."""
        found = await asyncio.to_thread(self._list)
        return sorted(found, key=lambda p: (p.restarts, p.info.created or 0.0))

