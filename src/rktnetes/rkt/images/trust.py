"""Signature verification of ACIs with GnuPG's ``gpgv`` against the keys trusted for the image's name.

gpgv gets a throwaway binary keyring holding exactly the keys trusted for the name, so "good signature"
from gpgv (GOODSIG: made by a key that is neither expired nor revoked) means "signed by a key trusted for
this name". When the signer is missing, a second gpgv run against every key in the store tells "known key,
wrong prefix" from "unknown key".
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NoReturn

from rktnetes.rkt.images import keystore
from rktnetes.rkt.images.errors import FetchError, SignatureError

_TIMEOUT = 60


class Keystore(keystore.Keystore):
    """The keystore, able to verify a detached signature for an image name."""

    def verify(self, aci: Path, asc: Path, image_name: str) -> str:
        """Check ``asc`` signs ``aci`` with a key trusted for ``image_name``; returns the key's fingerprint."""
        if not Path(asc).is_file():
            raise SignatureError(f"no signature for {image_name}: {asc} does not exist")
        status = _gpgv(self.keys_for(image_name), Path(aci), Path(asc))
        if _good(status):
            return status["VALIDSIG"][-1].lower()
        _raise_for(status, image_name, asc)
        self._explain_missing_key(Path(aci), Path(asc), image_name, status)

    def _explain_missing_key(self, aci: Path, asc: Path, image_name: str, status: dict[str, list[str]]) -> NoReturn:
        wider = _gpgv(self.all_keys(), aci, asc)
        if not _good(wider):
            _raise_for(wider, image_name, asc)
            keyid = (status.get("ERRSIG") or status.get("NO_PUBKEY") or ["?"])[0]
            raise SignatureError(f"{image_name} is signed by an unknown key {keyid}: trust it with `rkt trust`")
        fingerprint = wider["VALIDSIG"][-1].lower()
        prefixes = ", ".join(self.trusted_for(fingerprint)) or "nothing"
        raise SignatureError(f"key {fingerprint} is not trusted for prefix {image_name} (only for {prefixes})")


def verify_file(aci: Path, asc: Path, image_name: str, local_config: Path, system_config: Path) -> str:
    """Verify a local ACI and its detached signature; returns the signing key's fingerprint."""
    return Keystore(local_config, system_config).verify(aci, asc, image_name)


def trust_keys_from_https(image_name: str, *, insecure: frozenset[str], local_config: Path,
                          system_config: Path) -> list[str]:
    """``--trust-keys-from-https``: trust for ``image_name``, without review, the keys its appc discovery
    pages name; returns their fingerprints. Whoever serves the page and the key decides what gets trusted,
    so both must come over verified https; the ``pubkey`` insecure option allows plain http (and, with
    ``tls``, unverified https), as in rkt."""
    from rktnetes.rkt.images import discovery, http

    allow_http = "pubkey" in insecure
    insecure_tls = allow_http and "tls" in insecure
    store = Keystore(local_config, system_config)
    trusted = []
    for url in discovery.discover_pubkeys(image_name, allow_http=allow_http, insecure_tls=insecure_tls):
        if "://" not in url:
            raise FetchError(f"discovery of {image_name} names a key that is not a URL: {url!r}")
        trusted.append(store.add(http.read_source(url, allow_http=allow_http, insecure_tls=insecure_tls),
                                 image_name, False))
        print(f'Trusting "{url}" for prefix "{image_name}" without fingerprint review.', file=sys.stderr)
    return trusted


def _gpgv(keys: list[Path], aci: Path, asc: Path) -> dict[str, list[str]]:
    """Run gpgv with a keyring of ``keys``; returns the status lines as {keyword: args} (first one wins)."""
    with tempfile.TemporaryDirectory(prefix="rkt-gpgv-") as home:
        keyring = Path(home) / "trusted.gpg"
        keyring.write_bytes(b"".join(_binary_key(k) for k in keys))
        cmd = ["gpgv", "--homedir", home, "--status-fd", "1", "--keyring", str(keyring), str(asc), str(aci)]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise SignatureError(f"gpgv timed out verifying {asc}") from None
    status: dict[str, list[str]] = {}
    for line in done.stdout.decode(errors="replace").splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] == "[GNUPG:]":
            status.setdefault(words[1], words[2:])
    return status


def _good(status: dict[str, list[str]]) -> bool:
    """A good signature by a valid key: gpgv says VALIDSIG even for expired or revoked keys, GOODSIG not."""
    return "GOODSIG" in status and "VALIDSIG" in status


def _binary_key(path: Path) -> bytes:
    try:
        return keystore.dearmor(path.read_bytes())
    except (StopIteration, ValueError):
        raise SignatureError(f"trusted key file {path} is not an armored OpenPGP key") from None


def _raise_for(status: dict[str, list[str]], image_name: str, asc: Path) -> None:
    """Raise the error a failed gpgv run stands for, unless it is only a missing public key."""
    if "NODATA" in status:
        raise SignatureError(f"bad signature for {image_name}: {asc} is not an OpenPGP signature")
    if "BADSIG" in status:
        raise SignatureError(f"bad signature for {image_name}: the image does not match {asc} (key {status['BADSIG'][0]})")
    for word, what in (("EXPKEYSIG", "an expired key"), ("REVKEYSIG", "a revoked key"), ("EXPSIG", "an expired signature")):
        if word in status:
            raise SignatureError(f"bad signature for {image_name}: made by {what} ({status[word][0]})")
    if "ERRSIG" in status and status["ERRSIG"][5:6] != ["9"]:
        raise SignatureError(f"bad signature for {image_name}: gpgv cannot check {asc} (code {status['ERRSIG'][5:6]})")
    if "ERRSIG" not in status and "NO_PUBKEY" not in status:
        raise SignatureError(f"bad signature for {image_name}: gpgv did not verify {asc}")
