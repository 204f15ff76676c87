"""retry_on_conflict on a fake clock, and the in-cluster (service account) configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from rktnetes.client import errors, incluster
from rktnetes.client.clock import FakeClock
from rktnetes.client.fake import FakeClient
from rktnetes.client.retrying import retry_on_conflict


async def test_conflicts_are_retried_with_a_fresh_read() -> None:
    api = FakeClient({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"n": "0"}})
    stale = await api.get("configmaps", "c")
    await api.update("configmaps", {**stale, "data": {"n": "1"}})
    reads = []

    async def bump() -> dict:
        current = stale if not reads else await api.get("configmaps", "c")
        reads.append(current["metadata"]["resourceVersion"])
        return await api.update("configmaps", {**current, "data": {"n": str(int(current["data"]["n"]) + 1)}})

    clock = FakeClock(autojump=True)
    result = await retry_on_conflict(bump, clock=clock)
    assert result["data"] == {"n": "2"} and len(reads) == 2 and clock.now() == pytest.approx(1000.01)


async def test_the_last_conflict_and_other_errors_go_through() -> None:
    calls = []

    async def always(exc: Exception) -> None:
        calls.append(1)
        raise exc

    clock = FakeClock(autojump=True)
    with pytest.raises(errors.Conflict):
        await retry_on_conflict(lambda: always(errors.Conflict(409, "Conflict", "c")), tries=3, clock=clock)
    assert len(calls) == 3
    with pytest.raises(errors.NotFound):
        await retry_on_conflict(lambda: always(errors.NotFound(404, "NotFound", "n")), clock=clock)
    assert len(calls) == 4


def test_in_cluster_config(tmp_path: Path) -> None:
    incluster.token_path(tmp_path).write_text("tok\n")
    incluster.ca_path(tmp_path).write_bytes(b"CA")
    incluster.namespace_path(tmp_path).write_text("team")
    env = {"KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"}
    config = incluster.load_in_cluster(tmp_path, env)
    assert (config.server, config.token, config.ca_data, config.namespace) == ("https://[fd00::1]:443", "tok",
                                                                               b"CA", "team")
    with pytest.raises(errors.ConfigError, match="not set"):
        incluster.load_in_cluster(tmp_path, {})
    incluster.token_path(tmp_path).unlink()
    with pytest.raises(errors.ConfigError, match="token"):
        incluster.load_in_cluster(tmp_path, env)
