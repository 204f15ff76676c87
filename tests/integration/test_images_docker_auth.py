"""Bearer-token auth against the real registry configured for token auth, with a token server run here.

The token server signs RS256 JWTs with a key whose self-signed certificate is the registry's
``rootcertbundle``; the registry accepts them through the ``x5c`` header, as it does from a real one.
"""

from __future__ import annotations

import base64
import datetime
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from rktnetes.rkt.images import docker, errors
from rktnetes.rkt.images.store import ImageStore
from tests.conftest import require_root
from tests.fixtures.registry import push_layout, run_registry
from tests.integration.test_images_docker_basic_auth import auth_d

pytestmark = pytest.mark.integration
SERVICE, ISSUER = "rktnetes-test-registry", "rktnetes-test-issuer"
INSECURE = frozenset({"image", "http"})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenIssuer:
    def __init__(self, tmp: Path) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ISSUER)])
        now = datetime.datetime.now(datetime.UTC)
        self.cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(self.key.public_key())
                     .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
                     .not_valid_after(now + datetime.timedelta(hours=1))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                     .sign(self.key, hashes.SHA256()))
        self.bundle = tmp / "root.pem"
        self.bundle.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        self.requests: list[dict[str, str]] = []

    def token(self, scope: str) -> str:
        header = {"typ": "JWT", "alg": "RS256",
                  "x5c": [base64.b64encode(self.cert.public_bytes(serialization.Encoding.DER)).decode()]}
        _, repo, actions = scope.split(":")
        now = int(time.time())
        claims = {"iss": ISSUER, "sub": "", "aud": SERVICE, "exp": now + 300, "nbf": now - 10, "iat": now,
                  "jti": str(now), "access": [{"type": "repository", "name": repo, "actions": actions.split(",")}]}
        signing = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        signature = self.key.sign(signing.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing}.{_b64(signature)}"


@pytest.fixture
def issuer(tmp_path: Path) -> Iterator[tuple[TokenIssuer, str]]:
    found = TokenIssuer(tmp_path)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(self.path).query))
            found.requests.append({**query, "authorization": self.headers.get("Authorization", "")})
            body = json.dumps({"token": found.token(query.get("scope", "repository:x:pull"))}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield found, f"http://127.0.0.1:{server.server_address[1]}/token"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_fetch_through_bearer_token_auth(tmp_path: Path, built_images, issuer) -> None:
    require_root()
    found, realm = issuer
    auth = {"auth": {"token": {"realm": realm, "service": SERVICE, "issuer": ISSUER,
                               "rootcertbundle": str(found.bundle)}}}
    store = ImageStore(tmp_path / "rkt")
    try:
        with run_registry(auth) as addr:
            token = found.token("repository:secured/busybox:push,pull")
            push_layout(built_images["busybox"].oci_layout, f"{addr}/secured/busybox:latest",
                        registry_token=token)
            found.requests.clear()
            ref = f"docker://{addr}/secured/busybox"
            info = docker.fetch_docker(store, ref, insecure=INSECURE, local_config=tmp_path / "no-config")
            assert (store.rootfs(info.id) / "bin/busybox").is_file()
            assert found.requests == [{"service": SERVICE, "scope": "repository:secured/busybox:pull",
                                       "authorization": ""}]
            found.requests.clear()  # with dockerAuth credentials, the token request carries them
            config = auth_d(tmp_path / "etc-rkt", addr, "bob", "pw")
            docker.fetch_docker(store, ref, insecure=INSECURE, pull_policy="update", local_config=config)
            assert found.requests[0]["authorization"] == "Basic " + base64.b64encode(b"bob:pw").decode()
    finally:
        store.close()


def test_a_refused_token_is_one_line(tmp_path: Path, issuer) -> None:
    require_root()
    found, realm = issuer
    (tmp_path / "other").mkdir()
    other = TokenIssuer(tmp_path / "other")  # the registry trusts another issuer's certificate
    auth = {"auth": {"token": {"realm": realm, "service": SERVICE, "issuer": ISSUER,
                               "rootcertbundle": str(other.bundle)}}}
    store = ImageStore(tmp_path / "rkt")
    try:
        with run_registry(auth) as addr, pytest.raises(errors.RegistryError, match="401") as info:
            docker.fetch_docker(store, f"docker://{addr}/secured/busybox", insecure=frozenset({"image", "http"}))
        assert "\n" not in str(info.value) and store.list() == []
    finally:
        store.close()
