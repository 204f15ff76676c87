"""ServiceAccount tokens: JWTs (ES256) the API server issues through ``serviceaccounts/<name>/token`` (the
TokenRequest API) and accepts as bearer tokens, authenticating ``system:serviceaccount:<ns>:<name>``.

The signing key lives beside the CA (``pki/sa.key``) so tokens outlive a restart. Claims follow Kubernetes'
bound tokens: ``iss``, ``sub``, ``aud``, ``exp``, ``iat``, ``nbf`` and the ``kubernetes.io`` block naming the
namespace, the ServiceAccount (and its uid) and, when bound, the pod.
"""

from __future__ import annotations

import base64
import hashlib
import os
import time
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from rktnetes.apiserver import paths

Obj = dict[str, Any]
ISSUER = "https://kubernetes.default.svc.cluster.local"
DEFAULT_EXPIRATION, MIN_EXPIRATION = 3600, 600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _load_key(path: Path) -> ec.EllipticCurvePrivateKey:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
    return serialization.load_pem_private_key(path.read_bytes(), None)


class Signer:
    """Issues and verifies ServiceAccount tokens with one key."""

    def __init__(self, data_dir: Path) -> None:
        self.key = _load_key(paths.sa_key_path(data_dir))
        public = self.key.public_key().public_bytes(serialization.Encoding.DER,
                                                    serialization.PublicFormat.SubjectPublicKeyInfo)
        self.kid = _b64(hashlib.sha256(public).digest())

    def issue(self, claims: Obj) -> str:
        head = _b64(orjson.dumps({"alg": "ES256", "kid": self.kid})) + "." + _b64(orjson.dumps(claims))
        r, s = decode_dss_signature(self.key.sign(head.encode(), ec.ECDSA(hashes.SHA256())))
        return head + "." + _b64(r.to_bytes(32, "big") + s.to_bytes(32, "big"))

    def verify(self, token: str, audience: str = ISSUER) -> Obj | None:
        """The claims of a valid, unexpired token meant for ``audience``; None otherwise."""
        try:
            head, body, signature = token.split(".")
            raw = _unb64(signature)
            der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
            self.key.public_key().verify(der, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
            claims = orjson.loads(_unb64(body))
        except (ValueError, InvalidSignature):
            return None
        now = time.time()
        if claims.get("exp", 0) < now or claims.get("nbf", 0) > now + 60 or audience not in claims.get("aud", []):
            return None
        return claims


def claims_for(account: Obj, spec: Obj, pod: Obj | None = None) -> Obj:
    """The claims of a token for ``account`` as a TokenRequest ``spec`` asks."""
    now = int(time.time())
    expiration = max(int(spec.get("expirationSeconds") or DEFAULT_EXPIRATION), MIN_EXPIRATION)
    meta = account["metadata"]
    block: Obj = {"namespace": meta["namespace"], "serviceaccount": {"name": meta["name"], "uid": meta["uid"]}}
    if pod is not None:
        block["pod"] = {"name": pod["metadata"]["name"], "uid": pod["metadata"]["uid"]}
    return {"aud": list(spec.get("audiences") or [ISSUER]), "exp": now + expiration, "iat": now, "nbf": now,
            "iss": ISSUER, "sub": f"system:serviceaccount:{meta['namespace']}:{meta['name']}", "kubernetes.io": block}
