"""``rkt --trust-keys-from-https fetch NAME`` through the real CLI: the keys appc discovery names are trusted
for the image's name without review, but only when page and key come over verified https (plain http only
with ``--insecure-options=pubkey``); keys are checked with real gpg signatures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.appc_discovery import publish

pytestmark = pytest.mark.e2e
RKT = str(Path(sys.executable).with_name("rkt"))


def rkt(tmp_path: Path, *args: str, insecure: str = "none", ca_file: str = "") -> subprocess.CompletedProcess[str]:
    cmd = [RKT, "--dir", str(tmp_path / "rkt"), "--local-config", str(tmp_path / "etc"),
           "--system-config", str(tmp_path / "usr"), f"--insecure-options={insecure}", *args]
    env = {**os.environ, **({"SSL_CERT_FILE": ca_file} if ca_file else {})}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)


def trusted_keys(tmp_path: Path, name: str) -> list[str]:
    folder = tmp_path / "etc" / "trustedkeys" / "prefix.d" / name
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def stored(tmp_path: Path) -> str:
    return rkt(tmp_path, "image", "list", "--no-legend").stdout


def test_without_the_flag_an_unknown_key_is_refused(tmp_path, gpg_keys, appc_tls_server):
    name = publish(appc_tls_server, tmp_path, gpg_keys(), scheme="https")
    done = rkt(tmp_path, "fetch", name, ca_file=appc_tls_server.ca_file)
    assert done.returncode == 254 and "unknown key" in done.stderr, done.stderr
    assert trusted_keys(tmp_path, name) == [] and stored(tmp_path) == ""


def test_the_key_discovery_names_over_https_is_trusted_for_the_name(tmp_path, gpg_keys, appc_tls_server):
    key = gpg_keys()
    name = publish(appc_tls_server, tmp_path, key, scheme="https")
    done = rkt(tmp_path, "--trust-keys-from-https", "fetch", name, ca_file=appc_tls_server.ca_file)
    assert done.returncode == 0 and done.stdout.startswith("sha512-"), done.stderr
    assert f'for prefix "{name}" without fingerprint review' in done.stderr
    assert trusted_keys(tmp_path, name) == [key.fingerprint.lower()]
    assert name in stored(tmp_path)


def test_an_unverified_https_server_is_not_trusted(tmp_path, gpg_keys, appc_tls_server):
    name = publish(appc_tls_server, tmp_path, gpg_keys(), scheme="https")
    done = rkt(tmp_path, "fetch", "--trust-keys-from-https", name, insecure="tls")
    assert done.returncode == 254 and "certificate verify failed" in done.stderr, done.stderr
    assert trusted_keys(tmp_path, name) == [] and stored(tmp_path) == ""


def test_keys_over_plain_http_need_the_pubkey_insecure_option(tmp_path, gpg_keys, appc_server):
    key = gpg_keys()
    name = publish(appc_server, tmp_path, key)
    refused = rkt(tmp_path, "fetch", "--trust-keys-from-https", name, insecure="http")
    assert refused.returncode == 254 and len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert trusted_keys(tmp_path, name) == [] and stored(tmp_path) == ""
    done = rkt(tmp_path, "fetch", "--trust-keys-from-https", name, insecure="http,pubkey")
    assert done.returncode == 0, done.stderr
    assert trusted_keys(tmp_path, name) == [key.fingerprint.lower()] and name in stored(tmp_path)


def test_prepare_honours_the_flag_too(tmp_path, gpg_keys, appc_tls_server):
    key = gpg_keys()
    name = publish(appc_tls_server, tmp_path, key, scheme="https")
    done = rkt(tmp_path, "--trust-keys-from-https", "prepare", "--quiet", name, "--exec=/hello.txt",
               ca_file=appc_tls_server.ca_file)
    try:
        assert done.returncode == 0, done.stderr
        assert trusted_keys(tmp_path, name) == [key.fingerprint.lower()] and name in stored(tmp_path)
    finally:
        if done.returncode == 0:
            rkt(tmp_path, "rm", done.stdout.strip())
