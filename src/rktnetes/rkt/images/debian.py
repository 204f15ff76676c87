"""Debian packages for offline image builds: resolve ``Depends``, download with apt into a cache, unpack.

Resolution asks ``apt-cache depends`` one breadth-first level at a time (one process per level, not per
package), takes the first alternative of each ``a | b`` group and the first provider of a virtual package,
and leaves out packages a container never needs (package-manager and boot plumbing, see ``SKIP``).
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterable
from pathlib import Path

from rktnetes.rkt.images import errors

# Essential or maintainer-script plumbing: pulled in by Depends but never used inside a container.
SKIP = frozenset({
    "debconf", "cdebconf", "debconf-2.0", "dpkg", "install-info", "base-files", "debianutils",
    "perl-base", "lsb-base", "init-system-helpers", "adduser", "passwd", "sysvinit-utils",
})
_DEP_FLAGS = ["--no-recommends", "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances"]
_TIMEOUT = 600


def _run(argv: list[str], *, cwd: Path | None = None) -> str:
    try:
        done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise errors.BuildError(f"{argv[0]} failed: {exc}") from exc
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise errors.BuildError(f"{' '.join(argv[:2])}: {last}")
    return done.stdout


def _parse_groups(text: str) -> list[list[list[str]]]:
    """Dependency groups of ``apt-cache depends`` output: each group is a list of alternatives, each
    alternative a package name, or a ``<virtual>`` name followed by its providers."""
    groups: list[list[list[str]]] = []
    continues = False
    for line in text.splitlines():
        stripped = line.strip()
        if line.startswith("    ") and groups:
            groups[-1][-1].append(stripped)
        elif stripped.lstrip("|").startswith(("Depends:", "PreDepends:")):
            alt = [stripped.split(":", 1)[1].strip().removesuffix(":any")]
            groups[-1].append(alt) if continues else groups.append([alt])
            continues = stripped.startswith("|")
    return groups


def _pick(group: list[list[str]], skip: frozenset[str]) -> str | None:
    """The package that satisfies one group, or None when the group is satisfied by a skipped package."""
    if any(name.strip("<>") in skip for alt in group for name in alt):
        return None
    for alt in group:
        real = alt[1:] if alt[0].startswith("<") else alt
        if real:
            return real[0]
    raise errors.BuildError(f"no package provides {group[0][0].strip('<>')}")


def _depends(packages: list[str]) -> str:
    """``apt-cache depends`` output for ``packages``, refusing names apt does not know."""
    try:
        out = _run(["apt-cache", "depends", *_DEP_FLAGS, *packages])
    except errors.BuildError:
        out = ""
    known = {line.strip() for line in out.splitlines() if line and not line.startswith((" ", "|"))}
    unknown = [p for p in packages if p not in known]
    if unknown:
        raise errors.BuildError(f"unknown Debian package: {', '.join(unknown)}")
    return out


def resolve(packages: Iterable[str], *, exclude: Iterable[str] = ()) -> list[str]:
    """Every package needed to install ``packages``, in discovery order, without the skipped ones."""
    skip = SKIP | frozenset(exclude)
    order: list[str] = []
    todo = list(dict.fromkeys(packages))
    while todo:
        order += todo
        out = _depends(todo)
        picked = (_pick(g, skip) for g in _parse_groups(out))
        todo = list(dict.fromkeys(p for p in picked if p and p not in order))
    return order


def _uris(packages: list[str]) -> dict[str, tuple[str, str]]:
    """package -> (deb file name, sha256) of the candidate version, as apt would download it."""
    found = {}
    for line in _run(["apt-get", "download", "--print-uris", *packages]).splitlines():
        _, filename, _, checksum = line.split()
        found[filename.split("_", 1)[0]] = (filename, checksum.removeprefix("SHA256:"))
    return found


def _intact(path: Path, sha256: str) -> bool:
    if not path.is_file():
        return False
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest() == sha256


def download(packages: list[str], cache_dir: Path) -> list[Path]:
    """The .deb files of ``packages`` in ``cache_dir``, downloading (and checking) only what is missing."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    uris = _uris(packages)
    missing = [p for p, (name, sha) in uris.items() if not _intact(cache_dir / name, sha)]
    if missing:
        _run(["apt-get", "download", "-q", *missing], cwd=cache_dir)
    for name, sha in uris.values():
        if not _intact(cache_dir / name, sha):
            raise errors.BuildError(f"downloaded {name} does not match its sha256")
    return [cache_dir / uris[p][0] for p in packages]


def unpack(debs: Iterable[Path], rootfs: Path) -> None:
    """Unpack each package's data into ``rootfs`` (no maintainer scripts run, as with ``dpkg-deb -x``)."""
    rootfs.mkdir(parents=True, exist_ok=True)
    for deb in debs:
        _run(["dpkg-deb", "-x", str(deb), str(rootfs)])
