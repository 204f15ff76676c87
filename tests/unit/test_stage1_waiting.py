"""The supervisor's waiting loop, on plain child processes standing in for runc."""

from __future__ import annotations

import os
from pathlib import Path

from rktnetes.rkt.stage1 import waiting


def spawn(script: str, pipes: bool = True) -> tuple[int, int, int]:
    if not pipes:
        return os.posix_spawn("/bin/sh", ["sh", "-c", script], os.environ), -1, -1
    (out_r, out_w), (err_r, err_w) = os.pipe(), os.pipe()
    pid = os.posix_spawn("/bin/sh", ["sh", "-c", script], os.environ,
                         file_actions=[(os.POSIX_SPAWN_DUP2, out_w, 1), (os.POSIX_SPAWN_DUP2, err_w, 2)])
    os.close(out_w)
    os.close(err_w)
    return pid, out_r, err_r


def test_logs_and_exit_codes_of_every_app(tmp_path: Path):
    one, two = spawn("echo a; echo b >&2; exit 3"), spawn("sleep 0.2; echo c")
    killed = spawn("kill -9 $$")
    apps = [("one", *one, str(tmp_path / "one")), ("two", *two, str(tmp_path / "two")),
            ("killed", *killed, str(tmp_path / "killed"))]
    codes = waiting.pump(apps, str(tmp_path / "runc"), echo=False)
    assert codes == {"one": 3, "two": 0, "killed": 137}
    one_log = [line.split(" ", 1)[1] for line in (tmp_path / "one").read_text().splitlines()]
    assert sorted(one_log) == ["stderr F b", "stdout F a"]
    assert (tmp_path / "two").read_text().split(" ", 1)[1] == "stdout F c\n"


def test_terminal_apps_are_only_reaped(tmp_path: Path):
    pid, out, err = spawn("exit 5", pipes=False)
    assert waiting.pump([("tty", pid, out, err, str(tmp_path / "log"))], str(tmp_path), echo=False) == {"tty": 5}
    assert not (tmp_path / "log").exists()


def test_parse_app_word():
    assert waiting.parse_app("web:12:4:6:/p/apps/web/log") == ("web", 12, 4, 6, "/p/apps/web/log")
