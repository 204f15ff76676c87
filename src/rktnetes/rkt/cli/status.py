"""``rkt status UUID``: the pod's state, times, networks, pid and every app's exit code."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from rktnetes.rkt.cli import common
from rktnetes.rkt.pods import durations, errors, info, state


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    cmd = subparsers.add_parser("status", parents=parents, help="show the status of a pod")
    cmd.add_argument("--wait", nargs="?", const="forever", default=None, metavar="DURATION",
                     help="wait until the pod has exited (optionally for at most DURATION, e.g. 10s)")
    cmd.add_argument("--wait-ready", nargs="?", const="forever", default=None, metavar="DURATION",
                     help="wait until the pod is running (optionally for at most DURATION)")
    cmd.add_argument("--format", choices=("", "json", "json-pretty"), default="", help="output format")
    cmd.add_argument("uuid", nargs="?", default="", metavar="UUID")
    cmd.set_defaults(func=run)


def _wait(root: Path, uuid: str, duration: str, done: Callable[[state.Status], bool]) -> state.Pod:
    limit = float("inf") if duration == "forever" else durations.parse(duration)
    deadline = time.monotonic() + limit
    pod = state.find(root, uuid)
    while not done(pod.status()):
        if time.monotonic() > deadline:
            raise errors.PodError(f"timed out waiting for pod {pod.uuid}")
        time.sleep(0.05)
        pod = state.find(root, uuid)
    return pod


def lines(pod: info.PodInfo) -> list[str]:
    out = [f"state={pod.state}", f"created={info.stamp(pod.created)}", f"started={info.stamp(pod.started)}",
           "networks=" + ",".join(f"{n['name']}:ip4={n['ip']}" for n in pod.networks)]
    if pod.pid is not None:
        out.append(f"pid={pod.pid}")
    out.append(f"exited={'true' if pod.exit_code is not None else 'false'}")
    out += [f"app-{a.name}={a.exit_code}" for a in pod.apps if a.exit_code is not None]
    return out


def run(args: argparse.Namespace) -> int:
    root = common.data_dir(args)
    pod = state.find(root, args.uuid)
    if args.wait_ready:
        pod = _wait(root, args.uuid, args.wait_ready, lambda s: s is not state.Status.PREPARED)
    if args.wait:
        running = (state.Status.RUNNING, state.Status.PREPARED)
        pod = _wait(root, args.uuid, args.wait, lambda s: s not in running)
    details = info.info(pod)
    if args.format:
        print(json.dumps(details.to_dict(), indent=2 if args.format == "json-pretty" else None))
    else:
        print("\n".join(lines(details)))
    return 0
