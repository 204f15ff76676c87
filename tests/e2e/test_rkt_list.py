"""``rkt list``: columns, ``--no-legend``, ``--full`` and ``--format=json``."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.e2e


def test_list_shows_pods_and_their_apps(rkt):
    uuid = rkt("prepare", "--net=none", "busybox", "--name=first", "---", "alpine-sh", "--name=second",
               check=True).stdout.strip()
    table = rkt("list", check=True).stdout.splitlines()
    assert table[0].split("\t")[0].strip() == "UUID" and "STATE" in table[0] and "NETWORKS" in table[0]
    rows = [[c.strip() for c in line.split("\t")] for line in table[1:]]
    mine = next(i for i, r in enumerate(rows) if r[0] == uuid[:8])
    assert rows[mine][1:4] == ["first", "busybox", "prepared"]
    assert rows[mine + 1][1:3] == ["second", "alpine-sh"]
    full = rkt("list", "--full", "--no-legend", check=True).stdout
    assert uuid in full and "UUID" not in full and "sha512-" in full


def test_list_json(rkt):
    done = rkt("run", "--net=none", "--uuid-file-save=/dev/stderr", "busybox", "--exec", "/bin/true")
    uuid = done.stderr.strip()[:36]
    pods = {p["uuid"]: p for p in json.loads(rkt("list", "--format=json", check=True).stdout)}
    assert pods[uuid]["state"] == "exited" and pods[uuid]["apps"][0]["exit_code"] == 0
    assert pods[uuid]["apps"][0]["image_name"] == "busybox"
