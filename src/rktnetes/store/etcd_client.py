"""The etcd backend's transport: JSON calls (``etcd_http``) and watch streams (aiohttp) to one of several
endpoints, HTTP or HTTPS.

An endpoint that refuses the connection is rotated to the back and the next one tried (nothing was sent,
so even a write is safe to resend); any other failure is ``Unavailable`` at once, as a request that may
have reached etcd must not be repeated blindly.
"""

from __future__ import annotations

import asyncio

import aiohttp
import orjson

from rktnetes.store import errors, etcd_http, etcd_url, etcd_wire
from rktnetes.store.etcd_watch import EtcdWatch

_TIMEOUT = aiohttp.ClientTimeout(total=30, connect=5)
_STREAM_TIMEOUT = aiohttp.ClientTimeout(total=None, connect=5, sock_read=60)


class EtcdClient:
    """One aiohttp session to an etcd cluster (no connection limit: each watch stream holds one)."""

    def __init__(self, target: etcd_url.Target) -> None:
        self.endpoints, self.scheme, self._tls = list(target.endpoints), target.scheme, target.tls
        connector = aiohttp.TCPConnector(limit=0, ssl=target.tls if target.tls else True)
        self._session = aiohttp.ClientSession(connector=connector)  # watch streams and snapshots
        self._pools: dict[str, etcd_http.Pool] = {}  # unary calls, by endpoint

    @property
    def base(self) -> str:
        return f"{self.scheme}://{self.endpoints[0]}"

    def _rotate(self) -> None:
        """Try the next endpoint from now on (the current one refused a connection)."""
        self.endpoints.append(self.endpoints.pop(0))

    def _unreachable(self) -> errors.Unavailable:
        return errors.Unavailable(f"no etcd endpoint reachable ({', '.join(self.endpoints)})")

    def _pool(self) -> etcd_http.Pool:
        endpoint = self.endpoints[0]
        if endpoint not in self._pools:
            self._pools[endpoint] = etcd_http.Pool(endpoint, self._tls)
        return self._pools[endpoint]

    async def call(self, path: str, body: dict, requested: int = 0) -> dict:
        """POST ``body`` to ``path`` (``/v3/kv/range``...); the decoded answer or the store error it means."""
        for _ in self.endpoints:
            pool = self._pool()
            try:
                conn = await pool.connect(_TIMEOUT.connect)
            except (OSError, TimeoutError):  # nothing was sent: the next endpoint may take it
                self._rotate()
                continue
            response = await self._exchange(pool, conn, pool.request(path, orjson.dumps(body)))
            data = orjson.loads(response.body or b"{}")
            if response.status != 200:
                raise etcd_wire.error(response.status, data, requested)
            return data
        raise self._unreachable()

    async def _exchange(self, pool: etcd_http.Pool, conn: etcd_http.Connection, request: bytes):
        try:
            async with asyncio.timeout(_TIMEOUT.total):
                response = await conn.call(request)
        except BaseException as exc:
            conn.close()  # a request that may have reached etcd is never sent again
            if isinstance(exc, (OSError, TimeoutError)):
                raise errors.Unavailable(f"etcd {self.endpoints[0]}: {exc or type(exc).__name__}") from None
            raise
        pool.release(conn)
        return response

    async def stream(self, prefix: str, after: int) -> EtcdWatch:
        """A started watch stream of the changes under ``prefix`` after ``after``."""
        for _ in self.endpoints:
            try:
                return await EtcdWatch(self._session, self.base, prefix, after).start()
            except errors.Unreachable:
                self._rotate()
        raise self._unreachable()

    async def download(self, path: str, destination: str) -> None:
        """Write the blobs etcd streams from ``path`` (newline-separated ``{"result": {"blob": ...}}``) to the
        file ``destination``."""
        try:
            async with self._session.post(self.base + path, data=b"{}", timeout=_STREAM_TIMEOUT) as resp:
                if resp.status != 200:
                    raise etcd_wire.error(resp.status, orjson.loads(await resp.read() or b"{}"))
                with open(destination, "wb") as out:
                    partial = b""
                    async for chunk in resp.content.iter_any():
                        *lines, partial = (partial + chunk).split(b"\n")
                        for line in lines:
                            out.write(_blob(line))
                    if partial.strip():
                        out.write(_blob(partial))
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise errors.Unavailable(f"etcd {self.endpoints[0]}: {exc or type(exc).__name__}") from None

    async def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
        await self._session.close()


def _blob(line: bytes) -> bytes:
    message = orjson.loads(line)
    if "error" in message:
        raise errors.Unavailable(f"etcd snapshot failed: {message['error']}")
    return etcd_wire.unb64((message.get("result") or {}).get("blob"))
