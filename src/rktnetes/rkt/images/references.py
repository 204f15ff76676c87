"""``docker://[host[:port]/]name[:tag|@digest]`` references, normalised as docker normalises them.

The first path component is a registry only when it looks like a host (has a ``.`` or a ``:``, or is
``localhost``); otherwise the image is on Docker Hub, and a one-component name gets the ``library/`` prefix.
"""

from __future__ import annotations

import re
from collections import namedtuple

from rktnetes.rkt.images import errors

DOCKER_HUB = "docker.io"
DOCKER_HUB_API = "registry-1.docker.io"
_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


class DockerRef(namedtuple("DockerRef", "registry repository tag digest", defaults=(None, None))):
    """A parsed reference: ``registry`` as written by the user (docker.io for Docker Hub), ``repository``,
    and the ``tag`` and/or ``digest`` (str or None). A plain named tuple: ``dataclasses`` and ``typing``
    would add ~10 ms to every cached ``rkt fetch``."""

    __slots__ = ()

    @property
    def host(self) -> str:
        """Where the registry API answers."""
        return DOCKER_HUB_API if self.registry == DOCKER_HUB else self.registry

    @property
    def reference(self) -> str:
        """What goes after ``/manifests/``: the digest when pinned, else the tag."""
        return self.digest or self.tag or "latest"

    def url(self) -> str:
        """The canonical ``docker://`` form, used as the store's remote key."""
        suffix = f"@{self.digest}" if self.digest else f":{self.tag or 'latest'}"
        return f"docker://{self.registry}/{self.repository}{suffix}"

    def image_name(self) -> str:
        """The appc name: ``host/repository`` with characters AC identifiers forbid replaced by ``-``."""
        name = re.sub(r"[^a-z0-9._~/-]+", "-", f"{self.host}/{self.repository}".lower())
        return re.sub(r"([-._~/])[-._~/]+", r"\1", name)  # AC identifiers allow no separator runs


def _split_registry(rest: str) -> tuple[str, str]:
    first, sep, remainder = rest.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        return first, remainder
    return DOCKER_HUB, rest


def _split_reference(path: str) -> tuple[str, str | None, str | None]:
    path, _, digest = path.partition("@")
    head, sep, tag = path.rpartition(":")
    if sep and "/" not in tag:
        path = head
    else:
        tag = ""
    return path, tag or None, digest or None


def parse(ref: str) -> DockerRef:
    """Parse a ``docker://`` reference; raises FetchError naming what is wrong."""
    rest = ref.removeprefix("docker://")
    registry, path = _split_registry(rest)
    repository, tag, digest = _split_reference(path)
    if registry == DOCKER_HUB and "/" not in repository:
        repository = f"library/{repository}"
    if not repository or not all(_COMPONENT.match(c) for c in repository.split("/")):
        raise errors.FetchError(f"invalid docker image name in {ref!r}")
    if tag is not None and not _TAG.match(tag):
        raise errors.FetchError(f"invalid docker tag {tag!r} in {ref!r}")
    if digest is not None and not _DIGEST.match(digest):
        raise errors.FetchError(f"invalid digest {digest!r} in {ref!r} (want sha256:<64 hex>)")
    return DockerRef(registry, repository, tag, digest)
