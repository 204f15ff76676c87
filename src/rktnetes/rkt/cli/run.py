"""``rkt run``: prepare a pod from images and run it in this process (stage0 becomes its stage1)."""

from __future__ import annotations

import argparse

from rktnetes.rkt.cli import podflags


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    cmd = subparsers.add_parser("run", parents=parents, help="run image(s) in a new pod")
    podflags.add(cmd)
    cmd.add_argument("--detach", action="store_true", help="start the pod in the background; print its UUID")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rktnetes.rkt.pods import running, stage0  # loaded on use: every rkt command imports this module
    ctx = podflags.context(args)
    uuid = stage0.prepare(ctx, podflags.request(args))
    podflags.save_uuid(args, uuid)
    if args.detach:
        running.start_detached(ctx.root, uuid)
        print(uuid)
        return 0
    return running.run_foreground(ctx.root, uuid)
