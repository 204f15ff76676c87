"""rkt's dispatch finds the subcommand behind global flags' values, so only its module is imported."""

import subprocess
import sys

from rktnetes.rkt.cli import main


def test_the_command_is_found_after_a_global_flag_value():
    assert main._command_in(["--dir", "/tmp/x", "run", "busybox"]) == "run"
    assert main._command_in(["--dir=/tmp/x", "--insecure-options", "image", "fetch", "x"]) == "fetch"
    assert main._command_in(["--debug", "status", "--dir", "list"]) == "status"
    assert main._command_in(["--dir", "/tmp/x", "nonsense"]) is None


def test_a_dir_before_the_command_imports_only_that_command():
    code = ("import sys; from rktnetes.rkt.cli import main; main.build_parser(['--dir', '/tmp/x', 'version']); "
            "print(sorted(m for m in sys.modules if m.startswith('rktnetes.rkt.cli.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout
    assert out.strip() == "['rktnetes.rkt.cli.common', 'rktnetes.rkt.cli.main', 'rktnetes.rkt.cli.version']"


def test_the_console_script_exits_fast_with_its_code_and_all_its_output():
    from pathlib import Path

    rkt = str(Path(sys.executable).with_name("rkt"))
    done = subprocess.run([rkt, "version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("rkt Version:") and done.stdout.endswith("\n")
    bad = subprocess.run([rkt, "--dir", "/tmp/x", "bogus"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 254 and len(bad.stderr.strip().splitlines()) == 1


def test_the_console_entry_point_loads_nothing_before_turning_the_collector_off():
    code = ("import sys; from rktnetes.rkt.cli import console;"
            " print(sorted(m for m in ('argparse', 're', 'pathlib', 'rktnetes.rkt.cli.main') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr
