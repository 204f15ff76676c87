"""The sandbox's waiting loop (apps started on control lines, until stopped), with a stand-in ``runc`` on
PATH; and the pure parts of ``rkt app``: its argument split and the sandbox manifest."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from rktnetes.rkt.cli import app as appcli
from rktnetes.rkt.errors import UsageError
from rktnetes.rkt.pods import manifest
from rktnetes.rkt.stage1 import sandboxing, supervisor, waiting

# runc --root R run --bundle B NAME: run B/script, as the real runc would run the bundle's process
FAKE_RUNC = '#!/bin/sh\nexec /bin/sh "$5/script"\n'


@pytest.fixture
def fake_runc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "runc").write_text(FAKE_RUNC)
    (bin_dir / "runc").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    return tmp_path


def _bundle(root: Path, name: str, script: str) -> dict[str, str]:
    bundle = root / name
    bundle.mkdir()
    (bundle / "script").write_text(script)
    return {"bundle": str(bundle), "log": str(bundle / "log"), "exit": str(bundle / "exit"),
            "started": str(bundle / "started")}


def _line(name: str, files: dict[str, str], stdin: str = "null") -> bytes:
    return sandboxing.start_line(name, files["bundle"], files["log"], files["exit"], files["started"], stdin,
                                 files["bundle"] + "/stdin")


def _wait(path: str) -> None:
    deadline = time.monotonic() + 10
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.01)


def _drive(control: Path, steps: list) -> threading.Thread:
    """Write control lines (bytes) and wait for files (str) in order, from another thread."""
    def run() -> None:
        fd = os.open(control, os.O_WRONLY)
        try:
            for step in steps:
                os.write(fd, step) if isinstance(step, bytes) else _wait(step)
        finally:
            os.close(fd)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_apps_start_on_request_and_the_loop_ends_on_stop(fake_runc: Path):
    control = fake_runc / "control"
    os.mkfifo(control)
    one, two = _bundle(fake_runc, "one", "echo hello; exit 4\n"), _bundle(fake_runc, "two", "echo again >&2\n")
    steps = [_line("one", one), one["exit"], _line("two", two), two["exit"], b"stop\n"]
    thread = _drive(control, steps)
    codes = waiting.pump([], str(fake_runc / "runc-root"), False, str(control))
    thread.join(10)
    assert codes == {"one": 4, "two": 0}
    assert Path(one["log"]).read_text().split(" ", 1)[1] == "stdout F hello\n"
    assert Path(two["log"]).read_text().split(" ", 1)[1] == "stderr F again\n"
    pid, when = Path(one["started"]).read_text().split()
    assert int(pid) > 0 and abs(float(when) - time.time()) < 60


def test_a_stop_waits_for_running_apps_and_garbage_lines_are_ignored(fake_runc: Path):
    control = fake_runc / "control"
    os.mkfifo(control)
    slow = _bundle(fake_runc, "slow", "sleep 0.3; echo done\n")
    thread = _drive(control, [b"nonsense\n", b"start\ttoo\tfew\n", _line("slow", slow), slow["started"],
                              _line("slow", slow), b"stop\n"])  # a repeated start of a running app: no second run
    codes = waiting.pump([], str(fake_runc / "runc-root"), False, str(control))
    thread.join(10)
    assert codes == {"slow": 0} and Path(slow["log"]).read_text().count("stdout F done") == 1


def test_an_app_runc_cannot_start_gets_exit_code_255(fake_runc: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PATH", str(fake_runc / "nowhere"))
    control = fake_runc / "control"
    os.mkfifo(control)
    app = _bundle(fake_runc, "app", "true\n")
    thread = _drive(control, [_line("app", app), app["exit"], b"stop\n"])
    assert waiting.pump([], str(fake_runc), False, str(control)) == {}
    thread.join(10)
    assert Path(app["exit"]).read_text() == "255\n"


def test_app_words_take_the_app_name_before_any_double_dash():
    assert appcli.app_words(["img", "--app=web", "--exec", "/x"]) == ("web", ["img", "--exec", "/x"])
    assert appcli.app_words(["img", "--app", "web", "--", "--app=no"]) == ("web", ["img", "--", "--app=no"])
    with pytest.raises(UsageError, match="--app=NAME"):
        appcli.app_words(["img", "--", "--app=late"])


def test_app_annotations_are_taken_before_any_double_dash():
    words = ["img", "--annotation=a=1", "--exec", "/x", "--", "--annotation=b=2"]
    assert appcli.app_annotations(words) == (["a=1"], ["img", "--exec", "/x", "--", "--annotation=b=2"])


def test_a_sandbox_manifest_has_no_apps_and_is_marked_mutable():
    doc = manifest.sandbox_manifest(manifest.PodOptions(annotations={"a": "b"}))
    notes = {a["name"]: a["value"] for a in doc["annotations"]}
    assert doc["apps"] == [] and notes[manifest.MUTABLE_ANNOTATION] == "true" and notes["a"] == "b"
    assert supervisor.MUTABLE_ANNOTATION == manifest.MUTABLE_ANNOTATION  # stage1 knows it without the import
