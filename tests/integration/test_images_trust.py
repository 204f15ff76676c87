"""The keystore and gpgv verification against keys and signatures made by the real gpg."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rktnetes.rkt.errors import UsageError
from rktnetes.rkt.images import keystore, trust
from rktnetes.rkt.images.errors import SignatureError

pytestmark = pytest.mark.integration


@pytest.fixture
def store(tmp_path: Path) -> trust.Keystore:
    return trust.Keystore(tmp_path / "local", tmp_path / "system")


@pytest.fixture
def signed(tmp_path: Path, gpg_keys):
    key = gpg_keys("Alice Signer")
    aci = tmp_path / "app.aci"
    aci.write_bytes(b"pretend this is an ACI" * 100)
    return key, aci, key.sign(aci)


def test_read_key_reports_fingerprint_and_uid(gpg_keys) -> None:
    key = gpg_keys("Bob Builder")
    info = keystore.read_key(key.armored)
    assert info.fingerprint == key.fingerprint and len(info.fingerprint) == 40
    assert info.uids == (key.uid,)


def test_dearmor_matches_gpg(gpg_keys) -> None:
    armored = gpg_keys().armored
    expected = subprocess.run(["gpg", "--dearmor"], input=armored, capture_output=True, check=True, timeout=30).stdout
    assert keystore.dearmor(armored) == expected


def test_add_lays_keys_out_as_rkt(store: trust.Keystore, gpg_keys, tmp_path: Path) -> None:
    a, b = gpg_keys("A"), gpg_keys("B")
    assert store.add(a.armored, "example.com/app", root=False) == a.fingerprint
    assert store.add(b.armored, None, root=True) == b.fingerprint
    prefix_key = tmp_path / "local/trustedkeys/prefix.d/example.com/app" / a.fingerprint
    assert prefix_key.read_bytes() == a.armored
    assert (tmp_path / "local/trustedkeys/root.d" / b.fingerprint).read_bytes() == b.armored
    assert store.keys_for("example.com/app/sub") == sorted([prefix_key, tmp_path / "local/trustedkeys/root.d" / b.fingerprint])
    assert store.keys_for("example.com/apple") == [tmp_path / "local/trustedkeys/root.d" / b.fingerprint]


@pytest.mark.parametrize("bad", [b"hello", b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\ngarbage\n-----END PGP PUBLIC KEY BLOCK-----\n"])
def test_add_refuses_non_keys(store: trust.Keystore, bad: bytes, tmp_path: Path) -> None:
    with pytest.raises(SignatureError, match="not an armored OpenPGP public key"):
        store.add(bad, "example.com", root=False)
    assert not (tmp_path / "local").exists()


def test_add_refuses_two_keys_in_one_file(store: trust.Keystore, gpg_keys) -> None:
    with pytest.raises(SignatureError, match="exactly one public key"):
        store.add(gpg_keys("A").armored + gpg_keys("B").armored, "example.com", root=False)


@pytest.mark.parametrize("prefix", ["../etc", "/abs", "Example.com", "a//b", ""])
def test_add_refuses_bad_prefixes(store: trust.Keystore, gpg_keys, prefix: str) -> None:
    with pytest.raises(UsageError):
        store.add(gpg_keys().armored, prefix, root=False)


def test_system_keys_are_read_and_local_empty_file_masks_them(store: trust.Keystore, signed, tmp_path: Path) -> None:
    key, aci, asc = signed
    system_key = tmp_path / "system/trustedkeys/prefix.d/example.com" / key.fingerprint
    key.write_public(system_key.parent.mkdir(parents=True) or system_key)
    assert store.verify(aci, asc, "example.com/app") == key.fingerprint
    mask = tmp_path / "local/trustedkeys/prefix.d/example.com/app" / key.fingerprint
    mask.parent.mkdir(parents=True)
    mask.touch()
    assert store.keys_for("example.com/app") == []
    with pytest.raises(SignatureError, match="not trusted for prefix"):
        store.verify(aci, asc, "example.com/app")


def test_verify_good_signature(store: trust.Keystore, signed) -> None:
    key, aci, asc = signed
    store.add(key.armored, "example.com/app", root=False)
    assert store.verify(aci, asc, "example.com/app") == key.fingerprint
    assert trust.verify_file(aci, asc, "example.com/app", store.local_config, store.system_config) == key.fingerprint


def test_verify_root_key_covers_every_name(store: trust.Keystore, signed) -> None:
    key, aci, asc = signed
    store.add(key.armored, None, root=True)
    assert store.verify(aci, asc, "anything.org/x") == key.fingerprint


def test_no_signature(store: trust.Keystore, signed, tmp_path: Path) -> None:
    _, aci, _ = signed
    with pytest.raises(SignatureError, match="no signature for example.com/app"):
        store.verify(aci, tmp_path / "missing.asc", "example.com/app")


def test_unknown_key(store: trust.Keystore, signed, gpg_keys) -> None:
    _, aci, asc = signed
    store.add(gpg_keys("Other").armored, "example.com", root=False)
    with pytest.raises(SignatureError, match="signed by an unknown key"):
        store.verify(aci, asc, "example.com/app")


def test_bad_signature(store: trust.Keystore, signed) -> None:
    key, aci, asc = signed
    store.add(key.armored, "example.com", root=False)
    aci.write_bytes(aci.read_bytes() + b"tampered")
    with pytest.raises(SignatureError, match="bad signature for example.com/app: the image does not match"):
        store.verify(aci, asc, "example.com/app")


def test_not_a_signature(store: trust.Keystore, signed) -> None:
    key, aci, asc = signed
    store.add(key.armored, "example.com", root=False)
    asc.write_bytes(b"not a signature\n")
    with pytest.raises(SignatureError, match="is not an OpenPGP signature"):
        store.verify(aci, asc, "example.com/app")


def test_key_trusted_for_another_prefix(store: trust.Keystore, signed) -> None:
    key, aci, asc = signed
    store.add(key.armored, "other.org/thing", root=False)
    with pytest.raises(SignatureError, match=f"key {key.fingerprint} is not trusted for prefix example.com/app "
                                             r"\(only for other.org/thing\)"):
        store.verify(aci, asc, "example.com/app")


def test_signing_subkey_is_verified_under_the_primary_fingerprint(store: trust.Keystore, gpg_keys, tmp_path) -> None:
    key = gpg_keys("Sub Signer")
    key.add_signing_subkey()
    aci = tmp_path / "sub.aci"
    aci.write_bytes(b"subkey-signed")
    asc = key.sign(aci)
    store.add(key.armored, "example.com", root=False)
    assert store.verify(aci, asc, "example.com/app") == key.fingerprint


def test_expired_key_is_refused(store: trust.Keystore, gpg_keys, tmp_path) -> None:
    key = gpg_keys("Old Signer", expired=True)
    aci = tmp_path / "old.aci"
    aci.write_bytes(b"signed in 2020")
    asc = key.sign(aci)
    store.add(key.armored, "example.com", root=False)
    with pytest.raises(SignatureError, match="made by an expired key"):
        store.verify(aci, asc, "example.com/app")


def test_revoked_key_is_refused(store: trust.Keystore, signed) -> None:
    key, aci, asc = signed
    key.revoke()
    store.add(key.armored, "example.com", root=False)
    with pytest.raises(SignatureError, match="made by a revoked key"):
        store.verify(aci, asc, "example.com/app")
