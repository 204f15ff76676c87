"""``rkt image …``: list, rm, export, extract, render, cat-manifest and gc over the image store.

Modules named ``image_*.py`` in this package add more ``rkt image`` subcommands through
``register_image(subparsers, parents)`` (the builder adds ``rkt image build`` that way).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

from rktnetes.rkt.cli import common


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    cmd = subparsers.add_parser("image", parents=parents, help="operate on image(s) in the local store")
    sub = cmd.add_subparsers(dest="image_command", metavar="SUBCOMMAND", parser_class=type(cmd))
    _list_parser(sub, parents)
    rm = sub.add_parser("rm", parents=parents, help="remove one or more images from the local store")
    rm.add_argument("images", nargs="+", metavar="IMAGE")
    rm.set_defaults(func=run_rm)
    export = sub.add_parser("export", parents=parents, help="export a stored image to an ACI file or an OCI layout")
    export.add_argument("image", metavar="IMAGE")
    export.add_argument("file", type=Path, metavar="FILE")
    export.add_argument("--overwrite", action="store_true", help="overwrite the output ACI")
    export.add_argument("--format", choices=("aci", "oci"), default="aci",
                        help="aci: an ACI file; oci: an OCI image layout directory (created or added to)")
    export.add_argument("--tag", default="", help="with --format=oci: the tag in the layout (default: version label)")
    export.set_defaults(func=run_export)
    for name, render in (("extract", False), ("render", True)):
        _extract_parser(sub, parents, name, render)
    cat = sub.add_parser("cat-manifest", parents=parents, help="print the manifest of an image")
    cat.add_argument("image", metavar="IMAGE")
    cat.add_argument("--pretty-print", action="store_true", help="indent the JSON output")
    cat.set_defaults(func=run_cat_manifest)
    gc = sub.add_parser("gc", parents=parents, help="garbage collect images and trees in the local store")
    gc.add_argument("--grace-period", default="24h0m0s", help="how long since last use before removal")
    gc.set_defaults(func=run_gc)
    _plugins(sub, parents)


def _list_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    cmd = sub.add_parser("list", parents=parents, help="list images in the local store")
    cmd.add_argument("--fields", help="comma-separated: id,name,size,importtime,lastused,latest")
    cmd.add_argument("--full", action="store_true", help="full ids, exact sizes and times")
    cmd.add_argument("--no-legend", action="store_true", help="suppress the header line")
    cmd.add_argument("--format", default="", choices=("", "json", "json-pretty"), help="output format")
    cmd.add_argument("--sort", help="comma-separated fields to sort by: id,name,importtime,lastused,size")
    cmd.add_argument("--order", default="asc", choices=("asc", "desc"), help="sort order")
    cmd.set_defaults(func=run_list)


def _extract_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser], name: str,
                    render: bool) -> None:
    what = "render an image with its dependencies" if render else "extract an image's own files"
    cmd = sub.add_parser(name, parents=parents, help=f"{what} into a directory")
    cmd.add_argument("image", metavar="IMAGE")
    cmd.add_argument("target", type=Path, metavar="DIR")
    cmd.add_argument("--rootfs-only", action="store_true", help="only the rootfs, without the manifest")
    cmd.add_argument("--overwrite", action="store_true", help="replace DIR if it exists")
    cmd.set_defaults(func=run_extract, render=render)


def _plugins(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    """Register the ``image_*.py`` modules' subcommands; found by listing the package's folder, since
    ``pkgutil.iter_modules`` imports typing and inspect (~8 ms of every ``rkt image`` command)."""
    import rktnetes.rkt.cli as package

    for name in sorted({found.stem for folder in package.__path__ for found in Path(folder).glob("image_*.py")}):
        module = importlib.import_module(f"{package.__name__}.{name}")
        if hasattr(module, "register_image"):
            module.register_image(sub, parents)


def _store(args: argparse.Namespace):  # noqa: ANN202 - ImageStore, imported lazily
    from rktnetes.rkt.images.store import ImageStore

    return ImageStore(common.data_dir(args))


def run_list(args: argparse.Namespace) -> int:
    from rktnetes.rkt.images import listing

    fields = listing.parse_fields(args.fields)
    images = listing.sorted_images(_store(args).list(), args.sort, args.order)
    if args.format:
        sys.stdout.write(listing.as_json(images, pretty=args.format == "json-pretty"))
    else:
        sys.stdout.write(listing.table(images, fields, full=args.full, legend=not args.no_legend))
    return 0


def run_rm(args: argparse.Namespace) -> int:
    from rktnetes.rkt.errors import RktError
    from rktnetes.rkt.images import gc

    store, failed = _store(args), 0
    in_use = gc.referenced_images(store.root)
    for ref in args.images:
        try:
            image_id = store.resolve(ref).id
            if image_id in in_use:
                raise RktError("image is used by a pod that is not garbage yet")
            store.remove(image_id)
            print(f"successfully removed aci for image: {image_id}")
        except RktError as exc:
            print(f"image rm: {ref}: {exc}", file=sys.stderr)
            failed += 1
    if failed:
        print(f"image rm: {failed} image(s) cannot be removed", file=sys.stderr)
    return 254 if failed else 0


def run_export(args: argparse.Namespace) -> int:
    from rktnetes.rkt.images import exporting

    store = _store(args)
    info = store.resolve(args.image)
    if args.format == "oci":
        from rktnetes.rkt.images import oci

        digest = oci.export_layout(store, info.id, args.file.absolute(), args.tag or info.version or "latest")
        print(digest)
        return 0
    exporting.export(store, info.id, args.file.absolute(), overwrite=args.overwrite)
    return 0


def run_extract(args: argparse.Namespace) -> int:
    from rktnetes.rkt.images import exporting

    store = _store(args)
    exporting.extract(store, store.resolve(args.image).id, args.target.absolute(), rootfs_only=args.rootfs_only,
                      overwrite=args.overwrite, render=args.render)
    return 0


def run_cat_manifest(args: argparse.Namespace) -> int:
    store = _store(args)
    doc = store.manifest(store.resolve(args.image).id)
    print(json.dumps(doc, indent=2 if args.pretty_print else None))
    return 0


def run_gc(args: argparse.Namespace) -> int:
    from rktnetes.rkt.images import gc

    report = gc.collect(_store(args), gc.parse_duration(args.grace_period))
    for image_id in report.images:
        print(f"successfully removed aci for image: {image_id}")
    for path in report.orphans + report.scratch:
        print(f"removed unreferenced {path}")
    return 0
