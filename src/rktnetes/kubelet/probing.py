"""One probe of one container, as the kubelet runs them: exec, tcpSocket, httpGet.

exec runs the command inside the container (``rkt enter``) and succeeds on exit 0. tcpSocket and httpGet
connect from inside the pod's network namespace (a worker thread enters it with setns(2), which moves only
that thread, and leaves it again): the pod's IP is only routable inside the node's namespace, which the
kubelet process is not in, and a container's ports answer on the pod's loopback as on its IP. httpGet
succeeds on a status from 200 to 399, as Kubernetes'.
"""

from __future__ import annotations

import asyncio
import http.client
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from rktnetes.netns import entered

Obj = dict[str, Any]
ENTER_ALLOWANCE = 5.0  # starting `rkt enter` (a Python process, then runc) is not the probe's own time
_threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="probe")


def port_number(port: int | str, container: Obj) -> int:
    """A probe's port: a number, or the name of one of the container's ports."""
    if isinstance(port, int) or str(port).isdigit():
        return int(port)
    for declared in container.get("ports") or []:
        if declared.get("name") == port:
            return int(declared["containerPort"])
    raise ValueError(f"no port named {port!r} in container {container['name']}")


def _tcp(port: int, timeout: float) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout):
        return True


def _http(port: int, path: str, timeout: float, headers: dict[str, str]) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path or "/", headers={"User-Agent": "kube-probe/1.32", **headers})
        return 200 <= conn.getresponse().status < 400
    finally:
        conn.close()


def _network_check(spec: Obj, container: Obj, timeout: float) -> Callable[[], bool]:
    if "tcpSocket" in spec:
        port = port_number(spec["tcpSocket"]["port"], container)
        return lambda: _tcp(port, timeout)
    get = spec["httpGet"]
    headers = {h["name"]: h["value"] for h in get.get("httpHeaders") or []}
    port = port_number(get["port"], container)
    return lambda: _http(port, get.get("path", "/"), timeout, headers)


def _in_pod(netns: str, check: Callable[[], bool]) -> bool:
    """``check`` in the pod's namespace (none given: a host-network pod on a node without its own)."""
    if not netns:
        return check()
    with entered(netns):
        return check()


async def _exec(argv: list[str], timeout: float) -> bool:
    proc = await asyncio.create_subprocess_exec(*argv, stdin=asyncio.subprocess.DEVNULL,
                                                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        return await asyncio.wait_for(proc.wait(), timeout) == 0
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return False


async def run(spec: Obj, container: Obj, netns: str, enter_argv: Callable[[list[str]], list[str]]) -> bool:
    """Whether the probe ``spec`` passes now (a failure to run it at all is a failed probe)."""
    timeout = float(spec.get("timeoutSeconds") or 1)
    try:
        if "exec" in spec:
            return await _exec(enter_argv(list(spec["exec"].get("command") or [])), timeout + ENTER_ALLOWANCE)
        check = _network_check(spec, container, timeout)
        loop = asyncio.get_running_loop()
        return await asyncio.wait_for(loop.run_in_executor(_threads, _in_pod, netns, check), timeout + 1.0)
    except (OSError, ValueError, TimeoutError, http.client.HTTPException, KeyError):
        return False
