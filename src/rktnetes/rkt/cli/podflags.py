"""The pod flags ``rkt run`` and ``rkt prepare`` share, and the stage0 context they build from them."""

from __future__ import annotations

import argparse

from rktnetes.rkt.cli import common
from rktnetes.rkt.networking import flags as netflags
from rktnetes.rkt.pods import appargs

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs every rkt run ~3 ms
if TYPE_CHECKING:
    from rktnetes.rkt.pods.stage0 import Context, PodRequest

PULL_POLICIES = ("new", "update", "never")


def add(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--volume", action="append", metavar="NAME,kind=host|empty,…", help="a pod volume")
    cmd.add_argument("--set-env", action="append", metavar="NAME=VALUE", help="an env var for every app")
    cmd.add_argument("--set-env-file", action="append", metavar="FILE", help="NAME=VALUE lines for every app")
    cmd.add_argument("--inherit-env", action="store_true", help="apps inherit rkt's environment")
    cmd.add_argument("--hostname", help="the pod's hostname (default rkt-<uuid>)")
    cmd.add_argument("--interactive", action="store_true", help="run the (single) app on this terminal")
    cmd.add_argument("--pod-manifest", metavar="FILE", help="an appc pod manifest to run instead of images")
    cmd.add_argument("--uuid-file-save", metavar="FILE", help="write the pod's UUID to FILE")
    cmd.add_argument("--stage1-name", choices=("default", "fly"), default="default", help="the stage1 to run")
    cmd.add_argument("--no-overlay", action="store_true", help="copy each image instead of an overlay")
    cmd.add_argument("--no-new-privileges", action="store_true", help="apps cannot gain privileges (setuid)")
    cmd.add_argument("--annotation", action="append", metavar="NAME=VALUE", help="a pod annotation")
    cmd.add_argument("--pull-policy", choices=PULL_POLICIES, default="new", help="when to fetch images")
    netflags.add(cmd)
    cmd.add_argument("images", nargs=argparse.REMAINDER, metavar="IMAGE [app flags] [-- args ---] …")
    cmd.epilog = "app flags (after an IMAGE, for its app): " + ", ".join(f"--{flag}" for flag in appargs.FLAGS)


def context(args: argparse.Namespace) -> Context:
    from rktnetes.rkt.pods.stage0 import Context

    return Context(
        root=common.data_dir(args).absolute(),
        local_config=common.local_config(args),
        system_config=common.system_config(args),
        insecure=common.insecure_options(args),
        pull_policy=getattr(args, "pull_policy", "new"),
        trust_keys_from_https=getattr(args, "trust_keys_from_https", False),
    )


def request(args: argparse.Namespace) -> PodRequest:
    from rktnetes.rkt.pods import appargs
    from rktnetes.rkt.pods.stage0 import PodRequest

    return PodRequest(
        apps=appargs.parse(args.images), pod_manifest=args.pod_manifest, volumes=args.volume or [],
        set_env=args.set_env or [], set_env_files=args.set_env_file or [], inherit_env=args.inherit_env,
        hostname=args.hostname or "", interactive=args.interactive, stage1=args.stage1_name,
        overlay=not args.no_overlay, no_new_privileges=args.no_new_privileges, net=args.net, dns=args.dns,
        dns_search=args.dns_search, dns_opt=args.dns_opt, dns_domain=args.dns_domain,
        hosts_entries=args.hosts_entry, ports=args.port, annotations=args.annotation or [],
    )


def save_uuid(args: argparse.Namespace, uuid: str) -> None:
    if args.uuid_file_save:
        with open(args.uuid_file_save, "w") as out:
            out.write(uuid)
