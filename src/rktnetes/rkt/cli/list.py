"""``rkt list``: every pod with its apps, state and networks (``--full``, ``--no-legend``, ``--format``)."""

from __future__ import annotations

import argparse
import json

from rktnetes.rkt.cli import common
from rktnetes.rkt.pods import info, state

COLUMNS = ("UUID", "APP", "IMAGE NAME", "STATE", "CREATED", "STARTED", "NETWORKS")


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    cmd = subparsers.add_parser("list", parents=parents, help="list pods")
    cmd.add_argument("--full", action="store_true", help="full UUIDs and image ids")
    cmd.add_argument("--no-legend", action="store_true", help="no header line")
    cmd.add_argument("--format", choices=("", "json", "json-pretty"), default="", help="output format")
    cmd.set_defaults(func=run)


def rows(pods: list[info.PodInfo], full: bool) -> list[tuple[str, ...]]:
    out = []
    for pod in sorted(pods, key=lambda p: p.created or 0):
        nets = ",".join(f"{n['name']}:ip4={n['ip']}" for n in pod.networks)
        times = (info.stamp(pod.created), info.stamp(pod.started)) if full else (_ago(pod.created), _ago(pod.started))
        for i, app in enumerate(pod.apps or [info.AppInfo("-", "-", "")]):
            image = f"{app.image_name}" if not full else f"{app.image_name} {app.image_id}"
            head = (pod.uuid if full else pod.uuid[:8], app.name, image)
            out.append(head + ((pod.state, *times, nets) if i == 0 else ("", "", "", "")))
    return out


def _ago(when: float | None) -> str:
    return info.stamp(when)[:19] if when else ""


def run(args: argparse.Namespace) -> int:
    pods = [info.info(p) for p in state.all_pods(common.data_dir(args))]
    if args.format:
        print(json.dumps([p.to_dict() for p in pods], indent=2 if args.format == "json-pretty" else None))
        return 0
    table = rows(pods, args.full)
    if not args.no_legend:
        table.insert(0, COLUMNS)
    widths = [max((len(r[i]) for r in table), default=0) for i in range(len(COLUMNS))]
    for row in table:
        print("\t".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0
