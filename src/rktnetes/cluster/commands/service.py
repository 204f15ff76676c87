"""``rktnetes service NAME [--url]``: where a NodePort Service answers from the host (node IP:NodePort)."""

from __future__ import annotations

import argparse

from rktnetes.cluster import profileflags, reporting


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("service", help="the URLs of a NodePort Service, reachable from the host")
    profileflags.add(p)
    p.add_argument("name", help="the Service")
    p.add_argument("-n", "--namespace", default="default", help="its namespace (default: default)")
    p.add_argument("--url", action="store_true", help="print only the URLs, one a line")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    profile = profileflags.profile(args)
    urls = reporting.service_urls(profile, profile.spec(), args.name, args.namespace)
    for port, url in urls:
        print(url if args.url else f"{args.namespace}/{args.name} {port}: {url}")
    return 0
