"""``rkt trust`` through the real CLI, with keys made by the real gpg and a temp --local-config."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.appc_discovery import publish

pytestmark = pytest.mark.e2e
RKT = str(Path(sys.executable).with_name("rkt"))


def rkt(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    cmd = [RKT, "--local-config", str(tmp_path / "etc"), "--system-config", str(tmp_path / "usr"), *args]
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=60)


def assert_refused(done: subprocess.CompletedProcess[str], message: str, tmp_path: Path) -> None:
    assert done.returncode == 254, done
    assert message in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert not (tmp_path / "etc").exists()


def test_trust_prefix_key_file(tmp_path: Path, gpg_keys) -> None:
    key = gpg_keys("Carly Container")
    done = rkt(tmp_path, "trust", "--prefix", "example.com/app", "--skip-fingerprint-review",
               str(key.write_public(tmp_path / "key.asc")))
    assert done.returncode == 0, done.stderr
    stored = tmp_path / "etc/trustedkeys/prefix.d/example.com/app" / key.fingerprint
    assert stored.read_bytes() == key.armored
    assert "Carly Container <carly.container@example.com>" in done.stdout
    assert f'Added key for prefix "example.com/app" at "{stored}"' in done.stdout
    spaced = done.stdout.split("fingerprint is: ")[1].splitlines()[0]
    assert spaced.replace(" ", "").lower() == key.fingerprint


def test_trust_root_key(tmp_path: Path, gpg_keys) -> None:
    key = gpg_keys()
    done = rkt(tmp_path, "trust", "--root", "--skip-fingerprint-review", str(key.write_public(tmp_path / "k.asc")))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "etc/trustedkeys/root.d" / key.fingerprint).exists()


def test_review_accepted_and_declined(tmp_path: Path, gpg_keys) -> None:
    key_file = gpg_keys().write_public(tmp_path / "k.asc")
    assert_refused(rkt(tmp_path, "trust", "--prefix", "example.com", str(key_file), stdin="no\n"), "declined", tmp_path)
    assert_refused(rkt(tmp_path, "trust", "--prefix", "example.com", str(key_file)), "no answer", tmp_path)
    done = rkt(tmp_path, "trust", "--prefix", "example.com", str(key_file), stdin="yes\n")
    assert done.returncode == 0 and "Are you sure you want to trust this key (yes/no)?" in done.stdout


@pytest.mark.parametrize(("args", "message"), [
    ((), "--prefix required"),
    (("--prefix", "example.com", "--root"), "either --prefix PREFIX or --root"),
    (("--root",), "--root needs a KEY"),
    (("--prefix", "../etc", "--skip-fingerprint-review", "KEYFILE"), "not a valid AC identifier"),
    (("--prefix", "example.com", "--skip-fingerprint-review", "NOTAKEY"), "not an armored OpenPGP public key"),
    (("--prefix", "example.com", "--skip-fingerprint-review", "/no/such/key"), "cannot read /no/such/key"),
])
def test_bad_input_one_line_254_nothing_written(tmp_path: Path, gpg_keys, args, message) -> None:
    key_file = gpg_keys().write_public(tmp_path / "k.asc")
    (tmp_path / "junk").write_text("hello\n")
    args = [str(key_file) if a == "KEYFILE" else str(tmp_path / "junk") if a == "NOTAKEY" else a for a in args]
    assert_refused(rkt(tmp_path, "trust", *args), message, tmp_path)


def test_key_by_url_needs_https_or_allow_http(tmp_path: Path, gpg_keys, appc_server) -> None:
    key = gpg_keys()
    appc_server.files["pubkeys.gpg"] = key.armored
    url = appc_server.url("pubkeys.gpg")
    assert_refused(rkt(tmp_path, "trust", "--prefix", "example.com", "--skip-fingerprint-review", url),
                   "refusing plain HTTP", tmp_path)
    done = rkt(tmp_path, "trust", "--prefix", "example.com", "--skip-fingerprint-review", "--insecure-allow-http", url)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "etc/trustedkeys/prefix.d/example.com" / key.fingerprint).exists()


def test_keys_discovered_for_prefix(tmp_path: Path, gpg_keys, appc_server) -> None:
    key = gpg_keys()
    name = publish(appc_server, tmp_path, key)
    done = rkt(tmp_path, "trust", "--prefix", name, "--skip-fingerprint-review", "--insecure-allow-http")
    assert done.returncode == 0, done.stderr
    assert f'Key: "{appc_server.url("pubkeys.gpg")}"' in done.stdout
    assert (tmp_path / "etc/trustedkeys/prefix.d" / name / key.fingerprint).read_bytes() == key.armored


def test_discovery_failure_is_one_line(tmp_path: Path, appc_server) -> None:
    assert_refused(rkt(tmp_path, "trust", "--prefix", f"{appc_server.host}/none", "--insecure-allow-http"),
                   "discovery failed", tmp_path)


def _fetch(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return rkt(tmp_path, "--dir", str(tmp_path / "rkt"), "fetch", *args)


def test_trusted_key_lets_rkt_fetch_a_signed_local_aci(tmp_path: Path, gpg_keys) -> None:
    from tests.fixtures.appc_discovery import make_aci

    key, stranger = gpg_keys("Signer"), gpg_keys("Stranger")
    image = tmp_path / "app.aci"
    image.write_bytes(make_aci("example.com/app"))
    assert_refused(_fetch(tmp_path, str(image)), "no signature for", tmp_path)
    key.sign(image)
    assert rkt(tmp_path, "trust", "--prefix", "example.org", "--skip-fingerprint-review",
               str(key.write_public(tmp_path / "k.asc"))).returncode == 0
    refused = _fetch(tmp_path, str(image))
    assert refused.returncode == 254 and "is not trusted for prefix example.com/app" in refused.stderr
    rkt(tmp_path, "trust", "--prefix", "example.com", "--skip-fingerprint-review",
        str(stranger.write_public(tmp_path / "s.asc")))
    assert "not trusted for prefix" in _fetch(tmp_path, str(image)).stderr
    rkt(tmp_path, "trust", "--prefix", "example.com/app", "--skip-fingerprint-review", str(tmp_path / "k.asc"))
    done = _fetch(tmp_path, str(image))
    assert done.returncode == 0 and done.stdout.startswith("sha512-"), done.stderr
