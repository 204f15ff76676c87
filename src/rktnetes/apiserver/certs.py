"""The cluster PKI: a CA, the API server's serving certificate and client certificates (CN=user, O=groups).

Kept under ``<data-dir>/pki`` and reused across restarts; the serving certificate is reissued when a subject
alternative name is missing. Keys are ECDSA P-256 (fast to make and to handshake; every client accepts them).
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from rktnetes.apiserver import paths

DEFAULT_SANS = ("127.0.0.1", "localhost", "10.96.0.1", "kubernetes", "kubernetes.default",
                "kubernetes.default.svc", "kubernetes.default.svc.cluster.local")
ADMIN_USER, ADMIN_GROUP = "rktnetes-admin", "system:masters"
KUBELET_CLIENT = "kube-apiserver-kubelet-client"  # the identity the API server shows kubelets


@dataclass(frozen=True)
class Pair:
    cert: Path
    key: Path


def _name(cn: str, orgs: tuple[str, ...] = ()) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in orgs]
    return x509.Name(attrs + [x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _write(pair: Pair, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> Pair:
    pair.key.parent.mkdir(parents=True, exist_ok=True)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    fd = os.open(pair.key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key_pem)
    pair.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return pair


def _builder(subject: x509.Name, issuer: x509.Name, public_key, days: int) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=days)))


def ensure_ca(data_dir: Path) -> Pair:
    pair = Pair(paths.ca_cert_path(data_dir), paths.ca_key_path(data_dir))
    if pair.cert.exists() and pair.key.exists():
        return pair
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name("rktnetes-ca")
    cert = (_builder(name, name, key.public_key(), 3650)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
            .sign(key, hashes.SHA256()))
    return _write(pair, cert, key)


def _load_ca(ca: Pair) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    cert = x509.load_pem_x509_certificate(ca.cert.read_bytes())
    return cert, serialization.load_pem_private_key(ca.key.read_bytes(), None)


def _issue(ca: Pair, pair: Pair, subject: x509.Name, usage, sans: list[x509.GeneralName] | None) -> Pair:
    ca_cert, ca_key = _load_ca(ca)
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (_builder(subject, ca_cert.subject, key.public_key(), 365)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.ExtendedKeyUsage([usage]), critical=False))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return _write(pair, builder.sign(ca_key, hashes.SHA256()), key)


def _general_name(san: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(san))
    except ValueError:
        return x509.DNSName(san)


def _has_sans(cert_path: Path, wanted: list[x509.GeneralName]) -> bool:
    if not cert_path.exists():
        return False
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    present = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return all(w in present for w in wanted)


def ensure_serving(data_dir: Path, extra_sans: tuple[str, ...] = ()) -> Pair:
    """The serving certificate for 127.0.0.1, localhost, the kubernetes Service names and ``extra_sans``."""
    ca = ensure_ca(data_dir)
    pair = Pair(paths.serving_cert_path(data_dir), paths.serving_key_path(data_dir))
    sans = [_general_name(s) for s in dict.fromkeys(DEFAULT_SANS + tuple(extra_sans))]
    if _has_sans(pair.cert, sans) and pair.key.exists():
        return pair
    return _issue(ca, pair, _name("kube-apiserver"), ExtendedKeyUsageOID.SERVER_AUTH, sans)


def ensure_client(data_dir: Path, user: str, groups: tuple[str, ...] = ()) -> Pair:
    """A client certificate for ``user`` in ``groups`` (reused when it exists)."""
    pair = Pair(paths.client_cert_path(data_dir, user), paths.client_key_path(data_dir, user))
    if pair.cert.exists() and pair.key.exists():
        return pair
    return _issue(ensure_ca(data_dir), pair, _name(user, groups), ExtendedKeyUsageOID.CLIENT_AUTH, None)


def ensure_admin(data_dir: Path) -> Pair:
    return ensure_client(data_dir, ADMIN_USER, (ADMIN_GROUP,))
