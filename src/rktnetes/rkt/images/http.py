"""HTTP(S) GETs for appc discovery, public keys and ACIs, on aiohttp.

Why it is built this way: callers (the CLI, ``fetch``) are synchronous, and a fetch is a short chain of
dependent requests (discovery pages, then the ACI and its signature). Each public entry point runs one
``asyncio.run`` holding one ``ClientSession`` for the whole chain, so connections are reused and nothing
outlives the call. Downloads stream to a file and count bytes, so a truncated body is an error, never an
image.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from rktnetes.rkt.images.errors import FetchError

T = TypeVar("T")
_CHUNK = 1 << 16
_PAGE_LIMIT = 1 << 20


def check_scheme(url: str, allow_http: bool) -> None:
    """Refuse anything but https (and http when allowed)."""
    scheme = url.partition("://")[0].lower()
    if scheme == "http" and not allow_http:
        raise FetchError(f"refusing plain HTTP for {url}: allow it with --insecure-options=http")
    if scheme not in ("http", "https"):
        raise FetchError(f"unsupported URL {url!r}: want http(s)://")


def read_source(location: str, *, allow_http: bool, insecure_tls: bool = False) -> bytes:
    """A small document (a public key) from a local path or an http(s) URL."""
    if "://" in location:
        check_scheme(location, allow_http)
        return run(lambda session: get_bytes(session, location, allow_http=allow_http), insecure_tls=insecure_tls)
    try:
        return Path(location).read_bytes()
    except OSError as exc:
        raise FetchError(f"cannot read {location}: {exc.strerror}") from None


def run(job: Callable[[Any], Awaitable[T]], *, insecure_tls: bool = False) -> T:
    """Run ``job(session)`` in a fresh event loop with one aiohttp session."""
    return asyncio.run(_with_session(job, insecure_tls))


async def _with_session(job: Callable[[Any], Awaitable[T]], insecure_tls: bool) -> T:
    import aiohttp

    timeout = aiohttp.ClientTimeout(total=None, sock_connect=15, sock_read=60)
    connector = aiohttp.TCPConnector(ssl=False if insecure_tls else ssl.create_default_context())
    async with aiohttp.ClientSession(timeout=timeout, connector=connector, trust_env=False) as session:
        return await job(session)


async def get_bytes(session: Any, url: str, *, allow_http: bool, limit: int = _PAGE_LIMIT) -> bytes:
    """A small document (discovery page, public key): the body, refused above ``limit`` bytes."""
    import aiohttp

    try:
        async with session.get(url) as resp:
            _check_response(url, resp, allow_http)
            body = await _read_up_to(resp.content, limit + 1)
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        raise FetchError(f"GET {url}: {_describe(exc)}") from None
    if len(body) > limit:
        raise FetchError(f"GET {url}: response larger than {limit} bytes")
    return body


async def _read_up_to(stream: Any, most: int) -> bytes:
    """Read until EOF or ``most`` bytes: one ``read(n)`` returns only what is buffered, not n bytes."""
    chunks: list[bytes] = []
    size = 0
    while size < most and (chunk := await stream.read(most - size)):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


async def download(session: Any, url: str, dest: Path, *, allow_http: bool, progress: bool = False,
                   etag: str = "") -> str | None:
    """Stream ``url`` into ``dest``; returns the new ETag, or None when ``etag`` is still current (304).

    A short body raises FetchError.
    """
    import aiohttp

    try:
        async with session.get(url, headers={"If-None-Match": etag} if etag else None) as resp:
            _check_response(url, resp, allow_http)
            if etag and resp.status == 304:
                return None
            await _stream(resp, url, dest, progress)
            return str(resp.headers.get("ETag", ""))
    except aiohttp.ClientPayloadError:
        raise FetchError(f"truncated download of {url}: the server closed the connection early") from None
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        raise FetchError(f"GET {url}: {_describe(exc)}") from None


async def _stream(resp: Any, url: str, dest: Path, progress: bool) -> None:
    expected = resp.content_length
    got = 0
    with dest.open("wb") as out, _bar(url, expected, progress) as advance:
        async for chunk in resp.content.iter_chunked(_CHUNK):
            out.write(chunk)
            got += len(chunk)
            advance(len(chunk))
    if expected is not None and got != expected:
        raise FetchError(f"truncated download of {url}: got {got} of {expected} bytes")


class _bar:
    """A rich progress bar on stderr (as rkt's ``Downloading … [====]``), or nothing."""

    def __init__(self, url: str, total: int | None, shown: bool) -> None:
        self.url, self.total, self.shown, self.progress = url, total, shown, None

    def __enter__(self) -> Callable[[int], None]:
        if not self.shown:
            return lambda n: None
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

        self.progress = Progress(TextColumn("Downloading {task.description}"), BarColumn(), DownloadColumn(),
                                 console=Console(stderr=True), transient=False)
        self.progress.start()
        task = self.progress.add_task(self.url.rsplit("/", 1)[-1], total=self.total)
        return lambda n: self.progress.advance(task, n)

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()


def _check_response(url: str, resp: Any, allow_http: bool) -> None:
    """Refuse error statuses, and redirects that end on plain HTTP when it is not allowed."""
    if resp.status >= 400:
        raise FetchError(f"GET {url}: {resp.status} {resp.reason or ''}".rstrip())
    check_scheme(str(resp.url), allow_http)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, asyncio.TimeoutError):
        return "timed out"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
