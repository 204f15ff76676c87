"""``rktnetes image load`` and ``image ls``: images put straight into every node's rkt store, as ``minikube image
load`` does, so pods use them with imagePullPolicy Never or IfNotPresent and no registry at all.

A source is an ACI file, an OCI image layout (a directory), an OCI archive (a tar of one, as ``skopeo copy …
oci-archive:FILE`` writes) or the name of an image in the host's own rkt store. Each node's store gets the image
and the remote entry ``docker://NAME`` pointing at it: the key under which the kubelet's ``rkt prepare`` (pull
policy new or never) looks a pod's ``image`` up, as if it had been pulled from a registry. The source is read
and checked before any node's store is written.
"""

from __future__ import annotations

import contextlib
import json
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rktnetes.cluster import errors, layout
from rktnetes.cluster.profiles import Profile
from rktnetes.cluster.spec import ClusterSpec
from rktnetes.rkt import paths as rkt_paths
from rktnetes.rkt.errors import RktError
from rktnetes.rkt.images import exporting, oci, references
from rktnetes.rkt.images.index import ImageInfo
from rktnetes.rkt.images.store import ImageStore

Importer = Callable[[ImageStore], ImageInfo]
Say = Callable[[str], None]


@dataclass(frozen=True)
class Source:
    importer: Importer
    name: str | None  # the image's own name (OCI ref.name, ACI name:version, the host store's name), if any


def docker_url(name: str) -> str:
    """The store's remote key for a pod's ``image: NAME`` (``busybox`` is docker://docker.io/library/busybox:latest)."""
    try:
        return references.parse(f"docker://{name}").url()
    except RktError as exc:
        raise errors.BadSpec(f"image name {name!r}: {exc}") from None


def _layout_name(folder: Path) -> str | None:
    try:
        manifests = json.loads((folder / "index.json").read_text()).get("manifests") or []
    except (OSError, ValueError) as exc:
        raise errors.BadSpec(f"{folder} is not an OCI image layout: {exc}") from None
    names = [(m.get("annotations") or {}).get(oci.REF_NAME) for m in manifests]
    if len(names) != 1:
        raise errors.BadSpec(f"{folder} holds {len(names)} images: load one layout per image")
    return names[0] if names[0] and ("/" in names[0] or ":" in names[0]) else None  # a bare tag names nothing


def _from_layout(folder: Path) -> Source:
    name = _layout_name(folder)
    return Source(lambda store: oci.import_layout(store, folder, None), name)


def _unpacked(archive: Path, scratch: Path) -> Path:
    try:
        with tarfile.open(archive) as tar:
            if "oci-layout" not in {m.name.removeprefix("./") for m in tar.getmembers()}:
                raise errors.BadSpec(f"{archive} is neither an ACI nor an OCI archive (no oci-layout in it)")
            tar.extractall(scratch / "layout", filter="data")
    except (tarfile.TarError, OSError) as exc:
        why = "not a tar file" if isinstance(exc, tarfile.ReadError) else str(exc).splitlines()[0]
        raise errors.BadSpec(f"{archive} is neither an ACI nor an OCI archive ({why})") from None
    return scratch / "layout"


def _from_host_store(name: str, host_dir: Path, scratch: Path) -> Source:
    if not rkt_paths.cas_db_path(host_dir).exists():
        raise errors.BadSpec(f"{name!r} is no file, and there is no rkt image store in {host_dir} to find it in")
    with ImageStore(host_dir) as store:
        remote = store.remote(docker_url(name)) if "://" not in name else None
        info = store.get(remote.image_id) if remote else store.resolve(name)
        exported = scratch / "image.aci"
        exporting.export(store, info.id, exported, overwrite=True)
    return Source(lambda node: node.import_aci(exported, origin=f"rktnetes image load {name}"), name)


def _aci_manifest(path: Path) -> dict | None:
    """The manifest of the ACI at ``path`` (plain or compressed); None if it is no ACI."""
    with contextlib.suppress(tarfile.TarError, OSError, ValueError), tarfile.open(path) as tar:
        member = next((m for m in tar.getmembers() if m.name.removeprefix("./") == "manifest"), None)
        handle = tar.extractfile(member) if member is not None else None
        return json.loads(handle.read(1 << 20)) if handle is not None else None
    return None


def _aci_name(manifest: dict) -> str | None:
    labels = {entry.get("name"): entry.get("value") for entry in manifest.get("labels") or []}
    name = manifest.get("name")
    return f"{name}:{labels.get('version') or 'latest'}" if name else None


def open_source(given: str, host_dir: Path, scratch: Path) -> Source:
    """What ``given`` names, read and checked, ready to import into a store."""
    path = Path(given)
    if path.is_dir():
        return _from_layout(path)
    manifest = _aci_manifest(path) if path.is_file() else None
    if manifest is not None:
        return Source(lambda store: store.import_aci(path, origin=f"file://{path.resolve()}"), _aci_name(manifest))
    if path.is_file():
        return _from_layout(_unpacked(path, scratch))
    return _from_host_store(given, host_dir, scratch)


@contextlib.contextmanager
def opened(given: str, host_dir: Path) -> Iterator[Source]:
    """``open_source`` with a scratch directory that is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="rktnetes-image-") as scratch:
        yield open_source(given, host_dir, Path(scratch))


def _into(store_dir: Path, source: Source, url: str) -> ImageInfo:
    with ImageStore(store_dir) as store:
        info = source.importer(store)
        store.set_remote(url, info.id)
    return info


def load(profile: Profile, spec: ClusterSpec, given: str, tag: str | None, host_dir: Path, say: Say = print) -> str:
    """Put ``given`` into every node's store as ``tag`` (default: the name it carries); the name it got."""
    with opened(given, host_dir) as source:
        name = tag or source.name
        if not name:
            raise errors.BadSpec(f"{given} carries no image name: give one with --tag NAME[:TAG]")
        url = docker_url(name)
        for node in spec.all_nodes():
            try:
                info = _into(layout.node_rkt_dir(profile.dir, node.name), source, url)
            except RktError as exc:
                raise errors.BadSpec(f"{given}: {exc}") from None
            say(f"loaded {name} ({info.id[:19]}) into node {node.name}")
    return name


def images(profile: Profile, spec: ClusterSpec) -> list[tuple[str, str, str]]:
    """(node, name, image id) of every image in every node's store, named by its docker:// entries (or, if it has
    none, by its appc name and version)."""
    rows = []
    for node in spec.all_nodes():
        folder = layout.node_rkt_dir(profile.dir, node.name)
        if not rkt_paths.cas_db_path(folder).exists():
            continue
        with ImageStore(folder) as store:
            remotes = store.db.execute("SELECT url, image_id FROM remotes").fetchall()
            for info in store.list():
                names = [u.removeprefix("docker://") for u, i in remotes if i == info.id and u.startswith("docker://")]
                rows += [(node.name, n, info.id) for n in names or [f"{info.name}:{info.version or 'latest'}"]]
    return sorted(rows)
