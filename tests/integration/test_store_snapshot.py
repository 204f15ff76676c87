"""Backups of a live store: SQLite's reopened as a store, etcd's checked and restored by the real etcdctl."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from rktnetes import store
from rktnetes.store import errors
from tests.fixtures.etcd import EtcdServer

pytestmark = pytest.mark.integration


async def test_a_sqlite_snapshot_is_a_store_of_its_own(tmp_path: Path) -> None:
    s = await store.open_store(f"sqlite://{tmp_path}/state.db")
    try:
        r1 = await s.create("/r/a", b"1")
        r2 = await s.update("/r/a", b"2", r1)
        await s.compact(r1)
        size = await s.snapshot(str(tmp_path / "backup.db"))
        await s.update("/r/a", b"after the snapshot", r2)
        with pytest.raises(errors.InvalidPath):
            await s.snapshot(str(tmp_path / "backup.db"))
    finally:
        await s.close()
    assert size == (tmp_path / "backup.db").stat().st_size and (tmp_path / "backup.db").stat().st_mode & 0o077 == 0
    copy = await store.open_store(f"sqlite://{tmp_path}/backup.db")
    try:
        assert await copy.current_revision() == r2 and (await copy.get("/r/a"))[1].value == b"2"
        assert (await copy.list("/r/", revision=r1)).kvs[0].value == b"1"
    finally:
        await copy.close()


def etcdctl(*args: str) -> str:
    return subprocess.run(["etcdctl", *args], capture_output=True, text=True, check=True, timeout=60,
                          env={"ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"}).stdout


async def test_an_etcd_snapshot_restores_with_etcdctl(etcd_server, tmp_path: Path) -> None:
    s = await store.open_store(etcd_server.url)
    try:
        rev = await s.create("/r/a", b"kept")
        await s.snapshot(str(tmp_path / "etcd.snap"))
    finally:
        await s.close()
    status = json.loads(etcdctl("snapshot", "status", str(tmp_path / "etcd.snap"), "-w", "json"))
    assert status["revision"] == rev
    restored = EtcdServer(tmp_path / "restored")
    etcdctl("snapshot", "restore", str(tmp_path / "etcd.snap"), "--data-dir", str(tmp_path / "restored" / "data"),
            "--name", restored.name, "--initial-cluster", restored.initial_cluster,
            "--initial-advertise-peer-urls", restored.peer_url)
    try:
        restored.start()
        copy = await store.open_store(restored.url)
        try:
            assert (await copy.get("/r/a"))[1].value == b"kept"
        finally:
            await copy.close()
    finally:
        restored.stop()


async def test_a_snapshot_into_a_missing_directory_is_refused(tmp_path: Path) -> None:
    s = await store.open_store(f"sqlite://{tmp_path}/state.db")
    try:
        for bad in (str(tmp_path / "no" / "such.db"), "relative.db"):
            with pytest.raises(errors.InvalidPath):
                await s.snapshot(bad)
    finally:
        await s.close()
