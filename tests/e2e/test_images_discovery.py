"""``rkt fetch`` of signed ACIs found by appc discovery, through the real CLI, over plain HTTP on loopback."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.appc_discovery import aci_path, make_aci, publish

pytestmark = pytest.mark.e2e
RKT = str(Path(sys.executable).with_name("rkt"))


def rkt(tmp_path: Path, *args: str, insecure: str = "http", env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    cmd = [RKT, "--dir", str(tmp_path / "rkt"), "--local-config", str(tmp_path / "etc"),
           "--system-config", str(tmp_path / "usr"), f"--insecure-options={insecure}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})})


def trust(tmp_path: Path, key, prefix: str) -> None:
    done = rkt(tmp_path, "trust", "--prefix", prefix, "--skip-fingerprint-review",
               str(key.write_public(tmp_path / f"{key.fingerprint}.asc")))
    assert done.returncode == 0, done.stderr


def stored(tmp_path: Path) -> list[str]:
    done = rkt(tmp_path, "image", "list", "--no-legend", "--full")
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def assert_refused(tmp_path: Path, name: str, message: str, insecure: str = "http") -> None:
    done = rkt(tmp_path, "fetch", name, insecure=insecure)
    assert done.returncode == 254, done
    assert message in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert stored(tmp_path) == []
    assert list((tmp_path / "rkt/cas/tmp").iterdir()) == []


def test_fetch_signed_image_by_discovery(tmp_path: Path, gpg_keys, appc_server) -> None:
    key = gpg_keys()
    name = publish(appc_server, tmp_path, key)
    trust(tmp_path, key, name)
    done = rkt(tmp_path, "fetch", name)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"sha512-[0-9a-f]{32}\n", done.stdout)
    assert any(name in line for line in stored(tmp_path))
    again = rkt(tmp_path, "fetch", name)
    assert again.returncode == 0 and again.stdout == done.stdout


def test_fetch_unsigned_refused_then_allowed_with_insecure_image(tmp_path, appc_server) -> None:
    name = publish(appc_server, tmp_path, None)
    assert_refused(tmp_path, name, "no signature: GET http://")
    assert rkt(tmp_path, "fetch", name, insecure="http,image").returncode == 0


def test_fetch_unknown_key(tmp_path, gpg_keys, appc_server) -> None:
    name = publish(appc_server, tmp_path, gpg_keys("Signer"))
    trust(tmp_path, gpg_keys("Stranger"), name)
    assert_refused(tmp_path, name, "is signed by an unknown key")


def test_fetch_bad_signature(tmp_path, gpg_keys, appc_server) -> None:
    key = gpg_keys()
    name = publish(appc_server, tmp_path, key)
    trust(tmp_path, key, name)
    appc_server.files[aci_path(name)] = make_aci(name, "latest", payload=b"tampered\n")
    assert_refused(tmp_path, name, f"bad signature for {name}")


def test_fetch_key_trusted_for_another_prefix(tmp_path, gpg_keys, appc_server) -> None:
    key = gpg_keys()
    name = publish(appc_server, tmp_path, key)
    trust(tmp_path, key, "example.com/elsewhere")
    assert_refused(tmp_path, name, f"not trusted for prefix {name}")


def test_fetch_truncated_download(tmp_path, gpg_keys, appc_server) -> None:
    key = gpg_keys()
    name = publish(appc_server, tmp_path, key)
    trust(tmp_path, key, name)
    appc_server.truncated.add(aci_path(name))
    assert_refused(tmp_path, name, "truncated download of http://")


def test_fetch_needs_insecure_http_for_plain_http(tmp_path, gpg_keys, appc_server) -> None:
    key = gpg_keys()
    name = publish(appc_server, tmp_path, key)
    trust(tmp_path, key, name)
    assert_refused(tmp_path, name, f"discovery failed for {name}: GET https://", insecure="none")


def test_fetch_over_verified_https_with_no_insecure_option(tmp_path, gpg_keys, appc_tls_server) -> None:
    key = gpg_keys()
    name = publish(appc_tls_server, tmp_path, key, scheme="https")
    trust(tmp_path, key, name)
    assert_refused(tmp_path, name, "certificate verify failed", insecure="none")
    done = rkt(tmp_path, "fetch", name, insecure="none", env={"SSL_CERT_FILE": appc_tls_server.ca_file})
    assert done.returncode == 0, done.stderr
    assert any(name in line for line in stored(tmp_path))


def test_fetch_by_url_and_with_a_local_signature(tmp_path, gpg_keys, appc_server) -> None:
    key = gpg_keys()
    name = publish(appc_server, tmp_path, None)
    trust(tmp_path, key, name)
    url = appc_server.url(aci_path(name))
    assert_refused(tmp_path, url, "no signature: GET http://")
    local = tmp_path / "copy.aci"
    local.write_bytes(appc_server.files[aci_path(name)])
    done = rkt(tmp_path, "fetch", "--signature", str(key.sign(local)), url)
    assert done.returncode == 0, done.stderr
    assert any(name in line for line in stored(tmp_path))
