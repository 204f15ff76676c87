"""Pure parts of the keystore: prefix rules and armor decoding."""

from __future__ import annotations

import base64

import pytest

from rktnetes.rkt.errors import UsageError
from rktnetes.rkt.images import keystore


def test_covering_prefixes_walk_path_components() -> None:
    assert keystore.covering_prefixes("example.com/a/b") == ["example.com", "example.com/a", "example.com/a/b"]


@pytest.mark.parametrize("name", ["..", "a/../b", "/a", "a/", "A.com", "a b"])
def test_prefixes_must_be_ac_identifiers(name: str) -> None:
    with pytest.raises(UsageError, match="not a valid AC identifier"):
        keystore.covering_prefixes(name)


def test_dearmor_skips_headers_and_checksum() -> None:
    payload = bytes(range(200))
    b64 = base64.b64encode(payload).decode()
    text = "\n".join(["-----BEGIN PGP PUBLIC KEY BLOCK-----", "Comment: x", "", b64[:64], b64[64:], "=abcd",
                      "-----END PGP PUBLIC KEY BLOCK-----", ""])
    assert keystore.dearmor(text.encode()) == payload


def test_key_path_root_and_prefix(tmp_path) -> None:
    ks = keystore.Keystore(tmp_path / "l", tmp_path / "s")
    assert ks.key_path("ab" * 20, None) == tmp_path / "l/trustedkeys/root.d" / ("ab" * 20)
    assert ks.key_path("ab" * 20, "x.org/y") == tmp_path / "l/trustedkeys/prefix.d/x.org/y" / ("ab" * 20)
