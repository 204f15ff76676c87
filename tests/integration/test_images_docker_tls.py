"""https is the default: the real registry serving TLS with a test CA; ``tls`` skips verification."""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from rktnetes.rkt.images import docker, errors
from rktnetes.rkt.images.store import ImageStore
from tests.conftest import require_root
from tests.fixtures.registry import push_layout, run_registry

pytestmark = pytest.mark.integration


def _certificate(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rktnetes test registry")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def tls_registry(tmp_path: Path, built_images) -> Iterator[tuple[str, Path]]:
    cert, key = _certificate(tmp_path)
    with run_registry({"http": {"tls": {"certificate": str(cert), "key": str(key)}}}) as addr:
        push_layout(built_images["busybox"].oci_layout, f"{addr}/busybox:latest")
        yield addr, cert


def test_https_verifies_and_tls_option_skips(tmp_path: Path, tls_registry, monkeypatch) -> None:
    require_root()
    addr, cert = tls_registry
    store = ImageStore(tmp_path / "rkt")
    try:
        with pytest.raises(errors.RegistryError, match="TLS failed") as info:
            docker.fetch_docker(store, f"docker://{addr}/busybox", insecure=frozenset({"image"}))
        assert "\n" not in str(info.value) and store.list() == []
        skipped = docker.fetch_docker(store, f"docker://{addr}/busybox", insecure=frozenset({"image", "tls"}))
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # now the CA is trusted: plain https verifies
        trusted = docker.fetch_docker(store, f"docker://{addr}/busybox", insecure=frozenset({"image"}),
                                      pull_policy="update")
        assert trusted.id == skipped.id and (store.rootfs(trusted.id) / "bin/busybox").is_file()
    finally:
        store.close()
