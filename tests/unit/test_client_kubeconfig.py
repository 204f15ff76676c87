"""Kubeconfig reading: embedded and file credentials, tokens, contexts, $KUBECONFIG merging, bad files."""

from __future__ import annotations

import base64
import datetime
import ssl
from pathlib import Path

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from rktnetes.client import errors
from rktnetes.client.kubeconfig import load_kubeconfig


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture(scope="module")
def pair() -> tuple[bytes, bytes]:
    """A self-signed certificate and its key (PEM), standing in for both a CA and a client certificate."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def _write(path: Path, clusters: dict, users: dict, contexts: dict, current: str = "") -> Path:
    data = {"apiVersion": "v1", "kind": "Config", "current-context": current,
            "clusters": [{"name": n, "cluster": c} for n, c in clusters.items()],
            "users": [{"name": n, "user": u} for n, u in users.items()],
            "contexts": [{"name": n, "context": c} for n, c in contexts.items()]}
    path.write_text(yaml.safe_dump(data))
    return path


def test_embedded_certificates(tmp_path: Path, pair) -> None:
    cert, key = pair
    path = _write(tmp_path / "config", {"c": {"server": "https://127.0.0.1:6443/", "certificate-authority-data": _b64(cert)}},
                  {"u": {"client-certificate-data": _b64(cert), "client-key-data": _b64(key)}},
                  {"ctx": {"cluster": "c", "user": "u", "namespace": "team"}}, "ctx")
    config = load_kubeconfig(path)
    assert (config.server, config.namespace, config.ca_data, config.key_data) == ("https://127.0.0.1:6443", "team",
                                                                                   cert, key)
    context = config.ssl_context()
    assert isinstance(context, ssl.SSLContext) and context.verify_mode == ssl.CERT_REQUIRED
    assert list(tmp_path.iterdir()) == [path], "no key material is left behind"


def test_relative_files_and_token_file(tmp_path: Path, pair) -> None:
    (tmp_path / "pki").mkdir()
    (tmp_path / "pki" / "ca.crt").write_bytes(pair[0])
    (tmp_path / "token").write_text("s3cret\n")
    path = _write(tmp_path / "config", {"c": {"server": "https://h:1", "certificate-authority": "pki/ca.crt"}},
                  {"u": {"tokenFile": "token"}}, {"ctx": {"cluster": "c", "user": "u"}}, "ctx")
    config = load_kubeconfig(path)
    assert config.ca_data == pair[0] and config.token == "s3cret" and config.namespace == "default"


def test_context_choice_and_kubeconfig_merge(tmp_path: Path, monkeypatch) -> None:
    first = _write(tmp_path / "a", {"c": {"server": "https://first:1"}}, {"u": {"token": "t1"}},
                   {"one": {"cluster": "c", "user": "u"}}, "one")
    second = _write(tmp_path / "b", {"c": {"server": "https://ignored:1"}, "d": {"server": "http://second:2"}},
                    {"v": {"token": "t2"}}, {"two": {"cluster": "d", "user": "v"}}, "two")
    monkeypatch.setenv("KUBECONFIG", f"{first}:{tmp_path / 'missing'}:{second}")
    assert load_kubeconfig().server == "https://first:1", "the first file's current-context wins"
    two = load_kubeconfig(context="two")
    assert (two.server, two.token) == ("http://second:2", "t2")
    assert two.ssl_context() is None
    with pytest.raises(errors.ConfigError, match="no context named 'three'"):
        load_kubeconfig(context="three")


def test_insecure_skip_verify(tmp_path: Path) -> None:
    path = _write(tmp_path / "config", {"c": {"server": "https://h:1", "insecure-skip-tls-verify": True}}, {},
                  {"ctx": {"cluster": "c"}}, "ctx")
    assert load_kubeconfig(path).ssl_context().verify_mode == ssl.CERT_NONE


@pytest.mark.parametrize(("content", "message"), [
    ("{not yaml: [", "not YAML"),
    ("- a list", "not a mapping"),
    ("current-context: ''", "no current-context"),
    ("current-context: x\ncontexts: [{name: x, context: {cluster: c}}]", "no cluster named 'c'"),
    ("current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\nclusters: [{name: c, cluster: {}}]",
     "has no server"),
    ("current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n"
     "clusters: [{name: c, cluster: {server: 'https://h', certificate-authority-data: '!!'}}]", "not base64"),
    ("current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n"
     "clusters: [{name: c, cluster: {server: 'https://h', certificate-authority: /nonexistent/ca}}]",
     "No such file"),
])
def test_bad_kubeconfigs_are_one_line_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "config"
    path.write_text(content)
    with pytest.raises(errors.ConfigError, match=message) as caught:
        load_kubeconfig(path)
    assert "\n" not in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(errors.ConfigError, match="No such file"):
        load_kubeconfig(tmp_path / "nope")


def test_unusable_client_key(tmp_path: Path, pair) -> None:
    path = _write(tmp_path / "config", {"c": {"server": "https://h:1"}},
                  {"u": {"client-certificate-data": _b64(pair[0]), "client-key-data": _b64(b"garbage")}},
                  {"ctx": {"cluster": "c", "user": "u"}}, "ctx")
    with pytest.raises(errors.ConfigError, match="unusable client certificate"):
        load_kubeconfig(path).ssl_context()


def test_unsupported_credential_kinds_are_named(tmp_path: Path) -> None:
    path = _write(tmp_path / "config", {"c": {"server": "https://h:1"}},
                  {"u": {"exec": {"command": "aws", "apiVersion": "client.authentication.k8s.io/v1"}}},
                  {"ctx": {"cluster": "c", "user": "u"}}, "ctx")
    with pytest.raises(errors.ConfigError, match="exec credentials are not supported"):
        load_kubeconfig(path)
