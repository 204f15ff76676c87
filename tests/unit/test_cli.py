from rktnetes.rkt.cli import main


def test_version_prints_rkt_version(capsys):
    assert main.main(["version"]) == 0
    assert capsys.readouterr().out.startswith("rkt Version: ")


def test_unknown_flag_is_one_line_and_254(capsys):
    assert main.main(["version", "--no-such-flag"]) == 254
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unrecognized arguments" in err


def test_unknown_insecure_option_is_rejected():
    import argparse

    import pytest

    from rktnetes.rkt.cli import common
    from rktnetes.rkt.errors import UsageError

    with pytest.raises(UsageError):
        common.insecure_options(argparse.Namespace(insecure_options="image,bogus"))
    assert common.insecure_options(argparse.Namespace(insecure_options="all-run")) == {
        "capabilities", "paths", "seccomp"}


def test_every_subcommand_module_is_in_the_command_table():
    import importlib
    import pkgutil

    import rktnetes.rkt.cli as package

    registering = {
        m.name for m in pkgutil.iter_modules(package.__path__)
        if hasattr(importlib.import_module(f"{package.__name__}.{m.name}"), "register")
    }
    assert registering == set(main.COMMANDS.values())


def test_only_the_named_subcommand_is_imported():
    import subprocess
    import sys

    code = ("import sys; from rktnetes.rkt.cli import main; main.build_parser(['version']); "
            "print(any(m.startswith('rktnetes.rkt.stage1') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout
    assert out.strip() == "False"
