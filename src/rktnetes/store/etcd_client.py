"""The etcd backend's transport: JSON calls and watch streams to one of several endpoints, HTTP or HTTPS.

An endpoint that refuses the connection is rotated to the back and the next one tried (nothing was sent,
so even a write is safe to resend); any other failure is ``Unavailable`` at once, as a request that may
have reached etcd must not be repeated blindly.
"""

from __future__ import annotations

import aiohttp
import orjson

from rktnetes.store import errors, etcd_url, etcd_wire
from rktnetes.store.etcd_watch import EtcdWatch

_TIMEOUT = aiohttp.ClientTimeout(total=30, connect=5)
_STREAM_TIMEOUT = aiohttp.ClientTimeout(total=None, connect=5, sock_read=60)


class EtcdClient:
    """One aiohttp session to an etcd cluster (no connection limit: each watch stream holds one)."""

    def __init__(self, target: etcd_url.Target) -> None:
        self.endpoints, self.scheme = list(target.endpoints), target.scheme
        connector = aiohttp.TCPConnector(limit=0, ssl=target.tls if target.tls else True)
        self._session = aiohttp.ClientSession(connector=connector)

    @property
    def base(self) -> str:
        return f"{self.scheme}://{self.endpoints[0]}"

    def _rotate(self) -> None:
        """Try the next endpoint from now on (the current one refused a connection)."""
        self.endpoints.append(self.endpoints.pop(0))

    def _unreachable(self) -> errors.Unavailable:
        return errors.Unavailable(f"no etcd endpoint reachable ({', '.join(self.endpoints)})")

    async def call(self, path: str, body: dict, requested: int = 0) -> dict:
        """POST ``body`` to ``path`` (``/v3/kv/range``...); the decoded answer or the store error it means."""
        for _ in self.endpoints:
            try:
                async with self._session.post(self.base + path, data=orjson.dumps(body), timeout=_TIMEOUT) as resp:
                    data = orjson.loads(await resp.read() or b"{}")
            except aiohttp.ClientConnectorError:
                self._rotate()
                continue
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise errors.Unavailable(f"etcd {self.endpoints[0]}: {exc or type(exc).__name__}") from None
            if resp.status != 200:
                raise etcd_wire.error(resp.status, data, requested)
            return data
        raise self._unreachable()

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
        await self._session.close()


def _blob(line: bytes) -> bytes:
    message = orjson.loads(line)
    if "error" in message:
        raise errors.Unavailable(f"etcd snapshot failed: {message['error']}")
    return etcd_wire.unb64((message.get("result") or {}).get("blob"))
