"""The kubelet's hands on rkt's image store for pulls: look in the store, run the real ``rkt fetch``.

Looking uses rkt's library (a store-only fetch, in a worker thread: no process start for an image that is
there). A pull is the ``rkt`` command in a child process, bounded by a timeout and killed if the sync is
cancelled; its credentials come only through the private config dir it is given as ``--system-config``
(rkt reads ``dockerAuth`` from ``auth.d`` there), so they are on no command line and in no log.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from rktnetes.kubelet import errors
from rktnetes.kubelet.runtime import RKT, Runtime
from rktnetes.rkt import paths as rkt_paths

FETCH_TIMEOUT = 300.0


class RktImages:
    """The store and the fetches of the kubelet's rkt: ``present`` reads the store (rkt's library, a worker
    thread), ``fetch`` runs the real ``rkt fetch`` (``config``: a private config dir holding credentials)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def _look(self, image: str) -> Any:
        from rktnetes.rkt.images import fetching
        from rktnetes.rkt.images.store import ImageStore

        insecure = frozenset(w for w in self.runtime.insecure_options.split(",") if w)
        local = self.runtime.local_config or rkt_paths.DEFAULT_LOCAL_CONFIG
        with ImageStore(self.runtime.root) as store:
            return fetching.fetch(store, image, insecure=insecure, pull_policy="never", local_config=local)

    async def present(self, image: str) -> Any:
        """The stored image (``.id``, ``.size``) an image reference names, or None."""
        try:
            return await asyncio.to_thread(self._look, image)
        except Exception:  # noqa: BLE001 - any refusal of a store-only fetch means "not here"
            return None

    def argv(self, image: str, policy: str, config: Path | None) -> list[str]:
        argv = [RKT, f"--dir={self.runtime.root}"]
        argv += [f"--local-config={self.runtime.local_config}"] if self.runtime.local_config else []
        argv += [f"--insecure-options={self.runtime.insecure_options}"] if self.runtime.insecure_options else []
        argv += [f"--system-config={config}"] if config is not None else []
        return [*argv, "fetch", "--full", f"--pull-policy={policy}", image]

    async def fetch(self, image: str, policy: str, config: Path | None) -> None:
        proc = await asyncio.create_subprocess_exec(*self.argv(image, policy, config), stdin=asyncio.subprocess.DEVNULL,
                                                    stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        try:
            _, err = await asyncio.wait_for(proc.communicate(), FETCH_TIMEOUT)
        except (TimeoutError, asyncio.CancelledError):
            proc.kill()
            await proc.wait()
            raise
        if proc.returncode != 0:
            lines = err.decode(errors="replace").strip().splitlines() or [f"rkt fetch exited {proc.returncode}"]
            raise errors.ImagePullFailure(lines[-1].removeprefix("rkt: ").strip())
