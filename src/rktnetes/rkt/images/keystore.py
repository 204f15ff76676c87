"""The trusted-key store, laid out as rkt laid it out.

``<config>/trustedkeys/root.d/<fingerprint>`` holds keys trusted for every image; ``prefix.d/<prefix>/<fp>``
keys trusted for names under an AC-identifier prefix (the prefix nests as folders, so ``example.com`` covers
``example.com/app``). Files hold the armored key and are named by its lowercase fingerprint. The system
config is read-only; an empty file of the same name in the local config masks a system key.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.errors import UsageError
from rktnetes.rkt.images.errors import SignatureError

_AC_IDENTIFIER = re.compile(r"^[a-z0-9]+([-._~/][a-z0-9]+)*$")
_ARMOR_BEGIN = b"-----BEGIN PGP PUBLIC KEY BLOCK-----"
_TIMEOUT = 30


@dataclass(frozen=True)
class KeyInfo:
    fingerprint: str
    uids: tuple[str, ...]


def read_key(armored: bytes) -> KeyInfo:
    """Fingerprint and user ids of one armored public key, as ``gpg --with-colons`` reports them."""
    if _ARMOR_BEGIN not in armored:
        raise SignatureError("not an armored OpenPGP public key")
    with tempfile.TemporaryDirectory(prefix="rkt-gpg-") as home:
        cmd = ["gpg", "--homedir", home, "--batch", "--with-colons", "--show-keys"]
        done = subprocess.run(cmd, input=armored, capture_output=True, timeout=_TIMEOUT)
    records = [line.split(":") for line in done.stdout.decode(errors="replace").splitlines()]
    primaries = [i for i, r in enumerate(records) if r[0] in ("pub", "sec")]
    if done.returncode != 0 or not primaries:
        raise SignatureError("not an armored OpenPGP public key")
    if len(primaries) > 1 or records[primaries[0]][0] != "pub":
        raise SignatureError("a key file must hold exactly one public key")
    fingerprint = next(r[9] for r in records if r[0] == "fpr")
    return KeyInfo(fingerprint.lower(), tuple(r[9] for r in records if r[0] == "uid"))


def dearmor(armored: bytes) -> bytes:
    """The binary packets of an armored block (base64 between the armor headers and the checksum)."""
    lines = armored.decode("ascii", errors="replace").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("-----BEGIN "))
    body_start = next(i for i in range(start + 1, len(lines)) if not lines[i].strip()) + 1
    body = []
    for line in lines[body_start:]:
        if line.startswith(("=", "-----END ")):
            break
        body.append(line.strip())
    return base64.b64decode("".join(body))


def check_prefix(prefix: str) -> str:
    if not _AC_IDENTIFIER.match(prefix):
        raise UsageError(f"prefix {prefix!r} is not a valid AC identifier (like example.com/app)")
    return prefix


def covering_prefixes(image_name: str) -> list[str]:
    """Every prefix that covers a name, shortest first: ``a.com``, ``a.com/b``, ``a.com/b/c``."""
    parts = check_prefix(image_name).split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


class Keystore:
    """Trusted keys under a local (writable) and a system (read-only) config directory."""

    def __init__(self, local_config: Path, system_config: Path) -> None:
        self.local_config = Path(local_config)
        self.system_config = Path(system_config)

    def key_path(self, fingerprint: str, prefix: str | None) -> Path:
        """Where ``add`` puts a key in the local config (root.d when ``prefix`` is None)."""
        if prefix is None:
            return paths.trusted_root_keys_dir(self.local_config) / fingerprint
        return paths.trusted_prefix_keys_dir(self.local_config, check_prefix(prefix)) / fingerprint

    def add(self, key_armored: bytes, prefix: str | None, root: bool) -> str:
        """Trust a key for ``prefix`` (or every image with ``root``); returns its fingerprint."""
        if root == (prefix is not None):
            raise UsageError("trust a key either for a --prefix or as --root, not both nor neither")
        info = read_key(key_armored)
        dest = self.key_path(info.fingerprint, prefix)
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as out:
            out.write(key_armored)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
        return info.fingerprint

    def keys_for(self, image_name: str) -> list[Path]:
        """Files of the keys trusted for ``image_name``: root keys and keys of every covering prefix."""
        found: dict[str, Path] = {}
        folders = [paths.trusted_root_keys_dir(c) for c in (self.system_config, self.local_config)]
        for prefix in covering_prefixes(image_name):
            folders += [paths.trusted_prefix_keys_dir(c, prefix) for c in (self.system_config, self.local_config)]
        for folder in folders:
            for key in _key_files(folder):
                if key.stat().st_size == 0:
                    found.pop(key.name, None)
                else:
                    found[key.name] = key
        return sorted(found.values())

    def all_keys(self) -> list[Path]:
        """Every non-empty key file in both configs, whatever it is trusted for."""
        tops = [paths.trusted_keys_dir(c) for c in (self.system_config, self.local_config)]
        return sorted(p for top in tops if top.is_dir() for p in top.rglob("*") if _is_key(p) and p.stat().st_size)

    def trusted_for(self, fingerprint: str) -> list[str]:
        """The prefixes (``""`` for root) under which a key with this fingerprint is stored."""
        found = set()
        for key in self.all_keys():
            if key.name == fingerprint:
                rel = key.parent.relative_to(paths.trusted_keys_dir(_config_of(key, self)))
                found.add("" if rel.parts[0] == "root.d" else "/".join(rel.parts[1:]))
        return sorted(found)


def _is_key(path: Path) -> bool:
    return path.is_file() and not path.name.startswith(".")


def _key_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if _is_key(p)) if folder.is_dir() else []


def _config_of(key: Path, store: Keystore) -> Path:
    local = paths.trusted_keys_dir(store.local_config)
    return store.local_config if key.is_relative_to(local) else store.system_config
