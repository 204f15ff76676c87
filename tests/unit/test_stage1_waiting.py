"""The supervisor's waiting loop, on plain child processes standing in for runc."""

from __future__ import annotations

import os
import threading
import time
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
    apps = [(name, *proc, str(tmp_path / name), str(tmp_path / f"{name}.exit"))
            for name, proc in (("one", one), ("two", two), ("killed", killed))]
    codes = waiting.pump(apps, str(tmp_path / "runc"), echo=False)
    assert codes == {"one": 3, "two": 0, "killed": 137}
    assert {n: (tmp_path / f"{n}.exit").read_text() for n in codes} == {"one": "3\n", "two": "0\n", "killed": "137\n"}
    one_log = [line.split(" ", 1)[1] for line in (tmp_path / "one").read_text().splitlines()]
    assert sorted(one_log) == ["stderr F b", "stdout F a"]
    assert (tmp_path / "two").read_text().split(" ", 1)[1] == "stdout F c\n"


def test_terminal_apps_are_only_reaped(tmp_path: Path):
    pid, out, err = spawn("exit 5", pipes=False)
    app = ("tty", pid, out, err, str(tmp_path / "log"), str(tmp_path / "exit"))
    assert waiting.pump([app], str(tmp_path), echo=False) == {"tty": 5}
    assert not (tmp_path / "log").exists() and (tmp_path / "exit").read_text() == "5\n"


def test_an_app_that_ends_is_published_while_the_others_run(tmp_path: Path):
    quick, slow = spawn("exit 4"), spawn("exec sleep 5")
    apps = [("quick", *quick, str(tmp_path / "quick"), str(tmp_path / "quick.exit")),
            ("slow", *slow, str(tmp_path / "slow"), str(tmp_path / "slow.exit"))]
    seen = {}

    def watch() -> None:  # the loop itself must run on the main thread (it takes the signal wakeup fd)
        deadline = time.monotonic() + 5
        while not (tmp_path / "quick.exit").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        seen["quick"], seen["slow"] = (tmp_path / "quick.exit").exists(), (tmp_path / "slow.exit").exists()
        os.kill(slow[0], 9)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        assert waiting.pump(apps, str(tmp_path), echo=False) == {"quick": 4, "slow": 137}
    finally:
        watcher.join(timeout=10)
    assert seen == {"quick": True, "slow": False} and (tmp_path / "quick.exit").read_text() == "4\n"


def test_parse_app_word():
    assert waiting.parse_app("web:12:4:6:/p/apps/web/log", "/p/apps/web/exit") == \
        ("web", 12, 4, 6, "/p/apps/web/log", "/p/apps/web/exit")
