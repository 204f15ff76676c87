"""``rkt trust``: trust a public key for an image-name prefix (or for every image, with ``--root``)."""

from __future__ import annotations

import argparse
import sys

from rktnetes.rkt.cli import common
from rktnetes.rkt.errors import RktError, UsageError


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    cmd = subparsers.add_parser("trust", parents=parents, help="trust a key for image verification")
    cmd.add_argument("keys", nargs="*", metavar="KEY", help="key file path or http(s) URL")
    cmd.add_argument("--prefix", help="image name prefix the key is trusted for")
    cmd.add_argument("--root", action="store_true", help="add a root key, trusted for every image")
    cmd.add_argument("--skip-fingerprint-review", action="store_true", help="accept keys without review")
    cmd.add_argument("--insecure-allow-http", action="store_true", help="allow discovery and keys over plain HTTP")
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rktnetes.rkt.images import discovery, http, keystore, trust

    if args.root == bool(args.prefix):
        raise UsageError("give either --prefix PREFIX or --root" if args.root else "--prefix required (or --root)")
    tls = "tls" in common.insecure_options(args)
    locations = args.keys or _discovered(args, tls, discovery)
    store = trust.Keystore(common.local_config(args), common.system_config(args))
    for location in locations:
        armored = http.read_source(location, allow_http=args.insecure_allow_http, insecure_tls=tls)
        _review(args, location, _read_key(keystore, location, armored))
        fingerprint = store.add(armored, args.prefix, args.root)
        where = store.key_path(fingerprint, args.prefix)
        print(f'Added key for prefix "{args.prefix}" at "{where}"' if args.prefix else f'Added root key at "{where}"')
    return 0


def _discovered(args: argparse.Namespace, tls: bool, discovery) -> list[str]:
    if args.root:
        raise UsageError("--root needs a KEY (keys are discovered only for a --prefix)")
    return discovery.discover_pubkeys(args.prefix, allow_http=args.insecure_allow_http, insecure_tls=tls)


def _read_key(keystore, location: str, armored: bytes):
    from rktnetes.rkt.images.errors import SignatureError

    try:
        return keystore.read_key(armored)
    except SignatureError as exc:
        raise SignatureError(f"{location}: {exc}") from None


def _review(args: argparse.Namespace, location: str, info) -> None:
    print(f'Prefix: "{args.prefix}"' if args.prefix else "Root key")
    print(f'Key: "{location}"')
    print(f"GPG key fingerprint is: {_spaced(info.fingerprint)}")
    for uid in info.uids:
        print(f"\t{uid}")
    if args.skip_fingerprint_review:
        return
    print("Are you sure you want to trust this key (yes/no)? ", end="", flush=True)
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        raise RktError(f"not trusting key {info.fingerprint}: {'no answer' if not answer else 'declined'}")
    print(f'Trusting "{location}" for prefix "{args.prefix}".' if args.prefix else f'Trusting "{location}" as a root key.')


def _spaced(fingerprint: str) -> str:
    """As gpg prints it: ten groups of four, an extra space in the middle."""
    groups = [fingerprint[i:i + 4].upper() for i in range(0, len(fingerprint), 4)]
    return " ".join(groups[:5]) + "  " + " ".join(groups[5:])
