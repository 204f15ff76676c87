"""The kubelet's self-signed serving certificate (as a kubelet without ``--tls-cert-file`` makes one).

The API server does not verify it (kube-apiserver without ``--kubelet-certificate-authority`` does not
either); it exists so the kubelet speaks HTTPS as the API server expects. Kept under ``--root-dir`` and
reused while it is valid for the node's name and address. Callers are authenticated the other way round:
by a client certificate signed by ``--client-ca-file`` (the API server's kubelet-client certificate).
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from rktnetes.kubelet import paths

VALID_DAYS = 365


def _names(hostname: str, ip: str) -> x509.SubjectAlternativeName:
    return x509.SubjectAlternativeName([x509.DNSName(hostname), x509.IPAddress(ipaddress.ip_address(ip))])


def _make(hostname: str, ip: str) -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{hostname}@rktnetes-kubelet")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
            .add_extension(_names(hostname, ip), critical=False).sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def _usable(cert_path: Path, hostname: str, ip: str) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    except (OSError, ValueError):
        return False
    fresh = cert.not_valid_after_utc > datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    return fresh and names == _names(hostname, ip)


def ensure(root: Path, hostname: str, ip: str) -> tuple[Path, Path]:
    """The (cert, key) paths, made first when missing, stale or for another name."""
    cert_path, key_path = paths.serving_cert_path(root), paths.serving_key_path(root)
    if not _usable(cert_path, hostname, ip) or not key_path.exists():
        cert, key = _make(hostname, ip)
        cert_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(key)
        cert_path.write_bytes(cert)
    return cert_path, key_path


def server_context(root: Path, hostname: str, ip: str, client_ca: Path | None = None) -> ssl.SSLContext:
    """TLS for the kubelet's port; with ``client_ca``, client certificates it signed are verified (asked for,
    not required at the handshake: ``endpoint`` decides which paths need one)."""
    cert, key = ensure(root, hostname, ip)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    if client_ca is not None:
        context.load_verify_locations(cafile=str(client_ca))
        context.verify_mode = ssl.CERT_OPTIONAL
    return context
