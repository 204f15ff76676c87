"""``rkt app sandbox|add|start|stop|rm|list|status``: rkt's app-level API, one app of a sandbox at a time."""

from __future__ import annotations

import argparse
import json

from rktnetes.rkt.cli import common, podflags
from rktnetes.rkt.networking import flags as netflags


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    cmd = subparsers.add_parser("app", parents=parents, help="operate on the apps of a pod sandbox")
    sub = cmd.add_subparsers(dest="app_command", metavar="SUBCOMMAND", parser_class=type(cmd))
    _sandbox_parser(sub, parents)
    add = _with_uuid(sub, parents, "add", "add an app to a running sandbox (IMAGE --app=NAME [app flags])")
    add.add_argument("--pull-policy", choices=podflags.PULL_POLICIES, default="new", help="when to fetch the image")
    add.add_argument("words", nargs=argparse.REMAINDER, metavar="IMAGE --app=NAME [--annotation=K=V] [app flags] [-- args ---]")
    add.set_defaults(func=run_add)
    for name, func, text in (("start", run_start, "start an added app"), ("rm", run_rm, "remove a stopped app")):
        _with_app(_with_uuid(sub, parents, name, text)).set_defaults(func=func)
    stop = _with_app(_with_uuid(sub, parents, "stop", "stop a running app (SIGTERM, then SIGKILL)"))
    stop.add_argument("--force", action="store_true", help="kill the app (SIGKILL)")
    stop.set_defaults(func=run_stop)
    status = _with_app(_with_uuid(sub, parents, "status", "show the state of one app"))
    status.add_argument("--format", choices=("", "json"), default="", help="output format")
    status.set_defaults(func=run_status)
    listing = _with_uuid(sub, parents, "list", "list the apps of a sandbox")
    listing.add_argument("--format", choices=("", "json"), default="", help="output format")
    listing.add_argument("--no-legend", action="store_true", help="no header line")
    listing.set_defaults(func=run_list)


def _sandbox_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    cmd = sub.add_parser("sandbox", parents=parents, help="start a pod with no apps; print its UUID")
    cmd.add_argument("--volume", action="append", metavar="NAME,kind=host|empty,…", help="a pod volume")
    cmd.add_argument("--hostname", help="the pod's hostname (default rkt-<uuid>)")
    cmd.add_argument("--annotation", action="append", metavar="NAME=VALUE", help="a pod annotation")
    cmd.add_argument("--uuid-file-save", metavar="FILE", help="write the pod's UUID to FILE")
    netflags.add(cmd)
    for action in cmd._actions:
        if action.dest == "port":
            action.metavar, action.help = "NAME:tcp|udp:PODPORT:[HOSTIP:]HOSTPORT", "publish a pod port on the host"
    cmd.set_defaults(func=run_sandbox)


def _with_uuid(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser], name: str,
               text: str) -> argparse.ArgumentParser:
    cmd = sub.add_parser(name, parents=parents, help=text)
    cmd.add_argument("uuid", metavar="UUID")
    return cmd


def _with_app(cmd: argparse.ArgumentParser) -> argparse.ArgumentParser:
    cmd.add_argument("--app", required=True, metavar="NAME", help="the app's name")
    return cmd


def run_sandbox(args: argparse.Namespace) -> int:
    from rktnetes.rkt.pods import sandbox
    from rktnetes.rkt.pods.stage0 import PodRequest

    req = PodRequest(volumes=args.volume or [], hostname=args.hostname or "", net=args.net, dns=args.dns,
                     dns_search=args.dns_search, dns_opt=args.dns_opt, dns_domain=args.dns_domain,
                     hosts_entries=args.hosts_entry, ports=args.port, annotations=args.annotation or [])
    uuid = sandbox.create(podflags.context(args), req)
    if args.uuid_file_save:
        with open(args.uuid_file_save, "w") as out:
            out.write(uuid)
    print(uuid)
    return 0


def app_words(words: list[str]) -> tuple[str, list[str]]:
    """(app name, ``IMAGE --name=NAME …``): ``--app=NAME`` (or ``--app NAME``) taken from before any ``--``."""
    end = words.index("--") if "--" in words else len(words)
    for i, word in enumerate(words[:end]):
        if word.startswith("--app="):
            return word[6:], words[:i] + words[i + 1:]
        if word == "--app" and i + 1 < end:
            return words[i + 1], words[:i] + words[i + 2:]
    raise common_usage("rkt app add needs the app's name: --app=NAME")


def common_usage(message: str) -> Exception:
    from rktnetes.rkt.errors import UsageError

    return UsageError(message)


def run_add(args: argparse.Namespace) -> int:
    from rktnetes.rkt.pods import appargs, sandboxapps, stage0

    name, words = app_words(args.words)
    notes, words = app_annotations(words)
    if not words or words[0].startswith("-"):
        raise common_usage("rkt app add needs an IMAGE")
    specs = appargs.parse([words[0], f"--name={name}", *words[1:]])
    if len(specs) != 1:
        raise common_usage("rkt app add adds one app: give one IMAGE")
    sandboxapps.add(podflags.context(args), args.uuid, specs[0], stage0.env_pairs(notes))
    return 0


def app_annotations(words: list[str]) -> tuple[list[str], list[str]]:
    """(the ``--annotation=NAME=VALUE`` values, the other words), looked for before any ``--``."""
    end = words.index("--") if "--" in words else len(words)
    notes = [w.split("=", 1)[1] for w in words[:end] if w.startswith("--annotation=")]
    return notes, [w for w in words[:end] if not w.startswith("--annotation=")] + words[end:]


def run_start(args: argparse.Namespace) -> int:
    from rktnetes.rkt.pods import appcontrol

    appcontrol.start(common.data_dir(args).absolute(), args.uuid, args.app)
    return 0


def run_stop(args: argparse.Namespace) -> int:
    from rktnetes.rkt.pods import appcontrol

    appcontrol.stop(common.data_dir(args).absolute(), args.uuid, args.app, force=args.force)
    return 0


def run_rm(args: argparse.Namespace) -> int:
    from rktnetes.rkt.pods import sandboxapps

    sandboxapps.remove(common.data_dir(args).absolute(), args.uuid, args.app)
    return 0


def run_status(args: argparse.Namespace) -> int:
    from rktnetes.rkt.pods import appcontrol

    found = appcontrol.status(common.data_dir(args).absolute(), args.uuid, args.app)
    if args.format:
        print(json.dumps(found.as_dict()))
        return 0
    code = "" if found.exit_code is None else found.exit_code
    print(f"name={found.name}\nstate={found.state}\nimage={found.image_name}\nexit_code={code}\n"
          f"started={appcontrol.stamp(found.started_at)}\nfinished={appcontrol.stamp(found.finished_at)}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from rktnetes.rkt.pods import appcontrol

    found = appcontrol.list_apps(common.data_dir(args).absolute(), args.uuid)
    if args.format:
        print(json.dumps([a.as_dict() for a in found]))
        return 0
    rows = [] if args.no_legend else ["NAME\tSTATE\tIMAGE NAME\tEXIT CODE"]
    rows += [f"{a.name}\t{a.state}\t{a.image_name}\t{'' if a.exit_code is None else a.exit_code}" for a in found]
    print("\n".join(rows))
    return 0
