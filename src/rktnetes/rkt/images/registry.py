"""A Docker Registry HTTP API v2 client: manifests, blobs; anonymous, basic and bearer-token auth.

Why it is built this way: one fetch is a handful of dependent requests (manifest, maybe an index, config)
followed by independent layer downloads, so it runs on one aiohttp session in one event loop and the
layers download concurrently. A 401 with a ``Bearer`` challenge is answered once per scope by asking the
token server named in ``WWW-Authenticate`` (with the configured credentials, if any), a ``Basic`` one with
the credentials themselves; the header is then reused. Every body is checked against the
digest it was asked by, while it streams, and a blob lands under its final name only when it verifies.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Any

import aiohttp

from rktnetes.rkt.images import errors
from rktnetes.rkt.images.references import DockerRef

MANIFEST_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
MAX_MANIFEST = 4 << 20
_CHUNK = 1 << 20
_CHALLENGE = re.compile(r'(\w+)="([^"]*)"')


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """``Bearer realm="…",service="…",scope="…"`` -> ("bearer", {realm, service, scope})."""
    scheme, _, params = header.strip().partition(" ")
    return scheme.lower(), dict(_CHALLENGE.findall(params))


class Registry:
    """One repository on one registry, over an open aiohttp session."""

    def __init__(self, session: aiohttp.ClientSession, ref: DockerRef, *, scheme: str,
                 credentials: tuple[str, str] | None = None) -> None:
        self.session, self.ref, self.credentials, self.authorization = session, ref, credentials, ""
        self.base = f"{scheme}://{ref.host}/v2/{ref.repository}"

    def _headers(self, extra: dict[str, str]) -> dict[str, str]:
        return {**extra, "Authorization": self.authorization} if self.authorization else extra

    async def _get(self, url: str, headers: dict[str, str]) -> aiohttp.ClientResponse:
        """GET with auth: on a first 401 authenticate as the challenge says, then retry once."""
        try:
            resp = await self.session.get(url, headers=self._headers(headers))
            if resp.status == 401 and not self.authorization:
                challenge, answer = resp.headers.get("WWW-Authenticate", ""), f"GET {url}: 401 {resp.reason or ''}"
                resp.release()
                await self._authenticate(challenge, answer.rstrip())
                resp = await self.session.get(url, headers=self._headers(headers))
        except aiohttp.ClientSSLError as exc:
            raise errors.RegistryError(f"GET {url}: TLS failed ({_describe(exc)}); a plain-HTTP registry "
                                       "needs --insecure-options=http, an untrusted certificate tls") from None
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise errors.RegistryError(f"GET {url}: {_describe(exc)}") from None
        if resp.status >= 400:
            resp.release()
            raise errors.RegistryError(f"GET {url}: {resp.status} {resp.reason or ''}".rstrip())
        return resp

    async def _authenticate(self, challenge: str, answer: str) -> None:
        """Credentials for the challenge of a 401 (``answer`` names it in the error when there are none)."""
        scheme, params = parse_challenge(challenge)
        if scheme == "basic" and self.credentials:
            self.authorization = _basic(self.credentials)
        elif scheme == "bearer" and "realm" in params:
            self.authorization = f"Bearer {await self._token(params)}"
        else:
            raise errors.RegistryError(f"{answer}: {self.ref.host} asks for {scheme or 'unknown'} authentication: "
                                       f"add dockerAuth credentials for {self.ref.registry} in auth.d")

    async def _token(self, params: dict[str, str]) -> str:
        """A bearer token from the challenge's token server (with the configured credentials, if any)."""
        query = {"service": params.get("service", ""),
                 "scope": params.get("scope") or f"repository:{self.ref.repository}:pull"}
        headers = {"Authorization": _basic(self.credentials)} if self.credentials else {}
        try:
            async with self.session.get(params["realm"], params=query, headers=headers) as resp:
                if resp.status >= 400:
                    raise errors.RegistryError(f"token server {params['realm']}: {resp.status} {resp.reason}")
                body = await resp.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, OSError, ValueError) as exc:
            raise errors.RegistryError(f"token server {params['realm']}: {_describe(exc)}") from None
        token = body.get("token") or body.get("access_token") if isinstance(body, dict) else None
        if not token or not isinstance(token, str):
            raise errors.RegistryError(f"token server {params['realm']} returned no token")
        return token

    async def manifest(self, reference: str) -> tuple[bytes, str, str]:
        """(body, media type, digest) of a manifest or index; the digest is checked."""
        resp = await self._get(f"{self.base}/manifests/{reference}", {"Accept": ", ".join(MANIFEST_TYPES)})
        async with resp:
            body = await _read_limited(resp, MAX_MANIFEST, f"manifest {reference}")
            media_type = resp.headers.get("Content-Type", "").split(";")[0].strip()
            claimed = resp.headers.get("Docker-Content-Digest", "")
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        for expected in (reference if reference.startswith("sha256:") else "", claimed):
            if expected and expected != digest:
                raise errors.RegistryError(f"manifest {reference}: digest {digest} does not match {expected}")
        return body, media_type, digest

    async def blob(self, digest: str, size: int | None, dest: Path, advance: Any = None) -> None:
        """Stream blob ``digest`` into ``dest``; refuses a wrong digest or size (and removes the file)."""
        if not re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
            raise errors.RegistryError(f"unsupported or malformed digest {digest!r}")
        resp = await self._get(f"{self.base}/blobs/{digest}", {})
        try:
            async with resp:
                got = await _stream(resp, dest, advance)
        except aiohttp.ClientPayloadError:
            dest.unlink(missing_ok=True)
            raise errors.RegistryError(f"truncated download of {digest[:19]}") from None
        if got[0] != digest or (size is not None and got[1] != size):
            dest.unlink(missing_ok=True)
            raise errors.RegistryError(_mismatch(digest, size, got))


async def _read_limited(resp: aiohttp.ClientResponse, limit: int, what: str) -> bytes:
    """The whole body (however many packets it arrives in), refused above ``limit`` bytes."""
    body = bytearray()
    try:
        async for chunk in resp.content.iter_chunked(_CHUNK):
            body += chunk
            if len(body) > limit:
                raise errors.RegistryError(f"{what} is larger than {limit} bytes")
    except aiohttp.ClientPayloadError:
        raise errors.RegistryError(f"truncated download of {what}") from None
    return bytes(body)


async def _stream(resp: aiohttp.ClientResponse, dest: Path, advance: Any) -> tuple[str, int]:
    sha, total = hashlib.sha256(), 0
    with dest.open("wb") as out:
        async for chunk in resp.content.iter_chunked(_CHUNK):
            sha.update(chunk)
            out.write(chunk)
            total += len(chunk)
            if advance:
                advance(len(chunk))
    return "sha256:" + sha.hexdigest(), total


def _mismatch(digest: str, size: int | None, got: tuple[str, int]) -> str:
    if size is not None and got[1] != size:
        return f"blob {digest[:19]}: got {got[1]} bytes, expected {size} (truncated or corrupt download)"
    return f"blob {digest[:19]}: content digest {got[0][:19]} does not match"


def _describe(exc: BaseException) -> str:
    """The first line of an exception's text, or its type name when it has none."""
    if isinstance(exc, TimeoutError):
        return "timed out"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _basic(credentials: tuple[str, str]) -> str:
    return "Basic " + base64.b64encode(f"{credentials[0]}:{credentials[1]}".encode()).decode()
