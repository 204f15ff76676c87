"""``rkt image build RECIPE``: build an ACI and/or an OCI layout from a recipe (in the spirit of acbuild)."""

from __future__ import annotations

import argparse
from pathlib import Path

from rktnetes.rkt import paths

FORMATS = ("aci", "oci")


def register_image(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    cmd = subparsers.add_parser("build", parents=parents, help="build an image from a recipe (Debian packages)")
    cmd.add_argument("recipe", type=Path, metavar="RECIPE", help="recipe YAML (see recipes/)")
    cmd.add_argument("--output", "-o", type=Path, default=Path("."), help="directory for NAME.aci and NAME.oci/")
    cmd.add_argument("--format", default="aci,oci", help="comma-separated: aci, oci (default both)")
    cmd.add_argument("--cache-dir", type=Path, default=paths.DEFAULT_BUILD_CACHE, help="where downloaded .debs are kept")
    cmd.add_argument("--sign-key", help="gpg key (id, fingerprint or email) to sign the ACI with")
    cmd.add_argument("--gpg-home", type=Path, help="gpg home directory holding the signing key")
    cmd.set_defaults(func=run)


def _formats(raw: str) -> tuple[str, ...]:
    from rktnetes.rkt.errors import UsageError

    chosen = tuple(f.strip() for f in raw.split(",") if f.strip())
    if not chosen or any(f not in FORMATS for f in chosen):
        raise UsageError(f"--format must be a comma-separated list of {', '.join(FORMATS)}")
    return chosen


def run(args: argparse.Namespace) -> int:
    from rktnetes.rkt.errors import UsageError
    from rktnetes.rkt.images import building

    formats = _formats(args.format)
    if args.sign_key and "aci" not in formats:
        raise UsageError("--sign-key signs the ACI: include aci in --format")
    result = building.build(args.recipe, args.output, cache_dir=args.cache_dir, formats=formats,
                            sign_key=args.sign_key, gpg_home=args.gpg_home)
    if result.aci:
        print(f"{result.aci} {result.image_id}")
    if result.signature:
        print(result.signature)
    if result.oci_layout:
        print(f"{result.oci_layout}/")
    return 0
