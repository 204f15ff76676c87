"""The write path over a real (SQLite) store in-process: generated names that collide are generated again."""

from __future__ import annotations

import itertools

import pytest

from rktnetes import store as store_pkg
from rktnetes.api import errors, meta, resources
from rktnetes.apiserver import bootstrap
from rktnetes.apiserver.objects import Objects
from rktnetes.apiserver.registry import Registry

CONFIGMAPS = resources.lookup("", "v1", "configmaps")


@pytest.fixture
async def objects(tmp_path):
    st = await store_pkg.open_store(f"sqlite://{tmp_path / 'state.db'}")
    objs = Objects(Registry(st))
    await bootstrap.ensure_builtins(objs, 6443)
    yield objs
    await st.close()


async def test_generated_name_collisions_are_retried(objects, monkeypatch) -> None:
    names = itertools.chain(["gen-aaaaa", "gen-aaaaa", "gen-aaaaa"], (f"gen-{i:05d}" for i in itertools.count()))
    monkeypatch.setattr(meta, "generated_name", lambda prefix: next(names))
    first = await objects.create(CONFIGMAPS, "default", {"metadata": {"generateName": "gen-"}})
    second = await objects.create(CONFIGMAPS, "default", {"metadata": {"generateName": "gen-"}})
    assert first["metadata"]["name"] == "gen-aaaaa" and second["metadata"]["name"] == "gen-00000"


async def test_a_given_name_is_never_replaced(objects) -> None:
    body = {"metadata": {"name": "fixed", "generateName": "gen-"}}
    await objects.create(CONFIGMAPS, "default", dict(body, metadata=dict(body["metadata"])))
    with pytest.raises(errors.APIError) as info:
        await objects.create(CONFIGMAPS, "default", dict(body, metadata=dict(body["metadata"])))
    assert info.value.reason == "AlreadyExists"
