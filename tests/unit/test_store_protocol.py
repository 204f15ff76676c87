"""Every backend offers exactly the protocol's calls, with the protocol's parameters."""

from __future__ import annotations

import inspect

import pytest

from rktnetes.store.etcd import EtcdStore
from rktnetes.store.protocol import Store
from rktnetes.store.sqlite import SqliteStore

CALLS = [name for name, fn in vars(Store).items() if inspect.isfunction(fn) and not name.startswith("_")]


def parameters(fn) -> list[tuple[str, object, object]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


@pytest.mark.parametrize("backend", [SqliteStore, EtcdStore])
@pytest.mark.parametrize("call", CALLS)
def test_backend_matches_the_protocol(backend: type, call: str) -> None:
    ours = getattr(backend, call)
    assert inspect.iscoroutinefunction(ours)
    assert parameters(ours) == parameters(getattr(Store, call))


def test_the_protocol_has_the_calls_the_api_server_relies_on() -> None:
    assert {"current_revision", "create", "get", "list", "count", "update", "delete", "watch", "compact",
            "close"} <= set(CALLS)
